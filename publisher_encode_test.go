package pelican_test

import (
	"bytes"
	"context"
	"strings"
	"testing"
	"time"

	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/types/known/timestamppb"

	"github.com/pelicanhq/pelican"
	clockv1 "github.com/pelicanhq/pelican/proto/example/clock/v1"
	pelicanv1 "github.com/pelicanhq/pelican/proto/pelican/v1"
)

// envelopeByReflection is the record MarshalEnvelope writes for an event: what Encode must write.
func envelopeByReflection(t testing.TB, msg proto.Message, producer, id string, at time.Time, tc pelican.TraceContext) []byte {
	t.Helper()
	payload, err := proto.MarshalOptions{Deterministic: true}.Marshal(msg)
	if err != nil {
		t.Fatal(err)
	}
	env := &pelican.Envelope{Version: pelican.EnvelopeVersion, EventId: id, EventType: string(msg.ProtoReflect().Descriptor().FullName()),
		OccurredAt: timestamppb.New(at), Producer: producer, Payload: payload}
	if !tc.IsZero() {
		env.Trace = &pelicanv1.TraceContext{Traceparent: tc.TraceParent, Tracestate: tc.TraceState}
	}
	b, err := pelican.MarshalEnvelope(env)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func checkEncodeMatchesReflection(t testing.TB, msg proto.Message, producer, id string, at time.Time, tc pelican.TraceContext) {
	t.Helper()
	pub := pelican.NewPublisher(nil, pelican.WithProducerName(producer))
	rec, err := pub.Encode(context.Background(), msg, pelican.WithEventID(id), pelican.WithOccurredAt(at), pelican.WithTrace(tc), pelican.WithPartitionKey("k"))
	if err != nil {
		t.Fatal(err)
	}
	if want := envelopeByReflection(t, msg, producer, id, at, tc); !bytes.Equal(rec.Data, want) {
		t.Fatalf("Encode wrote\n%x\nMarshalEnvelope writes\n%x", rec.Data, want)
	}
}

// TestEncodeMatchesMarshalEnvelope holds the hand-written envelope to MarshalEnvelope's bytes.
func TestEncodeMatchesMarshalEnvelope(t *testing.T) {
	at := time.Date(2026, 12, 7, 13, 30, 0, 123456789, time.UTC)
	full := &clockv1.TimeTicked{ClockId: "zurich-hall", Hour: 7, TickedAt: timestamppb.New(at), TimeZone: "Europe/Zurich"}
	for _, tc := range []struct {
		name     string
		msg      proto.Message
		producer string
		at       time.Time
		trace    pelican.TraceContext
	}{
		{"full", full, "clock-service", at, pelican.TraceContext{TraceParent: "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01", TraceState: "a=b"}},
		{"no producer, no trace", full, "", at, pelican.TraceContext{}},
		{"trace state only", full, "p", at, pelican.TraceContext{TraceState: "x=y"}},
		{"empty payload", &clockv1.TimeTicked{}, "p", at, pelican.TraceContext{}},
		{"whole second", full, "p", at.Truncate(time.Second), pelican.TraceContext{}},
		{"epoch", full, "p", time.Unix(0, 1), pelican.TraceContext{}},
		{"before the epoch", full, "p", time.Date(1969, 7, 20, 20, 17, 40, 5, time.UTC), pelican.TraceContext{}},
		{"long strings", full, string(bytes.Repeat([]byte("é"), 200)), at, pelican.TraceContext{TraceParent: string(bytes.Repeat([]byte("t"), 300))}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			checkEncodeMatchesReflection(t, tc.msg, tc.producer, "0192f7c2-7b1a-7cde-8f00-0123456789ab", tc.at, tc.trace)
		})
	}
}

// TestEncodeDefaultIDMatchesMarshalEnvelope holds records with default event ids (written into the
// record as text, without becoming a string first) to MarshalEnvelope's bytes of the envelope they
// carry, with the id in its own field and as the partition key, with and without a trace.
func TestEncodeDefaultIDMatchesMarshalEnvelope(t *testing.T) {
	at := time.Date(2026, 12, 7, 13, 30, 0, 123456789, time.UTC)
	traced := pelican.ContextWithTrace(context.Background(), pelican.TraceContext{TraceParent: "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01"})
	for _, tc := range []struct {
		name    string
		ctx     context.Context
		msg     proto.Message
		idIsKey bool
	}{
		{"marked key field", context.Background(), &clockv1.TimeTicked{ClockId: "zurich-hall", Hour: 7, TickedAt: timestamppb.New(at)}, false},
		{"marked key field, traced", traced, &clockv1.TimeTicked{ClockId: "zurich-hall"}, false},
		{"id is the key", context.Background(), timestamppb.New(at), true},
		{"id is the key, empty payload", traced, &timestamppb.Timestamp{}, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			pub := pelican.NewPublisher(nil, pelican.WithProducerName("clock-service"))
			for range 100 {
				rec, err := pub.Encode(tc.ctx, tc.msg)
				if err != nil {
					t.Fatal(err)
				}
				env, err := pelican.UnmarshalEnvelope(rec.Data)
				if err != nil {
					t.Fatal(err)
				}
				if !uuidV7.MatchString(env.GetEventId()) {
					t.Fatalf("event id %q is not a version 7 UUID", env.GetEventId())
				}
				if (rec.PartitionKey == env.GetEventId()) != tc.idIsKey {
					t.Fatalf("partition key %q, event id %q", rec.PartitionKey, env.GetEventId())
				}
				want, err := pelican.MarshalEnvelope(env)
				if err != nil {
					t.Fatal(err)
				}
				if !bytes.Equal(rec.Data, want) {
					t.Fatalf("Encode wrote\n%x\nMarshalEnvelope writes\n%x", rec.Data, want)
				}
			}
		})
	}
}

// TestEncodeRefusesInvalidUTF8 checks that a string proto3 cannot carry is still refused, wherever
// it comes from.
func TestEncodeRefusesInvalidUTF8(t *testing.T) {
	msg := &clockv1.TimeTicked{ClockId: "c"}
	for name, encode := range map[string]func() error{
		"producer": func() error {
			_, err := pelican.NewPublisher(nil, pelican.WithProducerName("bad\xff")).Encode(context.Background(), msg)
			return err
		},
		"event id": func() error {
			_, err := pelican.NewPublisher(nil).Encode(context.Background(), msg, pelican.WithEventID("bad\xff"))
			return err
		},
		"event ids": func() error {
			_, err := pelican.NewPublisher(nil, pelican.WithEventIDs(func() string { return "bad\xff" })).Encode(context.Background(), msg)
			return err
		},
		"trace": func() error {
			_, err := pelican.NewPublisher(nil).Encode(context.Background(), msg, pelican.WithTrace(pelican.TraceContext{TraceState: "bad\xff"}))
			return err
		},
	} {
		if err := encode(); err == nil || !strings.Contains(err.Error(), "UTF-8") {
			t.Errorf("%s of invalid UTF-8: error %v, want one naming UTF-8", name, err)
		}
	}
}

func FuzzEncodeMatchesMarshalEnvelope(f *testing.F) {
	f.Add("clock-service", "id", int64(1764000000), int32(5), "tp", "ts", "zurich", uint32(7))
	f.Add("", "", int64(-1), int32(999999999), "", "", "", uint32(0))
	f.Fuzz(func(t *testing.T, producer, id string, secs int64, nanos int32, tp, ts, clock string, hour uint32) {
		if nanos < 0 || nanos > 999999999 || secs < -62135596800 || secs > 253402300799 {
			return // outside what a Timestamp holds
		}
		if id == "" {
			id = "e" // an empty id makes Encode draw one
		}
		msg := &clockv1.TimeTicked{ClockId: clock, Hour: hour}
		pub := pelican.NewPublisher(nil, pelican.WithProducerName(producer))
		at := time.Unix(secs, int64(nanos))
		trace := pelican.TraceContext{TraceParent: tp, TraceState: ts}
		rec, err := pub.Encode(context.Background(), msg, pelican.WithEventID(id), pelican.WithOccurredAt(at), pelican.WithTrace(trace), pelican.WithPartitionKey("k"))
		payload, perr := proto.MarshalOptions{Deterministic: true}.Marshal(msg)
		env := &pelican.Envelope{Version: pelican.EnvelopeVersion, EventId: id, EventType: string(msg.ProtoReflect().Descriptor().FullName()),
			OccurredAt: timestamppb.New(at), Producer: producer, Payload: payload}
		if !trace.IsZero() {
			env.Trace = &pelicanv1.TraceContext{Traceparent: tp, Tracestate: ts}
		}
		want, werr := pelican.MarshalEnvelope(env)
		if (err != nil) != (werr != nil || perr != nil) {
			t.Fatalf("Encode error %v, MarshalEnvelope error %v / %v", err, werr, perr)
		}
		if err == nil && !bytes.Equal(rec.Data, want) {
			t.Fatalf("Encode wrote %x, MarshalEnvelope writes %x", rec.Data, want)
		}
	})
}
