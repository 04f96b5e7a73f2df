package clock

import (
	"bytes"
	"context"
	"errors"
	"log/slog"
	"sync"
	"testing"
	"time"

	"github.com/pelicanhq/pelican"
	"github.com/pelicanhq/pelican/pelicantest"
	clockv1 "github.com/pelicanhq/pelican/proto/example/clock/v1"
)

func mustZone(t *testing.T, name string) *time.Location {
	t.Helper()
	loc, err := time.LoadLocation(name)
	if err != nil {
		t.Fatal(err)
	}
	return loc
}

func TestTickStrikesTheHourOfItsTimeZone(t *testing.T) {
	at := time.Date(2025, 6, 1, 5, 30, 0, 0, time.UTC)
	cases := []struct {
		zone string
		hour uint32
	}{
		{"UTC", 5},
		{"Europe/Berlin", 7}, // summer time, UTC+2
		{"America/New_York", 1},
		{"Asia/Kolkata", 11}, // UTC+5:30
		{"Pacific/Kiritimati", 19},
	}
	for _, c := range cases {
		t.Run(c.zone, func(t *testing.T) {
			ev := tick("hall", at, mustZone(t, c.zone))
			if ev.GetHour() != c.hour || ev.GetTimeZone() != c.zone || ev.GetClockId() != "hall" || !ev.GetTickedAt().AsTime().Equal(at) {
				t.Fatalf("tick = %v, want hour %d in %s at %s", ev, c.hour, c.zone, at)
			}
		})
	}
}

// capture is a Sender that keeps what it is given, and fails while fail returns true.
type capture struct {
	mu   sync.Mutex
	recs []pelican.Record
	fail func(n int) bool
	sent chan struct{}
}

func newCapture() *capture {
	return &capture{fail: func(int) bool { return false }, sent: make(chan struct{}, 100)}
}

func (c *capture) Send(ctx context.Context, key string, data []byte) (pelican.Placement, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	n := len(c.recs)
	c.recs = append(c.recs, pelican.Record{PartitionKey: key, Data: bytes.Clone(data)})
	select {
	case c.sent <- struct{}{}:
	default:
	}
	if c.fail(n) {
		return pelican.Placement{}, errors.New("stream unavailable")
	}
	return pelican.Placement{ShardID: "shardId-000000000000", SequenceNumber: "1"}, nil
}

func (c *capture) records() []pelican.Record {
	c.mu.Lock()
	defer c.mu.Unlock()
	return append([]pelican.Record(nil), c.recs...)
}

func TestStrikePublishesATimeTicked(t *testing.T) {
	at := time.Date(2025, 12, 24, 23, 0, 0, 0, time.UTC)
	sink := newCapture()
	pub := pelican.NewPublisher(sink, pelican.WithProducerName("cuckooclock"))
	c := New("zurich-hall", pub, WithLocation(mustZone(t, "Europe/Zurich")), WithNow(func() time.Time { return at }),
		WithLogger(slog.New(slog.DiscardHandler)))
	r, err := c.Strike(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	recs := sink.records()
	if len(recs) != 1 {
		t.Fatalf("sent %d records, want 1", len(recs))
	}
	if recs[0].PartitionKey != "zurich-hall" {
		t.Fatalf("partition key %q, want the clock id", recs[0].PartitionKey)
	}
	env, err := pelican.UnmarshalEnvelope(recs[0].Data)
	if err != nil {
		t.Fatal(err)
	}
	var ev clockv1.TimeTicked
	if err := pelican.Unwrap(env, &ev); err != nil {
		t.Fatal(err)
	}
	switch {
	case env.GetEventId() != r.EventID:
		t.Fatalf("envelope id %s, receipt %s", env.GetEventId(), r.EventID)
	case env.GetProducer() != "cuckooclock":
		t.Fatalf("producer %q", env.GetProducer())
	case !env.GetOccurredAt().AsTime().Equal(at):
		t.Fatalf("occurred at %s, want %s", env.GetOccurredAt().AsTime(), at)
	case ev.GetHour() != 0 || ev.GetTimeZone() != "Europe/Zurich" || !ev.GetTickedAt().AsTime().Equal(at):
		t.Fatalf("event %v: want midnight in Zurich", &ev)
	}
}

// TestRunStrikesOnAfterAFailure: the clock logs a tick it cannot publish and goes on; it stops,
// without an error, when its context ends.
func TestRunStrikesOnAfterAFailure(t *testing.T) {
	sink := newCapture()
	sink.fail = func(n int) bool { return n == 0 }
	var logs pelicantest.Buffer
	c := New("c", pelican.NewPublisher(sink), WithInterval(5*time.Millisecond),
		WithLogger(slog.New(slog.NewTextHandler(&logs, nil))))
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- c.Run(ctx) }()
	for range 3 {
		select {
		case <-sink.sent:
		case <-time.After(10 * time.Second):
			t.Fatal("the clock stopped striking")
		}
	}
	cancel()
	select {
	case err := <-done:
		if err != nil {
			t.Fatalf("run: %v", err)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("run did not return after its context ended")
	}
	out := logs.String()
	for _, want := range []string{"tick not published", "stream unavailable", "tick published"} {
		if !bytes.Contains([]byte(out), []byte(want)) {
			t.Errorf("log lacks %q:\n%s", want, out)
		}
	}
}
