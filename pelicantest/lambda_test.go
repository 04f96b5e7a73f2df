package pelicantest_test

import (
	"context"
	"errors"
	"reflect"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/events"

	"github.com/pelicanhq/pelican/lambda/esm"
	"github.com/pelicanhq/pelican/pelicantest"
)

// TestAttachLambda runs handlers of the signatures lambda.Start accepts against a stream on the
// real clock.
func TestAttachLambda(t *testing.T) {
	e := pelicantest.NewEmulator(t)
	stream := e.NewStream(t, 2)
	for _, d := range []string{"a", "b", "c"} {
		pelicantest.Put(t, e.Client(), stream, d, []byte(d))
	}
	var mu sync.Mutex
	var withResponse, plain []string
	l := pelicantest.AttachLambda(t, e.Client(), stream, func(_ context.Context, ev events.KinesisEvent) (events.KinesisEventResponse, error) {
		mu.Lock()
		defer mu.Unlock()
		for _, r := range ev.Records {
			withResponse = append(withResponse, string(r.Kinesis.Data))
		}
		return events.KinesisEventResponse{}, nil
	})
	l2 := pelicantest.AttachLambda(t, e.Client(), stream, func(_ context.Context, ev events.KinesisEvent) error {
		mu.Lock()
		defer mu.Unlock()
		for _, r := range ev.Records {
			plain = append(plain, string(r.Kinesis.Data))
		}
		return nil
	})
	l.WaitIdle(t)
	l2.WaitIdle(t)
	pelicantest.Put(t, e.Client(), stream, "d", []byte("d"))
	l.WaitIdle(t)
	l2.WaitIdle(t)
	mu.Lock()
	defer mu.Unlock()
	if len(withResponse) != 4 || len(plain) != 4 {
		t.Fatalf("delivered %v and %v, want 4 records each", withResponse, plain)
	}
	if s := l.Stats(); s.Records != 4 || len(s.Shards) != 2 {
		t.Fatalf("stats = %+v", s)
	}
}

// TestAttachLambdaOnManualClock: retries wait for the test's clock.
func TestAttachLambdaOnManualClock(t *testing.T) {
	clock := pelicantest.NewClock(time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC))
	e := pelicantest.NewEmulator(t, pelicantest.WithClock(clock))
	stream := e.NewStream(t, 1)
	pelicantest.Put(t, e.Client(), stream, "k", []byte("x"))
	var mu sync.Mutex
	calls := 0
	var discarded []esm.OnFailureRecord
	l := pelicantest.AttachLambda(t, e.Client(), stream, func(context.Context, events.KinesisEvent) error {
		mu.Lock()
		defer mu.Unlock()
		calls++
		return errors.New("always fails")
	},
		pelicantest.WithLambdaClock(clock),
		pelicantest.WithMapping(esm.Mapping{MaximumRetryAttempts: aws32(1)}),
		pelicantest.WithEngineOptions(esm.WithOnFailure(func(_ context.Context, r esm.OnFailureRecord) {
			mu.Lock()
			defer mu.Unlock()
			discarded = append(discarded, r)
		})))
	l.WaitQuiet(t)
	mu.Lock()
	if calls != 1 {
		t.Fatalf("calls before the clock moves = %d, want 1", calls)
	}
	mu.Unlock()
	clock.Advance(time.Second)
	l.WaitIdle(t)
	mu.Lock()
	defer mu.Unlock()
	if calls != 2 || len(discarded) != 1 || !reflect.DeepEqual(discarded[0].RequestContext.Condition, esm.RetryAttemptsExhausted) {
		t.Fatalf("calls = %d, discarded = %+v", calls, discarded)
	}
}

func aws32(v int32) *int32 { return &v }
