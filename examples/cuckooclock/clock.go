package main

import (
	"context"
	"log/slog"
	"time"

	"google.golang.org/protobuf/types/known/timestamppb"

	"github.com/pelicanhq/pelican"
	clockv1 "github.com/pelicanhq/pelican/proto/example/clock/v1"
)

// clock strikes every interval and publishes each strike.
type clock struct {
	id       string
	loc      *time.Location
	interval time.Duration
	pub      *pelican.Publisher
	now      func() time.Time
	log      *slog.Logger
}

// clockOption configures a clock.
type clockOption func(*clock)

// withLocation sets the clock's time zone (default UTC).
func withLocation(loc *time.Location) clockOption { return func(c *clock) { c.loc = loc } }

// withInterval sets the time between strikes (default 5s).
func withInterval(d time.Duration) clockOption { return func(c *clock) { c.interval = d } }

// withNow sets where the clock reads the time (default time.Now).
func withNow(now func() time.Time) clockOption { return func(c *clock) { c.now = now } }

// withLogger sets the logger (default slog.Default()).
func withLogger(l *slog.Logger) clockOption { return func(c *clock) { c.log = l } }

func newClock(id string, pub *pelican.Publisher, opts ...clockOption) *clock {
	c := &clock{id: id, loc: time.UTC, interval: 5 * time.Second, pub: pub, now: time.Now, log: slog.Default()}
	for _, o := range opts {
		o(c)
	}
	return c
}

// run strikes at once and then every interval until ctx ends. A strike that cannot be published
// is logged and the clock strikes on: a clock does not stop because nobody listens.
func (c *clock) run(ctx context.Context) error {
	t := time.NewTicker(c.interval)
	defer t.Stop()
	for {
		if _, err := c.strike(ctx); err != nil && ctx.Err() == nil {
			c.log.ErrorContext(ctx, "tick not published", "clock_id", c.id, "err", err)
		}
		select {
		case <-ctx.Done():
			return nil
		case <-t.C:
		}
	}
}

// strike publishes one TimeTicked for the time now, and returns where it landed.
func (c *clock) strike(ctx context.Context) (pelican.Receipt, error) {
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
