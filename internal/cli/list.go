package cli

import (
	"fmt"
	"io"
	"regexp"
	"slices"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/prometheus/prometheus/rules"
	"github.com/spf13/cobra"

	"github.com/firedrill/firedrill/alerting"
	"github.com/firedrill/firedrill/config"
	"github.com/firedrill/firedrill/incident"
	"github.com/firedrill/firedrill/injectors"
	"github.com/firedrill/firedrill/internal/defaults"
	"github.com/firedrill/firedrill/monitors"
	"github.com/firedrill/firedrill/reports"
	"github.com/firedrill/firedrill/responders"
	"github.com/firedrill/firedrill/scenarios"
)

func newListCmd(st *State, g *globalFlags) *cobra.Command {
	var playbooks string
	cmd := &cobra.Command{
		Use:   "list",
		Short: "List faults with their parameters, playbooks, alert rules and the step vocabulary",
		Long: "list prints what a drill can name: faults and their parameters, playbooks, alert\n" +
			"rules, severity labels, the Alertmanager configuration, drills, the step vocabulary\n" +
			"and report formats. `list faults NAME...` and `list playbooks NAME...` print only\n" +
			"the faults or playbooks named, a playbook with its steps.",
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			cfg, err := g.loadConfig(st)
			if err != nil {
				return err
			}
			if err := checkPlaybookDir(cmd, playbooks); err != nil {
				return err
			}
			w := st.Stdout
			listFaults(w, injectors.List())
			fmt.Fprintln(w)
			pbs, err := responders.LoadDir(playbooks)
			listPlaybooks(w, playbooks, pbs, err)
			sevs := cfg.Monitoring.Severities()
			fmt.Fprintf(w, "\nAlert rules (%s):\n", ruleSources(cfg.Monitoring.RuleFiles))
			listRules(w, cfg.Monitoring.RuleFiles, sevs)
			listSeverities(w, cfg.Monitoring)
			listRouting(w, cfg.Monitoring.AlertmanagerConfig)
			listDrills(w)
			fmt.Fprintln(w, "\nSteps (durations read \"2 minutes\", \"90 seconds\", \"1 hour\", \"2m\", \"90s\"):")
			for _, s := range scenarios.Steps() {
				fmt.Fprintf(w, "  %s\n", s.Example)
				if s.Table != "" {
					fmt.Fprintf(w, "      %s\n", s.Table)
				}
			}
			listFormats(w)
			return nil
		},
	}
	cmd.Flags().StringVar(&playbooks, "playbooks", "playbooks", "directory of playbook YAML files")
	cmd.AddCommand(newListFaultsCmd(st), newListPlaybooksCmd(st))
	return cmd
}

func newListFaultsCmd(st *State) *cobra.Command {
	return &cobra.Command{
		Use:     "faults [NAME...]",
		Aliases: []string{"fault"},
		Short:   "List the faults, or only those named, with their parameters and defaults",
		RunE: func(_ *cobra.Command, args []string) error {
			faults, err := named("fault", injectors.List(), func(f injectors.Fault) string { return f.Name }, args)
			if err != nil {
				return err
			}
			listFaults(st.Stdout, faults)
			return nil
		},
	}
}

func newListPlaybooksCmd(st *State) *cobra.Command {
	var dir string
	cmd := &cobra.Command{
		Use:     "playbooks [NAME...]",
		Aliases: []string{"playbook"},
		Short:   "List the playbooks, or only those named with their steps",
		RunE: func(cmd *cobra.Command, args []string) error {
			if err := checkPlaybookDir(cmd, dir); err != nil {
				return err
			}
			pbs, err := responders.LoadDir(dir)
			if len(args) == 0 {
				listPlaybooks(st.Stdout, dir, pbs, err)
				return nil
			}
			all := make([]*responders.Playbook, 0, len(pbs))
			for _, n := range sortedNames(pbs) {
				all = append(all, pbs[n])
			}
			picked, nerr := named("playbook", all, func(pb *responders.Playbook) string { return pb.Name }, args)
			if nerr != nil {
				if err != nil {
					// Why the name is not there may be a playbook that
					// did not load.
					return fmt.Errorf("%w\n%w", nerr, err)
				}
				return nerr
			}
			listPlaybookSteps(st.Stdout, dir, picked)
			return nil
		},
	}
	cmd.Flags().StringVar(&dir, "playbooks", "playbooks", "directory of playbook YAML files")
	return cmd
}

// named picks the items the names name, in the order named; all of them
// when there are no names. An unknown name is a usage error naming the
// nearest known one and every name there is.
func named[T any](kind string, items []T, name func(T) string, names []string) ([]T, error) {
	if len(names) == 0 {
		return items, nil
	}
	have := make([]string, len(items))
	for i, it := range items {
		have[i] = name(it)
	}
	var out []T
	for _, n := range names {
		i := slices.Index(have, n)
		if i < 0 {
			msg := fmt.Sprintf("unknown %s %q", kind, n)
			if near := scenarios.Nearest(n, have); near != "" {
				msg += fmt.Sprintf("; did you mean %q?", near)
			}
			return nil, fmt.Errorf("%w: %s (have %s)", ErrUsage, msg, strings.Join(have, ", "))
		}
		out = append(out, items[i])
	}
	return out, nil
}

// listPlaybooks prints the playbooks one a line: name, where it comes
// from, its number of steps and its description.
func listPlaybooks(w io.Writer, dir string, pbs map[string]*responders.Playbook, err error) {
	fmt.Fprintf(w, "Playbooks (Given the on-call responder runs playbook \"NAME\"; %s/*.yaml replace the embedded ones by name):\n", dir)
	tw := columns(w)
	for _, n := range sortedNames(pbs) {
		pb := pbs[n]
		fmt.Fprintf(tw, "  %s\t%s\t%2d steps\t%s\n", n, playbookOrigin(pb), len(pb.Steps), oneLine(pb.Description))
	}
	tw.Flush()
	if err != nil {
		fmt.Fprintf(w, "  (problems: %v)\n", err)
	}
}

// listPlaybookSteps prints each playbook whole: where it comes from, its
// description, and its steps in order with their phase, kind and timeout.
func listPlaybookSteps(w io.Writer, dir string, pbs []*responders.Playbook) {
	fmt.Fprintf(w, "Playbooks (Given the on-call responder runs playbook \"NAME\"; %s/*.yaml replace the embedded ones by name):\n", dir)
	for _, pb := range pbs {
		fmt.Fprintf(w, "  %s (%s)\n", pb.Name, playbookOrigin(pb))
		if d := strings.Join(strings.Fields(pb.Description), " "); d != "" {
			fmt.Fprintf(w, "    %s\n", d)
		}
		tw := columns(w)
		for i, s := range pb.Steps {
			onErr := ""
			if s.ContinueOnError {
				onErr = "\tcontinues on error"
			}
			fmt.Fprintf(tw, "    %d\t%s\t%s\t%s\ttimeout %s%s\n", i+1, s.Name, s.Phase, s.Kind, shortDuration(s.Timeout), onErr)
		}
		tw.Flush()
	}
}

// shortDuration is a duration as playbooks write it: 2m, not 2m0s.
func shortDuration(d time.Duration) string {
	s := d.String()
	if strings.HasSuffix(s, "m0s") {
		s = strings.TrimSuffix(s, "0s")
	}
	if strings.HasSuffix(s, "h0m") {
		s = strings.TrimSuffix(s, "0m")
	}
	return s
}

// listDrills names the drills `firedrill run` runs without paths, and
// where they come from.
func listDrills(w io.Writer) {
	const dir = "features"
	if defaults.Source(dir) == defaults.Embedded {
		fmt.Fprintf(w, "\nDrills (firedrill run with no paths; no %s/ here, so the embedded ones):\n", dir)
		for _, f := range defaults.Files(dir, ".feature") {
			fmt.Fprintf(w, "  %s (embedded)\n", f)
		}
		return
	}
	fmt.Fprintf(w, "\nDrills (firedrill run with no paths; from %s):\n", dir)
	files, err := scenarios.FeatureFiles([]string{dir})
	for _, f := range files {
		fmt.Fprintf(w, "  %s\n", f)
	}
	if err != nil {
		fmt.Fprintf(w, "  (problems: %v)\n", err)
	}
}

func listRules(w io.Writer, files []string, sevs incident.SeverityLabels) {
	groups, err := monitors.LoadRuleFiles(files...)
	tw := columns(w)
	for _, g := range groups {
		for _, r := range g.Rules {
			ar, ok := r.(*rules.AlertingRule)
			if !ok {
				continue
			}
			fmt.Fprintf(tw, "  %s\t%s\t%s\n", ar.Name(), severityCell(ar.Labels().Get("severity"), sevs), oneLine(templateText(ar.Annotations().Get("summary"))))
		}
	}
	tw.Flush()
	if err != nil {
		fmt.Fprintf(w, "  (problems: %v)\n", err)
	}
}

var (
	templateAction = regexp.MustCompile(`\{\{-?(.*?)-?\}\}`)
	templateLabel  = regexp.MustCompile(`(?:\$labels|\.Labels)\.(\w+)|index\s+(?:\$labels|\.Labels)\s+"([^"]+)"`)
	templateValue  = regexp.MustCompile(`\$value\b|\.Value\b`)
)

// templateText is an annotation's template as a listing reads it: each
// {{ ... }} action is the label it shows (<instance>) or <value>, as the
// alert will fill them in, so no template syntax reaches the reader.
func templateText(s string) string {
	return templateAction.ReplaceAllStringFunc(s, func(action string) string {
		inner := templateAction.FindStringSubmatch(action)[1]
		if m := templateLabel.FindStringSubmatch(inner); m != nil {
			return "<" + m[1] + m[2] + ">"
		}
		if templateValue.MatchString(inner) {
			return "<value>"
		}
		return "…"
	})
}

// severityCell is a rule's severity label as the drill reads it: "P1", or
// "critical (P1)" when the label is mapped, or "sev9 (unmapped)" when it
// pages as no severity at all.
func severityCell(label string, sevs incident.SeverityLabels) string {
	switch s := sevs.Of(label); {
	case label == "":
		return "-"
	case s == incident.SeverityUnknown:
		return label + " (unmapped)"
	case strings.EqualFold(label, s.String()):
		return s.String()
	default:
		return label + " (" + s.String() + ")"
	}
}

// listSeverities prints the severity label mapping in force: the defaults
// merged with monitoring.severity_labels, the configured ones marked.
func listSeverities(w io.Writer, m config.Monitoring) {
	fmt.Fprintln(w, "\nSeverity labels (an alert's severity label → the playbook's severity; monitoring.severity_labels adds to these):")
	configured := map[string]bool{}
	for k := range m.SeverityLabels {
		configured[strings.ToLower(strings.TrimSpace(k))] = true
	}
	byLevel := map[incident.Severity][]string{}
	for label, s := range m.Severities() {
		if configured[label] {
			label += " (config)"
		}
		byLevel[s] = append(byLevel[s], label)
	}
	tw := columns(w)
	for _, s := range []incident.Severity{incident.P1, incident.P2, incident.P3, incident.P4} {
		labels := byLevel[s]
		slices.Sort(labels)
		fmt.Fprintf(tw, "  %s\t%s\n", s, orNone(strings.Join(labels, ", ")))
	}
	tw.Flush()
}

// listRouting names the Alertmanager configuration drills route with unless
// they name their own, and its receivers.
func listRouting(w io.Writer, path string) {
	source := path
	if source == "" {
		source = alerting.DefaultConfigName
	}
	fmt.Fprintf(w, "\nAlertmanager configuration (monitoring.alertmanager_config; a drill may name its own): %s\n", source)
	rt, err := responders.LoadRouting(path)
	if err != nil {
		fmt.Fprintf(w, "  (problems: %v)\n", err)
		return
	}
	fmt.Fprintf(w, "  receivers: %s\n", strings.Join(rt.Receivers(), ", "))
}

// listFormats prints the report formats from the one registry that run
// --report, report --format and WriteAll read, with the file each writes.
func listFormats(w io.Writer) {
	fmt.Fprintln(w, "\nReport formats (firedrill run --report NAME,...; every one by default):")
	tw := columns(w)
	for _, f := range reports.Names() {
		file, err := reports.FileName(f)
		if err != nil {
			file = "?"
		}
		fmt.Fprintf(tw, "  %s\t%s\n", f, file)
	}
	tw.Flush()
}

// listFaults prints each fault with its parameters beneath it; the fault
// names share one column, each fault's parameters their own.
func listFaults(w io.Writer, faults []injectors.Fault) {
	fmt.Fprintln(w, "Faults (When the fault \"NAME\" is injected with: | parameter | value |):")
	tw := columns(w)
	for _, f := range faults {
		fmt.Fprintf(tw, "  %s\t%s\n", f.Name, f.Description)
		for _, p := range f.Params {
			fmt.Fprintf(tw, "\t%s\t%s\tdefault %s\t%s (%s)\n", p.Name, p.Type, p.DefaultText(), p.Help, p.Allowed())
		}
	}
	tw.Flush()
}

// columns aligns tab-separated cells with two spaces between columns.
func columns(w io.Writer) *tabwriter.Writer { return tabwriter.NewWriter(w, 0, 0, 2, ' ', 0) }

func orNone(s string) string {
	if s == "" {
		return "(none)"
	}
	return s
}

func oneLine(s string) string {
	s = strings.Join(strings.Fields(s), " ")
	if len(s) > 90 {
		s = s[:87] + "..."
	}
	return s
}
