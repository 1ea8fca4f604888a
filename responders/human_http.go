package responders

import (
	"encoding/json"
	"errors"
	"html/template"
	"io"
	"net/http"
	"strings"
)

// HumanHandler serves a person on call during a game day, on the run's
// loopback address: GET / is a page with the incident and a button per
// action, GET /status its JSON, POST /ack, /diagnosed, /mitigated and
// /resolve record the action (form or JSON {"by": "...", "note": "..."}).
// current returns the person of the drill running now, or nil between
// drills.
func HumanHandler(current func() *Human) http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /{$}", func(w http.ResponseWriter, r *http.Request) {
		var st *HumanStatus
		if h := current(); h != nil {
			s := h.Status()
			st = &s
		}
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		_ = humanPage.Execute(w, st)
	})
	mux.HandleFunc("GET /status", func(w http.ResponseWriter, r *http.Request) {
		h := current()
		if h == nil {
			writeJSON(w, http.StatusNotFound, map[string]string{"error": "no drill with a person on call is running"})
			return
		}
		writeJSON(w, http.StatusOK, h.Status())
	})
	mux.HandleFunc("POST /{action}", func(w http.ResponseWriter, r *http.Request) {
		a, err := ParseAction(r.PathValue("action"))
		if err != nil {
			writeJSON(w, http.StatusNotFound, map[string]string{"error": err.Error()})
			return
		}
		h := current()
		if h == nil {
			writeJSON(w, http.StatusConflict, map[string]string{"error": "no drill with a person on call is running"})
			return
		}
		var body struct {
			By   string `json:"by"`
			Note string `json:"note"`
		}
		// A name and a note: whatever the content type, the body is read
		// up to maxActionBody (a multipart form would otherwise be held up
		// to 32 MiB in memory and its files on disk).
		r.Body = http.MaxBytesReader(w, r.Body, maxActionBody)
		if strings.HasPrefix(r.Header.Get("Content-Type"), "application/json") {
			if err := json.NewDecoder(r.Body).Decode(&body); err != nil && !errors.Is(err, io.EOF) {
				writeJSON(w, bodyErrorCode(err), map[string]string{"error": "body: " + err.Error()})
				return
			}
		} else {
			if err := r.ParseMultipartForm(maxActionBody); err != nil && !errors.Is(err, http.ErrNotMultipart) {
				writeJSON(w, bodyErrorCode(err), map[string]string{"error": "body: " + err.Error()})
				return
			}
			body.By, body.Note = r.FormValue("by"), r.FormValue("note")
		}
		if err := h.Do(a, body.By, body.Note); err != nil {
			writeJSON(w, http.StatusConflict, map[string]string{"error": err.Error()})
			return
		}
		if r.FormValue("from") == "page" {
			http.Redirect(w, r, "/", http.StatusSeeOther)
			return
		}
		writeJSON(w, http.StatusAccepted, map[string]string{"recorded": string(a), "takes_effect": "next tick"})
	})
	return mux
}

// maxActionBody bounds the body of an action (64 KiB).
const maxActionBody = 1 << 16

// bodyErrorCode is 413 for a body past maxActionBody, else 400.
func bodyErrorCode(err error) int {
	var tooLarge *http.MaxBytesError
	if errors.As(err, &tooLarge) {
		return http.StatusRequestEntityTooLarge
	}
	return http.StatusBadRequest
}

func writeJSON(w http.ResponseWriter, code int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(code)
	_ = json.NewEncoder(w).Encode(v)
}

var humanPage = template.Must(template.New("page").Parse(`<!doctype html>
<html><head><meta charset="utf-8"><meta http-equiv="refresh" content="5"><title>firedrill on call</title>
<style>body{font-family:sans-serif;max-width:40em;margin:2em auto}button{font-size:1.1em;margin:.3em}
.sev{font-weight:bold;color:#b00}.done{color:#080}</style></head><body>
<h1>firedrill: on call</h1>
{{if not .}}<p>No drill with a person on call is running.</p>
{{else if not .Paged}}<p>No page yet. This page refreshes every 5 seconds.</p>
{{else}}<p>Incident {{.Incident}}: <span class="sev">{{.Severity}}</span> {{.Alert}}, paged at {{.PagedAt}}.</p>
<p>Alerts: {{range $i, $a := .Alerts}}{{if $i}}, {{end}}{{$a}}{{end}}</p>
<form method="post"><input type="hidden" name="from" value="page">
<p><label>Your name <input name="by"></label> <label>Note <input name="note" size="30"></label></p>
<button formaction="/ack">Acknowledge</button>{{if index .Done "ack"}} <span class="done">done</span>{{end}}<br>
<button formaction="/diagnosed">Diagnosed</button>{{if index .Done "diagnosed"}} <span class="done">done</span>{{end}}<br>
<button formaction="/mitigated">Mitigated</button>{{if index .Done "mitigated"}} <span class="done">done</span>{{end}}<br>
<button formaction="/resolve">Verified: resolve</button>{{if index .Done "resolve"}} <span class="done">done</span>{{end}}
</form>
{{if .Pending}}<p>{{.Pending}} action(s) take effect at the next tick.</p>{{end}}
{{end}}</body></html>
`))
