package console

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"mime"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/firedrill/firedrill/incident"
	"github.com/firedrill/firedrill/responders"
)

// MaxBody bounds a request's body: the longest text people may write
// (responders.MaxText characters, up to 4 bytes each in UTF-8), and room
// for the rest of the form. Past it the answer is 413.
const MaxBody = 4*responders.MaxText + 16<<10

// ActionRequest is the body of POST /api/action (JSON, or a form with the
// same field names).
type ActionRequest struct {
	Action   string `json:"action"`
	Role     string `json:"role,omitempty"`
	Person   string `json:"person,omitempty"`
	Severity string `json:"severity,omitempty"`
	Notice   string `json:"notice,omitempty"`
	Status   string `json:"status,omitempty"`
	Text     string `json:"text,omitempty"`
	Playbook string `json:"playbook,omitempty"`
	Step     int    `json:"step,omitempty"`
	Backup   bool   `json:"backup,omitempty"`
	Note     string `json:"note,omitempty"`
}

// Accepted is the answer to an action: it is queued, and takes effect at
// the drill's next tick.
type Accepted struct {
	Recorded    string `json:"recorded"`
	TakesEffect string `json:"takes_effect"`
}

const noDrill = "no game day is running"

func (c *Console) serveState(v view) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		writeJSON(w, http.StatusOK, c.snapshot(r, v))
	}
}

// snapshot is v's state now.
func (c *Console) snapshot(r *http.Request, v view) any {
	if v == facilitatorView {
		return facilitatorState(r.Context(), c.current())
	}
	return state(r.Context(), c.current())
}

func (c *Console) serveAction(w http.ResponseWriter, r *http.Request) {
	var req ActionRequest
	if code, err := decode(w, r, &req, actionForm); err != nil {
		writeError(w, code, err.Error())
		return
	}
	a, err := teamAction(req)
	if err != nil {
		writeError(w, http.StatusBadRequest, err.Error())
		return
	}
	d := c.current()
	if d == nil {
		writeError(w, http.StatusConflict, noDrill)
		return
	}
	if err := d.Team().Do(a); err != nil {
		writeError(w, actionErrorCode(err), err.Error())
		return
	}
	c.wake()
	writeJSON(w, http.StatusAccepted, Accepted{Recorded: string(a.Action), TakesEffect: "next tick"})
}

// teamAction checks what the request can be checked for without the team.
func teamAction(req ActionRequest) (responders.TeamAction, error) {
	act, err := responders.ParseTeamAction(strings.TrimSpace(req.Action))
	if err != nil {
		return responders.TeamAction{}, err
	}
	a := responders.TeamAction{Action: act, Role: strings.TrimSpace(req.Role), Person: strings.TrimSpace(req.Person),
		Notice: strings.TrimSpace(req.Notice), Status: req.Status, Text: req.Text, Playbook: strings.TrimSpace(req.Playbook),
		Step: req.Step, Backup: req.Backup, Note: req.Note}
	if act == responders.Declare {
		if a.Severity, err = incident.ParseSeverity(req.Severity); err != nil {
			return a, fmt.Errorf("declare: %w", err)
		}
	}
	return a, nil
}

// actionErrorCode is the status of Team.Do's refusal.
func actionErrorCode(err error) int {
	switch {
	case errors.Is(err, responders.ErrUnknownRole), errors.Is(err, responders.ErrUnknownPlaybook):
		return http.StatusNotFound
	case errors.Is(err, responders.ErrNotPaged), errors.Is(err, responders.ErrRoleNotPaged):
		return http.StatusConflict
	case errors.Is(err, responders.ErrTooLong):
		return http.StatusRequestEntityTooLarge
	}
	return http.StatusBadRequest
}

func actionForm(get func(string) string, v any) error {
	req := v.(*ActionRequest)
	*req = ActionRequest{Action: get("action"), Role: get("role"), Person: get("person"), Severity: get("severity"),
		Notice: get("notice"), Status: get("status"), Text: get("text"), Playbook: get("playbook"), Note: get("note")}
	if s := get("step"); s != "" {
		n, err := strconv.Atoi(s)
		if err != nil {
			return fmt.Errorf("step %q: want a number", s)
		}
		req.Step = n
	}
	switch strings.ToLower(get("backup")) {
	case "", "false", "off", "0":
	default:
		req.Backup = true
	}
	return nil
}

// InjectRequest is the body of POST /api/facilitator/inject.
type InjectRequest struct {
	Fault  string            `json:"fault"`
	Params map[string]string `json:"params,omitempty"`
}

func (c *Console) serveInject(w http.ResponseWriter, r *http.Request) {
	var req InjectRequest
	if code, err := decode(w, r, &req, func(get func(string) string, v any) error {
		p := v.(*InjectRequest)
		p.Fault = get("fault")
		p.Params = map[string]string{}
		for _, line := range strings.Split(get("params"), "\n") {
			if k, val, ok := strings.Cut(strings.TrimSpace(line), "="); ok {
				p.Params[strings.TrimSpace(k)] = strings.TrimSpace(val)
			}
		}
		return nil
	}); err != nil {
		writeError(w, code, err.Error())
		return
	}
	d := c.current()
	if d == nil {
		writeError(w, http.StatusConflict, noDrill)
		return
	}
	if can := d.Truth().Injectable; !slices.Contains(can, req.Fault) {
		writeError(w, http.StatusNotFound, fmt.Sprintf("inject %q: not a fault this drill may inject (%s)", req.Fault, strings.Join(can, ", ")))
		return
	}
	if err := d.Inject(req.Fault, req.Params); err != nil {
		writeError(w, http.StatusConflict, err.Error())
		return
	}
	c.wake()
	writeJSON(w, http.StatusAccepted, Accepted{Recorded: "inject " + req.Fault, TakesEffect: "next tick"})
}

// textRequest is the body of the facilitator's note and abort.
type textRequest struct {
	Text   string `json:"text,omitempty"`
	Reason string `json:"reason,omitempty"`
}

func textForm(get func(string) string, v any) error {
	*v.(*textRequest) = textRequest{Text: get("text"), Reason: get("reason")}
	return nil
}

// serveNote records the facilitator's inject note ("leadership is asking
// for an ETA") on the timeline, where the responders see it.
func (c *Console) serveNote(w http.ResponseWriter, r *http.Request) {
	var req textRequest
	if code, err := decode(w, r, &req, textForm); err != nil {
		writeError(w, code, err.Error())
		return
	}
	switch n := utf8.RuneCountInString(req.Text); {
	case strings.TrimSpace(req.Text) == "":
		writeError(w, http.StatusBadRequest, "note: the note is empty")
		return
	case n > responders.MaxText:
		writeError(w, http.StatusRequestEntityTooLarge, fmt.Sprintf("note: %d characters: %v (at most %d)", n, responders.ErrTooLong, responders.MaxText))
		return
	}
	d := c.current()
	if d == nil {
		writeError(w, http.StatusConflict, noDrill)
		return
	}
	d.Timeline().Record(incident.Milestone{Kind: incident.Note, Actor: FacilitatorActor, Subject: "inject note", Detail: req.Text})
	writeJSON(w, http.StatusAccepted, Accepted{Recorded: "note", TakesEffect: "now"})
}

func (c *Console) serveAbort(w http.ResponseWriter, r *http.Request) {
	var req textRequest
	if code, err := decode(w, r, &req, textForm); err != nil {
		writeError(w, code, err.Error())
		return
	}
	d := c.current()
	if d == nil {
		writeError(w, http.StatusConflict, noDrill)
		return
	}
	d.Abort(firstNonBlank(req.Reason, req.Text, "aborted by the facilitator"))
	c.wake()
	writeJSON(w, http.StatusAccepted, Accepted{Recorded: "abort", TakesEffect: "next tick"})
}

func (c *Console) serveClose(w http.ResponseWriter, r *http.Request) {
	d := c.current()
	if d == nil {
		writeError(w, http.StatusConflict, noDrill)
		return
	}
	d.Close()
	c.wake()
	writeJSON(w, http.StatusAccepted, Accepted{Recorded: "close", TakesEffect: "next tick"})
}

func firstNonBlank(s ...string) string {
	for _, v := range s {
		if strings.TrimSpace(v) != "" {
			return v
		}
	}
	return ""
}

// decode reads r's body into v, as JSON or as a form (form fills v from
// the form's values), bounded by MaxBody. It returns the status to answer
// with when it fails: 413 past the bound, else 400.
func decode(w http.ResponseWriter, r *http.Request, v any, form func(get func(string) string, v any) error) (int, error) {
	r.Body = http.MaxBytesReader(w, r.Body, MaxBody)
	ct, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type"))
	switch ct {
	case "application/json":
		dec := json.NewDecoder(r.Body)
		dec.DisallowUnknownFields()
		if err := dec.Decode(v); err != nil && !errors.Is(err, io.EOF) {
			return bodyErrorCode(err), fmt.Errorf("body: %w", err)
		}
		return 0, nil
	case "application/x-www-form-urlencoded", "multipart/form-data", "":
		parse := r.ParseForm
		if ct == "multipart/form-data" {
			// Held in memory up to MaxBody: the body's bound keeps it there.
			parse = func() error { return r.ParseMultipartForm(MaxBody) }
		}
		if err := parse(); err != nil {
			return bodyErrorCode(err), fmt.Errorf("body: %w", err)
		}
		if err := form(r.PostFormValue, v); err != nil {
			return http.StatusBadRequest, err
		}
		return 0, nil
	}
	return http.StatusUnsupportedMediaType, fmt.Errorf("body: content type %q: send JSON or a form", ct)
}

// bodyErrorCode is 413 for a body past MaxBody, else 400.
func bodyErrorCode(err error) int {
	if _, ok := errors.AsType[*http.MaxBytesError](err); ok {
		return http.StatusRequestEntityTooLarge
	}
	return http.StatusBadRequest
}

func writeJSON(w http.ResponseWriter, code int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(code)
	_ = json.NewEncoder(w).Encode(v)
}

func writeError(w http.ResponseWriter, code int, msg string) {
	writeJSON(w, code, map[string]string{"error": msg})
}
