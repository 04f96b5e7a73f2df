package main

import (
	"context"
	"encoding/json"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/events"
	"github.com/aws/aws-lambda-go/lambda"

	"github.com/pelicanhq/pelican"
	"github.com/pelicanhq/pelican/lambda/schedule"
	"github.com/pelicanhq/pelican/pelicantest"
	clockv1 "github.com/pelicanhq/pelican/proto/example/clock/v1"
)

// TestScheduledEventStrikes fires the function on a schedule, on a manual clock, through
// lambda.NewHandler as lambda.Start would call it: each occasion publishes one tick for its time.
func TestScheduledEventStrikes(t *testing.T) {
	e := pelicantest.NewEmulator(t)
	stream := e.NewStream(t, 1)
	env := map[string]string{"PELICAN_ENDPOINT": e.URL(), "PELICAN_STREAM": stream, "AWS_REGION": "us-east-1",
		"CLOCK_ID": "zurich-hall", "CLOCK_TIME_ZONE": "Europe/Zurich", "PELICAN_LOG_LEVEL": "warn"}
	h, err := newHandler(context.Background(), func(k string) string { return env[k] })
	if err != nil {
		t.Fatal(err)
	}
	fn := lambda.NewHandler(h)
	clock := pelicantest.NewClock(time.Date(2026, 3, 1, 10, 59, 0, 0, time.UTC))
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	errs := make(chan error, 10)
	stop, err := schedule.Start(ctx, "cron(0 * * * ? *)", clock, func(ctx context.Context, ev events.CloudWatchEvent) {
		payload, _ := json.Marshal(ev)
		_, err := fn.Invoke(ctx, payload)
		errs <- err
	})
	if err != nil {
		t.Fatal(err)
	}
	defer stop()
	clock.Advance(2 * time.Hour) // 11:00 and 12:00 UTC: 12 and 13 o'clock in Zurich
	for range 2 {
		if err := <-errs; err != nil {
			t.Fatal(err)
		}
	}
	var hours []uint32
	for _, r := range pelicantest.ReadAll(t, e.Client(), stream) {
		env, err := pelican.UnmarshalEnvelope(r.Data)
		if err != nil {
			t.Fatal(err)
		}
		var tick clockv1.TimeTicked
		if err := pelican.Unwrap(env, &tick); err != nil {
			t.Fatal(err)
		}
		hours = append(hours, tick.GetHour())
	}
	if len(hours) != 2 || hours[0] != 12 || hours[1] != 13 {
		t.Errorf("ticks struck %v, want 12 and 13", hours)
	}

	if _, err := fn.Invoke(context.Background(), []byte(`{"detail-type":"Object Created","source":"aws.s3"}`)); err == nil {
		t.Error("an event that is not a scheduled one was accepted")
	}
}
