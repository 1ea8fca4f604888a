// Package config loads firedrill.yaml. Loading is strict: an unknown key, a
// value of the wrong type or a value out of range is an error that names the
// file, the line and the key, and nothing is started on bad input.
// Environment variables (FIREDRILL_*) override the file for the settings a
// host decides, such as which images it can run.
package config
