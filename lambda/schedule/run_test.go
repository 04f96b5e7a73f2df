package schedule_test

import (
	"context"
	"encoding/json"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/events"

	"github.com/pelicanhq/pelican/lambda/schedule"
	"github.com/pelicanhq/pelican/pelicantest"
)

func TestStartFiresScheduledEventsOnTheClock(t *testing.T) {
	clock := pelicantest.NewClock(at("2026-03-01T10:07:20Z"))
	var mu sync.Mutex
	var got []events.CloudWatchEvent
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	stop, err := schedule.Start(ctx, "cron(0/15 * * * ? *)", clock, func(_ context.Context, ev events.CloudWatchEvent) {
		mu.Lock()
		defer mu.Unlock()
		got = append(got, ev)
	}, schedule.WithRule("cuckoo"), schedule.WithRegion("eu-west-1"), schedule.WithAccountID("123456789012"))
	if err != nil {
		t.Fatal(err)
	}
	clock.Advance(7 * time.Minute) // 10:14:20: nothing due
	if len(got) != 0 {
		t.Fatalf("fired %d times before 10:15", len(got))
	}
	clock.Advance(time.Hour) // 11:14:20: 10:15, 10:30, 10:45, 11:00
	mu.Lock()
	var times []string
	for _, ev := range got {
		times = append(times, ev.Time.Format("15:04:05"))
	}
	mu.Unlock()
	if strings.Join(times, " ") != "10:15:00 10:30:00 10:45:00 11:00:00" {
		t.Fatalf("fired at %v", times)
	}

	// The event is EventBridge's scheduled event, as aws-lambda-go's type reads it.
	b, err := json.Marshal(got[0])
	if err != nil {
		t.Fatal(err)
	}
	var raw map[string]any
	if err := json.Unmarshal(b, &raw); err != nil {
		t.Fatal(err)
	}
	want := map[string]any{
		"version": "0", "detail-type": "Scheduled Event", "source": "aws.events", "account": "123456789012",
		"time": "2026-03-01T10:15:00Z", "region": "eu-west-1",
		"resources": []any{"arn:aws:events:eu-west-1:123456789012:rule/cuckoo"}, "detail": map[string]any{},
	}
	for k, v := range want {
		if gb, wb := mustJSON(raw[k]), mustJSON(v); gb != wb {
			t.Errorf("%s = %s, want %s", k, gb, wb)
		}
	}
	if id, _ := raw["id"].(string); len(id) != 36 || got[0].ID == got[1].ID {
		t.Errorf("ids %q and %q: want distinct UUIDs", got[0].ID, got[1].ID)
	}

	stop()
	clock.Advance(time.Hour)
	if len(got) != 4 {
		t.Errorf("fired %d times after stop", len(got)-4)
	}
}

func TestRunRateFromStartAndStopsWithContext(t *testing.T) {
	clock := pelicantest.NewClock(at("2026-03-01T10:00:30Z"))
	fired := make(chan time.Time, 10)
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() {
		done <- schedule.Run(ctx, "rate(5 minutes)", clock, func(_ context.Context, ev events.CloudWatchEvent) { fired <- ev.Time })
	}()
	// Run arms its timer in its own goroutine; move the clock a minute at a time until it fires.
	deadline := time.Now().Add(10 * time.Second)
	var first time.Time
	for first.IsZero() && time.Now().Before(deadline) {
		clock.Advance(time.Minute)
		select {
		case first = <-fired:
		case <-time.After(5 * time.Millisecond):
		}
	}
	// Run read the clock at some whole minute after 10:00:30; the rate counts from there.
	if first.IsZero() || first.Second() != 30 || first.Before(at("2026-03-01T10:05:30Z")) {
		t.Fatalf("first firing at %s, want five minutes after the start", first)
	}
	cancel()
	if err := <-done; err != nil {
		t.Errorf("Run = %v", err)
	}
	if err := schedule.Run(context.Background(), "rate(5 minute)", clock, nil); err == nil {
		t.Error("Run accepted a bad expression")
	}
}

func mustJSON(v any) string {
	b, err := json.Marshal(v)
	if err != nil {
		panic(err)
	}
	return string(b)
}
