package console

import (
	"encoding/json"
	"fmt"
	"net/http"
	"time"
)

// Event stream timing: a burst of milestones (one tick records several)
// is sent as one state after coalesce; with nothing new, the state is sent
// every refresh anyway (the drill clock and the board move on their own).
const (
	coalesce       = 100 * time.Millisecond
	defaultRefresh = 2 * time.Second
)

// serveEvents streams v's state as server-sent events ("event: state"):
// on connect, after each burst of milestones or actions, and every
// refresh. It ends when the client goes or the console closes.
func (c *Console) serveEvents(v view) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		rc := http.NewResponseController(w)
		w.Header().Set("Content-Type", "text/event-stream")
		w.Header().Set("X-Accel-Buffering", "no")
		w.WriteHeader(http.StatusOK)
		wake, stop := c.listen()
		defer stop()
		refresh := c.opts.Refresh
		if refresh <= 0 {
			refresh = defaultRefresh
		}
		tick := time.NewTicker(refresh)
		defer tick.Stop()
		for {
			// A stream outlives any write deadline the server sets for
			// ordinary requests.
			_ = rc.SetWriteDeadline(time.Now().Add(refresh + 10*time.Second))
			b, err := json.Marshal(c.snapshot(r, v))
			if err != nil {
				return
			}
			if _, err := fmt.Fprintf(w, "event: state\ndata: %s\n\n", b); err != nil {
				return
			}
			if err := rc.Flush(); err != nil {
				return
			}
			select {
			case <-r.Context().Done():
				return
			case <-c.done:
				return
			case <-tick.C:
			case <-wake:
				select {
				case <-time.After(coalesce):
				case <-r.Context().Done():
					return
				}
				select { // what woke during the wait is in this state
				case <-wake:
				default:
				}
			}
		}
	}
}
