package pelican_test

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"

	"google.golang.org/protobuf/proto"

	"github.com/pelicanhq/pelican"
	"github.com/pelicanhq/pelican/consumer"
	"github.com/pelicanhq/pelican/pelicantest"
	"github.com/pelicanhq/pelican/producer"
	clockv1 "github.com/pelicanhq/pelican/proto/example/clock/v1"
	notificationv1 "github.com/pelicanhq/pelican/proto/example/notification/v1"
)

// seenEvents is what the subscriber of TestProducerConsumerRoundTrip saw, from many shard
// workers at once.
type seenEvents struct {
	mu          sync.Mutex
	ids         map[string]bool     // event ids handled, to drop redeliveries
	hours       map[string][]uint32 // per clock, first deliveries only
	shards      map[string]string   // per clock, the shard its ticks came from
	newer       []*clockv1.TimeTicked
	requested   int
	attempts    int
	fallbacks   []string
	deadLetters []error
	deadRecords []pelican.Record
	records     map[string]bool // positions of fallbacks and dead letters, to drop redeliveries
	progress    chan struct{}
}

// first reports whether the record at rec's position is seen for the first time.
func (s *seenEvents) first(rec pelican.Record) bool {
	pos := fmt.Sprintf("%s/%s/%d", rec.ShardID, rec.SequenceNumber, rec.SubSequenceNumber)
	if s.records[pos] {
		return false
	}
	s.records[pos] = true
	return true
}

func (s *seenEvents) changed() {
	select {
	case s.progress <- struct{}{}:
	default:
	}
}

// TestProducerConsumerRoundTrip runs the whole path: a Publisher over the producer (aggregation
// on), a Subscriber driven by the consumer (leases, checkpoints), and an emulated stream of three
// shards between them. Among the events are an unknown type, records that are no envelope or
// whose payload is corrupted (in one aggregated record with a good event), an event of a newer schema, and a
// handler that fails once, so its batch is delivered again.
func TestProducerConsumerRoundTrip(t *testing.T) {
	e := pelicantest.NewEmulator(t)
	stream := e.NewStream(t, 3)
	client := e.Client()
	ctx := context.Background()

	prod, err := producer.New(ctx, client, stream, producer.WithMaxBufferedTime(20*time.Millisecond))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = prod.Close(context.Background()) })
	pub := pelican.NewPublisher(pelican.ProducerSender(prod), pelican.WithProducerName("clock-service"))

	seen := &seenEvents{ids: map[string]bool{}, hours: map[string][]uint32{}, shards: map[string]string{}, records: map[string]bool{}, progress: make(chan struct{}, 1)}
	sub := pelican.NewSubscriber(
		pelican.WithFallback(func(ctx context.Context, env *pelican.Envelope) error {
			meta, _ := pelican.MetadataFromContext(ctx)
			seen.mu.Lock()
			defer seen.mu.Unlock()
			if !seen.first(meta.Record) {
				return nil
			}
			seen.fallbacks = append(seen.fallbacks, env.GetEventType())
			seen.changed()
			return nil
		}),
		pelican.WithDeadLetter(func(_ context.Context, dl pelican.DeadLetter) error {
			seen.mu.Lock()
			defer seen.mu.Unlock()
			if !seen.first(dl.Record) {
				return nil
			}
			seen.deadLetters = append(seen.deadLetters, dl.Err)
			seen.deadRecords = append(seen.deadRecords, dl.Record)
			seen.changed()
			return nil
		}),
	)
	pelican.Handle(sub, func(ctx context.Context, ev *clockv1.TimeTicked) error {
		meta, _ := pelican.MetadataFromContext(ctx)
		seen.mu.Lock()
		defer seen.mu.Unlock()
		if seen.ids[meta.EventID] {
			return nil // a redelivery of a batch that failed on another record
		}
		seen.ids[meta.EventID] = true
		if len(ev.ProtoReflect().GetUnknown()) > 0 {
			seen.newer = append(seen.newer, ev)
		} else {
			seen.hours[ev.GetClockId()] = append(seen.hours[ev.GetClockId()], ev.GetHour())
			if s, ok := seen.shards[ev.GetClockId()]; ok && s != meta.Record.ShardID {
				t.Errorf("%s ticks came from %s and %s", ev.GetClockId(), s, meta.Record.ShardID)
			}
			seen.shards[ev.GetClockId()] = meta.Record.ShardID
		}
		seen.changed()
		return nil
	})
	pelican.Handle(sub, func(ctx context.Context, ev *notificationv1.NotificationRequested) error {
		seen.mu.Lock()
		defer seen.mu.Unlock()
		seen.attempts++
		if seen.attempts == 1 {
			return errors.New("mail server not ready yet")
		}
		seen.requested++
		seen.changed()
		return nil
	})

	c, err := consumer.New(client, stream, sub,
		consumer.WithIdleInterval(200*time.Millisecond),
		consumer.WithTakeInterval(200*time.Millisecond),
		consumer.WithRetryPolicy(consumer.RetryPolicy{InitialBackoff: 10 * time.Millisecond, MaxBackoff: 50 * time.Millisecond}),
		consumer.WithShutdownTimeout(5*time.Second),
	)
	if err != nil {
		t.Fatal(err)
	}
	runCtx, stop := context.WithCancel(ctx)
	ran := make(chan error, 1)
	go func() { ran <- c.Run(runCtx) }()
	defer func() {
		stop()
		if err := <-ran; err != nil {
			t.Errorf("consumer Run: %v", err)
		}
	}()

	// Each clock publishes its hours in order from its own goroutine, all at once.
	clocks := []string{"zurich-hall", "bern-tower", "basel-minster", "geneva-quay"}
	const hours = 10
	var wg sync.WaitGroup
	for _, clock := range clocks {
		wg.Go(func() {
			for h := range uint32(hours) {
				if _, err := pub.Publish(ctx, &clockv1.TimeTicked{ClockId: clock, Hour: h}); err != nil {
					t.Error(err)
					return
				}
			}
		})
	}
	wg.Go(func() {
		for _, m := range []proto.Message{
			&notificationv1.NotificationRequested{NotificationId: "n-1", Channel: notificationv1.Channel_CHANNEL_EMAIL, Recipient: "ops@example.com"},
			&notificationv1.NotificationFailed{NotificationId: "n-1", Reason: "mailbox full"},
			newerTick(t, schemaVersion(t, "newer")),
		} {
			if _, err := pub.Publish(ctx, m); err != nil {
				t.Error(err)
			}
		}
		rec, err := pub.Encode(ctx, &clockv1.TimeTicked{ClockId: "zurich-hall", Hour: 99})
		if err != nil {
			t.Error(err)
			return
		}
		env, _ := pelican.UnmarshalEnvelope(rec.Data)
		env.Payload = env.GetPayload()[:3]
		corrupt, _ := pelican.MarshalEnvelope(env)
		good, err := pub.Encode(ctx, &clockv1.TimeTicked{ClockId: "zurich-annex"}, pelican.WithPartitionKey("annex"))
		if err != nil {
			t.Error(err)
			return
		}
		// Put without waiting in between, so that the three share one aggregated record.
		var results []*producer.Result
		for _, data := range [][]byte{corrupt, []byte("cuckoo, not an envelope"), good.Data} {
			r, err := prod.Put(ctx, "annex", data)
			if err != nil {
				t.Error(err)
				return
			}
			results = append(results, r)
		}
		for _, r := range results {
			if err := r.Wait(ctx); err != nil {
				t.Error(err)
			}
		}
	})
	wg.Wait()

	complete := func() bool {
		seen.mu.Lock()
		defer seen.mu.Unlock()
		for _, clock := range clocks {
			if len(seen.hours[clock]) < hours {
				return false
			}
		}
		return len(seen.hours["zurich-annex"]) == 1 && seen.requested == 1 && len(seen.newer) == 1 && len(seen.fallbacks) == 1 && len(seen.deadLetters) == 2
	}
	deadline := time.After(time.Minute)
	for !complete() {
		select {
		case <-seen.progress:
		case <-deadline:
			seen.mu.Lock()
			var firstDead error
			if len(seen.deadLetters) > 0 {
				firstDead = seen.deadLetters[0]
			}
			t.Fatalf("after a minute: hours %v, requested %d, newer %d, fallbacks %v, %d dead letters (first: %v)",
				seen.hours, seen.requested, len(seen.newer), seen.fallbacks, len(seen.deadLetters), firstDead)
		}
	}

	seen.mu.Lock()
	defer seen.mu.Unlock()
	for _, clock := range clocks {
		if got := fmt.Sprint(seen.hours[clock]); got != "[0 1 2 3 4 5 6 7 8 9]" {
			t.Errorf("%s hours arrived as %s, want in order", clock, got)
		}
	}
	if n := seen.newer[0]; n.GetClockId() != "zurich-hall" || n.GetHour() != 7 || n.GetTimeZone() != "Europe/Zurich" {
		t.Errorf("newer TimeTicked read as %v", n)
	}
	if seen.attempts < 2 {
		t.Errorf("NotificationRequested handler ran %d times, want a failure and a retry", seen.attempts)
	}
	if seen.fallbacks[0] != "example.notification.v1.NotificationFailed" {
		t.Errorf("fallback saw %v", seen.fallbacks)
	}
	var notEnvelope, undecodable int
	for _, err := range seen.deadLetters {
		switch {
		case errors.Is(err, pelican.ErrNotEnvelope):
			notEnvelope++
		case errors.Is(err, pelican.ErrUndecodablePayload):
			undecodable++
		}
	}
	if notEnvelope != 1 || undecodable != 1 {
		t.Errorf("dead letters %v, want one not an envelope and one undecodable", seen.deadLetters)
	}
	if a, b := seen.deadRecords[0], seen.deadRecords[1]; a.SequenceNumber != b.SequenceNumber || a.SubSequenceNumber == b.SubSequenceNumber {
		t.Errorf("dead letters at %s/%d and %s/%d: want two user records of one aggregated record",
			a.SequenceNumber, a.SubSequenceNumber, b.SequenceNumber, b.SubSequenceNumber)
	}
}

// BenchmarkPublishThroughProducer publishes from parallel goroutines through the producer to an
// emulated stream of four shards, each Publish waiting until its record is written.
func BenchmarkPublishThroughProducer(b *testing.B) {
	e := pelicantest.NewEmulator(b)
	stream := e.NewStream(b, 4)
	ctx := context.Background()
	prod, err := producer.New(ctx, e.Client(), stream, producer.WithMaxBufferedTime(5*time.Millisecond), producer.WithShardRateLimit(0, 0))
	if err != nil {
		b.Fatal(err)
	}
	defer func() { _ = prod.Close(ctx) }()
	pub := pelican.NewPublisher(pelican.ProducerSender(prod), pelican.WithProducerName("clock-service"))
	b.SetParallelism(16)
	b.ReportAllocs()
	b.ResetTimer()
	b.RunParallel(func(pb *testing.PB) {
		clock := pelicantest.UniqueName("clock")
		var hour uint32
		for pb.Next() {
			hour++
			if _, err := pub.Publish(ctx, &clockv1.TimeTicked{ClockId: clock, Hour: hour % 24}); err != nil {
				b.Error(err)
				return
			}
		}
	})
}
