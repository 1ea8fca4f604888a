package yamlerr

import (
	"fmt"
	"regexp"
	"strconv"
	"strings"

	"gopkg.in/yaml.v3"
)

// Problem is one decoding problem: its line (0: unknown), the dotted key
// it is about ("" when no key is known) and the sentence.
type Problem struct {
	Line int
	Key  string
	Msg  string
}

// String is "key: msg", or msg when no key is known.
func (p Problem) String() string {
	if p.Key == "" {
		return p.Msg
	}
	return p.Key + ": " + p.Msg
}

// Index finds the key at a line of a document.
type Index struct {
	// scalars are the keys and scalar values on each line, outermost first.
	scalars map[int][]entry
	// collections are the keys whose mapping or list value starts on each
	// line, outermost first; value is its tag (!!map, !!seq).
	collections map[int][]entry
}

type entry struct{ key, value string }

var kindTags = map[yaml.Kind]string{yaml.MappingNode: "!!map", yaml.SequenceNode: "!!seq"}

// NewIndex indexes the keys of a document (nil: none).
func NewIndex(root *yaml.Node) *Index {
	ix := &Index{scalars: map[int][]entry{}, collections: map[int][]entry{}}
	if root != nil && root.Kind == yaml.DocumentNode && len(root.Content) > 0 {
		root = root.Content[0]
	}
	if root != nil {
		ix.walk(root, "")
	}
	return ix
}

func (ix *Index) walk(n *yaml.Node, path string) {
	join := func(k string) string {
		if path == "" {
			return k
		}
		return path + "." + k
	}
	switch n.Kind {
	case yaml.MappingNode:
		for i := 0; i+1 < len(n.Content); i += 2 {
			k, v := n.Content[i], n.Content[i+1]
			p := join(k.Value)
			ix.scalars[k.Line] = append(ix.scalars[k.Line], entry{p, k.Value})
			ix.value(v, p)
		}
	case yaml.SequenceNode:
		for i, v := range n.Content {
			ix.value(v, path+"["+strconv.Itoa(i)+"]")
		}
	}
}

func (ix *Index) value(v *yaml.Node, path string) {
	// An alias is not followed: its problems are reported at the anchor's
	// lines, and an alias may hold itself.
	if v.Kind == yaml.ScalarNode || v.Kind == yaml.AliasNode {
		ix.scalars[v.Line] = append(ix.scalars[v.Line], entry{path, v.Value})
		return
	}
	ix.collections[v.Line] = append(ix.collections[v.Line], entry{path, kindTags[v.Kind]})
	ix.walk(v, path)
}

var (
	lineRe      = regexp.MustCompile(`^(?:yaml: )?line (\d+): (.*)$`)
	unmarshalRe = regexp.MustCompile("^cannot unmarshal (!!\\w+)(?: `(.*)`)? into (\\S+)$")
	unknownRe   = regexp.MustCompile(`^field (\S+) not found in type (\S+)$`)
)

// Problem translates one of yaml's messages ("line 7: cannot unmarshal
// !!str `abc` into int", a yaml.TypeError's entry) into a Problem at its
// line and key. known, when not nil, lists the keys a type has, for an
// unknown key's message.
func (ix *Index) Problem(msg string, known func(typeName string) []string) Problem {
	msg = strings.TrimSpace(msg)
	m := lineRe.FindStringSubmatch(msg)
	if m == nil {
		return Problem{Msg: Sentence(msg)}
	}
	line, _ := strconv.Atoi(m[1])
	text := m[2]
	if u := unknownRe.FindStringSubmatch(text); u != nil {
		p := Problem{Line: line, Key: ix.at(line, "", u[1]), Msg: fmt.Sprintf("unknown key %q", u[1])}
		if known != nil {
			if keys := known(u[2]); len(keys) > 0 {
				p.Msg += " (known: " + strings.Join(keys, ", ") + ")"
			}
		}
		return p
	}
	if u := unmarshalRe.FindStringSubmatch(text); u != nil {
		return Problem{Line: line, Key: ix.at(line, u[1], u[2]), Msg: sentence(text, known)}
	}
	// A loader's own message about a whole mapping or list ends so.
	tag := ""
	switch {
	case strings.HasSuffix(text, "not a list"):
		tag = "!!seq"
	case strings.HasSuffix(text, "not a mapping"):
		tag = "!!map"
	}
	return Problem{Line: line, Key: ix.at(line, tag, quoted(text)), Msg: text}
}

// quoted is the first "..." of a message, the value it is about.
func quoted(msg string) string {
	i := strings.IndexByte(msg, '"')
	if i < 0 {
		return ""
	}
	if s, err := strconv.QuotedPrefix(msg[i:]); err == nil {
		v, _ := strconv.Unquote(s)
		return v
	}
	return ""
}

// at is the key of the problem at line: for a mapping or list (tag !!map,
// !!seq) the innermost key whose value of that kind starts there;
// otherwise the entry on the line whose value is value, else the innermost
// key on it.
func (ix *Index) at(line int, tag, value string) string {
	if tag == "!!map" || tag == "!!seq" {
		cs := ix.collections[line]
		for i := len(cs) - 1; i >= 0; i-- {
			if cs[i].value == tag {
				return cs[i].key
			}
		}
	}
	es := ix.scalars[line]
	for i := len(es) - 1; i >= 0; i-- {
		if value != "" && es[i].value == value {
			return es[i].key
		}
	}
	if len(es) > 0 {
		return es[len(es)-1].key
	}
	return ""
}

// Sentence says one of yaml's "cannot unmarshal" messages as a person
// reads it; other messages are returned as they are.
func Sentence(msg string) string { return sentence(msg, nil) }

func sentence(msg string, known func(string) []string) string {
	u := unmarshalRe.FindStringSubmatch(msg)
	if u == nil {
		return msg
	}
	tag, value, goType := u[1], u[2], u[3]
	want := typeWords(goType, known)
	switch tag {
	case "!!map":
		return fmt.Sprintf("want %s, not a mapping", want)
	case "!!seq":
		return fmt.Sprintf("want %s, not a list", want)
	case "!!null":
		return fmt.Sprintf("want %s, not an empty value", want)
	}
	return fmt.Sprintf("%q is not %s", value, want)
}

// typeWords names a Go type as a value firedrill.yaml or a playbook holds:
// a struct (a type known lists keys for) is a mapping, another named type
// is its name ("responders.Phase": a phase).
func typeWords(t string, known func(string) []string) string {
	switch {
	case t == "time.Duration":
		return "a duration (e.g. 5m)"
	case strings.HasPrefix(t, "int"), strings.HasPrefix(t, "uint"):
		return "a whole number"
	case strings.HasPrefix(t, "float"):
		return "a number"
	case t == "bool":
		return "true or false"
	case t == "string":
		return "text"
	case strings.HasPrefix(t, "[]"):
		return "a list"
	case strings.HasPrefix(t, "map["):
		return "a mapping (key: value lines)"
	case strings.HasPrefix(t, "*"):
		return typeWords(t[1:], known)
	case known != nil && len(known(t)) > 0:
		return "a mapping (key: value lines)"
	}
	if i := strings.LastIndexByte(t, '.'); i >= 0 {
		return "a " + strings.ToLower(t[i+1:])
	}
	return "a " + t
}
