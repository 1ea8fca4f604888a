package scenarios

import (
	"fmt"
	"regexp"
	"strings"
)

// undefined says a step is no sentence of the vocabulary and, when one is
// near, which it may have meant.
func undefined(text string) string {
	msg := fmt.Sprintf("undefined step \"%s\"", text)
	if s := nearestStep(text); s != nil {
		msg += fmt.Sprintf("; did you mean `%s`?", s.Keyword+" "+withNames(strings.TrimPrefix(s.Example, s.Keyword+" "), quotedRe.FindAllString(text, -1)))
	}
	return msg + " (`firedrill list` prints the step vocabulary)"
}

// withNames puts names, each quoted, in place of the quoted names of a
// sentence when they are as many, so a suggestion keeps the user's names.
func withNames(sentence string, names []string) string {
	if len(quotedRe.FindAllString(sentence, -1)) != len(names) {
		return sentence
	}
	i := 0
	return quotedRe.ReplaceAllStringFunc(sentence, func(string) string { i++; return names[i-1] })
}

// usage is a sentence's example with its quoted names replaced by what
// to write there, for messages that tell which step to add.
func usage(s *Step, names ...string) string {
	q := make([]string, len(names))
	for i, n := range names {
		q[i] = `"` + n + `"`
	}
	return "`" + s.Keyword + " " + withNames(strings.TrimPrefix(s.Example, s.Keyword+" "), q) + "`"
}

var (
	quotedRe = regexp.MustCompile(`"[^"]*"`)
	numberRe = regexp.MustCompile(`\d+(?:\.\d+)?`)
)

// shape is a sentence with its names and numbers blanked, so sentences
// compare by their words: `the alert "X" fires in 2 minutes` is near
// `the alert "Y" fires within 5 minutes`.
func shape(s string) string {
	s = strings.ToLower(strings.TrimSpace(s))
	s = quotedRe.ReplaceAllString(s, `""`)
	return numberRe.ReplaceAllString(s, "0")
}

// nearestStep is the sentence nearest to text, if one is near enough to
// be a likely slip (within a quarter of its length, in edits).
func nearestStep(text string) *Step {
	want := shape(text)
	var best *Step
	bestD := len(want)/4 + 1
	for _, s := range Steps() {
		ex := strings.TrimPrefix(s.Example, s.Keyword+" ")
		if d := levenshtein(want, shape(ex)); d < bestD {
			best, bestD = s, d
		}
	}
	return best
}

// Nearest is the name of names nearest to name, or "" when none is near
// (within a third of its length, in edits): the "did you mean" of an
// unknown name, the same in a feature and on the command line.
func Nearest(name string, names []string) string {
	best, bestD := "", len(name)/3+1
	for _, n := range names {
		if d := levenshtein(strings.ToLower(name), strings.ToLower(n)); d < bestD {
			best, bestD = n, d
		}
	}
	return best
}

// levenshtein is the edit distance between a and b, in runes.
func levenshtein(a, b string) int {
	ra, rb := []rune(a), []rune(b)
	prev := make([]int, len(rb)+1)
	cur := make([]int, len(rb)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(ra); i++ {
		cur[0] = i
		for j := 1; j <= len(rb); j++ {
			cost := 1
			if ra[i-1] == rb[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
		}
		prev, cur = cur, prev
	}
	return prev[len(rb)]
}
