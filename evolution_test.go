package pelican_test

import (
	"context"
	"testing"

	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/reflect/protoreflect"
	"google.golang.org/protobuf/types/known/timestamppb"

	"github.com/pelicanhq/pelican"
	clockv1 "github.com/pelicanhq/pelican/proto/example/clock/v1"
)

// newerTick returns a TimeTicked of the newer schema with every field set.
func newerTick(t testing.TB, mt protoreflect.MessageType) proto.Message {
	t.Helper()
	m := mt.New()
	fields := m.Descriptor().Fields()
	set := func(name string, v protoreflect.Value) {
		fd := fields.ByName(protoreflect.Name(name))
		if fd == nil {
			t.Fatalf("newer schema has no field %s", name)
		}
		m.Set(fd, v)
	}
	set("clock_id", protoreflect.ValueOfString("zurich-hall"))
	set("hour", protoreflect.ValueOfUint32(7))
	ticked := timestamppb.New(fixedTime)
	tsField := fields.ByName("ticked_at")
	tsMsg := m.NewField(tsField).Message()
	tsMsg.Set(tsMsg.Descriptor().Fields().ByName("seconds"), protoreflect.ValueOfInt64(ticked.GetSeconds()))
	m.Set(tsField, protoreflect.ValueOfMessage(tsMsg))
	set("time_zone", protoreflect.ValueOfString("Europe/Zurich"))
	set("cuckoos", protoreflect.ValueOfUint32(7))
	set("chime", protoreflect.ValueOfEnum(2))
	locField := fields.ByName("location")
	loc := m.NewField(locField).Message()
	loc.Set(loc.Descriptor().Fields().ByName("room"), protoreflect.ValueOfString("hall"))
	loc.Set(loc.Descriptor().Fields().ByName("latitude"), protoreflect.ValueOfFloat64(47.37))
	m.Set(locField, protoreflect.ValueOfMessage(loc))
	labels := m.Mutable(fields.ByName("labels")).List()
	labels.Append(protoreflect.ValueOfString("antique"))
	labels.Append(protoreflect.ValueOfString("black-forest"))
	attrs := m.Mutable(fields.ByName("attributes")).Map()
	attrs.Set(protoreflect.ValueOfString("maker").MapKey(), protoreflect.ValueOfString("Schwarzwald"))
	return m.Interface()
}

// TestNewerEventsReachOlderSubscriber publishes a TimeTicked of a newer schema than the
// subscriber's generated code knows, and checks that the subscriber reads the fields it knows,
// keeps the rest, and passes them on when it publishes the event again.
func TestNewerEventsReachOlderSubscriber(t *testing.T) {
	newer := schemaVersion(t, "newer")
	sent := newerTick(t, newer)

	upstream := &recorder{}
	rec, err := newTestPublisher(upstream).Publish(context.Background(), sent)
	if err != nil {
		t.Fatal(err)
	}
	if rec.PartitionKey != "zurich-hall" {
		t.Errorf("partition key of the newer event = %q, want the marked clock_id %q", rec.PartitionKey, "zurich-hall")
	}

	// The older subscriber forwards what it reads, as a relay between two streams would.
	downstream := &recorder{}
	relay := newTestPublisher(downstream)
	var got *clockv1.TimeTicked
	sub := pelican.NewSubscriber()
	pelican.Handle(sub, func(ctx context.Context, e *clockv1.TimeTicked) error {
		got = e
		_, err := relay.Publish(ctx, e)
		return err
	})
	upstream.deliverAll(t, sub)

	if got == nil {
		t.Fatal("the handler was not called")
	}
	want := &clockv1.TimeTicked{ClockId: "zurich-hall", Hour: 7, TickedAt: timestamppb.New(fixedTime), TimeZone: "Europe/Zurich"}
	gotKnown := proto.Clone(got).(*clockv1.TimeTicked)
	gotKnown.ProtoReflect().SetUnknown(nil)
	if !proto.Equal(gotKnown, want) {
		t.Errorf("known fields = %v, want %v", gotKnown, want)
	}
	if len(got.ProtoReflect().GetUnknown()) == 0 {
		t.Error("the fields the older schema does not know were dropped, want them kept as unknown fields")
	}

	// A newer reader of the relayed event sees every field the first publisher set.
	newerSub := pelican.NewSubscriber()
	var relayed proto.Message
	pelican.HandleType(newerSub, newer, func(_ context.Context, e proto.Message) error {
		relayed = e
		return nil
	})
	downstream.deliverAll(t, newerSub)
	if !proto.Equal(relayed, sent) {
		t.Errorf("relayed through an older subscriber = %v, want %v", relayed, sent)
	}
}

// TestOlderEventsReachNewerSubscriber publishes a TimeTicked of an older schema and reads it
// with the generated code and with the newer schema: fields the publisher did not know read as
// their zero values.
func TestOlderEventsReachNewerSubscriber(t *testing.T) {
	older := schemaVersion(t, "older")
	m := older.New()
	m.Set(m.Descriptor().Fields().ByName("clock_id"), protoreflect.ValueOfString("bern-tower"))
	m.Set(m.Descriptor().Fields().ByName("hour"), protoreflect.ValueOfUint32(12))

	sent := &recorder{}
	if _, err := newTestPublisher(sent).Publish(context.Background(), m.Interface()); err != nil {
		t.Fatal(err)
	}

	var generated *clockv1.TimeTicked
	var newerRead proto.Message
	sub := pelican.NewSubscriber()
	pelican.Handle(sub, func(_ context.Context, e *clockv1.TimeTicked) error { generated = e; return nil })
	sent.deliverAll(t, sub)

	newer := schemaVersion(t, "newer")
	newerSub := pelican.NewSubscriber()
	pelican.HandleType(newerSub, newer, func(_ context.Context, e proto.Message) error { newerRead = e; return nil })
	sent.deliverAll(t, newerSub)

	want := &clockv1.TimeTicked{ClockId: "bern-tower", Hour: 12}
	if !proto.Equal(generated, want) {
		t.Errorf("generated subscriber read %v, want %v", generated, want)
	}
	if newerRead == nil {
		t.Fatal("the newer subscriber's handler was not called")
	}
	nm := newerRead.ProtoReflect()
	fields := nm.Descriptor().Fields()
	if got := nm.Get(fields.ByName("clock_id")).String(); got != "bern-tower" {
		t.Errorf("newer subscriber read clock_id %q, want bern-tower", got)
	}
	for _, name := range []protoreflect.Name{"time_zone", "cuckoos", "chime", "location", "labels", "attributes"} {
		if nm.Has(fields.ByName(name)) {
			t.Errorf("newer subscriber sees %s set on an event from a publisher that did not know it", name)
		}
	}
}
