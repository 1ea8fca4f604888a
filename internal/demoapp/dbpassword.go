package demoapp

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"sync"
	"time"

	"github.com/jackc/pgx/v5"
)

// dbLogin is the password the app's new database connections log in with:
// DATABASE_URL's until rotated through POST /admin/db-password. The
// Security Incident's "ALTER USER ... WITH PASSWORD" changes the role's
// password in Postgres; handing the new one to the running app makes every
// connection its pool opens from then on use it, with no restart and no
// request dropped (sessions already open stay logged in, as Postgres keeps
// them).
type dbLogin struct {
	mu       sync.RWMutex
	password string
}

func (l *dbLogin) get() string {
	l.mu.RLock()
	defer l.mu.RUnlock()
	return l.password
}

func (l *dbLogin) set(p string) {
	l.mu.Lock()
	l.password = p
	l.mu.Unlock()
}

// beforeConnect gives each new pool connection the password in use.
func (l *dbLogin) beforeConnect(_ context.Context, cc *pgx.ConnConfig) error {
	cc.Password = l.get()
	return nil
}

// getDBPassword answers GET /admin/db-password: the role and a fingerprint
// of the password in use, never the password.
func (a *App) getDBPassword(w http.ResponseWriter, _ *http.Request) {
	writeJSON(w, http.StatusOK, map[string]string{"user": a.pool.Config().ConnConfig.User, "fingerprint": fingerprint(a.dbLogin.get())})
}

// setDBPassword answers POST /admin/db-password {"password": "..."}: it
// logs in once with the new password and, when Postgres accepts it, makes
// the pool use it and replace its connections (idle ones now, busy ones
// when released), so sessions that logged in with the old password end.
// A password Postgres refuses is not taken (409): the app keeps serving on
// the one it has. The same password again changes nothing.
func (a *App) setDBPassword(w http.ResponseWriter, r *http.Request) {
	var req struct {
		Password string `json:"password"`
	}
	dec := json.NewDecoder(io.LimitReader(r.Body, 1<<16))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&req); err != nil || req.Password == "" {
		writeJSON(w, http.StatusBadRequest, map[string]string{"error": `db password: want {"password": "..."}`})
		return
	}
	if req.Password == a.dbLogin.get() {
		writeJSON(w, http.StatusOK, map[string]any{"changed": false, "fingerprint": fingerprint(req.Password)})
		return
	}
	cc := a.pool.Config().ConnConfig.Copy()
	cc.Password = req.Password
	ctx, cancel := context.WithTimeout(r.Context(), 5*time.Second)
	defer cancel()
	conn, err := pgx.ConnectConfig(ctx, cc)
	if err != nil {
		a.log.Warn("database password refused; keeping the current one", "fingerprint", fingerprint(req.Password), "err", err)
		writeJSON(w, http.StatusConflict, map[string]string{"error": "db password: the database refused it: " + err.Error()})
		return
	}
	_ = conn.Close(context.WithoutCancel(ctx))
	a.dbLogin.set(req.Password)
	a.pool.Reset()
	a.log.Warn("database password rotated", "user", cc.User, "fingerprint", fingerprint(req.Password))
	writeJSON(w, http.StatusOK, map[string]any{"changed": true, "fingerprint": fingerprint(req.Password)})
}
