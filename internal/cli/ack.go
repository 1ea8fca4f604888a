package cli

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"regexp"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/spf13/cobra"

	"github.com/firedrill/firedrill/incident"
	"github.com/firedrill/firedrill/responders"
	"github.com/firedrill/firedrill/responders/console"
	"github.com/firedrill/firedrill/scenarios"
)

// The game-day commands (ack, mark, resolve, update, notice, severity,
// role, postmortem, status) speak the console's JSON API with the
// responder token: everything the console's responder view does, for
// terminals and scripts.

// consoleAddr is where the running game day's console answers: the flag,
// FIREDRILL_CONSOLE_ADDR, FIREDRILL_ACK_ADDR (its older name), or the
// default.
func consoleAddr(st *State, flag string) string {
	for _, v := range []string{flag, st.Getenv("FIREDRILL_CONSOLE_ADDR"), st.Getenv("FIREDRILL_ACK_ADDR")} {
		if v != "" {
			return v
		}
	}
	return scenarios.DefaultConsoleAddr
}

type consoleFlags struct{ addr, token, by, note string }

// register offers the flags every console command reads, and --by and
// --note on those that act (they sign the action; status only reads).
func (f *consoleFlags) register(cmd *cobra.Command, acts bool) {
	cmd.Flags().StringVar(&f.addr, "addr", "", "the game-day console's address (default $FIREDRILL_CONSOLE_ADDR, $FIREDRILL_ACK_ADDR or "+scenarios.DefaultConsoleAddr+")")
	cmd.Flags().StringVar(&f.token, "token", "", "the console's responder token, as the run printed it (default $FIREDRILL_TOKEN)")
	if acts {
		cmd.Flags().StringVar(&f.by, "by", "", "your name, for the timeline")
		cmd.Flags().StringVar(&f.note, "note", "", "a note for the timeline")
	}
}

// consoleClient talks to a running console.
type consoleClient struct {
	st          *State
	addr, token string
	by, note    string
}

func (f *consoleFlags) client(st *State) (*consoleClient, error) {
	token := f.token
	if token == "" {
		token = st.Getenv("FIREDRILL_TOKEN")
	}
	if token == "" {
		return nil, fmt.Errorf("%w: the console needs its token: pass --token or set FIREDRILL_TOKEN (the run prints it in the console's URL)", ErrUsage)
	}
	return &consoleClient{st: st, addr: consoleAddr(st, f.addr), token: token, by: f.by, note: f.note}, nil
}

// call sends body (nil: none) to path and decodes the answer into out (nil:
// discarded); an answer other than want is an error with the console's
// message.
func (c *consoleClient) call(ctx context.Context, method, path string, body, out any, want int) error {
	ctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	var r io.Reader
	if body != nil {
		b, err := json.Marshal(body)
		if err != nil {
			return fmt.Errorf("encode request: %w", err)
		}
		r = bytes.NewReader(b)
	}
	req, err := http.NewRequestWithContext(ctx, method, "http://"+c.addr+path, r)
	if err != nil {
		return fmt.Errorf("%w: --addr %q: %w", ErrUsage, c.addr, err)
	}
	req.Header.Set("Authorization", "Bearer "+c.token)
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return fmt.Errorf("no game-day console answers at %s (is `firedrill run` running a game day?): %w", c.addr, err)
	}
	defer resp.Body.Close()
	msg, err := io.ReadAll(io.LimitReader(resp.Body, 8<<20))
	if err != nil {
		return fmt.Errorf("read the console's answer: %w", err)
	}
	if resp.StatusCode != want {
		var e struct {
			Error string `json:"error"`
		}
		_ = json.Unmarshal(msg, &e)
		if resp.StatusCode == http.StatusUnauthorized || resp.StatusCode == http.StatusForbidden {
			return fmt.Errorf("the console at %s refused the token (%s): pass the responder token the run printed", c.addr, e.Error)
		}
		return fmt.Errorf("%s (%d)", strings.TrimSpace(e.Error), resp.StatusCode)
	}
	if out != nil {
		if err := json.Unmarshal(msg, out); err != nil {
			return fmt.Errorf("decode the console's answer: %w", err)
		}
	}
	return nil
}

// act sends one action, signed with --by and --note.
func (c *consoleClient) act(ctx context.Context, a console.ActionRequest) error {
	if a.Person == "" {
		a.Person = c.by
	}
	a.Note = c.note
	if err := c.call(ctx, http.MethodPost, "/api/action", a, nil, http.StatusAccepted); err != nil {
		return fmt.Errorf("%s: %w", a.Action, err)
	}
	fmt.Fprintf(c.st.Stdout, "%s recorded; it takes effect at the drill's next tick\n", a.Action)
	return nil
}

// state is the responder view's state now.
func (c *consoleClient) state(ctx context.Context) (console.State, error) {
	var s console.State
	err := c.call(ctx, http.MethodGet, "/api/state", nil, &s, http.StatusOK)
	return s, err
}

// drafts are the console's drafts, for a command run without --text.
func (c *consoleClient) drafts(ctx context.Context) (*console.Drafts, error) {
	s, err := c.state(ctx)
	if err != nil {
		return nil, err
	}
	if !s.Running || s.Drafts == nil {
		return nil, errors.New("no game day is running at " + c.addr)
	}
	return s.Drafts, nil
}

// consoleCmd is a game-day command that acts: flags registered, the
// client made before run.
func consoleCmd(st *State, cmd *cobra.Command, run func(ctx context.Context, c *consoleClient, args []string) error) *cobra.Command {
	return newConsoleCmd(st, cmd, true, run)
}

func newConsoleCmd(st *State, cmd *cobra.Command, acts bool, run func(ctx context.Context, c *consoleClient, args []string) error) *cobra.Command {
	f := &consoleFlags{}
	f.register(cmd, acts)
	cmd.RunE = func(cmd *cobra.Command, args []string) error {
		c, err := f.client(st)
		if err != nil {
			return err
		}
		return run(cmd.Context(), c, args)
	}
	return cmd
}

// newAnswerCmd is a command that sends one action with no argument
// (resolve).
func newAnswerCmd(st *State, use string, a responders.Action, short string) *cobra.Command {
	return consoleCmd(st, &cobra.Command{Use: use, Short: short, Args: cobra.NoArgs},
		func(ctx context.Context, c *consoleClient, _ []string) error {
			return c.act(ctx, console.ActionRequest{Action: string(a)})
		})
}

func newAckCmd(st *State) *cobra.Command {
	var role string
	cmd := consoleCmd(st, &cobra.Command{Use: "ack", Args: cobra.NoArgs,
		Short: "Game day: acknowledge your page (--role: a role's page; default the role paged to --by)"},
		func(ctx context.Context, c *consoleClient, _ []string) error {
			return c.act(ctx, console.ActionRequest{Action: string(responders.Ack), Role: role})
		})
	cmd.Flags().StringVar(&role, "role", "", "the role whose page you acknowledge (incident_commander, tech_lead, …)")
	return cmd
}

func newMarkCmd(st *State) *cobra.Command {
	return consoleCmd(st, &cobra.Command{Use: "mark diagnosed|mitigated", Args: cobra.ExactArgs(1),
		Short: "Game day: tell the running drill the incident is diagnosed or mitigated"},
		func(ctx context.Context, c *consoleClient, args []string) error {
			a, err := responders.ParseAction(args[0])
			if err != nil || (a != responders.Diagnosed && a != responders.Mitigated) {
				return fmt.Errorf("%w: mark takes diagnosed or mitigated, not %q", ErrUsage, args[0])
			}
			return c.act(ctx, console.ActionRequest{Action: string(a)})
		})
}

var statusLine = regexp.MustCompile(`(?m)^Status: .*$`)

func newUpdateCmd(st *State) *cobra.Command {
	var status, text string
	cmd := consoleCmd(st, &cobra.Command{Use: "update --status S [--text T]", Args: cobra.NoArgs,
		Short: "Game day: post an internal update (Status, Impact, Progress, ETA; without --text, the console's draft)"},
		func(ctx context.Context, c *consoleClient, _ []string) error {
			s, ok := responders.ParseUpdateStatus(status)
			if !ok {
				return fmt.Errorf("%w: --status %q: want %s", ErrUsage, status, strings.Join(incident.UpdateStatuses, ", "))
			}
			if text == "" {
				d, err := c.drafts(ctx)
				if err != nil {
					return fmt.Errorf("update: %w", err)
				}
				text = statusLine.ReplaceAllLiteralString(d.Update, "Status: "+s)
			}
			return c.act(ctx, console.ActionRequest{Action: string(responders.Update), Status: s, Text: text})
		})
	cmd.Flags().StringVar(&status, "status", "", "Investigating, Identified, Fixing, Monitoring or Resolved")
	cmd.Flags().StringVar(&text, "text", "", "the update (default: the console's draft with your status)")
	return cmd
}

func newNoticeCmd(st *State) *cobra.Command {
	var text string
	cmd := consoleCmd(st, &cobra.Command{Use: "notice initial|update|resolution [--text T]", Args: cobra.ExactArgs(1),
		Short: "Game day: publish a status-page notice (without --text, the playbook's template filled in)"},
		func(ctx context.Context, c *consoleClient, args []string) error {
			kind := strings.ToLower(args[0])
			switch kind {
			case incident.NoticeInitial, incident.NoticeUpdate, incident.NoticeResolution:
			default:
				return fmt.Errorf("%w: notice takes initial, update or resolution, not %q", ErrUsage, args[0])
			}
			if text == "" {
				d, err := c.drafts(ctx)
				if err != nil {
					return fmt.Errorf("notice: %w", err)
				}
				text = d.Notices[kind]
			}
			return c.act(ctx, console.ActionRequest{Action: string(responders.Notice), Notice: kind, Text: text})
		})
	cmd.Flags().StringVar(&text, "text", "", "the notice as published (default: the console's draft for this kind)")
	return cmd
}

func newSeverityCmd(st *State) *cobra.Command {
	return consoleCmd(st, &cobra.Command{Use: "severity P1|P2|P3|P4", Args: cobra.ExactArgs(1),
		Short: "Game day: declare the incident's severity (your assessment)"},
		func(ctx context.Context, c *consoleClient, args []string) error {
			s, err := incident.ParseSeverity(args[0])
			if err != nil {
				return fmt.Errorf("%w: %w", ErrUsage, err)
			}
			return c.act(ctx, console.ActionRequest{Action: string(responders.Declare), Severity: s.String()})
		})
}

func newRoleCmd(st *State) *cobra.Command {
	var person string
	var backup bool
	cmd := consoleCmd(st, &cobra.Command{Use: "role take|assign|page ROLE", Args: cobra.ExactArgs(2),
		Short: "Game day: take a role (--by), assign it (--person) or page it (--backup: to its backup)"},
		func(ctx context.Context, c *consoleClient, args []string) error {
			verb, role := args[0], args[1]
			a := console.ActionRequest{Role: role}
			switch verb {
			case "take":
				if c.by == "" {
					return fmt.Errorf("%w: role take: say who takes it with --by", ErrUsage)
				}
				a.Action, a.Person = string(responders.Assign), c.by
			case "assign":
				if person == "" {
					return fmt.Errorf("%w: role assign: say who gets it with --person", ErrUsage)
				}
				a.Action, a.Person = string(responders.Assign), person
			case "page":
				a.Action, a.Backup = string(responders.PageRole), backup
			default:
				return fmt.Errorf("%w: role takes take, assign or page, not %q", ErrUsage, verb)
			}
			return c.act(ctx, a)
		})
	cmd.Flags().StringVar(&person, "person", "", "who is given the role (assign)")
	cmd.Flags().BoolVar(&backup, "backup", false, "page the role's backup (page)")
	return cmd
}

func newPlaybookCmd(st *State) *cobra.Command {
	var step int
	cmd := consoleCmd(st, &cobra.Command{Use: "playbook NAME [--step N]", Args: cobra.ExactArgs(1),
		Short: "Game day: run one of the team's playbooks against the stack (--step: its Nth step alone)"},
		func(ctx context.Context, c *consoleClient, args []string) error {
			if step < 0 {
				return fmt.Errorf("%w: --step %d: give a step number from 1, or 0 for the whole playbook", ErrUsage, step)
			}
			return c.act(ctx, console.ActionRequest{Action: string(responders.RunPlaybook), Playbook: args[0], Step: step})
		})
	cmd.Flags().IntVar(&step, "step", 0, "run only this step (1-based; 0: the whole playbook)")
	return cmd
}

func newPostmortemCmd(st *State) *cobra.Command {
	var file string
	cmd := consoleCmd(st, &cobra.Command{Use: "postmortem --file F", Args: cobra.NoArgs,
		Short: "Game day: submit the post-mortem (markdown; `firedrill status --draft` prints the console's draft)"},
		func(ctx context.Context, c *consoleClient, _ []string) error {
			if file == "" {
				return fmt.Errorf("%w: postmortem needs --file", ErrUsage)
			}
			b, err := os.ReadFile(file)
			if err != nil {
				return fmt.Errorf("%w: --file: %w", ErrUsage, err)
			}
			return c.act(ctx, console.ActionRequest{Action: string(responders.Postmortem), Text: string(b)})
		})
	cmd.Flags().StringVar(&file, "file", "", "the post-mortem, a markdown file")
	return cmd
}

func newStatusCmd(st *State) *cobra.Command {
	var asJSON, draft bool
	var last int
	cmd := newConsoleCmd(st, &cobra.Command{Use: "status", Args: cobra.NoArgs,
		Short: "Game day: print the incident, its roles and the latest of its timeline"}, false,
		func(ctx context.Context, c *consoleClient, _ []string) error {
			s, err := c.state(ctx)
			if err != nil {
				return fmt.Errorf("status: %w", err)
			}
			switch {
			case asJSON:
				enc := json.NewEncoder(st.Stdout)
				enc.SetIndent("", "  ")
				return enc.Encode(s)
			case draft && s.Drafts != nil:
				_, err := fmt.Fprintln(st.Stdout, s.Drafts.Postmortem)
				return err
			}
			printStatus(st.Stdout, s, c.addr, last)
			return nil
		})
	cmd.Flags().BoolVar(&asJSON, "json", false, "print the console's state as JSON")
	cmd.Flags().BoolVar(&draft, "draft", false, "print the post-mortem draft (markdown)")
	cmd.Flags().IntVar(&last, "last", 10, "how many timeline entries to print")
	return cmd
}

// printStatus writes what a person on call needs at a glance.
func printStatus(w io.Writer, s console.State, addr string, last int) {
	if !s.Running {
		fmt.Fprintf(w, "no game day is running at %s\n", addr)
		return
	}
	fmt.Fprintf(w, "%s · %s\n", s.Drill, s.Now)
	t := s.Team
	if t == nil || !t.Paged {
		fmt.Fprintln(w, "no page yet")
		return
	}
	fmt.Fprintf(w, "incident #%d %s %s, paged at %s", t.Incident, t.Severity, t.Alert, t.PagedAt)
	if len(t.Done) > 0 {
		fmt.Fprintf(w, "; done: %s", strings.Join(t.Done, ", "))
	}
	fmt.Fprintln(w)
	if len(s.Alerts) > 0 {
		fmt.Fprintln(w, "\nfiring:")
		for _, a := range s.Alerts {
			fmt.Fprintf(w, "  %s %s since %s: %s\n", a.Severity, a.Name, a.Since, a.Summary)
		}
	}
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "\nROLE\tPERSON\tPAGED\tACKNOWLEDGED")
	for _, r := range t.Team {
		for _, p := range t.Roles {
			if p.Role == r.Role {
				r = p
			}
		}
		paged, acked := "-", "-"
		if r.Paged {
			paged = r.PagedAt
			if r.Escalated {
				paged += " (backup)"
			}
			acked = "waiting"
		}
		if r.Acked {
			acked = r.AckedBy + " " + r.AckedAt
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\n", r.Title, firstOf(r.Holder, r.Person), paged, acked)
	}
	_ = tw.Flush()
	entries := s.Timeline[max(0, len(s.Timeline)-last):]
	fmt.Fprintf(w, "\ntimeline (last %d of %d):\n", len(entries), len(s.Timeline))
	tw = tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	for _, e := range entries {
		detail := e.Detail
		if i := strings.IndexByte(detail, '\n'); i >= 0 {
			detail = detail[:i] + " …"
		}
		fmt.Fprintf(tw, "  %s\t%s\t%s\t%s\t%s\n", e.At, e.Kind, e.Who, e.Subject, detail)
	}
	_ = tw.Flush()
}

func firstOf(s ...string) string {
	for _, v := range s {
		if v != "" {
			return v
		}
	}
	return ""
}
