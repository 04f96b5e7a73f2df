package emulator_test

import (
	"bytes"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/kinesis"

	"github.com/pelicanhq/pelican/emulator"
)

// TestSubscriptionReadRate: with throughput limits on, a consumer reads a shard through enhanced
// fan-out at 2 MiB/s. Events beyond that are delivered later, not refused: four records of ~1 MB
// arrive at once (the first 2 MiB and the debt of the next event), the fifth only once the
// emulator's clock has moved on.
func TestSubscriptionReadRate(t *testing.T) {
	clock := emulator.NewManualClock(efoStart)
	f := newEFOFixture(t, 1, emulator.WithClock(clock), emulator.WithThroughputLimits(true))
	clock.Advance(time.Second)
	big := bytes.Repeat([]byte("z"), 1000<<10)
	for i := 0; i < 5; i++ {
		if _, err := f.kc.PutRecord(ctxT(t), &kinesis.PutRecordInput{StreamName: aws.String("efo"), PartitionKey: aws.String("k"),
			ExplicitHashKey: aws.String("0"), Data: big}); err != nil {
			t.Fatal(err)
		}
	}
	arn := f.active(t, "paced")
	es := f.subscribe(t, nil, arn, efoShard0, trimHorizon())
	got, _ := collect(t, es, 4)
	if len(got) != 4 {
		t.Fatalf("got %d records at once, want 4", len(got))
	}
	select {
	case e := <-es.Events():
		t.Fatalf("an event came before the rate allowed it: %T", e)
	case <-time.After(300 * time.Millisecond):
	}
	clock.Advance(time.Second)
	more, _ := collect(t, es, 1)
	if !bytes.Equal(more[0].Data, big) {
		t.Fatal("the fifth record is not the one written")
	}
}
