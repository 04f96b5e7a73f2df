package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"strings"

	"github.com/pelicanhq/pelican/contract"
)

func contractCommand() *command {
	return &command{
		name:    "contract",
		summary: "check protobuf schemas for breaking changes (buf breaking compatible)",
		run:     runContract,
	}
}

const contractUsage = `Usage: pelican contract <subcommand> [flags]

Subcommands:
  breaking  compare the schemas with an earlier version and report breaking changes
  rules     list the breaking rules, as buf config ls-breaking-rules does

Exit codes: 0 no breaking change, 100 breaking changes found (as buf), 2 usage error,
1 any other failure (schemas that do not compile, an unreadable configuration).
`

func runContract(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	if len(args) == 0 {
		fmt.Fprint(stderr, contractUsage)
		return usageError{errors.New("contract needs a subcommand: breaking or rules")}
	}
	switch args[0] {
	case "-h", "-help", "--help", "help":
		fmt.Fprint(stdout, contractUsage)
		return nil
	case "breaking":
		return runContractBreaking(ctx, args[1:], stdout, stderr)
	case "rules", "ls-breaking-rules":
		return runContractRules(args[1:], stdout, stderr)
	}
	return usageError{fmt.Errorf("contract: unknown subcommand %q (want breaking or rules)", args[0])}
}

func runContractBreaking(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := newFlagSet("contract breaking", "contract breaking [DIR] --against DIR|GIT-REF|IMAGE [flags]", stderr)
	against := fs.String("against", "", "the version to compare with: a directory, a git ref (main, v1.2.0, HEAD~1; .git#branch=main,subdir=proto), or a FileDescriptorSet/buf image file (.binpb, .json)")
	history := fs.String("against-history", "", "compare with every version in this git range that changed the schemas (v1.0.0..HEAD, or one ref for all its history), under --policy")
	config := fs.String("config", "", "the buf.yaml (v1 or v2) or pelican.yaml to use (default: DIR/pelican.yaml, else DIR/buf.yaml)")
	format := fs.String("error-format", "text", "text, json, msvs, junit, github-actions or gitlab-code-quality")
	policy := fs.String("policy", "", "BACKWARD, FORWARD, FULL, or their _TRANSITIVE forms (default: the configuration's, else BACKWARD)")
	excludeImports := fs.Bool("exclude-imports", false, "leave imported files out of the comparison")
	keyOption := fs.String("partition-key-option", "", "the field option that marks an event's partition key (default pelican.v1.partition_key)")
	var includes, consumers stringList
	fs.Var(&includes, "include", "an extra import directory, relative to DIR (repeatable)")
	fs.Var(&consumers, "consumer", "a subscriber's code directory: its typed handlers and pelican.consumer.yaml (repeatable)")
	var dirs []string
	for {
		help, err := fs.parse(args)
		if help || err != nil {
			return err
		}
		if fs.NArg() == 0 {
			break
		}
		dirs = append(dirs, fs.Arg(0))
		args = fs.Args()[1:]
	}
	if len(dirs) > 1 {
		return usageError{fmt.Errorf("contract breaking takes one directory, got %q", dirs)}
	}
	dir := "."
	if len(dirs) == 1 {
		dir = dirs[0]
	}
	errFormat, err := contract.ParseFormat(*format)
	if err != nil {
		return usageError{fmt.Errorf("--error-format: %w", err)}
	}
	if *against != "" && *history != "" {
		return usageError{errors.New("give --against or --against-history, not both")}
	}
	opts := []contract.Option{
		contract.WithAgainst(*against),
		contract.WithAgainstHistory(*history),
		contract.WithConfigFile(*config),
		contract.WithIncludePaths(includes...),
		contract.WithConsumerDirs(consumers...),
		contract.WithLogger(slog.New(slog.NewTextHandler(stderr, &slog.HandlerOptions{Level: slog.LevelWarn}))),
	}
	if *policy != "" {
		p, err := contract.ParsePolicy(*policy)
		if err != nil {
			return usageError{fmt.Errorf("--policy: %w", err)}
		}
		opts = append(opts, contract.WithPolicy(p))
	}
	if *excludeImports {
		opts = append(opts, contract.WithExcludeImports())
	}
	if *keyOption != "" {
		opts = append(opts, contract.WithPartitionKeyOption(*keyOption))
	}
	findings, err := contract.Check(ctx, dir, opts...)
	var ce *contract.CompileError
	switch {
	case errors.As(err, &ce):
		if werr := contract.WriteFindings(stdout, ce.Findings, errFormat); werr != nil {
			return werr
		}
		return exitCodeError{exitFailure, fmt.Errorf("%s: %d compile error(s)", ce.Input, len(ce.Findings))}
	case errors.Is(err, contract.ErrBadInput):
		return usageError{err}
	case err != nil:
		return err
	}
	if err := contract.WriteFindings(stdout, findings, errFormat); err != nil {
		return err
	}
	if len(findings) > 0 {
		return exitCodeError{exitBreaking, errors.New("")}
	}
	return nil
}

func runContractRules(args []string, stdout, stderr io.Writer) error {
	fs := newFlagSet("contract rules", "contract rules [--version v1|v2] [--format text|json]", stderr)
	version := fs.String("version", "v2", "the buf.yaml version whose rules to list: v1 or v2")
	format := fs.String("format", "text", "text or json")
	if help, err := fs.parse(args); help || err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return usageError{fmt.Errorf("contract rules takes no arguments, got %q", fs.Args())}
	}
	if *version != "v1" && *version != "v2" {
		return usageError{fmt.Errorf("--version: want v1 or v2, got %q", *version)}
	}
	if *format != "text" && *format != "json" {
		return usageError{fmt.Errorf("--format: want text or json, got %q", *format)}
	}
	return contract.WriteRules(stdout, contract.RulesForVersion(strings.ToLower(*version)), *format)
}
