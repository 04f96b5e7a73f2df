package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"

	"github.com/pelicanhq/pelican/harness"
)

func replayCommand() *command {
	return &command{
		name:    "replay",
		summary: "publish a fixture's records to a stream again, with their partition keys",
		run:     runReplay,
	}
}

func runReplay(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := newFlagSet("replay", "replay --stream NAME [--endpoint URL] [--speed X] FILE... [flags]", stderr)
	var target kinesisTarget
	target.bind(fs)
	speed := fs.Float64("speed", 0, "keep the recorded pacing, this many times as fast (1: as recorded, 10: ten times faster); 0 sends as fast as the stream takes them")
	protoPath := fs.String("proto", "", "decode events with the schemas in this directory or descriptor set file, for --type and --exclude-type (default: ./proto when it exists)")
	var only, exclude stringList
	fs.Var(&only, "type", "replay only the events of this full type name (repeatable)")
	fs.Var(&exclude, "exclude-type", "leave out the events of this full type name (repeatable)")
	var files []string
	for {
		help, err := fs.parse(args)
		if help || err != nil {
			return err
		}
		if fs.NArg() == 0 {
			break
		}
		files = append(files, fs.Arg(0))
		args = fs.Args()[1:]
	}
	switch {
	case target.stream == "":
		return usageError{errors.New("replay needs --stream")}
	case len(files) == 0:
		return usageError{errors.New("replay needs a fixture file")}
	case *speed < 0:
		return usageError{fmt.Errorf("--speed %v: must not be negative", *speed)}
	}
	fixtures := make([]*harness.Fixture, len(files))
	for i, path := range files {
		f, err := harness.ReadFile(path)
		if err != nil {
			return err
		}
		fixtures[i] = f
	}
	log := slog.New(slog.NewTextHandler(stderr, &slog.HandlerOptions{Level: slog.LevelWarn}))
	opts := []harness.Option{harness.WithSpeed(*speed), harness.WithLogger(log)}
	if len(only) > 0 || len(exclude) > 0 {
		types, err := loadTypes(ctx, *protoPath, log)
		if err != nil {
			return err
		}
		opts = append(opts, harness.WithTypes(types))
		if len(only) > 0 {
			opts = append(opts, harness.WithEventTypes(only...))
		}
		if len(exclude) > 0 {
			opts = append(opts, harness.WithoutEventTypes(exclude...))
		}
	}
	client, err := target.client(ctx)
	if err != nil {
		return err
	}
	for _, f := range fixtures {
		stats, err := harness.Republish(ctx, client, target.stream, f, opts...)
		if err != nil {
			return fmt.Errorf("%s: %w", f.Path, err)
		}
		fmt.Fprintf(stderr, "replayed %d records of %s to %s", stats.Records, f.Path, target.stream)
		if stats.Dropped > 0 {
			fmt.Fprintf(stderr, " (%d left out)", stats.Dropped)
		}
		fmt.Fprintln(stderr)
	}
	return nil
}
