package main

import (
	"context"
	"errors"
	"fmt"
	"io"

	"github.com/pelicanhq/pelican/contract"
	"github.com/pelicanhq/pelican/harness"
)

func fixturesCommand() *command {
	return &command{
		name:    "fixtures",
		summary: "check recorded fixtures against the current schemas",
		run:     runFixtures,
	}
}

const fixturesUsage = `Usage: pelican fixtures <subcommand> [flags]

Subcommands:
  check  hold recorded fixtures against the current schemas: every event must still decode,
         and fields that are unknown, gone or retyped are reported

Exit codes: 0 every event reads as recorded, 100 findings, 2 usage error, 1 any other failure
(schemas that do not compile, a file that cannot be read).
`

func runFixtures(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	if len(args) == 0 {
		fmt.Fprint(stderr, fixturesUsage)
		return usageError{errors.New("fixtures needs a subcommand: check")}
	}
	switch args[0] {
	case "-h", "-help", "--help", "help":
		fmt.Fprint(stdout, fixturesUsage)
		return nil
	case "check":
		return runFixturesCheck(ctx, args[1:], stdout, stderr)
	}
	return usageError{fmt.Errorf("fixtures: unknown subcommand %q (want check)", args[0])}
}

func runFixturesCheck(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := newFlagSet("fixtures check", "fixtures check [--proto DIR] [--error-format FORMAT] [FILE|DIR...] (default: fixtures)", stderr)
	protoPath := fs.String("proto", "proto", "the current schemas: a directory of .proto files (laid out by its pelican.yaml or buf.yaml) or a descriptor set file")
	format := fs.String("error-format", "text", "text, json, msvs, junit, github-actions or gitlab-code-quality")
	var paths []string
	for {
		help, err := fs.parse(args)
		if help || err != nil {
			return err
		}
		if fs.NArg() == 0 {
			break
		}
		paths = append(paths, fs.Arg(0))
		args = fs.Args()[1:]
	}
	if len(paths) == 0 {
		paths = []string{"fixtures"}
	}
	errFormat, err := contract.ParseFormat(*format)
	if err != nil {
		return usageError{fmt.Errorf("--error-format: %w", err)}
	}
	types, err := harness.LoadTypes(ctx, *protoPath)
	if err != nil {
		var ce *contract.CompileError
		if errors.As(err, &ce) {
			if werr := contract.WriteFindings(stdout, ce.Findings, errFormat); werr != nil {
				return werr
			}
		}
		return fmt.Errorf("--proto: %w", err)
	}
	findings, err := harness.Check(ctx, paths, harness.WithTypes(types))
	if err != nil {
		return err
	}
	if err := contract.WriteFindings(stdout, findings, errFormat); err != nil {
		return err
	}
	if len(findings) > 0 {
		return exitCodeError{exitBreaking, fmt.Errorf("%d finding(s): recorded events no longer read as they were recorded", len(findings))}
	}
	return nil
}
