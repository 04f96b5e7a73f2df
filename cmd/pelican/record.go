package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"log/slog"
	"os"
	"strings"
	"sync"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/kinesis"
	"google.golang.org/protobuf/reflect/protoregistry"

	"github.com/pelicanhq/pelican/harness"
	"github.com/pelicanhq/pelican/internal/sdkhttp"
)

func recordCommand() *command {
	return &command{
		name:    "record",
		summary: "record a stream's records and events into a fixture file",
		run:     runRecord,
	}
}

func runRecord(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := newFlagSet("record", "record --stream NAME --out FILE [--endpoint URL] [--from trim-horizon|latest|TIME] [flags]", stderr)
	var target kinesisTarget
	target.bind(fs)
	out := fs.String("out", "", "the fixture file to write, e.g. fixtures/NAME.jsonl; - for standard output (required)")
	from := fs.String("from", "trim-horizon", "where to start in each shard: trim-horizon, latest, an RFC 3339 time, or a duration ago such as -2h")
	count := fs.Int("count", 0, "stop after this many records (0: no limit)")
	duration := fs.Duration("duration", 0, "stop after this long (0: no limit); Ctrl-C stops too, keeping what was recorded")
	poll := fs.Duration("poll-interval", time.Second, "how long to wait before reading a quiet shard again (at least 200ms)")
	protoPath := fs.String("proto", "", "decode events with the schemas in this directory or descriptor set file (default: ./proto when it exists)")
	var only, exclude, redact stringList
	fs.Var(&only, "type", "record only the events of this full type name (repeatable)")
	fs.Var(&exclude, "exclude-type", "leave out the events of this full type name (repeatable)")
	fs.Var(&redact, "redact", "replace this field's values while recording, named in full, e.g. example.notification.v1.NotificationRequested.recipient (repeatable)")
	if help, err := fs.parse(args); help || err != nil {
		return err
	}
	switch {
	case fs.NArg() > 0:
		return usageError{fmt.Errorf("record takes no arguments, got %q", fs.Args())}
	case target.stream == "":
		return usageError{errors.New("record needs --stream")}
	case *out == "":
		return usageError{errors.New("record needs --out, the fixture file to write")}
	case *count < 0 || *duration < 0:
		return usageError{errors.New("--count and --duration must not be negative")}
	}
	start, err := harness.ParsePosition(*from, time.Now())
	if err != nil {
		return usageError{fmt.Errorf("--from: %w", err)}
	}
	log := slog.New(slog.NewTextHandler(stderr, &slog.HandlerOptions{Level: slog.LevelWarn}))
	types, err := loadTypes(ctx, *protoPath, log)
	if err != nil {
		return err
	}
	client, err := target.client(ctx)
	if err != nil {
		return err
	}

	w, file := stdout, (*os.File)(nil)
	if *out != "-" {
		if file, err = os.Create(*out); err != nil {
			return err
		}
		w = file
	}
	p := &progressLine{w: stderr, every: time.Second}
	opts := []harness.Option{
		harness.WithTypes(types), harness.WithStart(start), harness.WithLimit(*count), harness.WithDuration(*duration),
		harness.WithPollInterval(*poll), harness.WithLogger(log), harness.WithProgress(p.report),
	}
	if len(only) > 0 {
		opts = append(opts, harness.WithEventTypes(only...))
	}
	if len(exclude) > 0 {
		opts = append(opts, harness.WithoutEventTypes(exclude...))
	}
	if len(redact) > 0 {
		opts = append(opts, harness.WithRedaction(redact...))
	}
	fmt.Fprintf(stderr, "recording %s from %s; Ctrl-C stops\n", target.stream, start)
	stats, err := harness.Record(ctx, client, target.stream, w, opts...)
	if file != nil {
		if cerr := file.Close(); err == nil {
			err = cerr
		}
	}
	if err != nil {
		return err
	}
	fmt.Fprintf(stderr, "recorded %d records from %d shards to %s", stats.Records, stats.Shards, *out)
	if stats.Dropped > 0 {
		fmt.Fprintf(stderr, " (%d left out)", stats.Dropped)
	}
	fmt.Fprintln(stderr)
	return nil
}

// progressLine prints a recording's progress on stderr, at most once per interval.
type progressLine struct {
	w     io.Writer
	every time.Duration

	mu   sync.Mutex
	last time.Time
}

func (p *progressLine) report(pr harness.Progress) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if now := time.Now(); now.Sub(p.last) >= p.every {
		p.last = now
		fmt.Fprintf(p.w, "  %d records, %d left out; %d shards reading, %d done; %d ms behind\n",
			pr.Records, pr.Dropped, pr.Reading, pr.Done, pr.MillisBehindLatest)
	}
}

// loadTypes finds the event types: from path when given, else from ./proto when it exists,
// else the types linked into the binary.
func loadTypes(ctx context.Context, path string, log *slog.Logger) (harness.TypeResolver, error) {
	if path != "" {
		types, err := harness.LoadTypes(ctx, path)
		if err != nil {
			return nil, fmt.Errorf("--proto: %w", err)
		}
		return types, nil
	}
	if st, err := os.Stat("proto"); err == nil && st.IsDir() {
		types, err := harness.LoadTypes(ctx, "proto")
		if err == nil {
			return types, nil
		}
		log.Warn("the schemas in ./proto do not load; events of types not linked into pelican are recorded without their JSON", "err", err)
	} else if !errors.Is(err, fs.ErrNotExist) {
		log.Warn("cannot read ./proto", "err", err)
	}
	return protoregistry.GlobalTypes, nil
}

// kinesisTarget is the stream a command reads or writes and where it is.
type kinesisTarget struct {
	stream   string
	endpoint string
	region   string
}

func (k *kinesisTarget) bind(flags *flagSet) {
	flags.StringVar(&k.stream, "stream", "", "the stream: a name, or an ARN (required)")
	flags.StringVar(&k.endpoint, "endpoint", os.Getenv("PELICAN_ENDPOINT"), "Kinesis endpoint URL, such as an emulator's http://127.0.0.1:4567; empty for Amazon Kinesis (env PELICAN_ENDPOINT)")
	flags.StringVar(&k.region, "region", "", "AWS region (default: the AWS configuration's; us-east-1 with --endpoint)")
}

// client returns a Kinesis client for the target. Credentials come from the AWS default chain;
// with an endpoint and no AWS_ACCESS_KEY_ID it signs with test credentials, which an emulator
// accepts, so the chain does not go looking for instance metadata on a laptop.
// awsConfig loads the AWS configuration for a client of endpoint (the service itself when empty):
// against another endpoint, an emulator, a missing region is us-east-1 and missing credentials are
// test ones. The HTTP client is wrapped after loading, so that the SDK's own client keeps what the
// configuration gave it (a CA bundle from AWS_CA_BUNDLE, for one).
func awsConfig(ctx context.Context, region, endpoint string) (aws.Config, error) {
	var opts []func(*config.LoadOptions) error
	if endpoint != "" {
		if region == "" {
			region = "us-east-1"
		}
		if os.Getenv("AWS_ACCESS_KEY_ID") == "" {
			opts = append(opts, config.WithCredentialsProvider(credentials.NewStaticCredentialsProvider("test", "test", "")))
		}
	}
	if region != "" {
		opts = append(opts, config.WithRegion(region))
	}
	cfg, err := config.LoadDefaultConfig(ctx, opts...)
	if err != nil {
		return aws.Config{}, fmt.Errorf("AWS configuration: %w", err)
	}
	cfg.HTTPClient = sdkhttp.Wrap(cfg.HTTPClient)
	return cfg, nil
}

func (k *kinesisTarget) client(ctx context.Context) (*kinesis.Client, error) {
	if k.endpoint != "" && !strings.HasPrefix(k.endpoint, "http://") && !strings.HasPrefix(k.endpoint, "https://") {
		return nil, usageError{fmt.Errorf("--endpoint %q is not an http:// or https:// URL", k.endpoint)}
	}
	cfg, err := awsConfig(ctx, k.region, k.endpoint)
	if err != nil {
		return nil, err
	}
	endpoint := k.endpoint
	return kinesis.NewFromConfig(cfg, func(o *kinesis.Options) {
		if endpoint != "" {
			o.BaseEndpoint = aws.String(endpoint)
		}
	}), nil
}
