package defaults

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"sort"
	"strings"

	"github.com/firedrill/firedrill"
)

// Embedded is how Source names a file read from the binary.
const Embedded = "embedded"

// FS is the shipped files, by their path in firedrill's repository.
var FS fs.FS = firedrill.Shipped

// name is p as a path of FS, or "" when p cannot name a shipped file.
func name(p string) string {
	if p == "" || filepath.IsAbs(p) {
		return ""
	}
	n := path.Clean(filepath.ToSlash(p))
	if !fs.ValidPath(n) || n == "." {
		return ""
	}
	return n
}

// onDisk reports whether p exists in the file system.
func onDisk(p string) bool {
	_, err := os.Stat(p)
	return err == nil
}

// IsShipped reports whether a relative path names a shipped file or
// directory (rules/default.rules.yml, features).
func IsShipped(p string) bool {
	n := name(p)
	if n == "" {
		return false
	}
	_, err := fs.Stat(FS, n)
	return err == nil
}

// ReadFile reads p from the file system when it is there, else the shipped
// file of the same relative path. When neither exists the error is the file
// system's (errors.Is(err, fs.ErrNotExist)).
func ReadFile(p string) ([]byte, error) {
	data, err := os.ReadFile(p)
	if err == nil || !errors.Is(err, fs.ErrNotExist) {
		return data, err
	}
	if n := name(p); n != "" {
		if shipped, serr := fs.ReadFile(FS, n); serr == nil {
			return shipped, nil
		}
	}
	return nil, err
}

// Source says where p is read from: p itself when it is on disk, Embedded
// when the binary's copy stands in, "" when it is nowhere.
func Source(p string) string {
	switch {
	case onDisk(p):
		return p
	case IsShipped(p):
		return Embedded
	default:
		return ""
	}
}

// Files lists the shipped files directly in dir whose names end in one of
// exts, sorted.
func Files(dir string, exts ...string) []string {
	entries, err := fs.ReadDir(FS, name(dir))
	if err != nil {
		return nil
	}
	var out []string
	for _, e := range entries {
		for _, ext := range exts {
			if !e.IsDir() && strings.HasSuffix(e.Name(), ext) {
				out = append(out, path.Join(name(dir), e.Name()))
				break
			}
		}
	}
	sort.Strings(out)
	return out
}

// Extract writes the shipped files or directories at paths under dir, keeping
// their relative paths, and returns where each landed (dir/features for
// "features"). It is how tools that read files from disk (godog, the
// validator) see shipped drills.
func Extract(dir string, paths ...string) ([]string, error) {
	out := make([]string, 0, len(paths))
	for _, p := range paths {
		n := name(p)
		if n == "" {
			return nil, fmt.Errorf("extract %s: not a shipped path", p)
		}
		err := fs.WalkDir(FS, n, func(fp string, d fs.DirEntry, err error) error {
			if err != nil {
				return err
			}
			dst := filepath.Join(dir, filepath.FromSlash(fp))
			if d.IsDir() {
				return os.MkdirAll(dst, 0o755)
			}
			data, err := fs.ReadFile(FS, fp)
			if err != nil {
				return err
			}
			if err := os.MkdirAll(filepath.Dir(dst), 0o755); err != nil {
				return err
			}
			return os.WriteFile(dst, data, 0o644)
		})
		if err != nil {
			return nil, fmt.Errorf("extract %s: %w", p, err)
		}
		out = append(out, filepath.Join(dir, filepath.FromSlash(n)))
	}
	return out, nil
}
