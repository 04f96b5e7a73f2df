package pelican_test

import (
	"bytes"
	"context"
	"encoding/hex"
	"errors"
	"flag"
	"os"
	"path/filepath"
	"testing"

	"google.golang.org/protobuf/encoding/protowire"
	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/types/known/timestamppb"

	"github.com/pelicanhq/pelican"
	clockv1 "github.com/pelicanhq/pelican/proto/example/clock/v1"
	notificationv1 "github.com/pelicanhq/pelican/proto/example/notification/v1"
	pelicanv1 "github.com/pelicanhq/pelican/proto/pelican/v1"
)

var update = flag.Bool("update", false, "rewrite the golden files under testdata/")

func marshal(t testing.TB, m proto.Message) []byte {
	t.Helper()
	b, err := proto.MarshalOptions{Deterministic: true}.Marshal(m)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// validEnvelope returns an envelope of a TimeTicked that UnmarshalEnvelope accepts.
func validEnvelope(t testing.TB) *pelicanv1.Envelope {
	return &pelicanv1.Envelope{
		Version:    pelican.EnvelopeVersion,
		EventId:    "event-1",
		EventType:  "example.clock.v1.TimeTicked",
		OccurredAt: timestamppb.New(fixedTime),
		Producer:   "clock-service",
		Payload:    marshal(t, &clockv1.TimeTicked{ClockId: "zurich-hall", Hour: 7}),
	}
}

func TestUnmarshalEnvelope(t *testing.T) {
	edit := func(f func(*pelicanv1.Envelope)) []byte {
		env := validEnvelope(t)
		f(env)
		return marshal(t, env)
	}
	tests := []struct {
		name    string
		data    []byte
		wantErr error
	}{
		{"valid", edit(func(*pelicanv1.Envelope) {}), nil},
		{"no occurred-at", edit(func(e *pelicanv1.Envelope) { e.OccurredAt = nil }), nil},
		{"empty payload", edit(func(e *pelicanv1.Envelope) { e.Payload = nil }), nil},
		{"empty record", nil, pelican.ErrNotEnvelope},
		{"plain text", []byte("hello, cuckoo"), pelican.ErrNotEnvelope},
		{"JSON", []byte(`{"clockId":"zurich-hall","hour":7}`), pelican.ErrNotEnvelope},
		{"truncated", edit(func(*pelicanv1.Envelope) {})[:20], pelican.ErrNotEnvelope},
		{"bare event, not wrapped", marshal(t, &clockv1.TimeTicked{ClockId: "zurich-hall", Hour: 7}), pelican.ErrNotEnvelope},
		{"no version", edit(func(e *pelicanv1.Envelope) { e.Version = 0 }), pelican.ErrNotEnvelope},
		{"future version", edit(func(e *pelicanv1.Envelope) { e.Version = 2 }), pelican.ErrUnsupportedVersion},
		{"no event id", edit(func(e *pelicanv1.Envelope) { e.EventId = "" }), pelican.ErrNotEnvelope},
		{"no event type", edit(func(e *pelicanv1.Envelope) { e.EventType = "" }), pelican.ErrNotEnvelope},
		{"event type not a name", edit(func(e *pelicanv1.Envelope) { e.EventType = "clock ticked!" }), pelican.ErrNotEnvelope},
		{"occurred-at out of range", edit(func(e *pelicanv1.Envelope) { e.OccurredAt = &timestamppb.Timestamp{Seconds: 1 << 62} }), pelican.ErrNotEnvelope},
		{"invalid UTF-8 in producer", protowire.AppendString(protowire.AppendTag(edit(func(*pelicanv1.Envelope) {}), 5, protowire.BytesType), "clock\xff"), pelican.ErrNotEnvelope},
		{"KPL aggregated record", append([]byte{0xF3, 0x89, 0x9A, 0xC2}, edit(func(*pelicanv1.Envelope) {})...), pelican.ErrNotEnvelope},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			env, err := pelican.UnmarshalEnvelope(tt.data)
			if tt.wantErr == nil {
				if err != nil {
					t.Fatalf("UnmarshalEnvelope: %v", err)
				}
				if env.GetEventType() != "example.clock.v1.TimeTicked" {
					t.Errorf("event type = %q", env.GetEventType())
				}
				return
			}
			if !errors.Is(err, tt.wantErr) {
				t.Fatalf("UnmarshalEnvelope error = %v, want %v", err, tt.wantErr)
			}
			if env != nil {
				t.Errorf("UnmarshalEnvelope returned an envelope with its error")
			}
		})
	}
}

// TestEnvelopeKeepsUnknownFields checks that an envelope written by a newer Pelican, with
// fields this one does not know, still reads and still carries those fields when re-marshalled.
func TestEnvelopeKeepsUnknownFields(t *testing.T) {
	data := marshal(t, validEnvelope(t))
	data = protowire.AppendTag(data, 99, protowire.BytesType)
	data = protowire.AppendString(data, "from a newer envelope")
	env, err := pelican.UnmarshalEnvelope(data)
	if err != nil {
		t.Fatal(err)
	}
	again, err := pelican.MarshalEnvelope(env)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Contains(again, []byte("from a newer envelope")) {
		t.Error("the unknown envelope field was dropped on re-marshalling")
	}
}

func TestUnwrap(t *testing.T) {
	env := validEnvelope(t)
	var tick clockv1.TimeTicked
	if err := pelican.Unwrap(env, &tick); err != nil {
		t.Fatal(err)
	}
	if tick.GetClockId() != "zurich-hall" || tick.GetHour() != 7 {
		t.Errorf("unwrapped %v", &tick)
	}

	var sent notificationv1.NotificationSent
	if err := pelican.Unwrap(env, &sent); !errors.Is(err, pelican.ErrTypeMismatch) {
		t.Errorf("Unwrap into another type: error = %v, want ErrTypeMismatch", err)
	}

	env.Payload = []byte{0x0a, 0x05, 'z'} // clock_id says 5 bytes; 1 follows
	if err := pelican.Unwrap(env, &tick); !errors.Is(err, pelican.ErrUndecodablePayload) {
		t.Errorf("Unwrap of a truncated payload: error = %v, want ErrUndecodablePayload", err)
	}
}

// TestEnvelopeGolden pins the envelope's wire bytes, the contract with subscribers written in
// other languages. Rewrite with go test -run TestEnvelopeGolden -update.
func TestEnvelopeGolden(t *testing.T) {
	pub := newTestPublisher(&recorder{})
	ctx := pelican.ContextWithTrace(context.Background(), pelican.TraceContext{
		TraceParent: "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01",
		TraceState:  "pelican=1",
	})
	rec, err := pub.Encode(ctx, &clockv1.TimeTicked{
		ClockId: "zurich-hall", Hour: 7, TickedAt: timestamppb.New(fixedTime), TimeZone: "Europe/Zurich",
	}, pelican.WithEventID("0193a1b2-7c3d-7e4f-8a5b-6c7d8e9f0a1b"))
	if err != nil {
		t.Fatal(err)
	}
	got := []byte("partition key: " + rec.PartitionKey + "\n" + hex.Dump(rec.Data))
	path := filepath.Join("testdata", "envelope_timeticked.golden")
	if *update {
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run with -update to create it)", err)
	}
	if !bytes.Equal(got, want) {
		t.Errorf("envelope bytes changed; if on purpose, rerun with -update\ngot:\n%s\nwant:\n%s", got, want)
	}
}
