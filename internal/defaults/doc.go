// Package defaults resolves firedrill's data files — rule files, playbooks,
// drills — the way a team's repository sees them: a file in the working
// directory (or at a path the configuration names) wins; a relative path that
// is not there falls back to the file of the same path firedrill ships in its
// binary. Absolute paths never fall back.
package defaults
