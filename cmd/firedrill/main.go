// Command firedrill runs incident drills; see `firedrill --help` and the
// README. main only wires the process into internal/cli.
package main

import (
	"context"
	"os"
	"os/signal"
	"syscall"

	"github.com/firedrill/firedrill/internal/cli"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	code := cli.Run(ctx, cli.OSState(), os.Args[1:])
	stop()
	os.Exit(code)
}
