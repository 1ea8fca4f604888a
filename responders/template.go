package responders

import (
	"cmp"
	"errors"
	"fmt"
	"math"
	"net/url"
	"strconv"
	"strings"
	"text/template"
	"text/template/parse"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/firedrill/firedrill/incident"
)

// TemplateData is what a step's text may refer to as {{ .Field }}: the drill
// stack, as this host reaches it.
type TemplateData struct {
	AppURL      string
	DatabaseURL string // the app's database
	AdminURL    string // the maintenance database "postgres"
	RedisURL    string
	Database    string // the app database's name
	User        string // the database role the stack runs as
	// AppDatabaseURL is the app's own login on its database, with the
	// password the app was started with (stale once a drill rotated it),
	// and AppUser its role (stack.postgres.app_user; User when the app
	// shares the stack's).
	AppDatabaseURL, AppUser string
	RunID                   string
	// Backup is where the data-deletion fault leaves its pg_dump backup, in
	// the Postgres service's file system (see stack.Env.BackupPath): what an
	// exec step in service postgres restores from.
	Backup string
	// Dir is the playbook's directory.
	Dir string
	// OutDir is the drill's own directory in the run's output, for what
	// its steps keep (evidence): see Runtime.OutDir.
	OutDir string
	// PrometheusURL and AlertmanagerURL serve the drill's Prometheus and
	// Alertmanager HTTP APIs (see Runtime).
	PrometheusURL, AlertmanagerURL string
}

// MinDrillInterval is the floor of the drill template helper: however
// compressed the drill, "older than N drill minutes" never means less than
// this real time, so a query does not catch what has just started (itself
// included).
const MinDrillInterval = time.Second

// Scale is the real time that one unit of drill time has stood for so far
// in this drill: real elapsed / drill elapsed since the runtime was made,
// capped at 1 (real work is never compressed, so drill time never runs
// slower than real time). It is 1 before any drill time has passed and in
// realtime mode.
func (rt *Runtime) Scale() float64 {
	if rt == nil || rt.Clock == nil {
		return 1
	}
	drill := rt.Clock.Now() - rt.drill0
	now := time.Now
	if rt.wallNow != nil {
		now = rt.wallNow
	}
	real := now().Sub(rt.wall0)
	if drill <= 0 || real <= 0 {
		return 1
	}
	return math.Min(1, float64(real)/float64(drill))
}

// RealDuration is the real duration that drill duration d stands for in
// this drill: d × Scale, but never less than MinDrillInterval (or d, when d
// is shorter than that).
func (rt *Runtime) RealDuration(d time.Duration) time.Duration {
	r := time.Duration(float64(d) * rt.Scale())
	return max(r, min(d, MinDrillInterval))
}

// interval writes a duration as PostgreSQL (and a person) reads it:
// "600 seconds", "12.345 seconds".
func interval(d time.Duration) string {
	return strconv.FormatFloat(d.Round(time.Millisecond).Seconds(), 'f', -1, 64) + " seconds"
}

// funcs are the helpers a step's text may call. scale turns a drill
// duration into a real one (nil: validation, the identity).
func funcs(rt *Runtime) template.FuncMap {
	return template.FuncMap{
		// drill "10m" is the real interval that 10 drill minutes stand for,
		// as "N seconds": see Runtime.RealDuration.
		"drill": func(s string) (string, error) {
			d, err := incident.ParseDuration(s)
			if err != nil {
				return "", err
			}
			if rt != nil {
				d = rt.RealDuration(d)
			}
			return interval(d), nil
		},
		// ident quotes an SQL identifier.
		"ident": func(s string) string { return pgx.Identifier{s}.Sanitize() },
		// literal quotes an SQL string literal.
		"literal": func(s string) string { return "'" + strings.ReplaceAll(s, "'", "''") + "'" },
		// shell quotes a word for sh.
		"shell": func(s string) string { return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'" },
	}
}

// parseTemplate parses one text of a step, with the helpers.
func parseTemplate(text string, rt *Runtime) (*template.Template, error) {
	return template.New("step").Funcs(funcs(rt)).Option("missingkey=error").Parse(text)
}

// maxRendered bounds the text one template of a step renders to (1 MiB).
const maxRendered = 1 << 20

// errTooLong ends a template's execution past maxRendered.
var errTooLong = fmt.Errorf("renders to more than %d bytes", maxRendered)

// limitedBuilder refuses to grow past maxRendered.
type limitedBuilder struct{ strings.Builder }

func (b *limitedBuilder) Write(p []byte) (int, error) {
	if b.Len()+len(p) > maxRendered {
		return 0, errTooLong
	}
	return b.Builder.Write(p)
}

// renderText fills in one text of a step. A step's text has no use for
// loops or named templates (its data holds no lists), and without them a
// template's work is bounded by its length: {{range}}, {{define}},
// {{block}} and {{template}} are refused, and so is output beyond
// maxRendered.
func renderText(text string, data TemplateData, rt *Runtime) (string, error) {
	t, err := parseTemplate(text, rt)
	if err != nil {
		return "", err
	}
	if len(t.Templates()) > 1 {
		return "", errors.New("template: step: {{define}} and {{block}} are not supported in a step's text")
	}
	if t.Tree != nil {
		if err := bounded(t.Tree, t.Root); err != nil {
			return "", err
		}
	}
	var b limitedBuilder
	if err := t.Execute(&b, data); err != nil {
		return "", err
	}
	return b.String(), nil
}

// bounded refuses the nodes whose work is not bounded by the text's length.
func bounded(tree *parse.Tree, n parse.Node) error {
	switch n := n.(type) {
	case *parse.ListNode:
		if n == nil {
			return nil
		}
		for _, c := range n.Nodes {
			if err := bounded(tree, c); err != nil {
				return err
			}
		}
	case *parse.IfNode:
		return errors.Join(bounded(tree, n.List), bounded(tree, n.ElseList))
	case *parse.WithNode:
		return errors.Join(bounded(tree, n.List), bounded(tree, n.ElseList))
	case *parse.RangeNode:
		loc, _ := tree.ErrorContext(n)
		return fmt.Errorf("template: %s: {{range}} is not supported in a step's text", loc)
	case *parse.TemplateNode:
		loc, _ := tree.ErrorContext(n)
		return fmt.Errorf("template: %s: {{template}} is not supported in a step's text", loc)
	}
	return nil
}

// data is the template data of rt's stack, for a playbook in dir.
func (rt *Runtime) data(dir string) TemplateData {
	d := TemplateData{Dir: dir}
	if rt == nil {
		return d
	}
	d.PrometheusURL, d.AlertmanagerURL, d.OutDir = rt.PrometheusURL, rt.AlertmanagerURL, rt.OutDir
	if rt.Env == nil {
		return d
	}
	e := rt.Env
	d.AppURL, d.DatabaseURL, d.AdminURL, d.RedisURL = e.AppURL, e.PostgresURL, e.AdminURL(), e.RedisURL
	d.Database, d.User, d.RunID = e.Config.Postgres.Database, e.Config.Postgres.User, e.RunID
	d.AppDatabaseURL, d.AppUser = e.AppDatabaseURL, cmp.Or(e.Config.Postgres.AppUser, d.User)
	if d.Database == "" {
		if u, err := url.Parse(e.PostgresURL); err == nil {
			d.Database = strings.TrimPrefix(u.Path, "/")
		}
	}
	d.Backup = e.BackupPath()
	return d
}

// sampleData stands in for a stack when a playbook is validated.
var sampleData = TemplateData{
	AppURL: "http://127.0.0.1:8080", DatabaseURL: "postgres://u:p@127.0.0.1:5432/app",
	AdminURL: "postgres://u:p@127.0.0.1:5432/postgres", RedisURL: "redis://127.0.0.1:6379/0",
	Database: "app", User: "u", RunID: "run", Backup: "/tmp/backup.dump", Dir: ".", OutDir: "/tmp/out/drill",
	AppDatabaseURL: "postgres://app:p@127.0.0.1:5432/app", AppUser: "app",
	PrometheusURL: "http://127.0.0.1:9090", AlertmanagerURL: "http://127.0.0.1:9093",
}
