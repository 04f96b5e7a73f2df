package main

import (
	"context"
	"fmt"
	"io"
	"runtime/debug"
)

// version is set at build time with -ldflags "-X main.version=..."; otherwise the module version
// recorded by the Go toolchain is used.
var version = ""

func versionCommand() *command {
	return &command{
		name:    "version",
		summary: "print the version of pelican",
		run: func(ctx context.Context, args []string, stdout, stderr io.Writer) error {
			fs := newFlagSet("version", "version", stderr)
			if help, err := fs.parse(args); help || err != nil {
				return err
			}
			fmt.Fprintf(stdout, "pelican %s\n", currentVersion())
			return nil
		},
	}
}

func currentVersion() string {
	if version != "" {
		return version
	}
	if bi, ok := debug.ReadBuildInfo(); ok && bi.Main.Version != "" {
		return bi.Main.Version
	}
	return "(devel)"
}
