// Package tooltest finds the real servers and checkers a test compares
// firedrill with (Debian's prometheus, promtool, amtool, curl, jq). A tool
// that is missing fails the test under CI (CI=true), where the project's
// setup installs it, and skips it elsewhere, saying what to install.
package tooltest

import (
	"os"
	"os/exec"
	"testing"
)

// Need returns the path of tool, or skips (fails under CI) saying which
// Debian package brings it.
func Need(t testing.TB, tool, debianPackage string) string {
	t.Helper()
	path, err := exec.LookPath(tool)
	if err == nil {
		return path
	}
	if os.Getenv("CI") != "" {
		t.Fatalf("tooltest: %s must be installed in CI (Debian package %s; scripts/setup.sh installs it): %v", tool, debianPackage, err)
	}
	t.Skipf("tooltest: unavailable: %s not installed (apt-get install %s)", tool, debianPackage)
	return ""
}
