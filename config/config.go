package config

import (
	"bytes"
	"cmp"
	"errors"
	"fmt"
	"os"
	"reflect"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"

	"gopkg.in/yaml.v3"

	"github.com/firedrill/firedrill/incident"
	"github.com/firedrill/firedrill/internal/yamlerr"
)

// ErrInvalid marks every error of bad configuration, so the CLI can map it to
// its "bad input" exit code.
var ErrInvalid = errors.New("invalid configuration")

// Config is firedrill.yaml.
type Config struct {
	Stack      Stack      `yaml:"stack"`
	Traffic    Traffic    `yaml:"traffic"`
	Monitoring Monitoring `yaml:"monitoring"`
	Clock      Clock      `yaml:"clock"`
	Targets    Targets    `yaml:"targets"`
	// Team and Escalation are who a game day pages, and when.
	Team       Team       `yaml:"team"`
	Escalation Escalation `yaml:"escalation"`
}

// Stack says which services a drill starts and how the app is wired to them.
type Stack struct {
	// Provider is auto (docker when a daemon answers, else local), docker or local.
	Provider string `yaml:"provider"`
	// StartupTimeout bounds the start of each service.
	StartupTimeout Duration  `yaml:"startup_timeout"`
	Postgres       Postgres  `yaml:"postgres"`
	Redis          Redis     `yaml:"redis"`
	App            App       `yaml:"app"`
	Exporters      Exporters `yaml:"exporters"`
}

// Postgres is the database service.
type Postgres struct {
	Image          string `yaml:"image"`
	Database       string `yaml:"database"`
	User           string `yaml:"user"`
	Password       string `yaml:"password"`
	MaxConnections int    `yaml:"max_connections"`
	// AppUser is the app's own login role, created when the stack starts
	// with a password generated for the run, so that a playbook can rotate
	// the app's password without cutting off the harness, which logs in as
	// User. Empty: the app logs in as User too.
	AppUser string `yaml:"app_user"`
}

// Redis is the cache service.
type Redis struct {
	Image string `yaml:"image"`
}

// App is the application under drill.
type App struct {
	// Image is the app's container image (docker provider).
	Image string `yaml:"image"`
	// Command runs the app as a process (local provider); empty means the
	// demo app, built from this module.
	Command []string `yaml:"command"`
	// Port is the port the app listens on.
	Port        int    `yaml:"port"`
	HealthPath  string `yaml:"health_path"`
	MetricsPath string `yaml:"metrics_path"`
	// PasswordPath is where the running app takes a new database password
	// (POST {"password": "..."}): the stack's Reset hands the app its
	// start password back there after a drill rotated it. Empty, or an app
	// that does not answer it, is restarted instead.
	PasswordPath string `yaml:"password_path"`
	// Env is extra environment for the app. Values may use {{.DatabaseURL}},
	// {{.RedisURL}} and {{.Port}}, as the app must see them.
	Env map[string]string `yaml:"env"`
	// The names of the variables through which the app reads its wiring.
	DatabaseURLEnv string `yaml:"database_url_env"`
	RedisURLEnv    string `yaml:"redis_url_env"`
	PortEnv        string `yaml:"port_env"`
}

// Exporters are the Prometheus exporters started beside the services, so that
// rules written for them evaluate unchanged.
type Exporters struct {
	Postgres Exporter `yaml:"postgres"`
	Redis    Exporter `yaml:"redis"`
}

// Exporter is one exporter: its image (docker) or binary (local).
type Exporter struct {
	Enabled *bool  `yaml:"enabled"`
	Image   string `yaml:"image"`
	Binary  string `yaml:"binary"`
}

// On says whether the exporter runs (it does unless disabled).
func (e Exporter) On() bool { return e.Enabled == nil || *e.Enabled }

// Duration is a time.Duration written as "90s" or "2 minutes".
type Duration time.Duration

// UnmarshalYAML reads either form. Its error is a yaml.TypeError, so the
// decoder goes on and every problem of the file is reported at once.
func (d *Duration) UnmarshalYAML(n *yaml.Node) error {
	if n.Kind != yaml.ScalarNode {
		return typeError(n, "want a duration (e.g. 5m or 2 minutes), not %s", kindWords[n.Kind])
	}
	v, err := incident.ParseDuration(n.Value)
	if err != nil {
		why := strings.TrimPrefix(err.Error(), fmt.Sprintf("parse duration %q: ", n.Value))
		if strings.HasPrefix(why, "want a number and a unit") {
			return typeError(n, "%q is not a duration (e.g. 5m or 2 minutes)", n.Value)
		}
		return typeError(n, "%q is not a duration: %s", n.Value, why)
	}
	*d = Duration(v)
	return nil
}

var kindWords = map[yaml.Kind]string{yaml.MappingNode: "a mapping", yaml.SequenceNode: "a list", yaml.AliasNode: "an alias"}

// typeError is a problem of a value the decoder reports with the others.
func typeError(n *yaml.Node, format string, args ...any) *yaml.TypeError {
	return &yaml.TypeError{Errors: []string{fmt.Sprintf("line %d: ", n.Line) + fmt.Sprintf(format, args...)}}
}

// D is the value as a time.Duration.
func (d Duration) D() time.Duration { return time.Duration(d) }

// Default is the configuration used when there is no firedrill.yaml: the
// demo app on the official images.
func Default() Config {
	return Config{
		Stack: Stack{
			Provider:       "auto",
			StartupTimeout: Duration(90 * time.Second),
			Postgres: Postgres{
				Image: "postgres:15", Database: "app", User: "firedrill", Password: "firedrill", MaxConnections: 30, AppUser: "app",
			},
			Redis: Redis{Image: "redis:7"},
			App: App{
				Image: "firedrill/demoapp:dev", Port: 8080, HealthPath: "/health", MetricsPath: "/metrics", PasswordPath: "/admin/db-password",
				DatabaseURLEnv: "DATABASE_URL", RedisURLEnv: "REDIS_URL", PortEnv: "PORT",
			},
			Exporters: Exporters{
				Postgres: Exporter{Image: "quay.io/prometheuscommunity/postgres-exporter:v0.17.1", Binary: "prometheus-postgres-exporter"},
				Redis:    Exporter{Image: "oliver006/redis_exporter:v1.67.0", Binary: "prometheus-redis-exporter"},
			},
		},
		Traffic:    defaultTraffic(),
		Monitoring: defaultMonitoring(),
		Clock:      defaultClock(),
		Team:       DefaultTeam(),
		Escalation: DefaultEscalation(),
	}
}

// envOverrides are the settings a host decides, by variable.
var envOverrides = map[string]func(*Config, string){
	"FIREDRILL_PROVIDER":                 func(c *Config, v string) { c.Stack.Provider = v },
	"FIREDRILL_POSTGRES_IMAGE":           func(c *Config, v string) { c.Stack.Postgres.Image = v },
	"FIREDRILL_REDIS_IMAGE":              func(c *Config, v string) { c.Stack.Redis.Image = v },
	"FIREDRILL_APP_IMAGE":                func(c *Config, v string) { c.Stack.App.Image = v },
	"FIREDRILL_POSTGRES_EXPORTER_IMAGE":  func(c *Config, v string) { c.Stack.Exporters.Postgres.Image = v },
	"FIREDRILL_REDIS_EXPORTER_IMAGE":     func(c *Config, v string) { c.Stack.Exporters.Redis.Image = v },
	"FIREDRILL_POSTGRES_EXPORTER_BINARY": func(c *Config, v string) { c.Stack.Exporters.Postgres.Binary = v },
	"FIREDRILL_REDIS_EXPORTER_BINARY":    func(c *Config, v string) { c.Stack.Exporters.Redis.Binary = v },
}

// Load reads path over the defaults, then applies FIREDRILL_* overrides from
// getenv (nil: none). A missing file is not an error when path is empty.
func Load(path string, getenv func(string) string) (Config, error) {
	c := Default()
	if path != "" {
		data, err := os.ReadFile(path)
		if err != nil {
			return c, fmt.Errorf("load config: %w", err)
		}
		if c, err = Parse(path, data); err != nil {
			return c, err
		}
	}
	if getenv != nil {
		for name, set := range envOverrides {
			if v := getenv(name); v != "" {
				set(&c, v)
			}
		}
	}
	if err := c.validate(nil, "environment"); err != nil {
		return c, err
	}
	return c, nil
}

// Parse reads a firedrill.yaml document over the defaults. name is used in
// errors only.
func Parse(name string, data []byte) (Config, error) {
	c := Default()
	var root yaml.Node
	if err := yaml.Unmarshal(data, &root); err != nil {
		return c, fmt.Errorf("%w: %s", ErrInvalid, yamlError(name, err))
	}
	if len(root.Content) == 0 {
		return c, nil
	}
	dec := yaml.NewDecoder(bytes.NewReader(data))
	dec.KnownFields(true)
	// A TypeError lists every value the decoder could not take and leaves
	// the others decoded, so the values are judged too: one pass, every
	// problem.
	var decoded []problem
	if err := dec.Decode(&c); err != nil {
		var te *yaml.TypeError
		if !errors.As(err, &te) {
			return c, fmt.Errorf("%w: %s", ErrInvalid, yamlError(name, err))
		}
		ix := yamlerr.NewIndex(&root)
		for _, msg := range te.Errors {
			p := ix.Problem(msg, knownKeys)
			decoded = append(decoded, problem{path: p.Key, msg: p.Msg, line: p.Line})
		}
	}
	return c, c.check(&root, name, decoded)
}

var (
	lineRe    = regexp.MustCompile(`line (\d+): (.*)`)
	unknownRe = regexp.MustCompile(`field (\S+) not found in type (\S+)`)
	nameRe    = regexp.MustCompile(`^[A-Za-z0-9_.-]+$`)
)

// yamlError rewrites yaml.v3's messages as file:line: message, one per line.
func yamlError(name string, err error) string {
	var out []string
	for _, l := range strings.Split(err.Error(), "\n") {
		l = strings.TrimSpace(strings.TrimPrefix(strings.TrimSpace(l), "yaml:"))
		if l == "" || l == "unmarshal errors:" {
			continue
		}
		if m := lineRe.FindStringSubmatch(l); m != nil {
			msg := m[2]
			if u := unknownRe.FindStringSubmatch(msg); u != nil {
				msg = fmt.Sprintf("unknown key %q", u[1])
			}
			out = append(out, fmt.Sprintf("%s:%s: %s", name, m[1], msg))
			continue
		}
		out = append(out, name+": "+l)
	}
	return strings.Join(out, "\n")
}

// problem is one invalid value, by its key path, and its line when the
// decoder found it (else the key's line).
type problem struct {
	path string
	msg  string
	line int
}

func (c Config) validate(root *yaml.Node, name string) error { return c.check(root, name, nil) }

// check reports the decoder's problems and the values' together, sorted
// by line, each as file:line: key: sentence. A value the decoder could not
// take kept its default, so a check of it (or of what holds it) would
// only repeat the problem: those are left out.
func (c Config) check(root *yaml.Node, name string, decoded []problem) error {
	ps := slices.Clone(decoded)
	add := func(path, format string, args ...any) {
		for _, d := range decoded {
			if d.path != "" && (path == d.path || strings.HasPrefix(d.path, path+".") || strings.HasPrefix(path, d.path+".")) {
				return
			}
		}
		ps = append(ps, problem{path: path, msg: fmt.Sprintf(format, args...)})
	}
	s := c.Stack
	switch s.Provider {
	case "auto", "docker", "local":
	default:
		add("stack.provider", "must be auto, docker or local, not %q", s.Provider)
	}
	if s.StartupTimeout <= 0 {
		add("stack.startup_timeout", "must be positive")
	}
	if s.Postgres.MaxConnections < 5 || s.Postgres.MaxConnections > 10000 {
		add("stack.postgres.max_connections", "must be from 5 to 10000, not %d", s.Postgres.MaxConnections)
	}
	for path, v := range map[string]string{
		"stack.postgres.database": s.Postgres.Database, "stack.postgres.user": s.Postgres.User,
		"stack.postgres.password": s.Postgres.Password,
	} {
		if v == "" {
			add(path, "must not be empty")
		} else if !nameRe.MatchString(v) {
			add(path, "may hold letters, digits, _ . and - only")
		}
	}
	if u := s.Postgres.AppUser; u != "" && !nameRe.MatchString(u) {
		add("stack.postgres.app_user", "may hold letters, digits, _ . and - only")
	} else if u != "" && u == s.Postgres.User {
		add("stack.postgres.app_user", "must differ from stack.postgres.user (the harness's login), or be empty to share it")
	}
	if p := s.App.PasswordPath; p != "" && !strings.HasPrefix(p, "/") {
		add("stack.app.password_path", "must start with /, not %q", p)
	}
	if s.App.Port < 1 || s.App.Port > 65535 {
		add("stack.app.port", "must be a port number, not %d", s.App.Port)
	}
	for path, v := range map[string]string{"stack.app.health_path": s.App.HealthPath, "stack.app.metrics_path": s.App.MetricsPath} {
		if !strings.HasPrefix(v, "/") {
			add(path, "must start with /, not %q", v)
		}
	}
	c.validateMonitoring(add)
	c.Targets.validate(add)
	c.validateTeam(add)
	if len(ps) == 0 {
		return nil
	}
	for i, p := range ps {
		if p.line == 0 {
			ps[i].line = lineOf(root, p.path)
		}
	}
	slices.SortStableFunc(ps, func(a, b problem) int {
		return cmp.Or(cmp.Compare(a.line, b.line), cmp.Compare(a.path, b.path), cmp.Compare(a.msg, b.msg))
	})
	lines := make([]string, 0, len(ps))
	for _, p := range ps {
		where := name
		if p.line > 0 {
			where += ":" + strconv.Itoa(p.line)
		}
		if p.path != "" {
			where += ": " + p.path
		}
		lines = append(lines, where+": "+p.msg)
	}
	return fmt.Errorf("%w: %s", ErrInvalid, strings.Join(lines, "\n"))
}

// knownKeys are the keys of firedrill.yaml's struct types by Go type name
// ("config.Stack"), for an unknown key's message.
func knownKeys(typeName string) []string { return structKeys[typeName] }

var structKeys = func() map[string][]string {
	out := map[string][]string{}
	var walk func(t reflect.Type)
	walk = func(t reflect.Type) {
		for t.Kind() == reflect.Pointer || t.Kind() == reflect.Slice || t.Kind() == reflect.Map {
			t = t.Elem()
		}
		if t.Kind() != reflect.Struct || out[t.String()] != nil {
			return
		}
		var keys []string
		out[t.String()] = keys
		for i := range t.NumField() {
			f := t.Field(i)
			k, _, _ := strings.Cut(f.Tag.Get("yaml"), ",")
			if !f.IsExported() || k == "-" || k == "" {
				continue
			}
			keys = append(keys, k)
			walk(f.Type)
		}
		out[t.String()] = keys
	}
	walk(reflect.TypeFor[Config]())
	return out
}()

// lineOf finds the line of the key at a dotted path, or 0 when the key is
// not in the document (the value came from a default or the environment).
func lineOf(root *yaml.Node, path string) int {
	if root == nil || len(root.Content) == 0 {
		return 0
	}
	n := root.Content[0]
	line := 0
	for _, key := range strings.Split(path, ".") {
		if n.Kind != yaml.MappingNode {
			return 0
		}
		found := false
		for i := 0; i+1 < len(n.Content); i += 2 {
			if n.Content[i].Value == key {
				line, n, found = n.Content[i].Line, n.Content[i+1], true
				break
			}
		}
		if !found {
			return 0
		}
	}
	return line
}
