package pelican_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/types/known/timestamppb"

	"github.com/pelicanhq/pelican"
	clockv1 "github.com/pelicanhq/pelican/proto/example/clock/v1"
	notificationv1 "github.com/pelicanhq/pelican/proto/example/notification/v1"
)

func TestPublish(t *testing.T) {
	sent := &recorder{}
	pub := newTestPublisher(sent)
	tick := &clockv1.TimeTicked{ClockId: "zurich-hall", Hour: 7, TickedAt: timestamppb.New(fixedTime)}

	receipt, err := pub.Publish(context.Background(), tick)
	if err != nil {
		t.Fatal(err)
	}
	want := pelican.Receipt{
		EventID: "event-1", EventType: "example.clock.v1.TimeTicked", PartitionKey: "zurich-hall",
		Placement: pelican.Placement{ShardID: "shardId-000000000000", SequenceNumber: sent.all()[0].SequenceNumber},
	}
	if receipt != want {
		t.Errorf("receipt = %+v, want %+v", receipt, want)
	}

	recs := sent.all()
	if len(recs) != 1 {
		t.Fatalf("sent %d records, want 1", len(recs))
	}
	if recs[0].PartitionKey != "zurich-hall" {
		t.Errorf("sent with partition key %q", recs[0].PartitionKey)
	}
	env, err := pelican.UnmarshalEnvelope(recs[0].Data)
	if err != nil {
		t.Fatal(err)
	}
	if env.GetVersion() != 1 || env.GetEventId() != "event-1" || env.GetEventType() != "example.clock.v1.TimeTicked" ||
		env.GetProducer() != "clock-service" || !env.GetOccurredAt().AsTime().Equal(fixedTime) || env.GetTrace() != nil {
		t.Errorf("envelope = %v", env)
	}
	var got clockv1.TimeTicked
	if err := pelican.Unwrap(env, &got); err != nil {
		t.Fatal(err)
	}
	if !proto.Equal(&got, tick) {
		t.Errorf("payload = %v, want %v", &got, tick)
	}
}

func TestPublishOptions(t *testing.T) {
	ctxTrace := pelican.TraceContext{TraceParent: "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01"}
	optTrace := pelican.TraceContext{TraceParent: "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01", TraceState: "a=1"}
	occurred := time.Date(2024, 2, 29, 12, 0, 0, 0, time.UTC)
	tests := []struct {
		name         string
		ctx          context.Context
		opts         []pelican.PublishOption
		wantID       string
		wantOccurred time.Time
		wantTrace    pelican.TraceContext
	}{
		{"defaults", context.Background(), nil, "event-1", fixedTime, pelican.TraceContext{}},
		{"event id", context.Background(), []pelican.PublishOption{pelican.WithEventID("retry-of-42")}, "retry-of-42", fixedTime, pelican.TraceContext{}},
		{"occurred at", context.Background(), []pelican.PublishOption{pelican.WithOccurredAt(occurred)}, "event-1", occurred, pelican.TraceContext{}},
		{"trace from context", pelican.ContextWithTrace(context.Background(), ctxTrace), nil, "event-1", fixedTime, ctxTrace},
		{"trace option beats context", pelican.ContextWithTrace(context.Background(), ctxTrace), []pelican.PublishOption{pelican.WithTrace(optTrace)}, "event-1", fixedTime, optTrace},
		{"zero trace option clears context", pelican.ContextWithTrace(context.Background(), ctxTrace), []pelican.PublishOption{pelican.WithTrace(pelican.TraceContext{})}, "event-1", fixedTime, pelican.TraceContext{}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			sent := &recorder{}
			pub := newTestPublisher(sent)
			if _, err := pub.Publish(tt.ctx, &clockv1.TimeTicked{ClockId: "zurich-hall"}, tt.opts...); err != nil {
				t.Fatal(err)
			}
			var meta pelican.Metadata
			sub := pelican.NewSubscriber()
			pelican.Handle(sub, func(ctx context.Context, _ *clockv1.TimeTicked) error {
				meta, _ = pelican.MetadataFromContext(ctx)
				return nil
			})
			sent.deliverAll(t, sub)
			if meta.EventID != tt.wantID || !meta.OccurredAt.Equal(tt.wantOccurred) || meta.Trace != tt.wantTrace {
				t.Errorf("metadata = %+v, want id %q occurred %v trace %+v", meta, tt.wantID, tt.wantOccurred, tt.wantTrace)
			}
		})
	}
}

func TestPublishErrors(t *testing.T) {
	t.Run("sender fails", func(t *testing.T) {
		boom := errors.New("ProvisionedThroughputExceededException")
		pub := newTestPublisher(&recorder{err: boom})
		r, err := pub.Publish(context.Background(), &clockv1.TimeTicked{ClockId: "zurich-hall"})
		if !errors.Is(err, boom) {
			t.Fatalf("error = %v, want it to wrap the sender's", err)
		}
		if r.EventID != "event-1" {
			t.Errorf("receipt of a failed publish has event id %q; want it, so the caller can retry with WithEventID", r.EventID)
		}
	})
	t.Run("no sender", func(t *testing.T) {
		_, err := pelican.NewPublisher(nil).Publish(context.Background(), &clockv1.TimeTicked{ClockId: "zurich-hall"})
		if !errors.Is(err, pelican.ErrNoSender) {
			t.Fatalf("error = %v, want ErrNoSender", err)
		}
	})
	t.Run("bad key sends nothing", func(t *testing.T) {
		sent := &recorder{}
		_, err := newTestPublisher(sent).Publish(context.Background(), &notificationv1.NotificationSent{})
		if !errors.Is(err, pelican.ErrPartitionKey) {
			t.Fatalf("error = %v, want ErrPartitionKey", err)
		}
		if n := len(sent.all()); n != 0 {
			t.Errorf("sent %d records after a key error", n)
		}
	})
	t.Run("invalid UTF-8 in the event", func(t *testing.T) {
		_, err := newTestPublisher(&recorder{}).Publish(context.Background(), &clockv1.TimeTicked{ClockId: "zurich-hall", TimeZone: "\xff"})
		if err == nil {
			t.Fatal("published an event whose string field is not UTF-8")
		}
	})
}

// TestPublishDefaultIDs checks the default publisher: fresh UUIDs, each its own partition key
// when the event marks no field.
func TestPublishDefaultIDs(t *testing.T) {
	sent := &recorder{}
	pub := pelican.NewPublisher(sent)
	a, err := pub.Publish(context.Background(), &clockv1.TimeTicked{ClockId: "zurich-hall"})
	if err != nil {
		t.Fatal(err)
	}
	b, err := pub.Publish(context.Background(), &clockv1.TimeTicked{ClockId: "zurich-hall"})
	if err != nil {
		t.Fatal(err)
	}
	if !uuidV7.MatchString(a.EventID) || a.EventID == b.EventID {
		t.Errorf("event ids %q and %q: want two distinct version 7 UUIDs", a.EventID, b.EventID)
	}
}

func BenchmarkPublish(b *testing.B) {
	pub := pelican.NewPublisher(pelican.SenderFunc(func(context.Context, string, []byte) (pelican.Placement, error) {
		return pelican.Placement{}, nil
	}), pelican.WithProducerName("clock-service"))
	tick := &clockv1.TimeTicked{ClockId: "zurich-hall", Hour: 7, TickedAt: timestamppb.New(fixedTime), TimeZone: "Europe/Zurich"}
	ctx := context.Background()
	b.ReportAllocs()
	for b.Loop() {
		if _, err := pub.Publish(ctx, tick); err != nil {
			b.Fatal(err)
		}
	}
}

// TestPublishDefaultIDsInReceipts checks that a receipt's default event id is the one its record
// carries, whether the id is also the partition key (no field marked) or not, from Publish and
// from PublishAsync.
func TestPublishDefaultIDsInReceipts(t *testing.T) {
	for _, tc := range []struct {
		name    string
		msg     proto.Message
		idIsKey bool
	}{
		{"marked key field", &clockv1.TimeTicked{ClockId: "zurich-hall", Hour: 7}, false},
		{"no marked field", timestamppb.New(fixedTime), true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			sent := &recorder{}
			pub := pelican.NewPublisher(sent, pelican.WithProducerName("clock-service"))
			ctx := context.Background()
			sync, err := pub.Publish(ctx, tc.msg)
			if err != nil {
				t.Fatal(err)
			}
			pb, err := pub.PublishAsync(ctx, tc.msg)
			if err != nil {
				t.Fatal(err)
			}
			async, err := pb.Wait(ctx)
			if err != nil {
				t.Fatal(err)
			}
			if async != (pelican.Receipt{EventID: pb.Receipt().EventID, EventType: pb.Receipt().EventType, PartitionKey: pb.Receipt().PartitionKey, Placement: async.Placement}) {
				t.Errorf("Wait's receipt %+v differs from Receipt's %+v", async, pb.Receipt())
			}
			recs := sent.all()
			if len(recs) != 2 {
				t.Fatalf("sent %d records, want 2", len(recs))
			}
			for i, r := range []pelican.Receipt{sync, async} {
				env, err := pelican.UnmarshalEnvelope(recs[i].Data)
				if err != nil {
					t.Fatal(err)
				}
				if !uuidV7.MatchString(r.EventID) || r.EventID != env.GetEventId() {
					t.Errorf("receipt's event id %q, the record's %q: want the same version 7 UUID", r.EventID, env.GetEventId())
				}
				if r.PartitionKey != recs[i].PartitionKey || (r.PartitionKey == r.EventID) != tc.idIsKey {
					t.Errorf("receipt's partition key %q, the record's %q, event id %q", r.PartitionKey, recs[i].PartitionKey, r.EventID)
				}
			}
			if sync.EventID == async.EventID {
				t.Errorf("two events with the id %s", sync.EventID)
			}
		})
	}
}
