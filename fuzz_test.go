package pelican_test

import (
	"context"
	"errors"
	"log/slog"
	"testing"

	"google.golang.org/protobuf/proto"

	"github.com/pelicanhq/pelican"
	clockv1 "github.com/pelicanhq/pelican/proto/example/clock/v1"
	notificationv1 "github.com/pelicanhq/pelican/proto/example/notification/v1"
)

// fuzzSeeds are records of every kind a subscriber meets: good envelopes, envelopes of unknown
// types, corrupted payloads, and bytes that are no envelope at all.
func fuzzSeeds(f *testing.F) {
	tick := marshal(f, &clockv1.TimeTicked{ClockId: "zurich-hall", Hour: 7, TimeZone: "Europe/Zurich"})
	f.Add(envelopeOf(f, "example.clock.v1.TimeTicked", tick))
	f.Add(envelopeOf(f, "example.clock.v1.TimeTicked", tick[:len(tick)-1]))
	f.Add(envelopeOf(f, "example.notification.v1.NotificationRequested", marshal(f, &notificationv1.NotificationRequested{
		NotificationId: "n-1", Channel: notificationv1.Channel_CHANNEL_EMAIL, Recipient: "ops@example.com",
	})))
	f.Add(envelopeOf(f, "billing.v3.InvoicePaid", []byte{1, 2, 3}))
	f.Add(tick)
	f.Add([]byte{})
	f.Add([]byte{0xF3, 0x89, 0x9A, 0xC2, 0x0a, 0x00})
	f.Add([]byte("hello, cuckoo"))
}

// FuzzDeliver checks that no record crashes a subscriber or vanishes: each one reaches exactly
// one of the handler, the fallback and the dead-letter handler, and only a record that
// UnmarshalEnvelope rejects goes to the dead letters without an envelope.
func FuzzDeliver(f *testing.F) {
	fuzzSeeds(f)
	f.Fuzz(func(t *testing.T, data []byte) {
		var handled, fallback, dead int
		var deadErr error
		var deadEnv *pelican.Envelope
		sub := pelican.NewSubscriber(
			pelican.WithLogger(slog.New(slog.DiscardHandler)),
			pelican.WithFallback(func(context.Context, *pelican.Envelope) error { fallback++; return nil }),
			pelican.WithDeadLetter(func(_ context.Context, dl pelican.DeadLetter) error {
				dead++
				deadErr, deadEnv = dl.Err, dl.Envelope
				return nil
			}),
		)
		pelican.Handle(sub, func(_ context.Context, e *clockv1.TimeTicked) error {
			handled++
			if _, err := proto.Marshal(e); err != nil {
				t.Errorf("a handled event does not marshal again: %v", err)
			}
			return nil
		})
		pelican.Handle(sub, func(context.Context, *notificationv1.NotificationRequested) error { handled++; return nil })
		if err := sub.Deliver(context.Background(), pelican.Record{Data: data}); err != nil {
			t.Fatalf("Deliver: %v", err)
		}
		if handled+fallback+dead != 1 {
			t.Fatalf("handled %d, fallback %d, dead letters %d: want exactly one", handled, fallback, dead)
		}
		_, envErr := pelican.UnmarshalEnvelope(data)
		if (envErr != nil) != (dead == 1 && deadEnv == nil) {
			t.Fatalf("UnmarshalEnvelope error %v, but dead letter %v with envelope %v", envErr, deadErr, deadEnv)
		}
		if dead == 1 && deadEnv != nil && !errors.Is(deadErr, pelican.ErrUndecodablePayload) {
			t.Fatalf("dead letter with an envelope has error %v, want ErrUndecodablePayload", deadErr)
		}
	})
}

// FuzzUnmarshalEnvelope checks that an accepted envelope survives a marshal round trip.
func FuzzUnmarshalEnvelope(f *testing.F) {
	fuzzSeeds(f)
	f.Fuzz(func(t *testing.T, data []byte) {
		env, err := pelican.UnmarshalEnvelope(data)
		if err != nil {
			if !errors.Is(err, pelican.ErrNotEnvelope) && !errors.Is(err, pelican.ErrUnsupportedVersion) {
				t.Fatalf("error %v is neither ErrNotEnvelope nor ErrUnsupportedVersion", err)
			}
			return
		}
		again, err := pelican.MarshalEnvelope(env)
		if err != nil {
			t.Fatal(err)
		}
		env2, err := pelican.UnmarshalEnvelope(again)
		if err != nil {
			t.Fatalf("re-marshalled envelope does not read: %v", err)
		}
		if !proto.Equal(env, env2) {
			t.Fatalf("round trip changed the envelope: %v != %v", env, env2)
		}
	})
}
