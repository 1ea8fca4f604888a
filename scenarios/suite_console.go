package scenarios

import (
	"cmp"
	"errors"
	"fmt"
	"net"
	"net/http"
	"syscall"
	"time"

	"github.com/firedrill/firedrill/responders/console"
)

// consoleURLs are where people open the console's views, tokens included.
type consoleURLs struct{ Responder, Facilitator string }

// ErrAddrTaken means an address firedrill listens on is in use (another
// run, another program): an environment error, exit code 3. The message
// names the address and how to move it.
var ErrAddrTaken = errors.New("address taken")

// serveConsole starts the game-day console once, on ConsoleAddr, and
// prints its views' URLs with their tokens.
func (s *Suite) serveConsole() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.consoleSrv != nil {
		return nil
	}
	ln, err := net.Listen("tcp", s.opts.ConsoleAddr)
	if errors.Is(err, syscall.EADDRINUSE) || errors.Is(err, syscall.EACCES) {
		err = fmt.Errorf("serve the game-day console: %w: %s (%w); "+
			"move it with --console-addr or FIREDRILL_CONSOLE_ADDR (and `firedrill ack --addr`)", ErrAddrTaken, s.opts.ConsoleAddr, err)
		s.consoleErr = cmp.Or(s.consoleErr, err)
		return err
	}
	if err != nil {
		return fmt.Errorf("serve the game-day console: %w", err)
	}
	rtok := cmp.Or(s.opts.ResponderToken, console.NewToken())
	c := console.New(console.Options{
		ResponderToken:   rtok,
		FacilitatorToken: cmp.Or(s.opts.FacilitatorToken, console.NewToken()),
		Current: func() console.Drill {
			if g := s.game.Load(); g != nil {
				return g
			}
			return nil
		},
	})
	s.console = c
	s.consoleSrv = &http.Server{Handler: c.Handler(), ReadHeaderTimeout: 5 * time.Second}
	addr := ln.Addr().String()
	s.urls.Responder, s.urls.Facilitator = c.URLs(addr)
	go s.consoleSrv.Serve(ln) //nolint:errcheck // ends with Close
	s.opts.Progress("game-day console: responders %s", s.urls.Responder)
	s.opts.Progress("game-day console: facilitator %s (the ground truth: keep it from the responders)", s.urls.Facilitator)
	s.opts.Progress("answer from a terminal with FIREDRILL_CONSOLE_ADDR=%s FIREDRILL_TOKEN=%s firedrill ack (update, notice, severity, role, resolve, …)",
		addr, rtok)
	return nil
}

// consoleURLs are the console's views' URLs ("" before it serves).
func (s *Suite) consoleURLs() consoleURLs {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.urls
}

func (s *Suite) setGame(g *gameDrill) { s.game.Store(g) }
