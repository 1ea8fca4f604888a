package scenarios

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"os"
	"sort"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/cucumber/godog"

	"github.com/firedrill/firedrill/config"
	"github.com/firedrill/firedrill/incident"
	"github.com/firedrill/firedrill/reports"
	"github.com/firedrill/firedrill/responders"
	"github.com/firedrill/firedrill/responders/console"
	"github.com/firedrill/firedrill/scorer"
	"github.com/firedrill/firedrill/stack"
)

// Options configure a run of drills.
type Options struct {
	Config config.Config
	// Clock overrides the configured clock mode when set.
	Clock incident.Mode
	// Progress receives a line per notable event (nil: quiet).
	Progress func(format string, args ...any)
	// SelectStack picks the provider (stack.Select when nil).
	SelectStack func(ctx context.Context, provider, runID string, progress stack.Progress) (stack.Stack, error)
	// PlaybookDir holds the playbooks/*.yaml (default "playbooks").
	PlaybookDir string
	// Warmup is drill time monitored before a fault is injected, so rate()
	// windows have history (default 1 minute).
	Warmup time.Duration
	// ConsoleAddr is where the game-day console listens (the people's
	// views, `firedrill ack` and the other answers); it starts with the
	// first drill that has people on call.
	ConsoleAddr string
	// ResponderToken and FacilitatorToken are the console's tokens; empty:
	// random ones, printed with the console's URLs.
	ResponderToken, FacilitatorToken string
	// NoEarlyStop runs every drill to its resolution or time limit, even
	// when its outcome is decided earlier (see Drill.decided).
	NoEarlyStop bool
	// RunID names the run (stack.NewRunID when empty).
	RunID string
	// OutDir is the run's output directory (`firedrill run --out`): each
	// drill's playbook steps keep what they collect in
	// <OutDir>/drills/<feature>/<scenario> (FIREDRILL_OUT_DIR). Empty: a
	// temporary directory that Close removes.
	OutDir string
}

// DefaultConsoleAddr is where `firedrill run` and `firedrill ack` meet
// unless told otherwise (FIREDRILL_CONSOLE_ADDR, --console-addr, --addr).
const DefaultConsoleAddr = "127.0.0.1:7070"

// Suite is what the scenarios of one run share: the stack (started once,
// reset between drills) and the results.
type Suite struct {
	opts    Options
	runID   string
	started time.Time
	targets scorer.Targets

	mu      sync.Mutex
	env     *stack.Env
	feature string
	// envErr is why the stack could not start; later scenarios of the same
	// feature fail with it at once instead of trying again.
	envErr   error
	drills   []reports.Drill
	envUsed  bool
	provider string

	pbOnce    sync.Once
	playbooks map[string]*responders.Playbook
	pbErr     error
	// catalog is what the steps' checks look names up in.
	catalog *catalog

	// game is the drill with people on call now (nil between them).
	game       atomic.Pointer[gameDrill]
	console    *console.Console
	consoleSrv *http.Server
	urls       consoleURLs
	// consoleErr is why the console could not be served: the run's
	// environment error, as the stack's is.
	consoleErr error
	// goneErr is why the run's stack disappeared (stack.ErrGone): the
	// rest of the run fails at once with it.
	goneErr error
	// tmpOut is the run's output directory when Options.OutDir is empty,
	// removed by Close; outDirs counts the drills' directories by name.
	tmpOut  string
	outDirs map[string]int
}

// loadPlaybooks loads the playbook directory, once per run.
func (s *Suite) loadPlaybooks() (map[string]*responders.Playbook, error) {
	s.pbOnce.Do(func() { s.playbooks, s.pbErr = responders.LoadDir(s.opts.PlaybookDir) })
	return s.playbooks, s.pbErr
}

// scenarioOf is a scenario as its steps' checks see it.
func (s *Suite) scenarioOf(p *godog.Scenario) *Scenario {
	return newScenario(s.catalog, p.Uri, p.Steps)
}

// playbook returns a playbook of the playbook directory by name.
func (s *Suite) playbook(name string) (*responders.Playbook, error) {
	if _, err := s.loadPlaybooks(); err != nil {
		return nil, err
	}
	pb, ok := s.playbooks[name]
	if !ok {
		names := make([]string, 0, len(s.playbooks))
		for n := range s.playbooks {
			names = append(names, n)
		}
		sort.Strings(names)
		return nil, fmt.Errorf("unknown playbook %q in %s (have %s)", name, s.opts.PlaybookDir, strings.Join(names, ", "))
	}
	return pb, nil
}

// NewSuite prepares a run. Nothing starts until a scenario asks for the
// stack.
func NewSuite(opts Options) *Suite {
	if opts.Progress == nil {
		opts.Progress = func(string, ...any) {}
	}
	if opts.SelectStack == nil {
		opts.SelectStack = stack.Select
	}
	if opts.PlaybookDir == "" {
		opts.PlaybookDir = "playbooks"
	}
	if opts.Warmup == 0 {
		opts.Warmup = time.Minute
	}
	if opts.ConsoleAddr == "" {
		opts.ConsoleAddr = DefaultConsoleAddr
	}
	if opts.Clock == "" {
		opts.Clock = incident.Mode(opts.Config.Clock.Mode)
	}
	if opts.RunID == "" {
		opts.RunID = stack.NewRunID()
	}
	s := &Suite{opts: opts, runID: opts.RunID, started: time.Now(), targets: targetsOf(opts.Config)}
	s.catalog = newCatalog(opts.Config, opts.PlaybookDir, s.loadPlaybooks)
	return s
}

// RunID names this run (and its stack's labels).
func (s *Suite) RunID() string { return s.runID }

// InitializeTestSuite closes the last stack when the run ends.
func (s *Suite) InitializeTestSuite(ts *godog.TestSuiteContext) {
	ts.AfterSuite(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
		defer cancel()
		_ = s.Close(ctx)
	})
}

// InitializeScenario registers the steps and the per-scenario hooks: the
// drill's runtime before, its Then steps' outcomes after each step, and
// its result after.
func (s *Suite) InitializeScenario(sc *godog.ScenarioContext) {
	register(sc)
	sc.Before(func(ctx context.Context, p *godog.Scenario) (context.Context, error) {
		d := newDrill(s, p)
		s.opts.Progress("drill %q", p.Name)
		return withDrill(ctx, d), nil
	})
	// Each Then step's outcome is recorded as it ends, for the report's
	// checks. godog ends the scenario (the After hook below) at the first
	// failed step, before it skips the rest; those stay "skipped".
	sc.StepContext().After(func(ctx context.Context, st *godog.Step, status godog.StepResultStatus, err error) (context.Context, error) {
		if d, ok := ctx.Value(drillKey{}).(*Drill); ok {
			d.recordStep(st, status, err)
		}
		return ctx, nil
	})
	sc.After(func(ctx context.Context, p *godog.Scenario, err error) (context.Context, error) {
		d := drillOf(ctx)
		r := d.finish(ctx, err)
		if r.Error != "" {
			s.opts.Progress("drill %q: %s", p.Name, r.Error)
		}
		s.opts.Progress("drill %q: %s", p.Name, r.Status)
		s.record(r)
		return ctx, nil
	})
}

// stack returns the running stack for a feature's scenario: started on
// first use, reset before every later drill, replaced only when a reset
// fails.
func (s *Suite) stack(ctx context.Context, feature string) (*stack.Env, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.goneErr != nil {
		return nil, fmt.Errorf("not run: %w", s.goneErr)
	}
	if s.envErr != nil && s.feature == feature {
		return nil, s.envErr
	}
	if s.env != nil {
		// Every feature of a run drills the same stack configuration, so
		// the stack is reused across features, reset between drills as
		// between scenarios: starting one costs seconds a feature.
		if s.feature != feature {
			s.opts.Progress("reusing the stack for %s", feature)
			s.feature = feature
		}
		if !s.envUsed {
			s.envUsed = true
			return s.env, nil
		}
		s.opts.Progress("resetting the stack")
		err := s.env.Reset(ctx)
		if err == nil {
			return s.env, nil
		}
		if gone := s.env.Gone(ctx); gone != nil {
			s.goneLocked(ctx, gone)
			return nil, gone
		}
		// A stack a drill left unresettable is replaced, not reused.
		s.opts.Progress("reset stack: %v; starting a new one", err)
		cctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 2*time.Minute)
		cerr := s.closeLocked(cctx)
		cancel()
		if cerr != nil {
			s.opts.Progress("stopping the stack: %v (run `firedrill cleanup --run %s`)", cerr, s.runID)
		}
	}
	s.feature = feature
	cfg := s.opts.Config.Stack
	p, err := s.opts.SelectStack(ctx, cfg.Provider, s.runID, stack.Progress(s.opts.Progress))
	if err != nil {
		s.envErr = err
		return nil, err
	}
	s.opts.Progress("starting the %s stack for %s", p.Name(), feature)
	env, err := p.Start(ctx, cfg)
	if err != nil {
		cctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), time.Minute)
		defer cancel()
		_ = env.Close(cctx)
		s.envErr = err
		return nil, err
	}
	s.env, s.envUsed, s.provider = env, true, env.Provider
	// Where the stack listens, for people acting on it during a game day.
	s.opts.Progress("stack up: app %s, postgres %s, redis %s", env.AppURL, stack.Redact(env.PostgresURL), env.RedisURL)
	return env, nil
}

func (s *Suite) closeLocked(ctx context.Context) error {
	var err error
	if s.env != nil {
		s.opts.Progress("stopping the stack")
		err = s.env.Close(ctx)
	}
	s.env, s.envErr, s.feature, s.envUsed = nil, nil, "", false
	return err
}

// stackGone ends the run's use of a stack that disappeared under a drill:
// what is left of it is removed now, and later drills fail at once.
func (s *Suite) stackGone(ctx context.Context, err error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.goneLocked(ctx, err)
}

func (s *Suite) goneLocked(ctx context.Context, err error) {
	if s.goneErr != nil {
		return
	}
	s.goneErr = err
	cctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), time.Minute)
	defer cancel()
	if cerr := s.closeLocked(cctx); cerr != nil {
		// Every container fails alike when the daemon is gone: one line.
		first, _, _ := strings.Cut(cerr.Error(), "\n")
		s.opts.Progress("could not remove what is left of the stack (%s); run `firedrill cleanup --run %s`", first, s.runID)
	}
}

// Close stops the stack, if one runs, and the console: nothing of the
// run listens after it.
func (s *Suite) Close(ctx context.Context) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.consoleSrv != nil {
		s.console.Close() // the event streams end first
		_ = s.consoleSrv.Close()
		s.consoleSrv = nil
	}
	err := s.closeLocked(ctx)
	if s.tmpOut != "" {
		err = errors.Join(err, os.RemoveAll(s.tmpOut))
		s.tmpOut = ""
	}
	return err
}
