package clock

import (
	"context"
	"log/slog"
	"time"

	"google.golang.org/protobuf/types/known/timestamppb"

	"github.com/pelicanhq/pelican"
	clockv1 "github.com/pelicanhq/pelican/proto/example/clock/v1"
)

// Clock strikes every interval and publishes each strike.
type Clock struct {
	id       string
	loc      *time.Location
	interval time.Duration
	pub      *pelican.Publisher
	now      func() time.Time
	log      *slog.Logger
}

// Option configures a clock.
type Option func(*Clock)

// WithLocation sets the clock's time zone (default UTC).
func WithLocation(loc *time.Location) Option { return func(c *Clock) { c.loc = loc } }

// WithInterval sets the time between strikes (default 5s).
func WithInterval(d time.Duration) Option { return func(c *Clock) { c.interval = d } }

// WithNow sets where the clock reads the time (default time.Now).
func WithNow(now func() time.Time) Option { return func(c *Clock) { c.now = now } }

// WithLogger sets the logger (default slog.Default()).
func WithLogger(l *slog.Logger) Option { return func(c *Clock) { c.log = l } }

// New returns a clock with the given id that publishes its strikes through pub.
func New(id string, pub *pelican.Publisher, opts ...Option) *Clock {
	c := &Clock{id: id, loc: time.UTC, interval: 5 * time.Second, pub: pub, now: time.Now, log: slog.Default()}
	for _, o := range opts {
		o(c)
	}
	return c
}

// Run strikes at once and then every interval until ctx ends. A strike that cannot be published
// is logged and the clock strikes on: a clock does not stop because nobody listens.
func (c *Clock) Run(ctx context.Context) error {
	t := time.NewTicker(c.interval)
	defer t.Stop()
	for {
		if _, err := c.Strike(ctx); err != nil && ctx.Err() == nil {
			c.log.ErrorContext(ctx, "tick not published", "clock_id", c.id, "err", err)
		}
		select {
		case <-ctx.Done():
			return nil
		case <-t.C:
		}
	}
}

// Strike publishes one TimeTicked for the time now, and returns where it landed.
func (c *Clock) Strike(ctx context.Context) (pelican.Receipt, error) {
	now := c.now()
	ev := tick(c.id, now, c.loc)
	r, err := c.pub.Publish(ctx, ev, pelican.WithOccurredAt(now))
	if err != nil {
		return r, err
	}
	c.log.InfoContext(ctx, "tick published", "clock_id", c.id, "hour", ev.GetHour(), "time_zone", ev.GetTimeZone(),
		"event_id", r.EventID, "shard_id", r.ShardID, "sequence_number", r.SequenceNumber)
	return r, nil
}

// tick is the event for a strike at t: the hour on the clock's face in its own time zone.
func tick(id string, t time.Time, loc *time.Location) *clockv1.TimeTicked {
	return &clockv1.TimeTicked{
		ClockId:  id,
		Hour:     uint32(t.In(loc).Hour()),
		TickedAt: timestamppb.New(t),
		TimeZone: loc.String(),
	}
}
