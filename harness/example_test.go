package harness_test

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/kinesis"

	"github.com/pelicanhq/pelican"
	"github.com/pelicanhq/pelican/harness"
	"github.com/pelicanhq/pelican/pelicantest"
	clockv1 "github.com/pelicanhq/pelican/proto/example/clock/v1"
)

// Record taps a stream, here an emulator's, and writes what it reads as a fixture.
func ExampleRecord() {
	em, err := pelicantest.Run(pelicantest.WithStream("clock-events", 2))
	if err != nil {
		fmt.Println(err)
		return
	}
	defer em.Close()
	client := em.Client()

	ctx := context.Background()
	pub := pelican.NewPublisher(pelican.SenderFunc(func(ctx context.Context, key string, data []byte) (pelican.Placement, error) {
		_, err := client.PutRecord(ctx, &kinesis.PutRecordInput{StreamName: aws.String("clock-events"), PartitionKey: &key, Data: data})
		return pelican.Placement{}, err
	}))
	for h := uint32(6); h < 9; h++ {
		if _, err := pub.Publish(ctx, &clockv1.TimeTicked{ClockId: "zurich-hall", Hour: h}); err != nil {
			fmt.Println(err)
			return
		}
	}

	var fixture bytes.Buffer
	stats, err := harness.Record(ctx, client, "clock-events", &fixture, harness.WithLimit(3))
	if err != nil {
		fmt.Println(err)
		return
	}
	f, _ := harness.Read(&fixture)
	fmt.Println(stats.Records, "records of", f.Header.Stream)
	for _, e := range f.Entries {
		fmt.Println(e.PartitionKey, e.EventType, string(e.Event))
	}
	// Output:
	// 3 records of clock-events
	// zurich-hall example.clock.v1.TimeTicked {"clock_id":"zurich-hall","hour":6}
	// zurich-hall example.clock.v1.TimeTicked {"clock_id":"zurich-hall","hour":7}
	// zurich-hall example.clock.v1.TimeTicked {"clock_id":"zurich-hall","hour":8}
}

// ReplayFile feeds a fixture to a subscriber's handlers; they read the recorded times from the
// context.
func ExampleReplayFile() {
	sub := pelican.NewSubscriber(pelican.WithDeadLetter(func(ctx context.Context, dl pelican.DeadLetter) error {
		fmt.Printf("record %q with key %q is not an event\n", dl.Record.Data, dl.Record.PartitionKey)
		return nil
	}))
	pelican.Handle(sub, func(ctx context.Context, e *clockv1.TimeTicked) error {
		meta, _ := pelican.MetadataFromContext(ctx)
		fmt.Printf("%s struck %d, arrived %s\n", e.GetClockId(), e.GetHour(), meta.Record.ArrivedAt.Format(time.TimeOnly))
		return nil
	})
	if _, err := harness.ReplayFile(context.Background(), "testdata/format.jsonl", sub); err != nil {
		fmt.Println(err)
	}
	// Output:
	// zurich-hall struck 7, arrived 07:00:00
	// bern-tower struck 8, arrived 07:00:01
	// record "" with key "legacy <&> key" is not an event
}

// A Writer writes fixtures of one's own making.
func ExampleWriter() {
	w, _ := harness.NewWriter(os.Stdout, harness.Header{Stream: "clock-events"})
	_ = w.Write(&harness.Entry{
		Stream: "clock-events", ShardID: "shardId-000000000000", SequenceNumber: "1",
		PartitionKey: "k", ArrivedAt: time.Date(2025, 11, 25, 7, 0, 0, 0, time.UTC), Data: []byte("hi"),
	})
	_ = w.Flush()
	// Output:
	// {"pelican_fixture":1,"stream":"clock-events"}
	// {"stream":"clock-events","shard_id":"shardId-000000000000","sequence_number":"1","partition_key":"k","arrived_at":"2025-11-25T07:00:00Z","data":"aGk="}
}

// Effects keeps what handlers did per key, in order, so that a concurrent live run and a replay
// compare equal.
func ExampleEffects() {
	fx := harness.NewEffects()
	fx.Add("zurich-hall", "cuckoo x%d", 7)
	fx.Add("bern-tower", "cuckoo x%d", 8)
	fx.Add("zurich-hall", "cuckoo x%d", 8)
	fmt.Print(fx)
	// Output:
	// bern-tower: cuckoo x8
	// zurich-hall: cuckoo x7
	// zurich-hall: cuckoo x8
}

func ExampleParsePosition() {
	now := time.Date(2025, 11, 25, 12, 0, 0, 0, time.UTC)
	for _, s := range []string{"trim-horizon", "latest", "2025-11-25T07:00:00Z", "-90m"} {
		p, err := harness.ParsePosition(s, now)
		fmt.Println(p, err)
	}
	// Output:
	// trim-horizon <nil>
	// latest <nil>
	// 2025-11-25T07:00:00Z <nil>
	// 2025-11-25T10:30:00Z <nil>
}
