package cli

import (
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"

	"github.com/spf13/cobra"

	"github.com/firedrill/firedrill/incident"
	"github.com/firedrill/firedrill/injectors"
	"github.com/firedrill/firedrill/reports"
	"github.com/firedrill/firedrill/responders"
	"github.com/firedrill/firedrill/scenarios"
)

// Shell completion (`firedrill completion bash|zsh|fish|powershell`, by
// cobra): feature files and tags from the drills here, playbook names from
// --playbooks and the shipped ones, fault names from the registry, and the
// closed sets of values flags take. Each function reads what the command would read, so what completes
// is what runs.

// completeFeatures completes run's and validate's paths: the .feature files
// under the directory being typed (features/ at first), and directories.
func completeFeatures(_ *cobra.Command, _ []string, toComplete string) ([]cobra.Completion, cobra.ShellCompDirective) {
	dir := "features"
	if toComplete != "" {
		dir = filepath.Dir(toComplete)
		if strings.HasSuffix(toComplete, "/") {
			dir = strings.TrimSuffix(toComplete, "/")
		}
	}
	files, _ := scenarios.FeatureFiles([]string{dir})
	var out []cobra.Completion
	for _, f := range files {
		if strings.HasPrefix(f, toComplete) {
			out = append(out, f)
		}
	}
	if st, err := os.Stat(dir); err == nil && st.IsDir() && strings.HasPrefix(dir, toComplete) && dir != "." {
		out = append(out, dir)
	}
	// Nothing here: the shell's own file completion, limited to features.
	if len(out) == 0 {
		return []cobra.Completion{"feature"}, cobra.ShellCompDirectiveFilterFileExt
	}
	return out, cobra.ShellCompDirectiveNoFileComp
}

var tagRe = regexp.MustCompile(`(?:^|\s)(@[^\s@#]+)`)

// completeTags completes the last term of a --tags expression with the tags
// of the drills the command's paths (features/ by default) hold, keeping
// what was typed before it ("@monthly && ~@" completes to "@monthly && ~@slow").
func completeTags(cmd *cobra.Command, args []string, toComplete string) ([]cobra.Completion, cobra.ShellCompDirective) {
	paths := args
	if len(paths) == 0 {
		paths = []string{"features"}
	}
	files, _ := scenarios.FeatureFiles(paths)
	tags := map[string]bool{}
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			continue
		}
		for _, line := range strings.Split(string(b), "\n") {
			if t := strings.TrimSpace(line); strings.HasPrefix(t, "@") {
				for _, m := range tagRe.FindAllStringSubmatch(t, -1) {
					tags[m[1]] = true
				}
			}
		}
	}
	cut := strings.LastIndexAny(toComplete, " ,&~") + 1
	head, term := toComplete[:cut], toComplete[cut:]
	var out []cobra.Completion
	for _, t := range sortedNames(tags) {
		if strings.HasPrefix(t, term) || strings.HasPrefix(t[1:], term) {
			out = append(out, head+t)
		}
	}
	return out, cobra.ShellCompDirectiveNoFileComp
}

// completePlaybook completes the one playbook name `playbook` takes.
func completePlaybook(cmd *cobra.Command, args []string, toComplete string) ([]cobra.Completion, cobra.ShellCompDirective) {
	if len(args) > 0 {
		return nil, cobra.ShellCompDirectiveNoFileComp
	}
	return completePlaybooks(cmd, args, toComplete)
}

// completePlaybooks completes playbook names not given yet: those of
// --playbooks (where the command has it; else ./playbooks) and the shipped
// ones.
func completePlaybooks(cmd *cobra.Command, args []string, toComplete string) ([]cobra.Completion, cobra.ShellCompDirective) {
	dir := "playbooks"
	if f := cmd.Flags().Lookup("playbooks"); f != nil {
		dir = f.Value.String()
	}
	pbs, _ := responders.LoadDir(dir)
	var out []cobra.Completion
	for _, n := range sortedNames(pbs) {
		if strings.HasPrefix(n, toComplete) && !slices.Contains(args, n) {
			out = append(out, cobra.CompletionWithDesc(n, oneLine(pbs[n].Description)))
		}
	}
	return out, cobra.ShellCompDirectiveNoFileComp
}

// completeFaults completes fault names not given yet, from the registry
// drills inject them from.
func completeFaults(_ *cobra.Command, args []string, toComplete string) ([]cobra.Completion, cobra.ShellCompDirective) {
	var out []cobra.Completion
	for _, f := range injectors.List() {
		if strings.HasPrefix(f.Name, toComplete) && !slices.Contains(args, f.Name) {
			out = append(out, cobra.CompletionWithDesc(f.Name, oneLine(f.Description)))
		}
	}
	return out, cobra.ShellCompDirectiveNoFileComp
}

// registerCompletions wires the completions to the commands that take
// them, subcommands included.
func registerCompletions(root *cobra.Command) {
	fixed := func(vals ...string) cobra.CompletionFunc {
		return cobra.FixedCompletions(vals, cobra.ShellCompDirectiveNoFileComp)
	}
	dirs := func(*cobra.Command, []string, string) ([]cobra.Completion, cobra.ShellCompDirective) {
		return nil, cobra.ShellCompDirectiveFilterDirs
	}
	for _, c := range root.Commands() {
		registerCompletions(c)
		flag := func(name string, fn cobra.CompletionFunc) {
			if c.Flags().Lookup(name) != nil {
				_ = c.RegisterFlagCompletionFunc(name, fn)
			}
		}
		flag("provider", fixed("auto", "docker", "local"))
		flag("playbooks", dirs)
		flag("out", dirs)
		switch c.Name() {
		case "run", "validate":
			c.ValidArgsFunction = completeFeatures
			flag("tags", completeTags)
			flag("report", reportFormats)
			flag("clock", fixed(string(incident.Compressed), string(incident.Paced), string(incident.Realtime)))
		case "report":
			flag("report", reportFormats)
		case "playbook":
			c.ValidArgsFunction = completePlaybook
		case "faults":
			c.ValidArgsFunction = completeFaults
		case "playbooks":
			c.ValidArgsFunction = completePlaybooks
		case "mark":
			c.ValidArgsFunction = fixed("diagnosed", "mitigated")
		case "severity":
			c.ValidArgsFunction = fixed("P1", "P2", "P3", "P4")
		case "notice":
			c.ValidArgsFunction = fixed("initial", "update", "resolution")
		}
	}
}

// reportFormats completes a --report list: the formats not named yet.
func reportFormats(_ *cobra.Command, _ []string, toComplete string) ([]cobra.Completion, cobra.ShellCompDirective) {
	cut := strings.LastIndexByte(toComplete, ',') + 1
	named := strings.Split(toComplete[:cut], ",")
	var out []cobra.Completion
	for _, f := range reports.Names() {
		if !slices.Contains(named, f) && strings.HasPrefix(f, toComplete[cut:]) {
			out = append(out, toComplete[:cut]+f)
		}
	}
	return out, cobra.ShellCompDirectiveNoFileComp | cobra.ShellCompDirectiveNoSpace
}
