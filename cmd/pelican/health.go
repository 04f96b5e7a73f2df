package main

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"time"
)

// healthCommand probes an emulator's health endpoint. A FROM scratch image has no curl, so the
// container's HEALTHCHECK runs this.
func healthCommand() *command {
	return &command{
		name:    "health",
		summary: "check that an emulator answers on its health endpoint",
		run: func(ctx context.Context, args []string, stdout, stderr io.Writer) error {
			fs := newFlagSet("health", "health [--url URL]", stderr)
			url := fs.String("url", "http://127.0.0.1:4567/health", "the emulator's health endpoint")
			timeout := fs.Duration("timeout", 2*time.Second, "how long to wait for an answer")
			if help, err := fs.parse(args); help || err != nil {
				return err
			}
			ctx, cancel := context.WithTimeout(ctx, *timeout)
			defer cancel()
			req, err := http.NewRequestWithContext(ctx, http.MethodGet, *url, nil)
			if err != nil {
				return usageError{err}
			}
			resp, err := http.DefaultClient.Do(req)
			if err != nil {
				return fmt.Errorf("health: %w", err)
			}
			defer resp.Body.Close()
			if resp.StatusCode != http.StatusOK {
				return fmt.Errorf("health: %s answered %s", *url, resp.Status)
			}
			fmt.Fprintln(stdout, "ok")
			return nil
		},
	}
}
