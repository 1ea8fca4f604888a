package console

import (
	"crypto/rand"
	"embed"
	"encoding/base64"
	"html/template"
	"net/http"
)

//go:embed pages/*.html
var pageFiles embed.FS

var pages = template.Must(template.ParseFS(pageFiles, "pages/*.html"))

// pageData is what a view's page is rendered from: its first state (the
// event stream sends the next ones), the CSRF value its POSTs carry, and
// the nonce that lets its one inline script and style run.
type pageData struct {
	Title string
	CSRF  string
	Nonce string
	State any
}

// servePage serves v's page. Its Content-Security-Policy runs only the
// page's own inline script and style, and lets it talk only to this
// console.
func (c *Console) servePage(v view) http.HandlerFunc {
	name, title := "responder.html", "firedrill · game day"
	if v == facilitatorView {
		name, title = "facilitator.html", "firedrill · facilitator"
	}
	return func(w http.ResponseWriter, r *http.Request) {
		b := make([]byte, 16)
		_, _ = rand.Read(b)
		nonce := base64.StdEncoding.EncodeToString(b)
		w.Header().Set("Content-Security-Policy", "default-src 'none'; script-src 'nonce-"+nonce+"'; style-src 'nonce-"+nonce+
			"'; connect-src 'self'; img-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'")
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		_ = pages.ExecuteTemplate(w, name, pageData{Title: title, CSRF: requestCSRF(r), Nonce: nonce, State: c.snapshot(r, v)})
	}
}
