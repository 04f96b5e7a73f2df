package pelican_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"sync"
	"sync/atomic"
	"testing"

	"google.golang.org/protobuf/types/dynamicpb"

	"github.com/pelicanhq/pelican"
	"github.com/pelicanhq/pelican/consumer"
	clockv1 "github.com/pelicanhq/pelican/proto/example/clock/v1"
	notificationv1 "github.com/pelicanhq/pelican/proto/example/notification/v1"
	pelicanv1 "github.com/pelicanhq/pelican/proto/pelican/v1"
)

// outcome is what a Subscriber did with one record.
type outcome struct {
	handled    []string // event types the typed handlers saw
	fallback   []string // event types the fallback saw
	deadLetter []error  // the errors of dead letters
}

// routingSubscriber has handlers for TimeTicked and NotificationSent; withFallback adds a
// fallback. Every call is written into out.
func routingSubscriber(out *outcome, withFallback bool, handlerErr error) *pelican.Subscriber {
	opts := []pelican.SubscriberOption{
		pelican.WithDeadLetter(func(_ context.Context, dl pelican.DeadLetter) error {
			out.deadLetter = append(out.deadLetter, dl.Err)
			return nil
		}),
	}
	if withFallback {
		opts = append(opts, pelican.WithFallback(func(_ context.Context, env *pelican.Envelope) error {
			out.fallback = append(out.fallback, env.GetEventType())
			return nil
		}))
	}
	sub := pelican.NewSubscriber(opts...)
	pelican.Handle(sub, func(_ context.Context, e *clockv1.TimeTicked) error {
		out.handled = append(out.handled, string(e.ProtoReflect().Descriptor().FullName()))
		return handlerErr
	})
	pelican.Handle(sub, func(_ context.Context, e *notificationv1.NotificationSent) error {
		out.handled = append(out.handled, string(e.ProtoReflect().Descriptor().FullName()))
		return handlerErr
	})
	return sub
}

// envelopeOf returns the record bytes of an envelope with the given type and payload.
func envelopeOf(t testing.TB, eventType string, payload []byte) []byte {
	env := validEnvelope(t)
	env.EventType = eventType
	env.Payload = payload
	return marshal(t, env)
}

func TestDeliverRouting(t *testing.T) {
	tick := marshal(t, &clockv1.TimeTicked{ClockId: "zurich-hall", Hour: 7})
	tests := []struct {
		name         string
		data         []byte
		fallback     bool
		wantHandled  []string
		wantFallback []string
		wantDead     []error
	}{
		{name: "known type", data: envelopeOf(t, "example.clock.v1.TimeTicked", tick), wantHandled: []string{"example.clock.v1.TimeTicked"}},
		{name: "second known type", data: envelopeOf(t, "example.notification.v1.NotificationSent", marshal(t, &notificationv1.NotificationSent{NotificationId: "n-1"})), wantHandled: []string{"example.notification.v1.NotificationSent"}},
		{name: "empty payload is a valid event", data: envelopeOf(t, "example.clock.v1.TimeTicked", nil), wantHandled: []string{"example.clock.v1.TimeTicked"}},
		{name: "unknown type skipped", data: envelopeOf(t, "example.notification.v1.NotificationFailed", nil)},
		{name: "unknown type to fallback", data: envelopeOf(t, "example.notification.v1.NotificationFailed", nil), fallback: true, wantFallback: []string{"example.notification.v1.NotificationFailed"}},
		{name: "type from another team to fallback", data: envelopeOf(t, "billing.v3.InvoicePaid", []byte("not even read")), fallback: true, wantFallback: []string{"billing.v3.InvoicePaid"}},
		{name: "truncated payload", data: envelopeOf(t, "example.clock.v1.TimeTicked", tick[:len(tick)-3]), wantDead: []error{pelican.ErrUndecodablePayload}},
		{name: "invalid UTF-8 in a string field", data: envelopeOf(t, "example.clock.v1.TimeTicked", []byte{0x0a, 0x02, 0xff, 0xfe}), wantDead: []error{pelican.ErrUndecodablePayload}},
		{name: "payload of garbage", data: envelopeOf(t, "example.clock.v1.TimeTicked", []byte{0xff, 0xff, 0xff}), wantDead: []error{pelican.ErrUndecodablePayload}},
		{name: "corrupted payload of an unknown type goes to the fallback undecoded", data: envelopeOf(t, "example.notification.v1.NotificationFailed", []byte{0xff}), fallback: true, wantFallback: []string{"example.notification.v1.NotificationFailed"}},
		{name: "not an envelope", data: []byte("hello, cuckoo"), fallback: true, wantDead: []error{pelican.ErrNotEnvelope}},
		{name: "bare event", data: tick, wantDead: []error{pelican.ErrNotEnvelope}},
		{name: "empty record", data: nil, wantDead: []error{pelican.ErrNotEnvelope}},
		{name: "newer envelope version", data: func() []byte {
			env := validEnvelope(t)
			env.Version = 2
			return marshal(t, env)
		}(), wantDead: []error{pelican.ErrUnsupportedVersion}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var out outcome
			sub := routingSubscriber(&out, tt.fallback, nil)
			if err := sub.Deliver(context.Background(), pelican.Record{Data: tt.data}); err != nil {
				t.Fatalf("Deliver: %v", err)
			}
			if fmt.Sprint(out.handled) != fmt.Sprint(tt.wantHandled) {
				t.Errorf("handled %v, want %v", out.handled, tt.wantHandled)
			}
			if fmt.Sprint(out.fallback) != fmt.Sprint(tt.wantFallback) {
				t.Errorf("fallback saw %v, want %v", out.fallback, tt.wantFallback)
			}
			if len(out.deadLetter) != len(tt.wantDead) {
				t.Fatalf("dead letters %v, want %v", out.deadLetter, tt.wantDead)
			}
			for i, want := range tt.wantDead {
				if !errors.Is(out.deadLetter[i], want) {
					t.Errorf("dead letter %d: %v, want %v", i, out.deadLetter[i], want)
				}
			}
		})
	}
}

func TestDeliverCallbackErrors(t *testing.T) {
	boom := errors.New("mail server down")
	tick := envelopeOf(t, "example.clock.v1.TimeTicked", marshal(t, &clockv1.TimeTicked{ClockId: "zurich-hall"}))
	unknown := envelopeOf(t, "example.notification.v1.NotificationFailed", nil)
	tests := []struct {
		name    string
		sub     func() *pelican.Subscriber
		data    []byte
		wantErr error
	}{
		{
			name: "handler error",
			sub: func() *pelican.Subscriber {
				s := pelican.NewSubscriber()
				pelican.Handle(s, func(context.Context, *clockv1.TimeTicked) error { return boom })
				return s
			},
			data: tick, wantErr: boom,
		},
		{
			name: "handler panic",
			sub: func() *pelican.Subscriber {
				s := pelican.NewSubscriber(pelican.WithLogger(slog.New(slog.DiscardHandler)))
				pelican.Handle(s, func(context.Context, *clockv1.TimeTicked) error { panic("cuckoo stuck") })
				return s
			},
			data: tick, wantErr: pelican.ErrHandlerPanic,
		},
		{
			name: "fallback error",
			sub: func() *pelican.Subscriber {
				return pelican.NewSubscriber(pelican.WithFallback(func(context.Context, *pelican.Envelope) error { return boom }))
			},
			data: unknown, wantErr: boom,
		},
		{
			name: "dead-letter handler error",
			sub: func() *pelican.Subscriber {
				return pelican.NewSubscriber(pelican.WithDeadLetter(func(context.Context, pelican.DeadLetter) error { return boom }))
			},
			data: []byte("garbage"), wantErr: boom,
		},
		{
			name: "dead-letter handler panic",
			sub: func() *pelican.Subscriber {
				return pelican.NewSubscriber(pelican.WithLogger(slog.New(slog.DiscardHandler)),
					pelican.WithDeadLetter(func(context.Context, pelican.DeadLetter) error { panic("queue full") }))
			},
			data: []byte("garbage"), wantErr: pelican.ErrHandlerPanic,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := tt.sub().Deliver(context.Background(), pelican.Record{Data: tt.data, SequenceNumber: "49"})
			if !errors.Is(err, tt.wantErr) {
				t.Fatalf("Deliver error = %v, want %v", err, tt.wantErr)
			}
		})
	}
}

// TestDefaultDeadLetterLogs checks that, with no dead-letter handler, an unreadable record is
// logged at error level with where it came from, rather than dropped silently.
func TestDefaultDeadLetterLogs(t *testing.T) {
	var buf bytes.Buffer
	sub := pelican.NewSubscriber(pelican.WithLogger(slog.New(slog.NewTextHandler(&buf, nil))))
	pelican.Handle(sub, func(context.Context, *clockv1.TimeTicked) error {
		t.Error("handler called for a corrupted payload")
		return nil
	})
	rec := pelican.Record{
		Data:           envelopeOf(t, "example.clock.v1.TimeTicked", []byte{0x0a, 0x09}),
		ShardID:        "shardId-000000000003",
		SequenceNumber: "49590338271490256608559692538361571095921575989136588898",
		PartitionKey:   "zurich-hall",
	}
	if err := sub.Deliver(context.Background(), rec); err != nil {
		t.Fatalf("Deliver: %v", err)
	}
	log := buf.String()
	for _, want := range []string{"level=ERROR", "dead letter", "example.clock.v1.TimeTicked", "event-1", rec.ShardID, rec.SequenceNumber, "zurich-hall"} {
		if !strings.Contains(log, want) {
			t.Errorf("log %q lacks %q", log, want)
		}
	}
}

func TestDeadLetterCarriesRecordAndEnvelope(t *testing.T) {
	var got pelican.DeadLetter
	var meta pelican.Metadata
	sub := pelican.NewSubscriber(pelican.WithDeadLetter(func(ctx context.Context, dl pelican.DeadLetter) error {
		got = dl
		meta, _ = pelican.MetadataFromContext(ctx)
		return nil
	}))
	pelican.Handle(sub, func(context.Context, *clockv1.TimeTicked) error { return nil })
	rec := pelican.Record{Data: envelopeOf(t, "example.clock.v1.TimeTicked", []byte{0xff}), ShardID: "shardId-000000000001", SequenceNumber: "7"}
	if err := sub.Deliver(context.Background(), rec); err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(got.Record.Data, rec.Data) || got.Record.ShardID != rec.ShardID {
		t.Errorf("dead letter record = %+v, want %+v", got.Record, rec)
	}
	if got.Envelope.GetEventId() != "event-1" || meta.EventID != "event-1" || meta.Record.SequenceNumber != "7" {
		t.Errorf("dead letter envelope %v, metadata %+v", got.Envelope, meta)
	}
}

func TestHandlerContext(t *testing.T) {
	trace := pelican.TraceContext{TraceParent: "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01", TraceState: "x=y"}
	env := validEnvelope(t)
	env.Trace = &pelicanv1.TraceContext{Traceparent: trace.TraceParent, Tracestate: trace.TraceState}
	rec := pelican.Record{Data: marshal(t, env), PartitionKey: "zurich-hall", ShardID: "shardId-000000000002", SequenceNumber: "12", SubSequenceNumber: 3}

	// A handler that publishes continues the trace of the event it handles.
	sent := &recorder{}
	relay := newTestPublisher(sent)
	var meta pelican.Metadata
	sub := pelican.NewSubscriber()
	pelican.Handle(sub, func(ctx context.Context, e *clockv1.TimeTicked) error {
		meta, _ = pelican.MetadataFromContext(ctx)
		_, err := relay.Publish(ctx, &notificationv1.NotificationRequested{NotificationId: "n-" + e.GetClockId()})
		return err
	})
	if err := sub.Deliver(pelican.ContextWithTrace(context.Background(), pelican.TraceContext{TraceParent: "stale"}), rec); err != nil {
		t.Fatal(err)
	}
	want := pelican.Metadata{
		EventID: "event-1", EventType: "example.clock.v1.TimeTicked", OccurredAt: fixedTime,
		Producer: "clock-service", Trace: trace, Record: rec,
	}
	if fmt.Sprint(meta) != fmt.Sprint(want) {
		t.Errorf("metadata = %+v\nwant       %+v", meta, want)
	}
	out, err := pelican.UnmarshalEnvelope(sent.all()[0].Data)
	if err != nil {
		t.Fatal(err)
	}
	if out.GetTrace().GetTraceparent() != trace.TraceParent {
		t.Errorf("republished with traceparent %q, want %q", out.GetTrace().GetTraceparent(), trace.TraceParent)
	}
}

func TestHandleTwicePanics(t *testing.T) {
	sub := pelican.NewSubscriber()
	pelican.Handle(sub, func(context.Context, *clockv1.TimeTicked) error { return nil })
	defer func() {
		if recover() == nil {
			t.Error("a second handler for TimeTicked did not panic")
		}
	}()
	pelican.Handle(sub, func(context.Context, *clockv1.TimeTicked) error { return nil })
}

func TestHandleDynamicPanics(t *testing.T) {
	defer func() {
		v := recover()
		if v == nil || !strings.Contains(fmt.Sprint(v), "HandleType") {
			t.Errorf("Handle[*dynamicpb.Message] panicked with %v, want a pointer to HandleType", v)
		}
	}()
	pelican.Handle(pelican.NewSubscriber(), func(context.Context, *dynamicpb.Message) error { return nil })
}

func TestEventTypes(t *testing.T) {
	sub := routingSubscriber(&outcome{}, false, nil)
	got := sub.EventTypes()
	want := []string{"example.clock.v1.TimeTicked", "example.notification.v1.NotificationSent"}
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("EventTypes() = %v, want %v", got, want)
	}
}

// TestDeliverConcurrently delivers from several goroutines at once, as one worker per shard
// would, while handlers are still being registered (run with -race).
func TestDeliverConcurrently(t *testing.T) {
	sub := pelican.NewSubscriber(pelican.WithLogger(slog.New(slog.DiscardHandler)))
	var ticks, dead atomic.Int64
	pelican.Handle(sub, func(context.Context, *clockv1.TimeTicked) error { ticks.Add(1); return nil })
	good := envelopeOf(t, "example.clock.v1.TimeTicked", marshal(t, &clockv1.TimeTicked{ClockId: "c"}))
	var wg sync.WaitGroup
	for shard := range 4 {
		wg.Go(func() {
			for i := range 100 {
				data := good
				if i%10 == 0 {
					data = []byte("corrupt")
					dead.Add(1)
				}
				if err := sub.Deliver(context.Background(), pelican.Record{Data: data, ShardID: fmt.Sprint(shard)}); err != nil {
					t.Error(err)
				}
			}
		})
	}
	wg.Go(func() {
		pelican.Handle(sub, func(context.Context, *notificationv1.NotificationSent) error { return nil })
		_ = sub.EventTypes()
	})
	wg.Wait()
	if got, want := ticks.Load(), 400-dead.Load(); got != want {
		t.Errorf("handled %d ticks, want %d", got, want)
	}
}

// TestHandleBatch drives a Subscriber as the consumer does, with batches of a shard.
func TestHandleBatch(t *testing.T) {
	sent := &recorder{}
	pub := newTestPublisher(sent)
	for h := range uint32(4) {
		if _, err := pub.Publish(context.Background(), &clockv1.TimeTicked{ClockId: "zurich-hall", Hour: h}); err != nil {
			t.Fatal(err)
		}
	}
	var batch consumer.Batch
	for _, r := range sent.all() {
		batch.Records = append(batch.Records, consumer.Record{
			ShardID: r.ShardID, SequenceNumber: r.SequenceNumber, PartitionKey: r.PartitionKey, Data: r.Data,
		})
	}
	batch.ShardID = batch.Records[0].ShardID

	var hours []uint32
	var seqs []string
	failAt := uint32(2)
	boom := errors.New("cuckoo jammed")
	sub := pelican.NewSubscriber()
	pelican.Handle(sub, func(ctx context.Context, e *clockv1.TimeTicked) error {
		if e.GetHour() == failAt {
			return boom
		}
		meta, _ := pelican.MetadataFromContext(ctx)
		hours = append(hours, e.GetHour())
		seqs = append(seqs, meta.Record.SequenceNumber)
		return nil
	})
	var h consumer.Handler = sub

	if err := h.Handle(context.Background(), batch); !errors.Is(err, boom) {
		t.Fatalf("Handle error = %v, want the handler's", err)
	}
	if fmt.Sprint(hours) != "[0 1]" {
		t.Errorf("before the failure: hours %v, want [0 1] and nothing after the failed record", hours)
	}

	// The consumer delivers the batch again; this time it goes through.
	failAt = 99
	hours, seqs = nil, nil
	if err := h.Handle(context.Background(), batch); err != nil {
		t.Fatal(err)
	}
	if fmt.Sprint(hours) != "[0 1 2 3]" || seqs[3] != batch.Records[3].SequenceNumber {
		t.Errorf("retry: hours %v from %v", hours, seqs)
	}

	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	hours = nil
	if err := h.Handle(ctx, batch); !errors.Is(err, context.Canceled) || len(hours) != 0 {
		t.Errorf("cancelled: error %v after hours %v, want context.Canceled before any", err, hours)
	}
}

func BenchmarkDeliver(b *testing.B) {
	sub := pelican.NewSubscriber()
	pelican.Handle(sub, func(context.Context, *clockv1.TimeTicked) error { return nil })
	rec, err := pelican.NewPublisher(nil, pelican.WithProducerName("clock-service")).Encode(context.Background(),
		&clockv1.TimeTicked{ClockId: "zurich-hall", Hour: 7, TimeZone: "Europe/Zurich"})
	if err != nil {
		b.Fatal(err)
	}
	ctx := context.Background()
	b.ReportAllocs()
	for b.Loop() {
		if err := sub.Deliver(ctx, rec); err != nil {
			b.Fatal(err)
		}
	}
}
