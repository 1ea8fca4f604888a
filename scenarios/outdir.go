package scenarios

import (
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/cucumber/godog"
)

// drillOutDir is one drill's own directory in the run's output, where its
// responder's steps keep what they collect (the security playbook's
// evidence): <out>/drills/<feature>/<scenario>, with -2, -3, … when a
// scenario's name comes again (an outline's rows). Without
// Options.OutDir (go test), <out> is a temporary directory of the run,
// removed by Close. The directory itself is made by the step that writes
// to it.
func (s *Suite) drillOutDir(p *godog.Scenario) (string, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	root := s.opts.OutDir
	if root == "" {
		if s.tmpOut == "" {
			dir, err := os.MkdirTemp("", "firedrill-out-"+s.runID+"-")
			if err != nil {
				return "", err
			}
			s.tmpOut = dir
		}
		root = s.tmpOut
	}
	// Absolute: a step runs in its playbook's directory.
	root, err := filepath.Abs(root)
	if err != nil {
		return "", err
	}
	feature := slug(strings.TrimSuffix(filepath.Base(p.Uri), filepath.Ext(p.Uri)))
	rel := filepath.Join(feature, slug(p.Name))
	if s.outDirs == nil {
		s.outDirs = map[string]int{}
	}
	s.outDirs[rel]++
	if n := s.outDirs[rel]; n > 1 {
		rel += "-" + strconv.Itoa(n)
	}
	return filepath.Join(root, "drills", rel), nil
}

// slug makes a name a file name: lower case letters and digits, the rest
// one dash, at most 80 bytes.
func slug(name string) string {
	var b strings.Builder
	dash := false
	for _, r := range strings.ToLower(name) {
		if unicode.IsLetter(r) || unicode.IsDigit(r) {
			if dash && b.Len() > 0 {
				b.WriteByte('-')
			}
			b.WriteRune(r)
			dash = false
		} else {
			dash = true
		}
	}
	out := b.String()
	for len(out) > 80 || !utf8.ValidString(out) {
		out = out[:len(out)-1]
	}
	out = strings.TrimRight(out, "-")
	if out == "" {
		out = "drill"
	}
	return out
}
