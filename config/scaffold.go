package config

import (
	"bytes"
	"fmt"
	"reflect"
	"strings"
	"time"

	"gopkg.in/yaml.v3"
)

// MarshalYAML writes a duration as firedrill.yaml reads it: 90s, 5m, 1h.
func (d Duration) MarshalYAML() (any, error) {
	v := time.Duration(d)
	switch {
	case v == 0:
		return "0s", nil
	case v%time.Hour == 0:
		return fmt.Sprintf("%dh", v/time.Hour), nil
	case v%time.Minute == 0:
		return fmt.Sprintf("%dm", v/time.Minute), nil
	case v%time.Second == 0:
		return fmt.Sprintf("%ds", v/time.Second), nil
	}
	return v.String(), nil
}

// keyHelp says what each key of firedrill.yaml means, by its dotted path:
// the comments of the file `firedrill init` writes. A test keeps it and
// the Config type in step.
var keyHelp = map[string]string{
	"stack":                            "the services a drill starts and how the app is wired to them",
	"stack.provider":                   "auto (docker when a daemon answers, else local) | docker | local; env FIREDRILL_PROVIDER",
	"stack.startup_timeout":            "bounds the start of each service",
	"stack.postgres":                   "the database",
	"stack.postgres.image":             "docker provider; env FIREDRILL_POSTGRES_IMAGE",
	"stack.postgres.database":          "created at start",
	"stack.postgres.user":              "the harness's login (a superuser)",
	"stack.postgres.password":          "redacted in everything firedrill records",
	"stack.postgres.max_connections":   "small, so pool exhaustion is cheap (5..10000)",
	"stack.postgres.app_user":          "the app's own login, its password generated per run (rotatable); empty: the app logs in as user",
	"stack.redis":                      "the cache",
	"stack.redis.image":                "docker provider; env FIREDRILL_REDIS_IMAGE",
	"stack.app":                        "the application under drill (default: firedrill's demo app)",
	"stack.app.image":                  "docker provider; env FIREDRILL_APP_IMAGE",
	"stack.app.command":                "local provider: the app as a process; empty runs the demo app",
	"stack.app.port":                   "where the app listens",
	"stack.app.health_path":            "answers 200 once the app is ready",
	"stack.app.metrics_path":           "Prometheus text format",
	"stack.app.password_path":          "takes a new database password (POST); empty: Reset restarts the app after a rotation",
	"stack.app.env":                    "extra environment, templated: {{.DatabaseURL}}, {{.RedisURL}}, {{.Port}}",
	"stack.app.database_url_env":       "the variable the app reads its database URL from",
	"stack.app.redis_url_env":          "the variable the app reads its Redis URL from",
	"stack.app.port_env":               "the variable the app reads its port from",
	"stack.exporters":                  "started beside the services, so rules written for them evaluate unchanged",
	"stack.exporters.postgres":         "postgres_exporter",
	"stack.exporters.postgres.enabled": "false leaves it out",
	"stack.exporters.postgres.image":   "docker provider; env FIREDRILL_POSTGRES_EXPORTER_IMAGE",
	"stack.exporters.postgres.binary":  "local provider; env FIREDRILL_POSTGRES_EXPORTER_BINARY",
	"stack.exporters.redis":            "redis_exporter",
	"stack.exporters.redis.enabled":    "false leaves it out",
	"stack.exporters.redis.image":      "docker provider; env FIREDRILL_REDIS_EXPORTER_IMAGE",
	"stack.exporters.redis.binary":     "local provider; env FIREDRILL_REDIS_EXPORTER_BINARY",
	"traffic":                          "the steady load on the app, so rules on rates and error ratios have something to measure",
	"traffic.rate":                     "requests per second of drill time, 0..1000; 0 sends none",
	"traffic.mix":                      "weights of the demo app's endpoints (content, auth_status, login, webhook) and health, each 0..1000000; replaces the default whole",
	"traffic.requests":                 "your own app's requests, weighed with the mix: {name, method, path, body, content_type, weight}",
	"monitoring":                       "scraping and alert rules",
	"monitoring.interval":              "the tick: scrape and rule evaluation interval, in drill time (1s..10m)",
	"monitoring.rule_files":            "Prometheus rule files, relative to where firedrill runs; rules/default.rules.yml is shipped when not on disk",
	"monitoring.alertmanager_config":   "your alertmanager.yml, read unchanged (routes, group_by, timers, inhibit_rules); empty: one route grouping by alertname, group_wait 30s",
	"monitoring.severity_labels":       "more values of the alerts' severity label, value: P1..P4 (critical P1, error/high P2, warning/medium P3, info/low P4 are built in)",
	"clock":                            "how drill time relates to wall time",
	"clock.mode":                       "compressed (ticks back to back, CI) | paced (drill time = pace × wall time: rehearsals) | realtime (game days); --clock overrides",
	"clock.pace":                       "paced mode: drill seconds per wall second, at least 1 (20: a 30-minute incident in 90 s); --pace overrides",
	"targets":                          "scoring targets (the playbook's)",
	"targets.mttd":                     "fault injected to first alert",
	"targets.mtta":                     "first alert to acknowledged",
	"targets.mttr":                     "fault injected to resolved",
	"targets.drill":                    "the monthly drill's criteria, each from the fault",
	"targets.drill.alert":              "first alert fires",
	"targets.drill.ack":                "incident commander assigned (acknowledged)",
	"targets.drill.diagnosis":          "the playbook's diagnose steps done",
	"targets.drill.mitigation":         "the playbook's mitigate steps done",
	"targets.drill.restored":           "service restored (resolved)",
	"targets.gameday":                  "game days: the playbook's communication (Phase 5)",
	"targets.gameday.first_update":     "acknowledged to the first internal update",
	"targets.gameday.first_notice":     "acknowledged to the first status-page notice",
	"targets.gameday.update_every":     "longest time without an internal update until resolved (the playbook: every 15-30 minutes)",
	"team":                             "who a game day pages, by role key; yours add to these (the playbook's Emergency Contacts and the on-call engineer)",
	"team.*.title":                     "how people and reports name the role",
	"team.*.primary":                   "the person paged first",
	"team.*.backup":                    "paged when the primary has not acknowledged within escalation.ack_timeout",
	"escalation":                       "which roles each severity pages (the playbook's Severity table)",
	"escalation.ack_timeout":           "drill time a page waits for its acknowledgement before it goes to the role's backup",
	"escalation.P1":                    "immediate, all hands: [all] pages every role of the team",
	"escalation.P2":                    "team lead + on-call",
	"escalation.P3":                    "the on-call engineer",
	"escalation.P4":                    "next business day: nobody is paged during the drill",
	"escalation.receivers":             "roles a page routed to an Alertmanager receiver pages besides the severity's, e.g. database-pager: [database_admin]",
}

// Commented renders c as firedrill.yaml with every key present, commented
// out, each with what it means: loaded as it is, the file is the defaults;
// with the leading "# " of each line removed, it is c.
func Commented(c Config) ([]byte, error) {
	var doc yaml.Node
	if err := doc.Encode(c); err != nil {
		return nil, fmt.Errorf("encode config: %w", err)
	}
	annotate(&doc, reflect.TypeOf(c), "")
	var buf bytes.Buffer
	enc := yaml.NewEncoder(&buf)
	enc.SetIndent(2)
	if err := enc.Encode(&doc); err != nil {
		return nil, fmt.Errorf("encode config: %w", err)
	}
	var out strings.Builder
	for i, line := range strings.Split(strings.TrimRight(buf.String(), "\n"), "\n") {
		if i > 0 && line != "" && line[0] != ' ' {
			out.WriteString("#\n") // a blank line between sections
		}
		out.WriteString("# " + line + "\n")
	}
	return []byte(out.String()), nil
}

// annotate adds each key's help as its line comment, following the struct
// fields of t; maps and lists of the user's own are written on one line.
func annotate(n *yaml.Node, t reflect.Type, prefix string) {
	if n.Kind == yaml.DocumentNode {
		annotate(n.Content[0], t, prefix)
		return
	}
	for t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	if t.Kind() == reflect.Map && structElem(t) && n.Kind == yaml.MappingNode {
		// Entries of the user's own keys (team roles): each field on its
		// line, explained on the first entry only.
		for i := 0; i+1 < len(n.Content); i += 2 {
			v := n.Content[i+1]
			if i == 0 {
				annotate(v, t.Elem(), prefix+".*")
			} else {
				annotate(v, t.Elem(), "")
				for j := 0; j < len(v.Content); j++ {
					v.Content[j].LineComment = ""
				}
			}
		}
		return
	}
	if t.Kind() != reflect.Struct {
		if n.Kind == yaml.MappingNode || n.Kind == yaml.SequenceNode {
			n.Style = yaml.FlowStyle
		}
		return
	}
	fields := fieldsByKey(t)
	for i := 0; i+1 < len(n.Content); i += 2 {
		k, v := n.Content[i], n.Content[i+1]
		path := strings.TrimPrefix(prefix+"."+k.Value, ".")
		if f, ok := fields[k.Value]; ok {
			annotate(v, f.Type, path)
		}
		// A block mapping's comment goes after its key, a value's after it.
		if v.Kind == yaml.MappingNode && v.Style != yaml.FlowStyle {
			k.LineComment = keyHelp[path]
		} else {
			v.LineComment = keyHelp[path]
		}
	}
}

// structElem says whether t is a map whose values are structs.
func structElem(t reflect.Type) bool {
	e := t.Elem()
	for e.Kind() == reflect.Pointer {
		e = e.Elem()
	}
	return e.Kind() == reflect.Struct
}

// fieldsByKey maps a struct's YAML keys to its fields.
func fieldsByKey(t reflect.Type) map[string]reflect.StructField {
	out := map[string]reflect.StructField{}
	for i := range t.NumField() {
		f := t.Field(i)
		if key, _, _ := strings.Cut(f.Tag.Get("yaml"), ","); key != "" && key != "-" {
			out[key] = f
		}
	}
	return out
}

// Keys are the dotted paths of every key firedrill.yaml reads; the fields
// of a map's entries (team roles) read "team.*.primary".
func Keys() []string {
	var out []string
	var walk func(t reflect.Type, prefix string)
	walk = func(t reflect.Type, prefix string) {
		for t.Kind() == reflect.Pointer {
			t = t.Elem()
		}
		if t.Kind() == reflect.Map && structElem(t) {
			walk(t.Elem(), prefix+".*")
			return
		}
		if t.Kind() != reflect.Struct {
			return
		}
		for key, f := range fieldsByKey(t) {
			path := strings.TrimPrefix(prefix+"."+key, ".")
			out = append(out, path)
			walk(f.Type, path)
		}
	}
	walk(reflect.TypeOf(Config{}), "")
	return out
}
