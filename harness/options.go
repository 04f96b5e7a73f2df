package harness

import (
	"context"
	"log/slog"
	"time"

	"google.golang.org/protobuf/reflect/protoregistry"

	"github.com/pelicanhq/pelican/producer"
)

// Option configures Record, Replay, Republish and Check. Each function says which options it
// heeds; the others are ignored.
type Option func(*config)

type config struct {
	types        TypeResolver
	start        Position
	limit        int
	duration     time.Duration
	pollInterval time.Duration
	progress     func(Progress)
	include      map[string]bool
	exclude      map[string]bool
	redact       map[string]bool
	redactKey    []byte
	transforms   []Transform
	clock        *Clock
	speed        float64
	producerOpts []producer.Option
	logger       *slog.Logger

	// now and sleep pace Republish; tests replace them.
	now   func() time.Time
	sleep func(ctx context.Context, d time.Duration) error
}

func newConfig(opts []Option) config {
	c := config{
		types:        protoregistry.GlobalTypes,
		start:        TrimHorizon(),
		pollInterval: time.Second,
		logger:       slog.New(slog.DiscardHandler),
		now:          time.Now,
		sleep:        sleep,
	}
	for _, o := range opts {
		o(&c)
	}
	if c.pollInterval < minCallInterval {
		c.pollInterval = minCallInterval
	}
	if c.logger == nil {
		c.logger = slog.New(slog.DiscardHandler)
	}
	return c
}

// WithTypes sets where event types are found, to decode payloads (Record, Replay and Republish
// for transforms and redaction, Check for the current schema). The default is
// protoregistry.GlobalTypes: the generated types linked into the program. LoadTypes reads them
// from .proto files instead.
func WithTypes(r TypeResolver) Option { return func(c *config) { c.types = r } }

// WithStart sets where Record starts reading each shard; the default is TrimHorizon.
func WithStart(p Position) Option { return func(c *config) { c.start = p } }

// WithLimit makes Record stop once it has written n entries.
func WithLimit(n int) Option { return func(c *config) { c.limit = n } }

// WithDuration makes Record stop after d.
func WithDuration(d time.Duration) Option { return func(c *config) { c.duration = d } }

// WithPollInterval sets how long Record waits before reading a shard again once it has caught
// up with it (default one second). Kinesis allows five GetRecords calls a second per shard,
// shared by every reader of the shard, so Record never calls more often than every 200 ms, and
// waits the longer interval while a shard is quiet.
func WithPollInterval(d time.Duration) Option { return func(c *config) { c.pollInterval = d } }

// WithProgress has Record call fn after each batch it writes. fn runs while Record holds its
// lock: it should return quickly.
func WithProgress(fn func(Progress)) Option { return func(c *config) { c.progress = fn } }

// WithEventTypes keeps only the events of the given full type names (Record, Replay,
// Republish); records that are not events are dropped too. It adds to earlier calls.
func WithEventTypes(types ...string) Option {
	return func(c *config) { c.include = addAll(c.include, types) }
}

// WithoutEventTypes drops the events of the given full type names (Record, Replay, Republish).
// It adds to earlier calls.
func WithoutEventTypes(types ...string) Option {
	return func(c *config) { c.exclude = addAll(c.exclude, types) }
}

// WithRedaction replaces the values of the named fields while recording, wherever they occur
// in an event, nested messages included. Fields are named by their full protobuf name
// ("example.notification.v1.NotificationRequested.recipient"). A string or bytes value becomes
// "redacted:" and 16 hex digits of an HMAC-SHA-256 of the value (see WithRedactionKey); other
// fields are cleared; a partition key equal to a replaced value is replaced alike (the details are
// in docs/fixtures.md). While redaction is on, Record drops events whose type it cannot decode,
// since it cannot look inside them.
func WithRedaction(fields ...string) Option {
	return func(c *config) { c.redact = addAll(c.redact, fields) }
}

// WithRedactionKey sets the key that pseudonymizes redacted strings, so that recordings made
// with the same key replace a value by the same text. The default is a random key per Record
// call: equal values stay equal within one recording and cannot be linked across recordings.
func WithRedactionKey(key []byte) Option {
	return func(c *config) { c.redactKey = append([]byte(nil), key...) }
}

// WithTransform adds a transform that edits or drops entries (Record, Replay, Republish).
// Transforms run in the order given, after filters and redaction.
func WithTransform(t Transform) Option {
	return func(c *config) { c.transforms = append(c.transforms, t) }
}

// WithClock has Replay set clk to each record's recorded arrival time before delivering it, so
// that code reading clk.Now sees the time the record arrived, not the time of the test.
func WithClock(clk *Clock) Option { return func(c *config) { c.clock = clk } }

// WithSpeed makes Republish keep the recorded pacing between records, sped up by factor: 1 is
// the original pacing, 10 ten times as fast. 0, the default, sends as fast as the stream takes
// them.
func WithSpeed(factor float64) Option { return func(c *config) { c.speed = factor } }

// WithProducerOptions passes options to the producer that Republish sends through.
func WithProducerOptions(opts ...producer.Option) Option {
	return func(c *config) { c.producerOpts = append(c.producerOpts, opts...) }
}

// WithLogger sets the logger (default: discard).
func WithLogger(l *slog.Logger) Option { return func(c *config) { c.logger = l } }

func addAll(m map[string]bool, names []string) map[string]bool {
	if len(names) == 0 {
		return m
	}
	if m == nil {
		m = make(map[string]bool, len(names))
	}
	for _, n := range names {
		m[n] = true
	}
	return m
}

// sleep waits for d or until ctx is done.
func sleep(ctx context.Context, d time.Duration) error {
	if d <= 0 {
		return ctx.Err()
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}
