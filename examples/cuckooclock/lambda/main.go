// Command lambda is the cuckoo clock as a scheduled AWS Lambda function: an EventBridge rule
// (rate(1 hour), or cron(0 * * * ? *) to strike on the hour) invokes it with a scheduled event,
// and it strikes once, publishing TimeTicked for the event's time, with the same Clock as the
// long-running service.
//
// Build it for Lambda's provided.al2023 runtime as bootstrap (GOOS=linux CGO_ENABLED=0 go build
// -o bootstrap), or run it locally under `pelican lambda run --schedule 'rate(1 minute)' --
// ./bootstrap`.
//
// It reads its settings from the environment: PELICAN_ENDPOINT, PELICAN_STREAM and AWS_REGION,
// as the service does; CLOCK_ID; CLOCK_TIME_ZONE; and PELICAN_LOG_LEVEL.
package main

import (
	"context"
	"fmt"
	"os"
	"time"
	_ "time/tzdata" // the function runs in an image without zoneinfo

	"github.com/aws/aws-lambda-go/events"
	"github.com/aws/aws-lambda-go/lambda"

	"github.com/pelicanhq/pelican"
	"github.com/pelicanhq/pelican/examples/cuckooclock/internal/clock"
	"github.com/pelicanhq/pelican/examples/internal/kinesisenv"
	"github.com/pelicanhq/pelican/examples/internal/service"
	"github.com/pelicanhq/pelican/producer"
)

func main() {
	h, err := newHandler(context.Background(), os.Getenv)
	if err != nil {
		fmt.Fprintln(os.Stderr, "cuckooclock lambda:", err)
		os.Exit(1)
	}
	lambda.Start(h)
}

// handler strikes the clock once per scheduled event.
type handler func(ctx context.Context, ev events.CloudWatchEvent) error

// newHandler sets the function up once per execution environment, as Lambda's init phase does.
func newHandler(ctx context.Context, getenv func(string) string) (handler, error) {
	log, err := service.Logger(os.Stderr, or(getenv("PELICAN_LOG_LEVEL"), "info"))
	if err != nil {
		return nil, err
	}
	id := or(getenv("CLOCK_ID"), "black-forest")
	loc, err := time.LoadLocation(or(getenv("CLOCK_TIME_ZONE"), "Europe/Berlin"))
	if err != nil {
		return nil, fmt.Errorf("CLOCK_TIME_ZONE: %w", err)
	}
	settings, err := kinesisenv.FromEnv(getenv)
	if err != nil {
		return nil, err
	}
	client, err := settings.Client(ctx)
	if err != nil {
		return nil, err
	}
	prod, err := producer.New(ctx, client, settings.Stream, producer.WithLogger(log), producer.WithMaxBufferedTime(10*time.Millisecond))
	if err != nil {
		return nil, fmt.Errorf("producer: %w", err)
	}
	pub := pelican.NewPublisher(pelican.ProducerSender(prod), pelican.WithProducerName("cuckooclock"))
	log.Info("cuckooclock lambda ready", "clock_id", id, "time_zone", loc.String(), "stream", settings.Stream)
	return func(ctx context.Context, ev events.CloudWatchEvent) error {
		if ev.DetailType != "Scheduled Event" {
			return fmt.Errorf("not a scheduled event: detail-type %q", ev.DetailType)
		}
		at := ev.Time
		if at.IsZero() {
			at = time.Now()
		}
		// The strike is at the time the schedule was due, so a retried invocation strikes the same hour.
		c := clock.New(id, pub, clock.WithLocation(loc), clock.WithLogger(log), clock.WithNow(func() time.Time { return at }))
		_, err := c.Strike(ctx)
		return err
	}, nil
}

func or(v, def string) string {
	if v == "" {
		return def
	}
	return v
}
