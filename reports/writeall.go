package reports

import (
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
)

// WriteAll renders r in each format into dir (created if needed) and returns
// the paths written, in the order of formats; no formats means every
// registered one (Names). Each file is written to a
// temporary name and renamed, so a failed renderer never leaves a half file
// where a previous run's report was. Unknown formats are refused before
// anything is written.
func WriteAll(dir string, r Result, formats []string) ([]string, error) {
	if len(formats) == 0 {
		formats = Names()
	}
	files := make([]string, len(formats))
	seen := map[string]string{}
	for i, f := range formats {
		name, err := FileName(f)
		if err != nil {
			return nil, fmt.Errorf("write reports: %w", err)
		}
		if other, dup := seen[name]; dup {
			return nil, fmt.Errorf("write reports: formats %q and %q both write %s", other, f, name)
		}
		seen[name] = f
		files[i] = name
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, fmt.Errorf("create report dir: %w", err)
	}
	var paths []string
	for i, f := range formats {
		path := filepath.Join(dir, files[i])
		if err := writeOne(path, f, r); err != nil {
			return paths, err
		}
		paths = append(paths, path)
	}
	return paths, nil
}

func writeOne(path, format string, r Result) error {
	rd, _ := Lookup(format)
	if err := writeAtomic(path, func(w io.Writer) error { return rd.Render(w, r) }); err != nil {
		return fmt.Errorf("render %s: %w", format, err)
	}
	return nil
}

// writeAtomic writes a file whole or not at all: into a temporary file of
// the same directory, synced, then renamed over path. A reader (`firedrill
// report`, a CI job) sees the previous file or the new one, never a part;
// a write that fails, or a run killed while writing, leaves the previous
// file as it was (a kill leaves at most a hidden ".NAME-*" temporary file).
func writeAtomic(path string, write func(io.Writer) error) (err error) {
	tmp, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+"-*")
	if err != nil {
		return fmt.Errorf("create %s: %w", path, err)
	}
	closed := false
	defer func() {
		if err != nil {
			if !closed {
				err = errors.Join(err, tmp.Close())
			}
			_ = os.Remove(tmp.Name())
		}
	}()
	if err := write(tmp); err != nil {
		return err
	}
	if err := tmp.Chmod(0o644); err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	if err := tmp.Sync(); err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	closed = true
	if err := tmp.Close(); err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	if err := os.Rename(tmp.Name(), path); err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	return nil
}
