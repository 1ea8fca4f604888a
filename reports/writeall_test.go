package reports

import (
	"errors"
	"io"
	"os"
	"path/filepath"
	"sync"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// A write that fails halfway — a renderer's error, a full disk, a run
// killed mid-write — leaves the previous result.json whole, and no
// temporary file beside it.
func TestFailedWriteKeepsThePreviousFile(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	_, err := WriteAll(dir, fixture(), []string{"json"})
	require.NoError(t, err)
	path := filepath.Join(dir, "result.json")
	before, err := os.ReadFile(path)
	require.NoError(t, err)

	killed := errors.New("killed mid-write")
	err = writeAtomic(path, func(w io.Writer) error {
		if _, err := w.Write([]byte(`{"schema": "firedrill.result/v1", "run_id": "half`)); err != nil {
			return err
		}
		return killed
	})
	require.ErrorIs(t, err, killed)

	after, err := os.ReadFile(path)
	require.NoError(t, err)
	assert.Equal(t, string(before), string(after), "the previous file is intact")
	back, err := ReadResultFile(path)
	require.NoError(t, err)
	assert.Equal(t, fixture(), back)
	entries, err := os.ReadDir(dir)
	require.NoError(t, err)
	require.Len(t, entries, 1, "no temporary file is left")
	assert.Equal(t, "result.json", entries[0].Name())
}

// A reader of result.json never sees a part of it while runs keep
// rewriting it: each read gets one whole result or the other.
func TestReaderNeverSeesAPartialResult(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	small, big := fixture(), fixture()
	small.Drills = small.Drills[:1]
	small.RunID = "small"
	_, err := WriteAll(dir, big, []string{"json"})
	require.NoError(t, err)
	path := filepath.Join(dir, "result.json")

	var wg sync.WaitGroup
	done := make(chan struct{})
	wg.Add(1)
	go func() {
		defer wg.Done()
		defer close(done)
		for i := range 200 {
			r := big
			if i%2 == 0 {
				r = small
			}
			if _, err := WriteAll(dir, r, []string{"json"}); err != nil {
				t.Errorf("write %d: %v", i, err)
				return
			}
		}
	}()
	reads := 0
	for {
		select {
		case <-done:
			wg.Wait()
			assert.Positive(t, reads)
			return
		default:
		}
		r, err := ReadResultFile(path)
		require.NoError(t, err, "read %d saw a partial file", reads)
		require.Contains(t, []string{small.RunID, big.RunID}, r.RunID)
		reads++
	}
}
