// Command lambda is the notifier as an AWS Lambda function for a Kinesis event source mapping
// with ReportBatchItemFailures: the same Notifier as the long-running service, behind
// pelican.LambdaHandler, so a tick or a request that cannot be answered is reported alone and
// retried while the rest of the batch is done.
//
// Build it for Lambda's provided.al2023 runtime as bootstrap (GOOS=linux CGO_ENABLED=0 go build
// -o bootstrap), or run it locally under `pelican lambda run --mapping FILE -- ./bootstrap`.
//
// It reads its settings from the environment: PELICAN_ENDPOINT, PELICAN_STREAM (the stream it
// publishes NotificationSent and NotificationFailed to) and AWS_REGION, as the service does;
// NOTIFIER_RECIPIENT; NOTIFIER_DATA_DIR for the outbox file (kept in memory when empty; /tmp is
// the one writable directory on Lambda, and does not outlive the execution environment); and
// PELICAN_LOG_LEVEL.
package main

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"time"

	"github.com/aws/aws-lambda-go/lambda"

	"github.com/pelicanhq/pelican"
	"github.com/pelicanhq/pelican/examples/internal/kinesisenv"
	"github.com/pelicanhq/pelican/examples/internal/service"
	"github.com/pelicanhq/pelican/examples/notifier/internal/notify"
	"github.com/pelicanhq/pelican/producer"
)

func main() {
	h, err := newHandler(context.Background(), os.Getenv)
	if err != nil {
		// Exiting before the first invocation is an init failure: Lambda reports it as the
		// invocation's error and starts afresh.
		fmt.Fprintln(os.Stderr, "notifier lambda:", err)
		os.Exit(1)
	}
	lambda.Start(h)
}

// newHandler sets the function up once per execution environment, as Lambda's init phase does.
func newHandler(ctx context.Context, getenv func(string) string) (pelican.KinesisHandler, error) {
	log, err := service.Logger(os.Stderr, or(getenv("PELICAN_LOG_LEVEL"), "info"))
	if err != nil {
		return nil, err
	}
	settings, err := kinesisenv.FromEnv(getenv)
	if err != nil {
		return nil, err
	}
	recipient := or(getenv("NOTIFIER_RECIPIENT"), "#cuckoo-clock")
	outboxPath := ""
	if dir := getenv("NOTIFIER_DATA_DIR"); dir != "" {
		if err := os.MkdirAll(dir, 0o755); err != nil {
			return nil, err
		}
		outboxPath = filepath.Join(dir, "outbox.jsonl")
	}
	ob, err := notify.OpenOutbox(outboxPath)
	if err != nil {
		return nil, err
	}
	client, err := settings.Client(ctx)
	if err != nil {
		return nil, err
	}
	// A short buffering time: Lambda freezes the process between invocations, and each Publish
	// waits for its record to be written anyway.
	prod, err := producer.New(ctx, client, settings.Stream, producer.WithLogger(log), producer.WithMaxBufferedTime(10*time.Millisecond))
	if err != nil {
		return nil, errors.Join(fmt.Errorf("producer: %w", err), ob.Close())
	}
	pub := pelican.NewPublisher(pelican.ProducerSender(prod), pelican.WithProducerName("notifier"))
	sub := pelican.NewSubscriber(pelican.WithLogger(log))
	notify.New(pub, ob, notify.WithRecipient(recipient), notify.WithLogger(log)).Register(sub)
	log.Info("notifier lambda ready", "stream", settings.Stream, "recipient", recipient, "outbox", outboxPath, "sent_before", ob.Count())
	return pelican.LambdaHandler(sub), nil
}

func or(v, def string) string {
	if v == "" {
		return def
	}
	return v
}
