package pelican_test

import (
	"context"
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/pelicanhq/pelican"
	"github.com/pelicanhq/pelican/pelicantest"
	"github.com/pelicanhq/pelican/producer"
	clockv1 "github.com/pelicanhq/pelican/proto/example/clock/v1"
)

// TestPublishAsyncThroughProducer keeps many events in flight through the producer into the
// emulator and checks that each Wait reports where its event landed, every one in its own place.
func TestPublishAsyncThroughProducer(t *testing.T) {
	e := pelicantest.NewEmulator(t)
	stream := e.NewStream(t, 4)
	ctx := context.Background()
	prod, err := producer.New(ctx, e.Client(), stream, producer.WithMaxBufferedTime(5*time.Millisecond))
	if err != nil {
		t.Fatal(err)
	}
	defer func() { _ = prod.Close(ctx) }()
	pub := pelican.NewPublisher(pelican.ProducerSender(prod), pelican.WithProducerName("clock-service"))
	const n = 500
	pending := make([]*pelican.Publication, 0, n)
	for i := range n {
		pb, err := pub.PublishAsync(ctx, &clockv1.TimeTicked{ClockId: fmt.Sprintf("clock-%d", i%50), Hour: uint32(i % 24)})
		if err != nil {
			t.Fatal(err)
		}
		pending = append(pending, pb)
	}
	places := map[pelican.Placement]bool{}
	for i, pb := range pending {
		r, err := pb.Wait(ctx)
		if err != nil {
			t.Fatalf("event %d: %v", i, err)
		}
		if r.ShardID == "" || r.SequenceNumber == "" || r.EventID != pb.Receipt().EventID || r.PartitionKey != fmt.Sprintf("clock-%d", i%50) {
			t.Fatalf("event %d: receipt %+v", i, r)
		}
		places[r.Placement] = true
	}
	if len(places) != n {
		t.Fatalf("%d events landed in %d places", n, len(places))
	}
}

// TestPublishAsyncReportsFailure checks that a plain Sender's failure reaches Wait, named by event.
func TestPublishAsyncReportsFailure(t *testing.T) {
	refused := errors.New("refused")
	pub := pelican.NewPublisher(pelican.SenderFunc(func(context.Context, string, []byte) (pelican.Placement, error) {
		return pelican.Placement{}, refused
	}))
	pb, err := pub.PublishAsync(context.Background(), &clockv1.TimeTicked{ClockId: "c"})
	if err != nil {
		t.Fatal(err)
	}
	r, err := pb.Wait(context.Background())
	if !errors.Is(err, refused) || r.EventID == "" {
		t.Fatalf("Wait: %+v, %v; want the sender's error and the event's id", r, err)
	}
	if _, err := pelican.NewPublisher(nil).PublishAsync(context.Background(), &clockv1.TimeTicked{ClockId: "c"}); !errors.Is(err, pelican.ErrNoSender) {
		t.Fatalf("without a sender: %v", err)
	}
}

func ExamplePublisher_PublishAsync() {
	ctx := context.Background()
	// Any Sender works; the producer's (ProducerSender) keeps every event in flight at once.
	sender := pelican.SenderFunc(func(ctx context.Context, key string, data []byte) (pelican.Placement, error) {
		return pelican.Placement{ShardID: "shardId-000000000000", SequenceNumber: "4961"}, nil
	})
	pub := pelican.NewPublisher(sender, pelican.WithProducerName("clock-service"))
	var pending []*pelican.Publication
	for hour := range 3 {
		pb, err := pub.PublishAsync(ctx, &clockv1.TimeTicked{ClockId: "zurich-hall", Hour: uint32(hour)})
		if err != nil {
			fmt.Println(err)
			return
		}
		pending = append(pending, pb)
	}
	for _, pb := range pending {
		r, err := pb.Wait(ctx)
		if err != nil {
			fmt.Println(err)
			return
		}
		fmt.Println(r.EventType, r.PartitionKey, r.ShardID)
	}
	// Output:
	// example.clock.v1.TimeTicked zurich-hall shardId-000000000000
	// example.clock.v1.TimeTicked zurich-hall shardId-000000000000
	// example.clock.v1.TimeTicked zurich-hall shardId-000000000000
}
