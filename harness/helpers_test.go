package harness_test

import (
	"bytes"
	"context"
	"flag"
	"fmt"
	"math/big"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/kinesis"
	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/types/known/timestamppb"

	"github.com/pelicanhq/pelican"
	"github.com/pelicanhq/pelican/harness"
	"github.com/pelicanhq/pelican/pelicantest"
	"github.com/pelicanhq/pelican/producer"
	clockv1 "github.com/pelicanhq/pelican/proto/example/clock/v1"
)

var update = flag.Bool("update", false, "rewrite golden files")

// midnight is the start of the recorded day in the tests.
var midnight = time.Date(2025, 11, 25, 0, 0, 0, 0, time.UTC)

// tick is the event of one clock striking hour h of the test day.
func tick(clock string, h int) *clockv1.TimeTicked {
	return &clockv1.TimeTicked{
		ClockId:  clock,
		Hour:     uint32(h),
		TickedAt: timestamppb.New(midnight.Add(time.Duration(h) * time.Hour)),
		TimeZone: "Europe/Zurich",
	}
}

// publishTicks publishes hours from..to-1 of every clock through a producer, the clocks
// concurrently and each clock's hours in order, so that records of several clocks share KPL
// aggregates.
func publishTicks(t testing.TB, client *kinesis.Client, stream string, clocks []string, from, to int) {
	t.Helper()
	ctx := t.Context()
	p, err := producer.New(ctx, client, stream, producer.WithMaxBufferedTime(20*time.Millisecond))
	if err != nil {
		t.Fatal(err)
	}
	pub := pelican.NewPublisher(pelican.ProducerSender(p), pelican.WithProducerName("clock-service"))
	var wg sync.WaitGroup
	errs := make(chan error, len(clocks))
	for _, c := range clocks {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for h := from; h < to; h++ {
				ev := tick(c, h)
				if _, err := pub.Publish(ctx, ev, pelican.WithOccurredAt(ev.GetTickedAt().AsTime()),
					pelican.WithEventID(fmt.Sprintf("%s-%02d", c, h))); err != nil {
					errs <- err
					return
				}
			}
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Fatal(err)
	}
	if err := p.Close(ctx); err != nil {
		t.Fatal(err)
	}
}

// split splits a shard at the middle of its hash range and waits for the stream to be ACTIVE.
func split(t *testing.T, client *kinesis.Client, stream, shard string) {
	t.Helper()
	ctx := t.Context()
	out, err := client.ListShards(ctx, &kinesis.ListShardsInput{StreamName: aws.String(stream)})
	if err != nil {
		t.Fatal(err)
	}
	for _, s := range out.Shards {
		if aws.ToString(s.ShardId) != shard {
			continue
		}
		lo, _ := new(big.Int).SetString(aws.ToString(s.HashKeyRange.StartingHashKey), 10)
		hi, _ := new(big.Int).SetString(aws.ToString(s.HashKeyRange.EndingHashKey), 10)
		mid := new(big.Int).Add(lo, new(big.Int).Rsh(new(big.Int).Sub(hi, lo), 1))
		if _, err := client.SplitShard(ctx, &kinesis.SplitShardInput{
			StreamName: aws.String(stream), ShardToSplit: aws.String(shard), NewStartingHashKey: aws.String(mid.String()),
		}); err != nil {
			t.Fatalf("SplitShard: %v", err)
		}
		pelicantest.WaitActive(t, client, stream)
		return
	}
	t.Fatalf("no shard %s", shard)
}

func waitFor(t *testing.T, timeout time.Duration, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(timeout)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out after %s waiting for %s", timeout, what)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// cuckooSubscriber returns a subscriber whose handler records, per clock, what it saw: the hour,
// the event's metadata and the record it came in.
func cuckooSubscriber(fx *harness.Effects) *pelican.Subscriber {
	sub := pelican.NewSubscriber()
	pelican.Handle(sub, func(ctx context.Context, e *clockv1.TimeTicked) error {
		meta, _ := pelican.MetadataFromContext(ctx)
		fx.Add(e.GetClockId(), "%02d:00 cuckoo x%d id=%s occurred=%s arrived=%s at %s/%s/%d",
			e.GetHour(), cuckoos(e.GetHour()), meta.EventID, meta.OccurredAt.Format(time.RFC3339),
			meta.Record.ArrivedAt.Format(time.RFC3339Nano), meta.Record.ShardID, meta.Record.SequenceNumber,
			meta.Record.SubSequenceNumber)
		return nil
	})
	return sub
}

// cuckoos is how often a cuckoo clock calls at hour h: the hour on a twelve-hour face.
func cuckoos(h uint32) uint32 {
	if h%12 == 0 {
		return 12
	}
	return h % 12
}

// record records stream from the trim horizon until it has n entries.
func record(t *testing.T, client harness.KinesisAPI, stream string, n int, opts ...harness.Option) (*harness.Fixture, []byte) {
	t.Helper()
	var buf bytes.Buffer
	ctx, cancel := context.WithTimeout(t.Context(), time.Minute)
	defer cancel()
	stats, err := harness.Record(ctx, client, stream, &buf, append([]harness.Option{harness.WithLimit(n)}, opts...)...)
	if err != nil {
		t.Fatalf("Record: %v", err)
	}
	if stats.Records != n {
		t.Fatalf("Record wrote %d entries, want %d (stats %+v)", stats.Records, n, stats)
	}
	f, err := harness.Read(bytes.NewReader(buf.Bytes()))
	if err != nil {
		t.Fatalf("read the recording: %v\n%s", err, buf.Bytes())
	}
	return f, buf.Bytes()
}

// newEmulator starts an emulator with a stream of n shards.
func newEmulator(t testing.TB, shards int) (*pelicantest.Emulator, string) {
	t.Helper()
	e := pelicantest.NewEmulator(t)
	return e, e.NewStream(t, shards)
}

// mustMarshal marshals an envelope for msg with a fixed id and time.
func mustEncode(t testing.TB, msg proto.Message, id string, at time.Time) pelican.Record {
	t.Helper()
	rec, err := pelican.NewPublisher(nil, pelican.WithProducerName("test")).Encode(context.Background(), msg,
		pelican.WithEventID(id), pelican.WithOccurredAt(at))
	if err != nil {
		t.Fatal(err)
	}
	return rec
}
