package pelican_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/events"
	"github.com/aws/aws-lambda-go/lambda"

	"github.com/pelicanhq/pelican"
	"github.com/pelicanhq/pelican/aggregation"
	clockv1 "github.com/pelicanhq/pelican/proto/example/clock/v1"
	notificationv1 "github.com/pelicanhq/pelican/proto/example/notification/v1"
)

const lambdaShard = "shardId-000000000003"

// kinesisRecord wraps data as Lambda delivers a Kinesis record, numbered n in its shard.
func kinesisRecord(n int, partitionKey string, data []byte) events.KinesisEventRecord {
	seq := fmt.Sprintf("4960%052d", n)
	return events.KinesisEventRecord{
		AwsRegion:      "us-east-1",
		EventID:        lambdaShard + ":" + seq,
		EventName:      "aws:kinesis:record",
		EventSource:    "aws:kinesis",
		EventSourceArn: "arn:aws:kinesis:us-east-1:000000000000:stream/clock",
		EventVersion:   "1.0",
		Kinesis: events.KinesisRecord{
			ApproximateArrivalTimestamp: events.SecondsEpochTime{Time: fixedTime.Add(time.Duration(n) * time.Second)},
			Data:                        data,
			PartitionKey:                partitionKey,
			SequenceNumber:              seq,
			KinesisSchemaVersion:        "1.0",
		},
	}
}

// tick encodes a TimeTicked of a clock at an hour, as a Publisher would send it.
func tick(t *testing.T, clock string, hour uint32) pelican.Record {
	t.Helper()
	rec, err := newTestPublisher(&recorder{}).Encode(context.Background(), &clockv1.TimeTicked{ClockId: clock, Hour: hour})
	if err != nil {
		t.Fatal(err)
	}
	return rec
}

// tickEvent is a Kinesis event of one record per tick.
func tickEvent(t *testing.T, ticks ...pelican.Record) events.KinesisEvent {
	var ev events.KinesisEvent
	for i, r := range ticks {
		ev.Records = append(ev.Records, kinesisRecord(i+1, r.PartitionKey, r.Data))
	}
	return ev
}

// seen collects what the handlers were given.
type seen struct {
	mu    sync.Mutex
	ticks []string // clock/hour
	meta  []pelican.Metadata
}

// tickSubscriber handles TimeTicked, failing for the hours in poison.
func tickSubscriber(s *seen, poison ...uint32) *pelican.Subscriber {
	return tickHandler(pelican.NewSubscriber(pelican.WithLogger(quiet)), s, poison...)
}

// quiet drops the logs of failures the tests make on purpose.
var quiet = slog.New(slog.DiscardHandler)

// tickHandler registers the TimeTicked handler of tickSubscriber on sub.
func tickHandler(sub *pelican.Subscriber, s *seen, poison ...uint32) *pelican.Subscriber {
	pelican.Handle(sub, func(ctx context.Context, ev *clockv1.TimeTicked) error {
		s.mu.Lock()
		defer s.mu.Unlock()
		s.ticks = append(s.ticks, fmt.Sprintf("%s/%d", ev.GetClockId(), ev.GetHour()))
		m, _ := pelican.MetadataFromContext(ctx)
		s.meta = append(s.meta, m)
		if slices.Contains(poison, ev.GetHour()) {
			return errors.New("poison hour")
		}
		return nil
	})
	return sub
}

func failures(resp events.KinesisEventResponse) []string {
	var ids []string
	for _, f := range resp.BatchItemFailures {
		ids = append(ids, f.ItemIdentifier)
	}
	return ids
}

func TestLambdaHandlerDeliversInOrderWithRecordMetadata(t *testing.T) {
	var s seen
	ev := tickEvent(t, tick(t, "a", 1), tick(t, "b", 2), tick(t, "a", 3))
	resp, err := pelican.LambdaHandler(tickSubscriber(&s))(context.Background(), ev)
	if err != nil || len(resp.BatchItemFailures) != 0 {
		t.Fatalf("got %v, %v; want no failures", failures(resp), err)
	}
	if strings.Join(s.ticks, " ") != "a/1 b/2 a/3" {
		t.Errorf("delivered %v", s.ticks)
	}
	m := s.meta[1]
	want := ev.Records[1].Kinesis
	if m.Record.ShardID != lambdaShard || m.Record.SequenceNumber != want.SequenceNumber || m.Record.PartitionKey != "b" ||
		!m.Record.ArrivedAt.Equal(want.ApproximateArrivalTimestamp.Time) || m.EventType != "example.clock.v1.TimeTicked" {
		t.Errorf("metadata = %+v", m)
	}
}

func TestLambdaHandlerReportsExactlyTheFailedRecords(t *testing.T) {
	var s seen
	// b/2 is poison; a's and c's records go on around it.
	ev := tickEvent(t, tick(t, "a", 1), tick(t, "b", 2), tick(t, "a", 3), tick(t, "c", 4))
	resp, _ := pelican.LambdaHandler(tickSubscriber(&s, 2))(context.Background(), ev)
	if got, want := failures(resp), []string{ev.Records[1].Kinesis.SequenceNumber}; !slices.Equal(got, want) {
		t.Errorf("failures = %v, want %v", got, want)
	}
	if strings.Join(s.ticks, " ") != "a/1 b/2 a/3 c/4" {
		t.Errorf("delivered %v", s.ticks)
	}
}

func TestLambdaHandlerHoldsBackTheFailedKey(t *testing.T) {
	var s seen
	// a/2 fails: a/3 must not overtake it, b/4 goes on.
	ev := tickEvent(t, tick(t, "a", 1), tick(t, "a", 2), tick(t, "a", 3), tick(t, "b", 4))
	resp, _ := pelican.LambdaHandler(tickSubscriber(&s, 2))(context.Background(), ev)
	want := []string{ev.Records[1].Kinesis.SequenceNumber, ev.Records[2].Kinesis.SequenceNumber}
	if got := failures(resp); !slices.Equal(got, want) {
		t.Errorf("failures = %v, want %v", got, want)
	}
	if strings.Join(s.ticks, " ") != "a/1 a/2 b/4" {
		t.Errorf("delivered %v; a/3 must wait for a/2", s.ticks)
	}
}

func TestLambdaHandlerDeaggregates(t *testing.T) {
	var s seen
	agg := func(ticks ...pelican.Record) []byte {
		var recs []aggregation.Record
		for _, r := range ticks {
			recs = append(recs, aggregation.Record{PartitionKey: r.PartitionKey, Data: r.Data})
		}
		return aggregation.Aggregate(recs...)
	}
	ev := events.KinesisEvent{Records: []events.KinesisEventRecord{
		kinesisRecord(1, "a", agg(tick(t, "a", 1), tick(t, "b", 2))),
		kinesisRecord(2, "c", agg(tick(t, "c", 3), tick(t, "d", 13), tick(t, "e", 5))), // 13 is poison
		kinesisRecord(3, "f", tick(t, "f", 6).Data),
	}}
	resp, _ := pelican.LambdaHandler(tickSubscriber(&s, 13))(context.Background(), ev)
	if got, want := failures(resp), []string{ev.Records[1].Kinesis.SequenceNumber}; !slices.Equal(got, want) {
		t.Errorf("failures = %v, want the aggregate's sequence number once: %v", got, want)
	}
	if strings.Join(s.ticks, " ") != "a/1 b/2 c/3 d/13 e/5 f/6" {
		t.Errorf("delivered %v", s.ticks)
	}
	if m := s.meta[4]; m.Record.SubSequenceNumber != 2 || m.Record.PartitionKey != "e" || m.Record.SequenceNumber != ev.Records[1].Kinesis.SequenceNumber {
		t.Errorf("metadata of the third user record = %+v", m.Record)
	}
}

func TestLambdaHandlerFollowsTheSubscriberForUnknownAndUnreadable(t *testing.T) {
	req, err := newTestPublisher(&recorder{}).Encode(context.Background(), &notificationv1.NotificationRequested{NotificationId: "n1"})
	if err != nil {
		t.Fatal(err)
	}
	ev := tickEvent(t, req, pelican.Record{PartitionKey: "x", Data: []byte("not an envelope")}, tick(t, "a", 1))

	// Without a fallback, an unknown type is skipped; without a dead-letter handler, an
	// unreadable record is logged and skipped: neither is a failure.
	var s seen
	resp, _ := pelican.LambdaHandler(tickSubscriber(&s))(context.Background(), ev)
	if len(resp.BatchItemFailures) != 0 || strings.Join(s.ticks, " ") != "a/1" {
		t.Errorf("failures %v, delivered %v", failures(resp), s.ticks)
	}

	// A fallback or dead-letter handler that fails makes the record a failure.
	sub := tickHandler(pelican.NewSubscriber(
		pelican.WithLogger(quiet),
		pelican.WithFallback(func(context.Context, *pelican.Envelope) error { return errors.New("no route") }),
		pelican.WithDeadLetter(func(context.Context, pelican.DeadLetter) error { return errors.New("no dead-letter queue") }),
	), &s)
	resp, _ = pelican.LambdaHandler(sub)(context.Background(), ev)
	want := []string{ev.Records[0].Kinesis.SequenceNumber, ev.Records[1].Kinesis.SequenceNumber}
	if got := failures(resp); !slices.Equal(got, want) {
		t.Errorf("failures = %v, want %v", got, want)
	}
}

// TestLambdaHandlerUnderLambdaStart runs the handler as lambda.Start does, from the JSON Lambda
// sends to the JSON it expects back.
func TestLambdaHandlerUnderLambdaStart(t *testing.T) {
	var s seen
	ev := tickEvent(t, tick(t, "a", 1), tick(t, "b", 2))
	payload, err := json.Marshal(ev)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(payload), `"approximateArrivalTimestamp":`) || !strings.Contains(string(payload), `"data":"`) {
		t.Fatalf("event JSON lacks Lambda's fields: %s", payload)
	}
	out, err := lambda.NewHandler(pelican.LambdaHandler(tickSubscriber(&s, 2))).Invoke(context.Background(), payload)
	if err != nil {
		t.Fatal(err)
	}
	want := fmt.Sprintf(`{"batchItemFailures":[{"itemIdentifier":%q}]}`, ev.Records[1].Kinesis.SequenceNumber)
	if string(out) != want {
		t.Errorf("response = %s, want %s", out, want)
	}
}
