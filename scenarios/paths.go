package scenarios

import (
	"fmt"
	"os"
	"path/filepath"

	"github.com/firedrill/firedrill/internal/defaults"
)

// resolvePath finds a file a feature names (a rule file, an Alertmanager
// configuration), the same way for validation and a run, so a feature
// that passes `firedrill validate` reads the same file when it runs:
//
//  1. as written: absolute, or relative to the working directory (how
//     every feature has always named its files);
//  2. relative to the feature file's directory, so a feature can name the
//     files beside it and be validated or run from anywhere;
//  3. as written again when firedrill ships a file of that relative path
//     (rules/default.rules.yml), which its loader reads from the binary.
//
// feature is the feature file's path as godog or the validator has it
// (godog adds ":LINE" to it when a run is pointed at one scenario, which
// is part of the file's name, never of its directory). what names the
// kind of file for the error, which says where it looked, absolutely.
func resolvePath(feature, what, p string) (string, error) {
	if exists(p) {
		return p, nil
	}
	looked := abs(p)
	if !filepath.IsAbs(p) && feature != "" {
		beside := filepath.Join(filepath.Dir(feature), p)
		if exists(beside) {
			return beside, nil
		}
		if a := abs(beside); a != looked {
			looked += " and " + a
		}
	}
	if defaults.IsShipped(p) {
		return p, nil
	}
	return "", fmt.Errorf("%s %q not found: looked in %s", what, p, looked)
}

// exists reports whether p is there to be opened; a file that exists but
// cannot be read is the loader's to report.
func exists(p string) bool {
	_, err := os.Stat(p)
	return err == nil || !os.IsNotExist(err)
}

// abs is p made absolute, for messages (p itself when that fails).
func abs(p string) string {
	if a, err := filepath.Abs(p); err == nil {
		return a
	}
	return p
}
