package schedule

import (
	"context"
	"crypto/rand"
	"encoding/json"
	"fmt"
	"log/slog"
	"sync"
	"time"

	"github.com/aws/aws-lambda-go/events"
)

// Clock is the time a schedule runs on: the real clock, or a manual one in tests
// (pelicantest.Clock has this shape).
type Clock interface {
	Now() time.Time
	// AfterFunc calls f in its own goroutine once d has passed; the returned stop cancels it.
	AfterFunc(d time.Duration, f func()) (stop func() bool)
}

// RealClock is the wall clock.
type RealClock struct{}

// Now returns time.Now().
func (RealClock) Now() time.Time { return time.Now() }

// AfterFunc is time.AfterFunc.
func (RealClock) AfterFunc(d time.Duration, f func()) func() bool { return time.AfterFunc(d, f).Stop }

// Option configures Run.
type Option func(*runConfig)

type runConfig struct {
	rule    string
	region  string
	account string
	logger  *slog.Logger
}

// WithRule names the EventBridge rule whose ARN the events carry in resources; the default is
// "schedule".
func WithRule(name string) Option { return func(c *runConfig) { c.rule = name } }

// WithRegion sets the events' region; the default is us-east-1.
func WithRegion(region string) Option { return func(c *runConfig) { c.region = region } }

// WithAccountID sets the events' account; the default is 000000000000.
func WithAccountID(account string) Option { return func(c *runConfig) { c.account = account } }

// WithLogger logs each firing at debug level through l.
func WithLogger(l *slog.Logger) Option { return func(c *runConfig) { c.logger = l } }

// Run fires fire each time the schedule expression is due, from when Run starts, until ctx is
// done; it returns an error only for an expression that does not parse. fire is called with the
// event EventBridge sends for a scheduled rule, its time the time the schedule was due, one call
// at a time: an occasion that passes while fire is still busy is fired as soon as it returns.
func Run(ctx context.Context, expr string, clock Clock, fire func(ctx context.Context, ev events.CloudWatchEvent), opts ...Option) error {
	stop, err := Start(ctx, expr, clock, fire, opts...)
	if err != nil {
		return err
	}
	<-ctx.Done()
	stop()
	return nil
}

// Start is Run without the wait: the schedule is armed when Start returns (so a test may move its
// clock straight away), and fires until ctx is done or stop is called.
func Start(ctx context.Context, expr string, clock Clock, fire func(ctx context.Context, ev events.CloudWatchEvent), opts ...Option) (stop func(), err error) {
	sched, err := Parse(expr)
	if err != nil {
		return nil, err
	}
	cfg := runConfig{rule: "schedule", region: "us-east-1", account: "000000000000"}
	for _, o := range opts {
		o(&cfg)
	}
	if cfg.logger == nil {
		cfg.logger = slog.New(slog.DiscardHandler)
	}
	if clock == nil {
		clock = RealClock{}
	}
	r := &runner{
		ctx: ctx, sched: sched, clock: clock, fire: fire, cfg: cfg,
		ruleARN: fmt.Sprintf("arn:aws:events:%s:%s:rule/%s", cfg.region, cfg.account, cfg.rule),
	}
	r.arm(clock.Now())
	return r.stop, nil
}

// runner keeps one timer armed for the schedule's next occasion. Each firing arms the next from
// inside the timer's function, so a manual clock moved past several occasions fires them all, in
// order, before Advance returns.
type runner struct {
	ctx     context.Context
	sched   Schedule
	clock   Clock
	fire    func(ctx context.Context, ev events.CloudWatchEvent)
	cfg     runConfig
	ruleARN string

	mu      sync.Mutex
	stopped bool
	cancel  func() bool
}

func (r *runner) arm(after time.Time) {
	next := r.sched.Next(after)
	if next.IsZero() {
		r.cfg.logger.Info("schedule: the expression is never due again", "expression", r.sched.String())
		return
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.stopped || r.ctx.Err() != nil {
		return
	}
	r.cancel = r.clock.AfterFunc(next.Sub(r.clock.Now()), func() { r.due(next) })
}

func (r *runner) due(at time.Time) {
	r.mu.Lock()
	stopped := r.stopped || r.ctx.Err() != nil
	r.mu.Unlock()
	if stopped {
		return
	}
	ev := Event(at, r.cfg.region, r.cfg.account, r.ruleARN)
	r.cfg.logger.Debug("schedule: due", "expression", r.sched.String(), "time", at, "id", ev.ID)
	r.fire(r.ctx, ev)
	r.arm(at)
}

func (r *runner) stop() {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.stopped = true
	if r.cancel != nil {
		r.cancel()
	}
}

// Event returns the event EventBridge sends a target of a scheduled rule at t.
func Event(t time.Time, region, account, ruleARN string) events.CloudWatchEvent {
	return events.CloudWatchEvent{
		Version:    "0",
		ID:         newID(),
		DetailType: "Scheduled Event",
		Source:     "aws.events",
		AccountID:  account,
		Time:       t.UTC().Truncate(time.Second),
		Region:     region,
		Resources:  []string{ruleARN},
		Detail:     json.RawMessage(`{}`),
	}
}

// newID returns a random (version 4) UUID, the form of EventBridge's event ids.
func newID() string {
	var b [16]byte
	_, _ = rand.Read(b[:])
	b[6] = b[6]&0x0f | 0x40
	b[8] = b[8]&0x3f | 0x80
	return fmt.Sprintf("%x-%x-%x-%x-%x", b[0:4], b[4:6], b[6:8], b[8:10], b[10:16])
}
