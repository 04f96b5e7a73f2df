package emulator_test

import (
	"fmt"
	"net/http"
	"sort"
	"strconv"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/kinesis"
	"github.com/aws/aws-sdk-go-v2/service/kinesis/types"

	"github.com/pelicanhq/pelican/emulator"
)

// Enhanced fan-out benchmarks, through the Go SDK over loopback, on HTTP/1.1 and on h2c. No peer
// is measured beside them: kinesalite has no enhanced fan-out, and kinesis-mock's SubscribeToShard
// fails with the Go SDK.

// efoBenchClient returns a client of srv over HTTP/1.1 or h2c.
func efoBenchClient(tb testing.TB, srv *emulator.Server, proto string) *kinesis.Client {
	tb.Helper()
	tr := &http.Transport{MaxIdleConnsPerHost: 16, DisableCompression: true}
	var rt http.RoundTripper = plainBodies{tr}
	if proto == "h2c" {
		tr.Protocols = new(http.Protocols)
		tr.Protocols.SetUnencryptedHTTP2(true)
		rt = tr
	}
	tb.Cleanup(tr.CloseIdleConnections)
	return newClient(tb, srv, func(o *kinesis.Options) {
		o.BaseEndpoint = aws.String("http://" + srv.Addr())
		o.HTTPClient = &http.Client{Transport: rt}
	})
}

// efoBenchSubscribe registers a consumer on stream and subscribes to its first shard.
func efoBenchSubscribe(tb testing.TB, kc *kinesis.Client, stream string, pos types.ShardIteratorType) *kinesis.SubscribeToShardEventStream {
	tb.Helper()
	ctx := ctxT(tb)
	sum, err := kc.DescribeStreamSummary(ctx, &kinesis.DescribeStreamSummaryInput{StreamName: aws.String(stream)})
	if err != nil {
		tb.Fatal(err)
	}
	reg, err := kc.RegisterStreamConsumer(ctx, &kinesis.RegisterStreamConsumerInput{
		StreamARN: sum.StreamDescriptionSummary.StreamARN, ConsumerName: aws.String("bench")})
	if err != nil {
		tb.Fatal(err)
	}
	if _, err := kc.DescribeStreamConsumer(ctx, &kinesis.DescribeStreamConsumerInput{ConsumerARN: reg.Consumer.ConsumerARN}); err != nil {
		tb.Fatal(err)
	}
	out, err := kc.SubscribeToShard(ctx, &kinesis.SubscribeToShardInput{ConsumerARN: reg.Consumer.ConsumerARN,
		ShardId: aws.String("shardId-000000000000"), StartingPosition: &types.StartingPosition{Type: pos}})
	if err != nil {
		tb.Fatal(err)
	}
	es := out.GetStream()
	tb.Cleanup(func() { _ = es.Close() })
	return es
}

// percentile returns the p-th percentile of sorted durations.
func percentile(sorted []time.Duration, p float64) time.Duration {
	if len(sorted) == 0 {
		return 0
	}
	i := int(p / 100 * float64(len(sorted)-1))
	return sorted[i]
}

// BenchmarkSubscribeLatency writes one record at a time and measures how long after PutRecord is
// acknowledged the record reaches a live subscription (ack-p50, ack-p99; a record that arrives
// before the acknowledgement counts as 0), and from the call to the arrival (put-p50, put-p99).
func BenchmarkSubscribeLatency(b *testing.B) {
	for _, proto := range []string{"http1", "h2c"} {
		b.Run(proto, func(b *testing.B) {
			srv := emulator.RunT(b, emulator.WithStream("lat", 1))
			writer := efoBenchClient(b, srv, proto)
			es := efoBenchSubscribe(b, efoBenchClient(b, srv, proto), "lat", types.ShardIteratorTypeLatest)
			arrived := make(chan time.Time, 1024)
			go func() {
				for ev := range es.Events() {
					now := time.Now()
					if m, ok := ev.(*types.SubscribeToShardEventStreamMemberSubscribeToShardEvent); ok {
						for range m.Value.Records {
							arrived <- now
						}
					}
				}
				close(arrived)
			}()
			ctx := ctxT(b)
			data := make([]byte, 100)
			afterAck := make([]time.Duration, 0, b.N)
			afterPut := make([]time.Duration, 0, b.N)
			b.ResetTimer()
			for i := 0; i < b.N; i++ {
				start := time.Now()
				if _, err := writer.PutRecord(ctx, &kinesis.PutRecordInput{StreamName: aws.String("lat"),
					PartitionKey: aws.String(strconv.Itoa(i)), Data: data}); err != nil {
					b.Fatal(err)
				}
				ack := time.Now()
				at, ok := <-arrived
				if !ok {
					b.Fatalf("subscription ended: %v", es.Err())
				}
				afterAck = append(afterAck, max(at.Sub(ack), 0))
				afterPut = append(afterPut, at.Sub(start))
			}
			b.StopTimer()
			sort.Slice(afterAck, func(i, j int) bool { return afterAck[i] < afterAck[j] })
			sort.Slice(afterPut, func(i, j int) bool { return afterPut[i] < afterPut[j] })
			b.ReportMetric(float64(percentile(afterAck, 50).Microseconds()), "ack-p50-us")
			b.ReportMetric(float64(percentile(afterAck, 99).Microseconds()), "ack-p99-us")
			b.ReportMetric(float64(percentile(afterPut, 50).Microseconds()), "put-p50-us")
			b.ReportMetric(float64(percentile(afterPut, 99).Microseconds()), "put-p99-us")
		})
	}
}

// BenchmarkSubscribeThroughput pushes b.N records of 100 bytes, written beforehand, through one
// subscription and reports records per second.
func BenchmarkSubscribeThroughput(b *testing.B) {
	for _, proto := range []string{"http1", "h2c"} {
		b.Run(proto, func(b *testing.B) {
			srv := emulator.RunT(b, emulator.WithStream("tput", 1))
			writer := efoBenchClient(b, srv, proto)
			ctx := ctxT(b)
			data := make([]byte, 100)
			for done := 0; done < b.N; {
				n := min(500, b.N-done)
				entries := make([]types.PutRecordsRequestEntry, n)
				for i := range entries {
					entries[i] = types.PutRecordsRequestEntry{PartitionKey: aws.String(fmt.Sprint(done + i)), Data: data}
				}
				out, err := writer.PutRecords(ctx, &kinesis.PutRecordsInput{StreamName: aws.String("tput"), Records: entries})
				if err != nil || aws.ToInt32(out.FailedRecordCount) != 0 {
					b.Fatalf("PutRecords: %v (%d failed)", err, aws.ToInt32(out.FailedRecordCount))
				}
				done += n
			}
			b.SetBytes(int64(len(data)))
			b.ResetTimer()
			start := time.Now()
			es := efoBenchSubscribe(b, efoBenchClient(b, srv, proto), "tput", types.ShardIteratorTypeTrimHorizon)
			got := 0
			for got < b.N {
				ev, ok := <-es.Events()
				if !ok {
					b.Fatalf("subscription ended after %d of %d records: %v", got, b.N, es.Err())
				}
				if m, isEvent := ev.(*types.SubscribeToShardEventStreamMemberSubscribeToShardEvent); isEvent {
					got += len(m.Value.Records)
				}
			}
			elapsed := time.Since(start)
			b.StopTimer()
			b.ReportMetric(float64(b.N)/elapsed.Seconds(), "records/s")
		})
	}
}
