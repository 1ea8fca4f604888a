package cli

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"time"

	"github.com/spf13/cobra"

	"github.com/firedrill/firedrill/responders"
	"github.com/firedrill/firedrill/scenarios"
)

// ackAddr is where a running drill's person on call answers: the flag, or
// FIREDRILL_ACK_ADDR, or the default.
func ackAddr(st *State, flag string) string {
	if flag != "" {
		return flag
	}
	if v := st.Getenv("FIREDRILL_ACK_ADDR"); v != "" {
		return v
	}
	return scenarios.DefaultAckAddr
}

type answerFlags struct{ addr, by, note string }

func (f *answerFlags) register(cmd *cobra.Command) {
	cmd.Flags().StringVar(&f.addr, "addr", "", "the running drill's ack address (default $FIREDRILL_ACK_ADDR or "+scenarios.DefaultAckAddr+")")
	cmd.Flags().StringVar(&f.by, "by", "", "your name, for the timeline")
	cmd.Flags().StringVar(&f.note, "note", "", "a note for the timeline")
}

// answer sends a person's action to the running drill.
func answer(ctx context.Context, st *State, f *answerFlags, a responders.Action) error {
	body, _ := json.Marshal(map[string]string{"by": f.by, "note": f.note})
	ctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	addr := ackAddr(st, f.addr)
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, "http://"+addr+"/"+string(a), bytes.NewReader(body))
	if err != nil {
		return fmt.Errorf("%w: %w", ErrUsage, err)
	}
	req.Header.Set("Content-Type", "application/json")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return fmt.Errorf("%s: no drill answers at %s (is `firedrill run` running a drill with a person on call?): %w", a, addr, err)
	}
	defer resp.Body.Close()
	msg, _ := io.ReadAll(io.LimitReader(resp.Body, 4096))
	var e struct {
		Error string `json:"error"`
	}
	if resp.StatusCode != http.StatusAccepted {
		_ = json.Unmarshal(msg, &e)
		return fmt.Errorf("%s: %s", a, e.Error)
	}
	fmt.Fprintf(st.Stdout, "%s recorded; it takes effect at the drill's next tick\n", a)
	return nil
}

func newAnswerCmd(st *State, use string, a responders.Action, short string) *cobra.Command {
	f := &answerFlags{}
	cmd := &cobra.Command{
		Use: use, Short: short, Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error { return answer(cmd.Context(), st, f, a) },
	}
	f.register(cmd)
	return cmd
}

func newMarkCmd(st *State) *cobra.Command {
	f := &answerFlags{}
	cmd := &cobra.Command{
		Use:   "mark diagnosed|mitigated",
		Short: "Game day: tell the running drill the incident is diagnosed or mitigated",
		Args:  cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			a, err := responders.ParseAction(args[0])
			if err != nil || (a != responders.Diagnosed && a != responders.Mitigated) {
				return fmt.Errorf("%w: mark takes diagnosed or mitigated, not %q", ErrUsage, args[0])
			}
			return answer(cmd.Context(), st, f, a)
		},
	}
	f.register(cmd)
	return cmd
}
