package harness_test

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"google.golang.org/protobuf/proto"

	"github.com/pelicanhq/pelican"
	"github.com/pelicanhq/pelican/harness"
	clockv1 "github.com/pelicanhq/pelican/proto/example/clock/v1"
)

// at is a time of the test day, in seconds.
func at(s int) time.Time { return midnight.Add(time.Duration(s) * time.Second) }

func entry(shard, key string, arrival int, name string) *harness.Entry {
	return &harness.Entry{ShardID: shard, SequenceNumber: "1", PartitionKey: key, ArrivedAt: at(arrival), Data: []byte(name)}
}

func names(es []*harness.Entry) string {
	var out []string
	for _, e := range es {
		out = append(out, string(e.Data))
	}
	return strings.Join(out, " ")
}

func TestOrdered(t *testing.T) {
	cases := []struct {
		name    string
		entries []*harness.Entry
		want    string
	}{
		{"empty", nil, ""},
		{"one shard keeps file order, whatever the times", []*harness.Entry{
			entry("s0", "k", 5, "a"), entry("s0", "k", 3, "b"), entry("s0", "k", 4, "c"),
		}, "a b c"},
		{"shards merge by arrival", []*harness.Entry{
			entry("s0", "x", 1, "x1"), entry("s0", "x", 4, "x4"), entry("s1", "y", 2, "y2"), entry("s1", "y", 3, "y3"),
		}, "x1 y2 y3 x4"},
		{"ties go in file order", []*harness.Entry{
			entry("s1", "y", 1, "y1"), entry("s0", "x", 1, "x1"), entry("s0", "x", 1, "x1b"),
		}, "y1 x1 x1b"},
		// A record that arrived late in its shard holds back the shard's later records, so each
		// key keeps its order.
		{"a shard is never reordered to follow time", []*harness.Entry{
			entry("s0", "x", 1, "x1"), entry("s0", "x", 9, "x9"), entry("s0", "x", 2, "x2"), entry("s1", "y", 5, "y5"),
		}, "x1 y5 x9 x2"},
		{"a split: parent, then children", []*harness.Entry{
			entry("s0", "k", 1, "p1"), entry("s0", "k", 2, "p2"), entry("s2", "k", 2, "c2"), entry("s3", "j", 3, "d3"), entry("s2", "k", 4, "c4"),
		}, "p1 p2 c2 d3 c4"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			if got := names(harness.Ordered(c.entries)); got != c.want {
				t.Errorf("order %q, want %q", got, c.want)
			}
		})
	}
}

// dayOfTicks is a fixture of a day of one clock's hourly ticks, on two shards, with the
// arrival times a day of real traffic has.
func dayOfTicks(t testing.TB) *harness.Fixture {
	t.Helper()
	f := &harness.Fixture{Header: harness.Header{Stream: "clock-events"}}
	for h := 0; h < 24; h++ {
		for i, c := range []string{"zurich-hall", "bern-tower"} {
			ev := tick(c, h)
			rec := mustEncode(t, ev, fmt.Sprintf("%s-%02d", c, h), ev.GetTickedAt().AsTime())
			f.Entries = append(f.Entries, &harness.Entry{
				Stream: "clock-events", ShardID: fmt.Sprintf("shardId-%012d", i), SequenceNumber: fmt.Sprint(100 + h),
				PartitionKey: c, ArrivedAt: ev.GetTickedAt().AsTime().Add(40 * time.Millisecond), Data: rec.Data,
				Line: 2 + len(f.Entries),
			})
		}
	}
	return f
}

// TestReplayRunsADayOnVirtualTime: handlers see each record's recorded times, the clock follows
// the arrivals, and the day replays without sleeping.
func TestReplayRunsADayOnVirtualTime(t *testing.T) {
	f := dayOfTicks(t)
	clk := harness.NewClock(time.Time{})
	fx := harness.NewEffects()
	sub := pelican.NewSubscriber()
	pelican.Handle(sub, func(ctx context.Context, e *clockv1.TimeTicked) error {
		meta, _ := pelican.MetadataFromContext(ctx)
		if !meta.Record.ArrivedAt.Equal(clk.Now()) {
			return fmt.Errorf("clock reads %v while delivering a record that arrived %v", clk.Now(), meta.Record.ArrivedAt)
		}
		fx.Add(e.GetClockId(), "%s cuckoo x%d (%s late)", meta.OccurredAt.Format("15:04"), cuckoos(e.GetHour()), clk.Now().Sub(meta.OccurredAt))
		return nil
	})
	stats, err := harness.ReplayFixture(t.Context(), f, sub, harness.WithClock(clk))
	if err != nil {
		t.Fatal(err)
	}
	if stats.Records != 48 || stats.Shards != 2 || stats.Dropped != 0 {
		t.Errorf("stats %+v", stats)
	}
	if want := midnight.Add(23*time.Hour + 40*time.Millisecond); !clk.Now().Equal(want) {
		t.Errorf("clock at %v after the day, want %v", clk.Now(), want)
	}
	got := fx.Of("zurich-hall")
	if len(got) != 24 || got[0] != "00:00 cuckoo x12 (40ms late)" || got[13] != "13:00 cuckoo x1 (40ms late)" {
		t.Errorf("zurich-hall effects %q", got)
	}
}

func TestReplayFailsAtTheLineOfTheFailingHandler(t *testing.T) {
	f := dayOfTicks(t)
	f.Path = "fixtures/day.jsonl"
	sub := pelican.NewSubscriber()
	boom := errors.New("the cuckoo is stuck")
	pelican.Handle(sub, func(ctx context.Context, e *clockv1.TimeTicked) error {
		if e.GetClockId() == "bern-tower" && e.GetHour() == 3 {
			return boom
		}
		return nil
	})
	stats, err := harness.ReplayFixture(t.Context(), f, sub)
	if !errors.Is(err, boom) || !strings.Contains(err.Error(), "fixtures/day.jsonl:9:") {
		t.Fatalf("error %v, want the handler's, at fixtures/day.jsonl:9", err)
	}
	if stats.Records != 7 {
		t.Errorf("delivered %d before the failure, want 7", stats.Records)
	}
}

func TestReplayFiltersAndTransforms(t *testing.T) {
	f := dayOfTicks(t)
	fx := harness.NewEffects()
	sub := pelican.NewSubscriber()
	pelican.Handle(sub, func(ctx context.Context, e *clockv1.TimeTicked) error {
		fx.Add(e.GetClockId(), "%d in %s", e.GetHour(), e.GetTimeZone())
		return nil
	})
	onlyZurich := harness.WithTransform(harness.TransformEvents(func(e *harness.Entry, ev *clockv1.TimeTicked) (bool, error) {
		ev.TimeZone = "Europe/Bern"
		return ev.GetClockId() == "zurich-hall" && ev.GetHour() < 2, nil
	}))
	stats, err := harness.ReplayFixture(t.Context(), f, sub, onlyZurich)
	if err != nil {
		t.Fatal(err)
	}
	if got := fx.String(); got != "zurich-hall: 0 in Europe/Bern\nzurich-hall: 1 in Europe/Bern\n" || stats.Dropped != 46 {
		t.Errorf("effects %q, %d dropped", got, stats.Dropped)
	}
	if f.Entries[0].EventID != "" || strings.Contains(string(f.Entries[0].Data), "Bern") {
		t.Error("a replay changed the fixture it was given")
	}
	stats, err = harness.ReplayFixture(t.Context(), f, sub, harness.WithEventTypes("example.notification.v1.NotificationSent"))
	if err != nil || stats.Records != 0 || stats.Dropped != 48 {
		t.Errorf("filtered replay: %+v, %v", stats, err)
	}
	wrong := errors.New("no such time zone")
	_, err = harness.ReplayFixture(t.Context(), f, sub, harness.WithTransform(func(e *harness.Entry, ev proto.Message) (bool, error) {
		return false, wrong
	}))
	if !errors.Is(err, wrong) || !strings.Contains(err.Error(), "line 2:") {
		t.Errorf("a failing transform gave %v, want its error at line 2", err)
	}
}

func TestReplayFile(t *testing.T) {
	fx := harness.NewEffects()
	stats := harness.Replay(t, "testdata/format.jsonl", cuckooSubscriber(fx))
	if stats.Records != 3 || fx.Len() != 2 {
		t.Errorf("stats %+v, effects %q", stats, fx)
	}
	if _, err := harness.ReplayFile(t.Context(), "testdata/none.jsonl", cuckooSubscriber(fx)); err == nil {
		t.Error("replaying a missing file succeeded")
	}
}

func TestClockNeverGoesBack(t *testing.T) {
	c := harness.NewClock(at(10))
	c.Set(at(5))
	c.Set(at(20))
	c.Set(at(15))
	if !c.Now().Equal(at(20)) {
		t.Errorf("clock at %v, want %v", c.Now(), at(20))
	}
}
