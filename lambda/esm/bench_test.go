package esm_test

import (
	"context"
	"fmt"
	"sort"
	"strconv"
	"sync/atomic"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/events"
	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/kinesis"

	"github.com/pelicanhq/pelican/lambda/esm"
	"github.com/pelicanhq/pelican/pelicantest"
)

// BenchmarkEngineThroughput measures records per second from a stream of 4 shards through the
// engine into an in-process Go handler (aws-lambda-go decodes every event), with the default
// batch size and with 1,000.
func BenchmarkEngineThroughput(b *testing.B) {
	for _, bs := range []int32{100, 1000} {
		b.Run(fmt.Sprintf("batch=%d", bs), func(b *testing.B) {
			emu := pelicantest.NewEmulator(b)
			client := emu.Client()
			stream := emu.NewStream(b, 4)
			const total = 20000
			pelicantest.PutMany(b, client, stream, total, 200)
			var delivered atomic.Int64
			fn := esm.NewHandler(func(_ context.Context, ev events.KinesisEvent) error {
				delivered.Add(int64(len(ev.Records)))
				return nil
			})
			b.ResetTimer()
			var elapsed time.Duration
			for range b.N {
				delivered.Store(0)
				l := pelicantest.AttachLambda(b, client, stream, fn, pelicantest.WithMapping(esm.Mapping{BatchSize: &bs}))
				began := time.Now()
				l.WaitIdle(b)
				elapsed += time.Since(began)
				if n := delivered.Load(); n != total {
					b.Fatalf("delivered %d records, want %d", n, total)
				}
			}
			b.ReportMetric(float64(total*b.N)/elapsed.Seconds(), "records/s")
		})
	}
}

// BenchmarkPutToInvokeLatency measures the time from a PutRecord call to the function's
// invocation with a zero batching window (from the call, not its answer: a pushed record's
// invocation may start before the answer is read): polled at Lambda's cadence (a poll a second per shard)
// and with a 10 ms poll, which shows the engine's own share, and pushed through a consumer's
// subscription.
func BenchmarkPutToInvokeLatency(b *testing.B) {
	for _, c := range []struct {
		name     string
		poll     time.Duration
		consumer bool
	}{{"poll=1s", time.Second, false}, {"poll=10ms", 10 * time.Millisecond, false}, {"consumer", time.Second, true}} {
		b.Run(c.name, func(b *testing.B) {
			emu := pelicantest.NewEmulator(b)
			client := emu.Client()
			stream := emu.NewStream(b, 1)
			invoked := make(chan time.Time, 16)
			fn := esm.NewHandler(func(_ context.Context, ev events.KinesisEvent) error {
				invoked <- time.Now()
				return nil
			})
			m := esm.Mapping{StartingPosition: esm.Latest}
			if c.consumer {
				m.EventSourceArn = registerBenchConsumer(b, client, stream, "bench")
			}
			l := pelicantest.AttachLambda(b, client, stream, fn,
				pelicantest.WithMapping(m), pelicantest.WithEngineOptions(esm.WithPollInterval(c.poll)))
			l.WaitIdle(b)
			var lat []time.Duration
			b.ResetTimer()
			for i := range b.N {
				pk := strconv.Itoa(i)
				put := time.Now()
				_, err := client.PutRecord(context.Background(), &kinesis.PutRecordInput{StreamName: &stream, PartitionKey: &pk, Data: []byte("x")})
				if err != nil {
					b.Fatal(err)
				}
				select {
				case at := <-invoked:
					lat = append(lat, at.Sub(put))
				case <-time.After(30 * time.Second):
					b.Fatal("no invocation within 30 s")
				}
			}
			b.StopTimer()
			sort.Slice(lat, func(i, j int) bool { return lat[i] < lat[j] })
			b.ReportMetric(float64(lat[len(lat)/2].Microseconds())/1000, "p50-ms")
			b.ReportMetric(float64(lat[len(lat)*99/100].Microseconds())/1000, "p99-ms")
		})
	}
}

// BenchmarkReaderThroughput compares the two ways of reading a stream of 4 shards: a stream ARN
// polled with GetRecords and a consumer ARN pushed through SubscribeToShard (a consumer of its own
// for each run). The clock stops when the last record is delivered (WaitIdle's settle for pushed
// shards is not counted).
func BenchmarkReaderThroughput(b *testing.B) {
	for _, source := range []string{"stream", "consumer"} {
		b.Run("source="+source, func(b *testing.B) {
			emu := pelicantest.NewEmulator(b)
			client := emu.Client()
			stream := emu.NewStream(b, 4)
			const total = 20000
			pelicantest.PutMany(b, client, stream, total, 200)
			d, err := client.DescribeStreamSummary(context.Background(), &kinesis.DescribeStreamSummaryInput{StreamName: &stream})
			if err != nil {
				b.Fatal(err)
			}
			streamARN := aws.ToString(d.StreamDescriptionSummary.StreamARN)
			var delivered atomic.Int64
			all := make(chan struct{}, 1)
			fn := esm.NewHandler(func(_ context.Context, ev events.KinesisEvent) error {
				if delivered.Add(int64(len(ev.Records))) == total {
					all <- struct{}{}
				}
				return nil
			})
			b.ResetTimer()
			var elapsed time.Duration
			for i := range b.N {
				m := esm.Mapping{EventSourceArn: streamARN, FunctionName: "bench", StartingPosition: esm.TrimHorizon, BatchSize: aws.Int32(1000)}
				if source == "consumer" {
					b.StopTimer()
					m.EventSourceArn = registerBenchConsumer(b, client, stream, fmt.Sprintf("bench-%d", i))
					b.StartTimer()
				}
				eng, err := esm.New(client, m, fn)
				if err != nil {
					b.Fatal(err)
				}
				delivered.Store(0)
				began := time.Now()
				ctx, cancel := context.WithCancel(context.Background())
				done := make(chan error, 1)
				go func() { done <- eng.Run(ctx) }()
				select {
				case <-all:
				case <-time.After(time.Minute):
					b.Fatalf("delivered %d of %d records in a minute", delivered.Load(), total)
				}
				elapsed += time.Since(began)
				cancel()
				if err := <-done; err != nil {
					b.Fatal(err)
				}
				if source == "consumer" {
					b.StopTimer()
					if _, err := client.DeregisterStreamConsumer(context.Background(), &kinesis.DeregisterStreamConsumerInput{ConsumerARN: &m.EventSourceArn}); err != nil {
						b.Fatal(err)
					}
					b.StartTimer()
				}
			}
			b.ReportMetric(float64(total*b.N)/elapsed.Seconds(), "records/s")
		})
	}
}

func registerBenchConsumer(b *testing.B, client *kinesis.Client, stream, name string) string {
	b.Helper()
	d, err := client.DescribeStreamSummary(context.Background(), &kinesis.DescribeStreamSummaryInput{StreamName: &stream})
	if err != nil {
		b.Fatal(err)
	}
	out, err := client.RegisterStreamConsumer(context.Background(), &kinesis.RegisterStreamConsumerInput{
		StreamARN: d.StreamDescriptionSummary.StreamARN, ConsumerName: &name})
	if err != nil {
		b.Fatal(err)
	}
	return aws.ToString(out.Consumer.ConsumerARN)
}
