package pelican_test

import (
	"context"
	"errors"
	"fmt"

	"github.com/pelicanhq/pelican"
	clockv1 "github.com/pelicanhq/pelican/proto/example/clock/v1"
	notificationv1 "github.com/pelicanhq/pelican/proto/example/notification/v1"
)

// loopback is a Sender that delivers each record straight to a Subscriber, standing in for a
// stream so that the examples run without one.
func loopback(sub *pelican.Subscriber) pelican.Sender {
	n := 0
	return pelican.SenderFunc(func(ctx context.Context, key string, data []byte) (pelican.Placement, error) {
		n++
		seq := fmt.Sprint(n)
		err := sub.Deliver(ctx, pelican.Record{Data: data, PartitionKey: key, ShardID: "shardId-000000000000", SequenceNumber: seq})
		return pelican.Placement{ShardID: "shardId-000000000000", SequenceNumber: seq}, err
	})
}

// The clock service publishes the hour; the notification service handles it by type.
func Example() {
	ctx := context.Background()

	sub := pelican.NewSubscriber()
	pelican.Handle(sub, func(ctx context.Context, e *clockv1.TimeTicked) error {
		meta, _ := pelican.MetadataFromContext(ctx)
		fmt.Printf("%s struck %d, from %s, key %s\n", e.GetClockId(), e.GetHour(), meta.Producer, meta.Record.PartitionKey)
		return nil
	})

	pub := pelican.NewPublisher(loopback(sub), pelican.WithProducerName("clock-service"))
	if _, err := pub.Publish(ctx, &clockv1.TimeTicked{ClockId: "zurich-hall", Hour: 7}); err != nil {
		fmt.Println(err)
	}
	// Output: zurich-hall struck 7, from clock-service, key zurich-hall
}

func ExampleHandle() {
	sub := pelican.NewSubscriber()
	pelican.Handle(sub, func(ctx context.Context, e *notificationv1.NotificationRequested) error {
		fmt.Printf("send %s to %s: %s\n", e.GetChannel(), e.GetRecipient(), e.GetSubject())
		return nil
	})
	pelican.Handle(sub, func(ctx context.Context, e *notificationv1.NotificationFailed) error {
		fmt.Printf("%s failed: %s\n", e.GetNotificationId(), e.GetReason())
		return nil
	})
	fmt.Println(sub.EventTypes())

	pub := pelican.NewPublisher(loopback(sub))
	_, _ = pub.Publish(context.Background(), &notificationv1.NotificationRequested{
		NotificationId: "n-7", Channel: notificationv1.Channel_CHANNEL_CHAT, Recipient: "#clock-room", Subject: "Cuckoo!",
	})
	_, _ = pub.Publish(context.Background(), &notificationv1.NotificationFailed{NotificationId: "n-7", Reason: "room archived"})
	// Output:
	// [example.notification.v1.NotificationFailed example.notification.v1.NotificationRequested]
	// send CHANNEL_CHAT to #clock-room: Cuckoo!
	// n-7 failed: room archived
}

func ExamplePublisher_Publish() {
	sub := pelican.NewSubscriber(pelican.WithFallback(func(ctx context.Context, env *pelican.Envelope) error {
		meta, _ := pelican.MetadataFromContext(ctx)
		fmt.Printf("%s with key %s\n", env.GetEventType(), meta.Record.PartitionKey)
		return nil
	}))
	pub := pelican.NewPublisher(loopback(sub), pelican.WithProducerName("clock-service"))
	ctx := context.Background()

	// The key is the field marked (pelican.v1.partition_key) = true: clock_id.
	_, _ = pub.Publish(ctx, &clockv1.TimeTicked{ClockId: "bern-tower", Hour: 12})
	// An explicit key puts the ticks of every clock in one shard, in one order.
	r, _ := pub.Publish(ctx, &clockv1.TimeTicked{ClockId: "bern-tower", Hour: 13}, pelican.WithPartitionKey("all-clocks"))
	fmt.Println(r.EventType, r.SequenceNumber)
	// Output:
	// example.clock.v1.TimeTicked with key bern-tower
	// example.clock.v1.TimeTicked with key all-clocks
	// example.clock.v1.TimeTicked 2
}

func ExampleWithDeadLetter() {
	sub := pelican.NewSubscriber(pelican.WithDeadLetter(func(ctx context.Context, dl pelican.DeadLetter) error {
		switch {
		case errors.Is(dl.Err, pelican.ErrNotEnvelope):
			fmt.Printf("record %s is not an event\n", dl.Record.SequenceNumber)
		case errors.Is(dl.Err, pelican.ErrUndecodablePayload):
			fmt.Printf("record %s holds a %s that does not decode\n", dl.Record.SequenceNumber, dl.Envelope.GetEventType())
		}
		return nil // done with it: a real handler would store it for people to look at
	}))
	pelican.Handle(sub, func(context.Context, *clockv1.TimeTicked) error { return nil })

	ctx := context.Background()
	_ = sub.Deliver(ctx, pelican.Record{SequenceNumber: "1", Data: []byte("cuckoo")})
	rec, _ := pelican.NewPublisher(nil).Encode(ctx, &clockv1.TimeTicked{ClockId: "zurich-hall"})
	env, _ := pelican.UnmarshalEnvelope(rec.Data)
	env.Payload = []byte{0x0a, 0x20} // clock_id announces 32 bytes and has none
	rec.Data, _ = pelican.MarshalEnvelope(env)
	rec.SequenceNumber = "2"
	_ = sub.Deliver(ctx, rec)
	// Output:
	// record 1 is not an event
	// record 2 holds a example.clock.v1.TimeTicked that does not decode
}
