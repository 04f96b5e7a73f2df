package pelican_test

import (
	"context"
	"errors"
	"fmt"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/kinesis"
	"google.golang.org/protobuf/proto"

	"github.com/pelicanhq/pelican"
	"github.com/pelicanhq/pelican/pelicantest"
	clockv1 "github.com/pelicanhq/pelican/proto/example/clock/v1"
	notificationv1 "github.com/pelicanhq/pelican/proto/example/notification/v1"
)

// putRecordSender is a Sender that calls PutRecord, one record per call, the plainest transport
// there is: it shows the envelope needs nothing of the producer.
func putRecordSender(client *kinesis.Client, stream string) pelican.Sender {
	return pelican.SenderFunc(func(ctx context.Context, key string, data []byte) (pelican.Placement, error) {
		out, err := client.PutRecord(ctx, &kinesis.PutRecordInput{StreamName: &stream, PartitionKey: &key, Data: data})
		if err != nil {
			return pelican.Placement{}, err
		}
		return pelican.Placement{ShardID: aws.ToString(out.ShardId), SequenceNumber: aws.ToString(out.SequenceNumber)}, nil
	})
}

// readStream reads a whole stream back through GetRecords, in shard order.
func readStream(t *testing.T, client *kinesis.Client, stream string) []pelican.Record {
	t.Helper()
	var recs []pelican.Record
	for _, r := range pelicantest.ReadAll(t, client, stream) {
		recs = append(recs, pelican.Record{
			Data: r.Data, PartitionKey: r.PartitionKey, ShardID: r.ShardID, SequenceNumber: r.SequenceNumber, ArrivedAt: r.Arrival,
		})
	}
	return recs
}

// TestEmulatorRoundTrip publishes the events of the clock and notification services, a newer
// TimeTicked, an event type no one here knows, a corrupted payload, a newer envelope and bytes
// that are no envelope at all onto a stream of four shards, reads the stream back, and checks
// that each record reached the right place.
func TestEmulatorRoundTrip(t *testing.T) {
	e := pelicantest.NewEmulator(t)
	stream := e.NewStream(t, 4)
	client := e.Client()
	ctx := context.Background()
	pub := pelican.NewPublisher(putRecordSender(client, stream), pelican.WithProducerName("clock-service"))

	clocks := []string{"zurich-hall", "bern-tower", "basel-minster", "geneva-quay", "lucerne-bridge"}
	published := map[string]pelican.Receipt{} // by event id
	for hour := range uint32(6) {
		for _, c := range clocks {
			r, err := pub.Publish(ctx, &clockv1.TimeTicked{ClockId: c, Hour: hour, TimeZone: "Europe/Zurich"})
			if err != nil {
				t.Fatal(err)
			}
			published[r.EventID] = r
		}
	}
	mustPublish := func(m proto.Message, opts ...pelican.PublishOption) pelican.Receipt {
		t.Helper()
		r, err := pub.Publish(ctx, m, opts...)
		if err != nil {
			t.Fatal(err)
		}
		return r
	}
	mustPublish(&notificationv1.NotificationRequested{NotificationId: "n-1", Channel: notificationv1.Channel_CHANNEL_EMAIL, Recipient: "ops@example.com"})
	mustPublish(&notificationv1.NotificationSent{NotificationId: "n-1", Channel: notificationv1.Channel_CHANNEL_EMAIL, ProviderMessageId: "m-1"})
	failed := mustPublish(&notificationv1.NotificationFailed{NotificationId: "n-2", Reason: "mailbox full"})
	newer := mustPublish(newerTick(t, schemaVersion(t, "newer")))

	// Records no subscriber can read, written as raw records.
	put := func(key string, data []byte) string {
		_, seq := pelicantest.Put(t, client, stream, key, data)
		return seq
	}
	encode := func(m proto.Message, edit func(*pelican.Envelope)) []byte {
		rec, err := pub.Encode(ctx, m)
		if err != nil {
			t.Fatal(err)
		}
		env, err := pelican.UnmarshalEnvelope(rec.Data)
		if err != nil {
			t.Fatal(err)
		}
		edit(env)
		data, err := proto.Marshal(env)
		if err != nil {
			t.Fatal(err)
		}
		return data
	}
	unknownSeq := put("billing", encode(&clockv1.TimeTicked{ClockId: "x"}, func(env *pelican.Envelope) {
		env.EventType = "billing.v3.InvoicePaid"
	}))
	corruptSeq := put("zurich-hall", encode(&clockv1.TimeTicked{ClockId: "zurich-hall"}, func(env *pelican.Envelope) {
		env.Payload = env.Payload[:len(env.Payload)-2]
	}))
	futureSeq := put("zurich-hall", encode(&clockv1.TimeTicked{ClockId: "zurich-hall"}, func(env *pelican.Envelope) {
		env.Version = 2
	}))
	garbageSeq := put("legacy", []byte(`{"clock":"zurich-hall","hour":7}`))

	// The subscriber knows clocks and two of the notification events.
	type tick struct {
		hour     uint32
		shard    string
		unknowns int
	}
	ticks := map[string][]tick{}
	var newerTicks []tick // ticks with fields the generated TimeTicked does not know
	handled := map[string]int{}
	fallbacks := map[string]string{}  // sequence number -> event type
	deadLetters := map[string]error{} // sequence number -> error
	sub := pelican.NewSubscriber(
		pelican.WithFallback(func(ctx context.Context, env *pelican.Envelope) error {
			meta, _ := pelican.MetadataFromContext(ctx)
			fallbacks[meta.Record.SequenceNumber] = env.GetEventType()
			return nil
		}),
		pelican.WithDeadLetter(func(_ context.Context, dl pelican.DeadLetter) error {
			deadLetters[dl.Record.SequenceNumber] = dl.Err
			return nil
		}),
	)
	pelican.Handle(sub, func(ctx context.Context, e *clockv1.TimeTicked) error {
		meta, _ := pelican.MetadataFromContext(ctx)
		if r, ok := published[meta.EventID]; ok && (r.ShardID != meta.Record.ShardID || r.SequenceNumber != meta.Record.SequenceNumber) {
			t.Errorf("event %s published to %s/%s, read from %s/%s", meta.EventID, r.ShardID, r.SequenceNumber, meta.Record.ShardID, meta.Record.SequenceNumber)
		}
		tk := tick{e.GetHour(), meta.Record.ShardID, len(e.ProtoReflect().GetUnknown())}
		if tk.unknowns > 0 {
			if meta.EventID != newer.EventID || e.GetClockId() != "zurich-hall" {
				t.Errorf("event %s of %s has unknown fields", meta.EventID, e.GetClockId())
			}
			newerTicks = append(newerTicks, tk)
			return nil
		}
		ticks[e.GetClockId()] = append(ticks[e.GetClockId()], tk)
		return nil
	})
	pelican.Handle(sub, func(ctx context.Context, e *notificationv1.NotificationRequested) error {
		handled["requested "+e.GetRecipient()]++
		return nil
	})
	pelican.Handle(sub, func(ctx context.Context, e *notificationv1.NotificationSent) error {
		handled["sent "+e.GetProviderMessageId()]++
		return nil
	})

	src := readStream(t, client, stream)
	for _, rec := range src {
		if err := sub.Deliver(ctx, rec); err != nil {
			t.Fatalf("Deliver %s/%s: %v", rec.ShardID, rec.SequenceNumber, err)
		}
	}

	// Every clock's ticks arrive in order, from one shard; the clocks spread over the shards.
	shards := map[string]bool{}
	for _, c := range clocks {
		got := ticks[c]
		if len(got) != 6 {
			t.Errorf("%s: %d ticks, want 6", c, len(got))
			continue
		}
		for i, tk := range got {
			if tk.hour != uint32(i) || tk.shard != got[0].shard || tk.unknowns != 0 {
				t.Errorf("%s tick %d = %+v; want hour %d from shard %s with no unknown fields", c, i, tk, i, got[0].shard)
			}
		}
		shards[got[0].shard] = true
	}
	if len(shards) < 2 {
		t.Errorf("five clocks all landed on %v; partition keys are not spreading", shards)
	}
	// The newer TimeTicked reached the older subscriber, its new fields kept, on its clock's shard.
	if len(newerTicks) != 1 || newerTicks[0].hour != 7 || newerTicks[0].shard != newer.ShardID {
		t.Errorf("ticks with unknown fields = %+v, want the newer TimeTicked of hour 7", newerTicks)
	}
	if fmt.Sprint(handled) != "map[requested ops@example.com:1 sent m-1:1]" {
		t.Errorf("notification handlers saw %v", handled)
	}
	wantFallbacks := map[string]string{
		failed.SequenceNumber: "example.notification.v1.NotificationFailed",
		unknownSeq:            "billing.v3.InvoicePaid",
	}
	if fmt.Sprint(fallbacks) != fmt.Sprint(wantFallbacks) {
		t.Errorf("fallback saw %v, want %v", fallbacks, wantFallbacks)
	}
	wantDead := map[string]error{
		corruptSeq: pelican.ErrUndecodablePayload,
		futureSeq:  pelican.ErrUnsupportedVersion,
		garbageSeq: pelican.ErrNotEnvelope,
	}
	if len(deadLetters) != len(wantDead) {
		t.Errorf("dead letters %v, want %v", deadLetters, wantDead)
	}
	for seq, want := range wantDead {
		if !errors.Is(deadLetters[seq], want) {
			t.Errorf("record %s: dead letter %v, want %v", seq, deadLetters[seq], want)
		}
	}
	if n := len(src); n != 30+4+4 {
		t.Errorf("read %d records back, want %d", n, 30+4+4)
	}
}
