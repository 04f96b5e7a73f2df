package pelicantest

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/kinesis"

	"github.com/pelicanhq/pelican/lambda/esm"
)

// Lambda is a function attached to a test's stream by a local event source mapping, running
// until the test ends.
type Lambda struct {
	t      testing.TB
	engine *esm.Engine
	// StreamARN is the ARN of the stream the function is attached to.
	StreamARN string
}

// LambdaOption configures AttachLambda.
type LambdaOption func(*lambdaConfig)

type lambdaConfig struct {
	mapping esm.Mapping
	opts    []esm.Option
}

// WithMapping sets the mapping's fields (BatchSize, windows, retries, filters...). EventSourceArn
// and FunctionName are filled in when empty; StartingPosition is TRIM_HORIZON when empty.
func WithMapping(m esm.Mapping) LambdaOption {
	return func(c *lambdaConfig) { c.mapping = m }
}

// WithEngineOptions passes options to the engine (esm.WithClock, esm.WithOnFailure, ...).
func WithEngineOptions(opts ...esm.Option) LambdaOption {
	return func(c *lambdaConfig) { c.opts = append(c.opts, opts...) }
}

// WithLambdaClock runs the mapping on c, the clock the emulator runs on, so that tests move
// windows, retries and record ages without sleeping.
func WithLambdaClock(c *Clock) LambdaOption {
	return func(cfg *lambdaConfig) { cfg.opts = append(cfg.opts, esm.WithClock(c)) }
}

// AttachLambda attaches handler to stream through an event source mapping, as Lambda would, and
// runs it until the test ends. handler is anything aws-lambda-go's lambda.Start accepts (for
// example func(context.Context, events.KinesisEvent) (events.KinesisEventResponse, error)), or
// an esm.Function.
func AttachLambda(t testing.TB, client *kinesis.Client, stream string, handler any, opts ...LambdaOption) *Lambda {
	t.Helper()
	var cfg lambdaConfig
	for _, o := range opts {
		o(&cfg)
	}
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	m := cfg.mapping
	if m.EventSourceArn == "" {
		out, err := client.DescribeStreamSummary(ctx, &kinesis.DescribeStreamSummaryInput{StreamName: &stream})
		if err != nil {
			t.Fatalf("pelicantest: describe stream %s: %v", stream, err)
		}
		m.EventSourceArn = aws.ToString(out.StreamDescriptionSummary.StreamARN)
	}
	if m.FunctionName == "" {
		m.FunctionName = functionName(t.Name())
	}
	if m.StartingPosition == "" {
		m.StartingPosition = esm.TrimHorizon
	}
	fn, ok := handler.(esm.Function)
	if !ok {
		fn = esm.NewHandler(handler)
	}
	engine, err := esm.New(client, m, fn, cfg.opts...)
	if err != nil {
		t.Fatalf("pelicantest: attach lambda: %v", err)
	}
	runCtx, stop := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- engine.Run(runCtx) }()
	t.Cleanup(func() {
		stop()
		if err := <-done; err != nil && !errors.Is(err, context.Canceled) && !errors.Is(err, esm.ErrDisabled) {
			t.Errorf("pelicantest: lambda mapping: %v", err)
		}
	})
	return &Lambda{t: t, engine: engine, StreamARN: m.EventSourceArn}
}

// functionName turns a test's name into a valid function name.
func functionName(test string) string {
	name := strings.Map(func(r rune) rune {
		if r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '-' || r == '_' {
			return r
		}
		return '-'
	}, test)
	if len(name) > 64 {
		name = name[:64]
	}
	return name
}

// Engine returns the mapping's engine.
func (l *Lambda) Engine() *esm.Engine { return l.engine }

// Stats returns what the mapping has done so far.
func (l *Lambda) Stats() esm.Stats { return l.engine.Stats() }

// WaitIdle waits until the mapping has read the stream to its tip and delivered everything it
// read, with nothing in flight or waiting to be retried, and fails the test after a minute.
// With a manual clock and a batching window, retry or tumbling window pending, use WaitQuiet and
// move the clock.
func (l *Lambda) WaitIdle(t testing.TB) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	if err := l.engine.WaitIdle(ctx); err != nil {
		t.Fatalf("pelicantest: lambda mapping did not go idle: %v (stats %+v)", err, l.engine.Stats())
	}
}

// WaitQuiet waits until nothing more will happen before the clock moves or records arrive, and
// fails the test after a minute.
func (l *Lambda) WaitQuiet(t testing.TB) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	if err := l.engine.WaitQuiet(ctx); err != nil {
		t.Fatalf("pelicantest: lambda mapping did not go quiet: %v (stats %+v)", err, l.engine.Stats())
	}
}
