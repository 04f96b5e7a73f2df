package consumer_test

import (
	"context"
	"encoding/binary"
	"math/rand/v2"
	"slices"
	"sync/atomic"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/kinesis"
	"github.com/aws/aws-sdk-go-v2/service/kinesis/types"

	"github.com/pelicanhq/pelican/consumer"
	"github.com/pelicanhq/pelican/consumer/lease"
	"github.com/pelicanhq/pelican/pelicantest"
)

// The consumer benchmarks read one shard of the in-process emulator through the real Go SDK over
// loopback HTTP, with 100-byte records. BenchmarkRecordsPerShard reports records/s read and
// handled through the consumer in each mode, beside a bare GetRecords loop on the same data in the
// same run (the ceiling of polling on this machine). BenchmarkEndToEndLatency reports the time
// from PutRecord returning to the handler receiving the record.

const benchRecordLen = 100

func BenchmarkRecordsPerShard(b *testing.B) {
	run := func(b *testing.B, opts ...consumer.Option) {
		em := pelicantest.NewEmulator(b)
		stream := em.NewStream(b, 1)
		pelicantest.PutMany(b, em.Client(), stream, b.N, benchRecordLen)
		var got atomic.Int64
		done := make(chan struct{})
		h := consumer.HandlerFunc(func(_ context.Context, batch consumer.Batch) error {
			if got.Add(int64(len(batch.Records))) == int64(b.N) {
				close(done)
			}
			return nil
		})
		c, err := consumer.New(em.Client(), stream, h, append([]consumer.Option{consumer.WithLeaseStore(lease.NewMemory())}, opts...)...)
		if err != nil {
			b.Fatal(err)
		}
		ctx, cancel := context.WithCancel(context.Background())
		stopped := make(chan error, 1)
		b.ResetTimer()
		start := time.Now()
		go func() { stopped <- c.Run(ctx) }()
		select {
		case <-done:
		case <-time.After(5 * time.Minute):
			b.Fatalf("%d of %d records after 5 minutes", got.Load(), b.N)
		}
		elapsed := time.Since(start)
		b.StopTimer()
		cancel()
		if err := <-stopped; err != nil {
			b.Fatal(err)
		}
		b.ReportMetric(float64(b.N)/elapsed.Seconds(), "records/s")
	}
	b.Run("polling", func(b *testing.B) { run(b) })
	b.Run("fan-out", func(b *testing.B) { run(b, consumer.WithEnhancedFanOut("bench")) })
	b.Run("bare-GetRecords", func(b *testing.B) {
		em := pelicantest.NewEmulator(b)
		stream := em.NewStream(b, 1)
		pelicantest.PutMany(b, em.Client(), stream, b.N, benchRecordLen)
		client := em.Client()
		b.ResetTimer()
		start := time.Now()
		it, err := client.GetShardIterator(context.Background(), &kinesis.GetShardIteratorInput{
			StreamName: aws.String(stream), ShardId: aws.String("shardId-000000000000"), ShardIteratorType: types.ShardIteratorTypeTrimHorizon,
		})
		if err != nil {
			b.Fatal(err)
		}
		iter, n := it.ShardIterator, 0
		for n < b.N {
			out, err := client.GetRecords(context.Background(), &kinesis.GetRecordsInput{ShardIterator: iter, Limit: aws.Int32(10000)})
			if err != nil {
				b.Fatal(err)
			}
			n += len(out.Records)
			iter = out.NextShardIterator
		}
		b.ReportMetric(float64(b.N)/time.Since(start).Seconds(), "records/s")
	})
}

func BenchmarkEndToEndLatency(b *testing.B) {
	// Records are put at a random moment of the reader's cycle (phase), as they would be in
	// production; putting each right after the previous one arrived would catch the poller at the
	// same point every time.
	run := func(b *testing.B, phase time.Duration, opts ...consumer.Option) {
		em := pelicantest.NewEmulator(b)
		stream := em.NewStream(b, 1)
		client := em.Client()
		arrived := make(chan time.Duration, 1)
		h := consumer.HandlerFunc(func(_ context.Context, batch consumer.Batch) error {
			for _, r := range batch.Records {
				sent := time.Unix(0, int64(binary.BigEndian.Uint64(r.Data)))
				arrived <- time.Since(sent)
			}
			return nil
		})
		c, err := consumer.New(client, stream, h, append([]consumer.Option{consumer.WithLeaseStore(lease.NewMemory())}, opts...)...)
		if err != nil {
			b.Fatal(err)
		}
		ctx, cancel := context.WithCancel(context.Background())
		stopped := make(chan error, 1)
		go func() { stopped <- c.Run(ctx) }()
		defer func() {
			cancel()
			if err := <-stopped; err != nil {
				b.Fatal(err)
			}
		}()
		// Wait until the shard is being read.
		put := func() time.Duration {
			data := binary.BigEndian.AppendUint64(nil, uint64(time.Now().UnixNano()))
			if _, err := client.PutRecord(context.Background(), &kinesis.PutRecordInput{StreamName: aws.String(stream), PartitionKey: aws.String("k"), Data: data}); err != nil {
				b.Fatal(err)
			}
			select {
			case d := <-arrived:
				return d
			case <-time.After(time.Minute):
				b.Fatal("the record did not arrive within a minute")
			}
			return 0
		}
		put()
		lat := make([]time.Duration, 0, b.N)
		b.ResetTimer()
		for range b.N {
			if phase > 0 {
				b.StopTimer()
				time.Sleep(rand.N(phase))
				b.StartTimer()
			}
			lat = append(lat, put())
		}
		b.StopTimer()
		slices.Sort(lat)
		b.ReportMetric(float64(lat[len(lat)/2])/1e6, "p50-ms")
		b.ReportMetric(float64(lat[len(lat)*99/100])/1e6, "p99-ms")
	}
	b.Run("polling", func(b *testing.B) { run(b, 1200*time.Millisecond) })
	b.Run("polling-idle-200ms", func(b *testing.B) {
		run(b, 400*time.Millisecond, consumer.WithIdleInterval(200*time.Millisecond))
	})
	b.Run("fan-out", func(b *testing.B) { run(b, 0, consumer.WithEnhancedFanOut("bench")) })
}
