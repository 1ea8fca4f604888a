package reports

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"os"

	"github.com/firedrill/firedrill/incident"
)

// The json format is result.json: the stored form of a run, which
// `firedrill report` reads back to render every other format again.
// Its schema is SCHEMA.md.

func init() { Register("json", WithFileName("result.json", RendererFunc(WriteResult))) }

// WriteResult writes r as indented JSON (the result.json format), filling
// in the schema version.
func WriteResult(w io.Writer, r Result) error {
	r.Schema = SchemaVersion
	b, err := json.MarshalIndent(r, "", "  ")
	if err != nil {
		return fmt.Errorf("encode result: %w", err)
	}
	b = append(b, '\n')
	if _, err := w.Write(b); err != nil {
		return fmt.Errorf("write result: %w", err)
	}
	return nil
}

// ReadResult reads a result written by WriteResult. A result of another
// schema version is refused (ErrSchema) rather than half-read.
func ReadResult(rd io.Reader) (Result, error) {
	b, err := io.ReadAll(rd)
	if err != nil {
		return Result{}, fmt.Errorf("read result: %w", err)
	}
	var head struct {
		Schema string `json:"schema"`
	}
	if err := json.Unmarshal(b, &head); err != nil {
		return Result{}, fmt.Errorf("decode result: %w", err)
	}
	if head.Schema != SchemaVersion {
		return Result{}, fmt.Errorf("decode result: schema %q, want %q: %w", head.Schema, SchemaVersion, ErrSchema)
	}
	var r Result
	dec := json.NewDecoder(bytes.NewReader(b))
	if err := dec.Decode(&r); err != nil {
		return Result{}, fmt.Errorf("decode result: %w", err)
	}
	// Durations stored as seconds are bounded as they are decoded; a
	// timeline's drill times are nanoseconds, bounded here.
	for i, d := range r.Drills {
		for j, m := range d.Timeline {
			if m.Drill < -incident.MaxDuration || m.Drill > incident.MaxDuration {
				return Result{}, fmt.Errorf("decode result: drill %d, timeline entry %d: drill time %d ns is beyond a year", i+1, j+1, m.Drill)
			}
		}
	}
	return r, nil
}

// ReadResultFile reads a stored result.json, naming the file in errors.
func ReadResultFile(path string) (Result, error) {
	f, err := os.Open(path)
	if err != nil {
		return Result{}, fmt.Errorf("open result: %w", err)
	}
	defer f.Close()
	r, err := ReadResult(f)
	if err != nil {
		return Result{}, fmt.Errorf("%s: %w", path, err)
	}
	return r, nil
}
