// Command pelican is the Pelican toolkit's command line: the Kinesis emulator, schema contract
// checks, and fixture recording and replay. Each subcommand turns flags into the options of a
// package and calls it; no logic lives here.
//
// Exit codes: 0 success, 1 a runtime failure, 2 a usage error (unknown command, bad flag),
// and 100 when `pelican contract breaking` finds breaking changes (as buf does) or
// `pelican fixtures check` finds events the current schemas no longer read.
package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/signal"
	"syscall"
)

// Exit codes shared by every subcommand.
const (
	exitOK       = 0
	exitFailure  = 1
	exitUsage    = 2
	exitBreaking = 100
)

// command is one subcommand: its name, a one-line summary for `pelican help`, and its body.
type command struct {
	name    string
	summary string
	run     func(ctx context.Context, args []string, stdout, stderr io.Writer) error
}

// commands lists the subcommands in the order `pelican help` prints them.
func commands() []*command {
	return []*command{
		consoleCommand(),
		contractCommand(),
		emulatorCommand(),
		fixturesCommand(),
		healthCommand(),
		lambdaCommand(),
		recordCommand(),
		replayCommand(),
		versionCommand(),
	}
}

// usageError marks an error caused by how the command was called; it exits with exitUsage.
type usageError struct{ err error }

func (e usageError) Error() string { return e.err.Error() }
func (e usageError) Unwrap() error { return e.err }

// exitCodeError lets a subcommand choose its exit code (contract's 100, for example).
type exitCodeError struct {
	code int
	err  error
}

func (e exitCodeError) Error() string { return e.err.Error() }
func (e exitCodeError) Unwrap() error { return e.err }

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	code := run(ctx, os.Args[1:], os.Stdout, os.Stderr)
	stop()
	os.Exit(code)
}

// run dispatches to a subcommand and maps its error to an exit code and one line on stderr.
func run(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	if len(args) == 0 || args[0] == "help" || args[0] == "-h" || args[0] == "--help" || args[0] == "-help" {
		if len(args) > 1 {
			return run(ctx, []string{args[1], "--help"}, stdout, stderr)
		}
		printHelp(stdout)
		return exitOK
	}
	for _, c := range commands() {
		if c.name != args[0] {
			continue
		}
		err := c.run(ctx, args[1:], stdout, stderr)
		return exitCode(err, stderr)
	}
	fmt.Fprintf(stderr, "pelican: unknown command %q; run 'pelican help' for the list\n", args[0])
	return exitUsage
}

func exitCode(err error, stderr io.Writer) int {
	if err == nil {
		return exitOK
	}
	var ec exitCodeError
	if errors.As(err, &ec) {
		if ec.err != nil && ec.err.Error() != "" {
			fmt.Fprintf(stderr, "pelican: %v\n", ec.err)
		}
		return ec.code
	}
	fmt.Fprintf(stderr, "pelican: %v\n", err)
	var ue usageError
	if errors.As(err, &ue) {
		return exitUsage
	}
	return exitFailure
}

func printHelp(w io.Writer) {
	fmt.Fprintln(w, "pelican: a toolkit for protobuf events on Amazon Kinesis Data Streams")
	fmt.Fprintln(w)
	fmt.Fprintln(w, "Usage: pelican <command> [flags]")
	fmt.Fprintln(w)
	fmt.Fprintln(w, "Commands:")
	for _, c := range commands() {
		fmt.Fprintf(w, "  %-10s %s\n", c.name, c.summary)
	}
	fmt.Fprintln(w)
	fmt.Fprintln(w, "Run 'pelican <command> --help' for a command's flags.")
	fmt.Fprintln(w, "Exit codes: 0 success, 1 failure, 2 usage error, 100 breaking changes or fixture findings.")
}
