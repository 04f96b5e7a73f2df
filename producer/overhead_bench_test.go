package producer

import (
	"context"
	"fmt"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/kinesis"
	"github.com/aws/aws-sdk-go-v2/service/kinesis/types"
)

// nullKinesis acknowledges every record on the shard the test says, without storing anything: it
// leaves the producer's own cost to measure.
type nullKinesis struct{ fake *fakeKinesis }

func (n nullKinesis) ListShards(ctx context.Context, in *kinesis.ListShardsInput, o ...func(*kinesis.Options)) (*kinesis.ListShardsOutput, error) {
	return n.fake.ListShards(ctx, in, o...)
}

func (n nullKinesis) PutRecords(_ context.Context, in *kinesis.PutRecordsInput, _ ...func(*kinesis.Options)) (*kinesis.PutRecordsOutput, error) {
	out := &kinesis.PutRecordsOutput{Records: make([]types.PutRecordsResultEntry, len(in.Records))}
	for i, e := range in.Records {
		h := partitionHash(aws.ToString(e.PartitionKey))
		if e.ExplicitHashKey != nil {
			h, _ = parseHashKey(*e.ExplicitHashKey)
		}
		out.Records[i] = types.PutRecordsResultEntry{ShardId: aws.String(n.fake.route(h).id), SequenceNumber: aws.String("1")}
	}
	return out, nil
}

// BenchmarkProducerOverhead measures the producer's own work per user record (batching,
// aggregation, bookkeeping), against a client that answers at once.
func BenchmarkProducerOverhead(b *testing.B) {
	for _, agg := range []bool{true, false} {
		b.Run(fmt.Sprintf("aggregation=%v", agg), func(b *testing.B) {
			p := newTestProducer(b, nullKinesis{newFakeKinesis(4)}, WithAggregation(agg), WithShardRateLimit(0, 0))
			keys := make([]string, 1000)
			for i := range keys {
				keys[i] = fmt.Sprintf("partition-key-%d", i)
			}
			data := make([]byte, 100)
			ctx := context.Background()
			b.ReportAllocs()
			b.SetBytes(100)
			b.ResetTimer()
			for i := range b.N {
				if _, err := p.Put(ctx, keys[i%len(keys)], data); err != nil {
					b.Fatal(err)
				}
			}
			if err := p.Flush(ctx); err != nil {
				b.Fatal(err)
			}
			b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "records/s")
		})
	}
}
