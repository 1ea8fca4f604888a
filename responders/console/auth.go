package console

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/hex"
	"net/http"
	"strings"
)

// view is which of the two views a route belongs to.
type view int

const (
	responderView view = iota
	facilitatorView
)

// Cookie names, one per view: opening a view with ?token=T stores T under
// its view's name.
const (
	responderCookie   = "firedrill_responder"
	facilitatorCookie = "firedrill_facilitator"
)

// CSRFHeader carries the page's CSRF value on a cookie-authenticated POST.
const CSRFHeader = "X-Firedrill-CSRF"

func (v view) cookie() string {
	if v == facilitatorView {
		return facilitatorCookie
	}
	return responderCookie
}

// credential is how a request proved who it is.
type credential struct {
	token  string
	cookie bool
}

type credentialKey struct{}

// auth lets a request through to h when it carries a token of v (the
// facilitator's opens the responder view too): 401 without one, 403 with
// a wrong one or the responder's on a facilitator route. A POST is also
// checked for cross-site origins, and a cookie-authenticated POST for the
// CSRF header.
func (c *Console) auth(v view, h http.HandlerFunc) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		cred, ok := presented(r, v)
		if !ok {
			w.Header().Set("WWW-Authenticate", `Bearer realm="firedrill console"`)
			writeError(w, http.StatusUnauthorized, "this console needs its token: open the URL the run printed, or send Authorization: Bearer <token>")
			return
		}
		if !c.allows(v, cred.token) {
			writeError(w, http.StatusForbidden, "this token does not open this view")
			return
		}
		if r.Method != http.MethodGet && r.Method != http.MethodHead {
			if msg := crossSite(r); msg != "" {
				writeError(w, http.StatusForbidden, msg)
				return
			}
			if cred.cookie && !equal(r.Header.Get(CSRFHeader), csrf(cred.token)) {
				writeError(w, http.StatusForbidden, "a request authenticated by cookie needs the page's "+CSRFHeader+" header")
				return
			}
		}
		if q := r.URL.Query().Get("token"); q != "" && (r.Method == http.MethodGet || r.Method == http.MethodHead) {
			http.SetCookie(w, &http.Cookie{Name: v.cookie(), Value: q, Path: "/", HttpOnly: true, SameSite: http.SameSiteStrictMode})
		}
		h(w, r.WithContext(context.WithValue(r.Context(), credentialKey{}, cred)))
	})
}

// presented is the token a request carries for v: a bearer token, then
// ?token= (GET only), then the view's cookie (for the responder view, the
// facilitator's cookie too).
func presented(r *http.Request, v view) (credential, bool) {
	if h := r.Header.Get("Authorization"); h != "" {
		if t, ok := strings.CutPrefix(h, "Bearer "); ok {
			return credential{token: strings.TrimSpace(t)}, true
		}
		return credential{token: h}, true // a credential, just not ours: 403
	}
	if r.Method == http.MethodGet || r.Method == http.MethodHead {
		if t := r.URL.Query().Get("token"); t != "" {
			return credential{token: t}, true
		}
	}
	names := []string{v.cookie()}
	if v == responderView {
		names = append(names, facilitatorCookie)
	}
	for _, n := range names {
		if ck, err := r.Cookie(n); err == nil && ck.Value != "" {
			return credential{token: ck.Value, cookie: true}, true
		}
	}
	return credential{}, false
}

// allows says whether token opens v.
func (c *Console) allows(v view, token string) bool {
	fac := equal(token, c.opts.FacilitatorToken)
	if v == facilitatorView {
		return fac
	}
	return fac || equal(token, c.opts.ResponderToken)
}

// crossSite explains why a state-changing request comes from another site,
// or is "" when it does not: an Origin that is not this host's, or a
// browser's Sec-Fetch-Site saying so.
func crossSite(r *http.Request) string {
	if o := r.Header.Get("Origin"); o != "" && o != "http://"+r.Host {
		return "cross-origin request refused (Origin " + o + ")"
	}
	switch r.Header.Get("Sec-Fetch-Site") {
	case "cross-site", "same-site":
		return "cross-site request refused"
	}
	return ""
}

// csrf is the CSRF value of a token: an HMAC of it, so the page can carry
// it without carrying the token.
func csrf(token string) string {
	m := hmac.New(sha256.New, []byte(token))
	m.Write([]byte("firedrill console csrf"))
	return hex.EncodeToString(m.Sum(nil))
}

// equal compares in constant time (hashing first, so neither the content
// nor the length leaks through timing).
func equal(a, b string) bool {
	ha, hb := sha256.Sum256([]byte(a)), sha256.Sum256([]byte(b))
	return subtle.ConstantTimeCompare(ha[:], hb[:]) == 1 && a != "" // a != "" after the compare: an unset token never matches
}

// requestCSRF is the CSRF value for the token that authenticated r: what
// the page it is served embeds.
func requestCSRF(r *http.Request) string {
	cred, _ := r.Context().Value(credentialKey{}).(credential)
	return csrf(cred.token)
}
