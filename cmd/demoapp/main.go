// Command demoapp is the service firedrill drills by default; see
// internal/demoapp for what it serves.
package main

import (
	"context"
	"fmt"
	"log/slog"
	"os"
	"os/signal"
	"syscall"

	"github.com/firedrill/firedrill/internal/demoapp"
)

func main() {
	os.Exit(run())
}

func run() int {
	log := slog.New(slog.NewJSONHandler(os.Stderr, nil))
	cfg, err := demoapp.ConfigFromEnv(os.Getenv)
	if err != nil {
		fmt.Fprintln(os.Stderr, "demoapp:", err)
		return 2
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := demoapp.Run(ctx, cfg, log, nil); err != nil {
		fmt.Fprintln(os.Stderr, "demoapp:", err)
		return 1
	}
	return 0
}
