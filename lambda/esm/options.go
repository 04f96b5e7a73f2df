package esm

import (
	"context"
	"log/slog"
	"time"
)

// Clock is where the engine reads time and sets timers: batching windows, record ages, retry
// delays, tumbling windows and the polling interval all go through it, so a test moves time
// instead of sleeping. pelicantest.Clock satisfies it.
type Clock interface {
	Now() time.Time
	// AfterFunc calls f once d has passed; the returned stop cancels it.
	AfterFunc(d time.Duration, f func()) (stop func() bool)
}

type realClock struct{}

func (realClock) Now() time.Time { return time.Now() }
func (realClock) AfterFunc(d time.Duration, f func()) func() bool {
	return time.AfterFunc(d, f).Stop
}

// Option configures an Engine.
type Option func(*config)

type config struct {
	clock          Clock
	logger         *slog.Logger
	checkpointFile string
	onFailure      []func(context.Context, OnFailureRecord)
	onFailureDir   string
	onFailureFile  string
	functionARN    string
	identityARN    string
	pollInterval   time.Duration
}

// WithClock makes the engine read time and set its timers on c (the real clock by default).
func WithClock(c Clock) Option { return func(cfg *config) { cfg.clock = c } }

// WithLogger sends the engine's logs, one line per invocation, to l (discarded by default).
func WithLogger(l *slog.Logger) Option { return func(cfg *config) { cfg.logger = l } }

// WithCheckpointFile keeps each shard's checkpoint in the JSON file at path, so a new engine on
// the same file carries on where the last one stopped. Without it checkpoints live in memory.
func WithCheckpointFile(path string) Option { return func(cfg *config) { cfg.checkpointFile = path } }

// WithOnFailure calls f with the record Lambda would send to the on-failure destination each time
// a batch is discarded. It is called whether or not the mapping names a destination; several
// calls add several callbacks.
func WithOnFailure(f func(ctx context.Context, rec OnFailureRecord)) Option {
	return func(cfg *config) { cfg.onFailure = append(cfg.onFailure, f) }
}

// WithOnFailureDir appends each failure record, as one JSON line, to a file in dir named after the
// mapping's on-failure destination (sqs-QUEUE.jsonl, sns-TOPIC.jsonl, s3-BUCKET.jsonl; S3 records
// carry the whole event as "payload"). A mapping without a destination writes nothing there.
func WithOnFailureDir(dir string) Option { return func(cfg *config) { cfg.onFailureDir = dir } }

// WithOnFailureFile appends each failure record, as one JSON line, to the file at path, whatever
// the mapping's destination (S3 destinations' records carry the event as "payload").
func WithOnFailureFile(path string) Option { return func(cfg *config) { cfg.onFailureFile = path } }

// WithFunctionARN sets the function ARN of failure records (by default built from FunctionName,
// or FunctionName itself when it is an ARN).
func WithFunctionARN(arn string) Option { return func(cfg *config) { cfg.functionARN = arn } }

// WithInvokeIdentityARN sets the events' invokeIdentityArn, the execution role Lambda reads the
// stream with (arn:aws:iam::ACCOUNT:role/lambda-role by default).
func WithInvokeIdentityARN(arn string) Option { return func(cfg *config) { cfg.identityARN = arn } }

// WithPollInterval sets how long a shard that is caught up waits before it polls again (one
// second by default, Lambda's base rate for standard iterators).
func WithPollInterval(d time.Duration) Option { return func(cfg *config) { cfg.pollInterval = d } }
