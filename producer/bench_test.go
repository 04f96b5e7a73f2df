package producer_test

import (
	"context"
	"fmt"
	"sync"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/kinesis"
	"github.com/aws/aws-sdk-go-v2/service/kinesis/types"

	"github.com/pelicanhq/pelican/pelicantest"
	"github.com/pelicanhq/pelican/producer"
)

const (
	benchShards     = 4
	benchKeys       = 1000
	benchRecordSize = 100
	benchBatch      = producer.MaxRecordsPerRequest
	benchInFlight   = 8
)

// BenchmarkEmulatorThroughput measures user records a second into the in-process emulator
// (throughput limits off, so that the client is what is measured): the producer with and without
// aggregation, beside plain PutRecords calls of the same batch size and concurrency in the same
// run. Records are 100 bytes over 1,000 partition keys on 4 shards.
func BenchmarkEmulatorThroughput(b *testing.B) {
	e := pelicantest.NewEmulator(b)
	client := e.NewClient(func(o *kinesis.Options) { o.RetryMaxAttempts = 1 })
	data := make([]byte, benchRecordSize)
	keys := make([]string, benchKeys)
	for i := range keys {
		keys[i] = fmt.Sprintf("partition-key-%d", i)
	}

	for _, agg := range []bool{true, false} {
		b.Run(fmt.Sprintf("producer/aggregation=%v", agg), func(b *testing.B) {
			stream := e.NewStream(b, benchShards)
			p, err := producer.New(context.Background(), client, stream, producer.WithAggregation(agg),
				producer.WithShardRateLimit(0, 0), producer.WithMaxInFlightRequests(benchInFlight))
			if err != nil {
				b.Fatal(err)
			}
			ctx := context.Background()
			b.SetBytes(benchRecordSize)
			b.ResetTimer()
			for i := range b.N {
				if _, err := p.Put(ctx, keys[i%benchKeys], data); err != nil {
					b.Fatal(err)
				}
			}
			if err := p.Flush(ctx); err != nil {
				b.Fatal(err)
			}
			b.StopTimer()
			b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "records/s")
			if err := p.Close(ctx); err != nil {
				b.Fatal(err)
			}
		})
	}

	b.Run("PutRecords", func(b *testing.B) {
		stream := e.NewStream(b, benchShards)
		ctx := context.Background()
		batches := make(chan []types.PutRecordsRequestEntry, benchInFlight)
		var wg sync.WaitGroup
		var failed sync.Once
		for range benchInFlight {
			wg.Add(1)
			go func() {
				defer wg.Done()
				for batch := range batches {
					out, err := client.PutRecords(ctx, &kinesis.PutRecordsInput{StreamName: &stream, Records: batch})
					if err != nil || aws.ToInt32(out.FailedRecordCount) > 0 {
						failed.Do(func() { b.Errorf("PutRecords: %v", err) })
					}
				}
			}()
		}
		b.SetBytes(benchRecordSize)
		b.ResetTimer()
		batch := make([]types.PutRecordsRequestEntry, 0, benchBatch)
		for i := range b.N {
			batch = append(batch, types.PutRecordsRequestEntry{PartitionKey: aws.String(keys[i%benchKeys]), Data: data})
			if len(batch) == benchBatch || i == b.N-1 {
				batches <- batch
				batch = make([]types.PutRecordsRequestEntry, 0, benchBatch)
			}
		}
		close(batches)
		wg.Wait()
		b.StopTimer()
		b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "records/s")
	})
}
