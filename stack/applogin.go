package stack

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
)

// appLogin is the app's database login. The app has a role of its own
// (stack.postgres.app_user), not the stack's user that the harness logs in
// as: a drill can then rotate the app's password, as the Security
// Incident's "ALTER USER ... WITH PASSWORD" does, and the harness's
// probes, faults and playbook steps keep working.
type appLogin struct {
	user, password string
	// own: the role is the app's alone and the stack created it; false
	// when the app shares the stack's user (app_user empty).
	own bool
}

// url is the login's URL of database db at addr (host:port).
func (l appLogin) url(addr, db string) string { return postgresURL(addr, l.user, l.password, db) }

// newPassword is a password for one run: 48 hex digits, so that it needs
// no quoting in a URL or an SQL literal.
func newPassword() string {
	b := make([]byte, 24)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}

// ErrNotRotated means the app's start password still logs in: no drill
// rotated it, or the app shares the stack's user.
var ErrNotRotated = errors.New("the app's database password was not rotated")

// createAppLogin makes the app's role (or, should the cluster have it
// already, gives it the run's password) with what the demo app needs and
// no more: to log in, and to create and own its tables in the public
// schema. The grant on the schema lives in the database, so Reset's copy
// from the seeded template keeps it.
func (e *Env) createAppLogin(ctx context.Context) error {
	l := e.appLogin
	if !l.own {
		return nil
	}
	db := e.Config.Postgres.Database
	conn, err := pgx.Connect(ctx, e.PostgresURL)
	if err != nil {
		return fmt.Errorf("create app login %s: %w", l.user, err)
	}
	defer conn.Close(context.WithoutCancel(ctx))
	var exists bool
	if err := conn.QueryRow(ctx, `SELECT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = $1)`, l.user).Scan(&exists); err != nil {
		return fmt.Errorf("create app login %s: %w", l.user, err)
	}
	verb := "CREATE"
	if exists {
		verb = "ALTER"
	}
	role := quoteIdent(l.user)
	for _, q := range []string{
		verb + ` ROLE ` + role + ` WITH LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE PASSWORD ` + quoteLiteral(l.password),
		`GRANT CONNECT, TEMPORARY ON DATABASE ` + quoteIdent(db) + ` TO ` + role,
		`GRANT USAGE, CREATE ON SCHEMA public TO ` + role,
	} {
		// The error of a statement never quotes it, so no password is in it.
		if _, err := conn.Exec(ctx, q); err != nil {
			return fmt.Errorf("create app login %s: %w", l.user, err)
		}
	}
	return nil
}

// AppPasswordRotated is nil when Postgres refuses the password the app was
// started with (SQLSTATE 28P01, invalid_password): a drill rotated it. It
// wraps ErrNotRotated when that password still logs in, and is another
// error when the server could not say.
func (e *Env) AppPasswordRotated(ctx context.Context) error {
	if !e.appLogin.own {
		return fmt.Errorf("%w: the app logs in as the stack's own user (stack.postgres.app_user is empty)", ErrNotRotated)
	}
	err := pingPostgres(ctx, e.AppDatabaseURL)
	switch {
	case err == nil:
		return fmt.Errorf("%w: role %s still logs in with the password the app was started with", ErrNotRotated, e.appLogin.user)
	case invalidPassword(err):
		return nil
	default:
		return fmt.Errorf("log in as %s: %s", e.appLogin.user, Redact(err.Error()))
	}
}

func invalidPassword(err error) bool {
	var pgErr *pgconn.PgError
	return errors.As(err, &pgErr) && pgErr.Code == "28P01"
}

// restoreAppLogin is Reset's part for credentials: the app's role and the
// running app agree again on the password the app was started with, which
// is also what a restarted app reads from its environment. After a drill
// rotated it, the role gets it back; the app is handed it at
// stack.app.password_path (the demo app: POST /admin/db-password, a no-op
// when it has it already), or, when the app offers no such path, restarted.
// Doing it twice changes nothing more.
func (e *Env) restoreAppLogin(ctx context.Context) error {
	l := e.appLogin
	if !l.own {
		return nil
	}
	rotated := false
	if err := pingPostgres(ctx, e.AppDatabaseURL); err != nil {
		if !invalidPassword(err) {
			return fmt.Errorf("app login %s: %s", l.user, Redact(err.Error()))
		}
		rotated = true
		err := e.withAdmin(ctx, func(conn *pgx.Conn) error {
			_, err := conn.Exec(ctx, `ALTER ROLE `+quoteIdent(l.user)+` WITH PASSWORD `+quoteLiteral(l.password))
			return err
		})
		if err != nil {
			return fmt.Errorf("restore app login %s: %w", l.user, err)
		}
	}
	handed, err := e.handAppPassword(ctx)
	if err != nil {
		return fmt.Errorf("restore app login %s: %w", l.user, err)
	}
	if rotated && !handed {
		app, err := e.Service(App)
		if err != nil {
			return fmt.Errorf("restore app login %s: %w", l.user, err)
		}
		if err := app.Restart(ctx); err != nil {
			return fmt.Errorf("restore app login %s: %w", l.user, err)
		}
	}
	return nil
}

// handAppPassword gives the running app its start password at
// stack.app.password_path. It reports false when the app offers no such
// path (none configured, or the app answers 404 or 405).
func (e *Env) handAppPassword(ctx context.Context) (bool, error) {
	path := e.Config.App.PasswordPath
	if path == "" {
		return false, nil
	}
	body, _ := json.Marshal(map[string]string{"password": e.appLogin.password})
	ctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, e.AppURL+path, bytes.NewReader(body))
	if err != nil {
		return false, err
	}
	req.Header.Set("Content-Type", "application/json")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return false, fmt.Errorf("POST %s: %w", path, err)
	}
	defer resp.Body.Close()
	answer, _ := io.ReadAll(io.LimitReader(resp.Body, 1<<10))
	switch {
	case resp.StatusCode == http.StatusNotFound || resp.StatusCode == http.StatusMethodNotAllowed:
		return false, nil
	case resp.StatusCode/100 != 2:
		return false, fmt.Errorf("POST %s: %s: %s", path, resp.Status, Redact(strings.TrimSpace(string(answer))))
	}
	return true, nil
}

// quoteLiteral quotes an SQL string literal.
func quoteLiteral(s string) string { return "'" + strings.ReplaceAll(s, "'", "''") + "'" }
