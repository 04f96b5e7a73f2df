// Package service holds what both example services need at start: flags that take their defaults
// from the environment, and a logger at a named level.
package service

import (
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
)

// Logger returns a text logger to w at level (debug, info, warn or error).
func Logger(w io.Writer, level string) (*slog.Logger, error) {
	var l slog.Level
	if err := l.UnmarshalText([]byte(level)); err != nil {
		return nil, fmt.Errorf("-log-level: %w", err)
	}
	return slog.New(slog.NewTextHandler(w, &slog.HandlerOptions{Level: l})), nil
}

// FlagsFromEnv sets each named flag from its environment variable, when that is set, so that the
// environment gives defaults and the command line has the last word.
func FlagsFromEnv(fs *flag.FlagSet, env map[string]string) error {
	for name, key := range env {
		if v := os.Getenv(key); v != "" {
			if err := fs.Set(name, v); err != nil {
				return fmt.Errorf("%s=%q: %w", key, v, err)
			}
		}
	}
	return nil
}
