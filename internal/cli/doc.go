// Package cli is the firedrill command line. Commands take their I/O and
// environment from a State, so tests run them in-process; failure kinds map
// to the documented exit codes in one place (exit.go).
package cli
