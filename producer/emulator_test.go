package producer_test

import (
	"context"
	"errors"
	"fmt"
	"math/big"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/kinesis"

	"github.com/pelicanhq/pelican/pelicantest"
	"github.com/pelicanhq/pelican/producer"
)

// readStream reads every shard of the stream back through the SDK, parents before children, in the
// form VerifyStream checks.
func readStream(t testing.TB, client *kinesis.Client, stream string) []producer.StoredShard {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	var shards []producer.StoredShard
	in := &kinesis.ListShardsInput{StreamName: &stream}
	for {
		out, err := client.ListShards(ctx, in)
		if err != nil {
			t.Fatalf("ListShards: %v", err)
		}
		for _, s := range out.Shards {
			shards = append(shards, producer.StoredShard{ID: aws.ToString(s.ShardId),
				Start: aws.ToString(s.HashKeyRange.StartingHashKey), End: aws.ToString(s.HashKeyRange.EndingHashKey)})
		}
		if out.NextToken == nil {
			break
		}
		in = &kinesis.ListShardsInput{NextToken: out.NextToken}
	}
	slices.SortFunc(shards, func(a, b producer.StoredShard) int { return shardNumber(a.ID).Cmp(shardNumber(b.ID)) })
	index := map[string]int{}
	for i, s := range shards {
		index[s.ID] = i
	}
	for _, r := range pelicantest.ReadAll(t, client, stream) {
		i, ok := index[r.ShardID]
		if !ok {
			t.Fatalf("record of unknown shard %s", r.ShardID)
		}
		shards[i].Records = append(shards[i].Records, producer.StoredRecord{SequenceNumber: r.SequenceNumber, PartitionKey: r.PartitionKey, Data: r.Data})
	}
	for _, s := range shards {
		if !slices.IsSortedFunc(s.Records, func(a, b producer.StoredRecord) int {
			return seqNumber(a.SequenceNumber).Cmp(seqNumber(b.SequenceNumber))
		}) {
			t.Fatalf("shard %s read out of sequence order", s.ID)
		}
	}
	return shards
}

func shardNumber(id string) *big.Int { return seqNumber(strings.TrimPrefix(id, "shardId-")) }

func seqNumber(s string) *big.Int {
	n, ok := new(big.Int).SetString(s, 10)
	if !ok {
		return new(big.Int)
	}
	return n
}

// countingMetrics counts what the producer reports.
type countingMetrics struct {
	producer.NopMetrics
	mu                      sync.Mutex
	requests, sent, retried int
	throttled, failed       int
	maxEntries, maxBytes    int
	latencies               int
	codes                   map[string]int
}

func (m *countingMetrics) RequestSent(s producer.RequestStats) {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.requests++
	m.maxEntries = max(m.maxEntries, s.KinesisRecords)
	m.maxBytes = max(m.maxBytes, s.Bytes)
}
func (m *countingMetrics) RecordsSent(_ string, n, _ int) { m.mu.Lock(); m.sent += n; m.mu.Unlock() }
func (m *countingMetrics) RecordsRetried(code string, n int) {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.retried += n
	if m.codes == nil {
		m.codes = map[string]int{}
	}
	m.codes[code] += n
}
func (m *countingMetrics) RecordsFailed(_ string, n int) { m.mu.Lock(); m.failed += n; m.mu.Unlock() }
func (m *countingMetrics) Throttled(_ string, n int)     { m.mu.Lock(); m.throttled += n; m.mu.Unlock() }
func (m *countingMetrics) Latency(time.Duration)         { m.mu.Lock(); m.latencies++; m.mu.Unlock() }

// putKeys puts perKey records for each of keys partition keys plus a hot key that gets hot records,
// interleaved, each with data that names it.
func putKeys(t testing.TB, p *producer.Producer, keys, perKey, hot, size int) []*producer.Result {
	t.Helper()
	var rs []*producer.Result
	put := func(pk string, i int) {
		data := fmt.Sprintf("%s/%06d/", pk, i)
		data += strings.Repeat("x", max(0, size-len(data)))
		r, err := p.Put(context.Background(), pk, []byte(data))
		if err != nil {
			t.Fatalf("Put: %v", err)
		}
		rs = append(rs, r)
	}
	h := 0
	for i := range perKey {
		for k := range keys {
			put(fmt.Sprintf("key-%d", k), i)
			if h < hot {
				put("hot", h)
				h++
			}
		}
	}
	for ; h < hot; h++ {
		put("hot", h)
	}
	return rs
}

func closeProducer(t testing.TB, p *producer.Producer) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	if err := p.Close(ctx); err != nil {
		t.Fatalf("Close: %v", err)
	}
}

func requireWritten(t testing.TB, rs []*producer.Result) (ambiguous int) {
	t.Helper()
	for i, r := range rs {
		select {
		case <-r.Done():
		default:
			t.Fatalf("result %d not done after Close", i)
		}
		if r.Err() != nil {
			t.Fatalf("result %d (key %s): %v", i, r.PartitionKey(), r.Err())
		}
		if r.Ambiguous() {
			ambiguous++
		}
	}
	return ambiguous
}

// TestEmulatorFaultsAndThrottling is the producer's acceptance test against the emulator, with its
// throughput limits and fault injection on: failed calls, calls that fail after the write (the
// ambiguous kind), and throttled shards. Nothing is lost, every key keeps Put order, and only
// records whose Result says an attempt was ambiguous appear twice.
func TestEmulatorFaultsAndThrottling(t *testing.T) {
	tests := []struct {
		name              string
		agg, limiter      bool
		shards            int
		keys, perKey, hot int
		wantThrottled     bool
	}{
		{"aggregated", true, true, 4, 100, 12, 400, false},
		{"plain", false, true, 4, 100, 12, 400, false},
		// Without the producer's limiter a shard's 1,000 records/s runs out within a few full
		// calls, and the emulator refuses single entries of a call: partial failures that must not
		// break order.
		{"plain, limiter off, one shard", false, false, 1, 1000, 3, 100, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := pelicantest.NewEmulator(t, pelicantest.WithThroughputLimits(true))
			stream := e.NewStream(t, tt.shards)
			faults := e.Faults()
			faults.Inject(pelicantest.Fault{Operation: "PutRecords", Code: "InternalFailure", Times: 3})
			faults.Inject(pelicantest.Fault{Operation: "PutRecords", Code: "InternalFailure", AfterApply: true, Times: 3})
			faults.Inject(pelicantest.Fault{Operation: "PutRecords", Code: "ServiceUnavailable", AfterApply: true, Times: 2})
			m := &countingMetrics{}
			opts := []producer.Option{producer.WithAggregation(tt.agg), producer.WithMetrics(m),
				producer.WithBackoff(5*time.Millisecond, 100*time.Millisecond), producer.WithMaxBufferedTime(10 * time.Millisecond)}
			if !tt.limiter {
				opts = append(opts, producer.WithShardRateLimit(0, 0))
			}
			p, err := producer.New(context.Background(), e.Client(), stream, opts...)
			if err != nil {
				t.Fatal(err)
			}
			rs := putKeys(t, p, tt.keys, tt.perKey, tt.hot, 100)
			closeProducer(t, p)
			ambiguous := requireWritten(t, rs)
			rep := producer.VerifyStream(t, readStream(t, e.Client(), stream), rs)
			if rep.Delivered != len(rs) {
				t.Fatalf("%d of %d records delivered", rep.Delivered, len(rs))
			}
			if ambiguous == 0 || rep.Repeats == 0 || m.retried == 0 {
				t.Fatalf("the faults did not bite: %d ambiguous, %d repeats, %d retried", ambiguous, rep.Repeats, m.retried)
			}
			if tt.wantThrottled && m.throttled == 0 {
				t.Fatal("the shard never throttled")
			}
			if m.sent != len(rs) {
				t.Fatalf("metrics counted %d records sent, want %d", m.sent, len(rs))
			}
			t.Logf("%d records, %d ambiguous, report %+v, retries by code %v, throttled %d, %d calls",
				len(rs), ambiguous, rep, m.codes, m.throttled, m.requests)
		})
	}
}

// TestEmulatorThroughputLimits pushes a hot key at several times a shard's quota, in bytes and in
// records, into an emulator that enforces it. The producer's per-shard limiter keeps the shard
// under its quota: it throttles rarely (the two buckets' clocks and the emulator's burst differ
// slightly), and everything arrives in order.
func TestEmulatorThroughputLimits(t *testing.T) {
	tests := []struct {
		name  string
		agg   bool
		count int
		size  int
	}{
		{"bytes: 3 MiB through one shard", true, 300, 10 << 10},
		{"records: 2500 plain records through one shard", false, 2500, 20},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := pelicantest.NewEmulator(t, pelicantest.WithThroughputLimits(true))
			stream := e.NewStream(t, 1)
			m := &countingMetrics{}
			p, err := producer.New(context.Background(), e.Client(), stream, producer.WithAggregation(tt.agg), producer.WithMetrics(m))
			if err != nil {
				t.Fatal(err)
			}
			start := time.Now()
			rs := putKeys(t, p, 0, 0, tt.count, tt.size)
			closeProducer(t, p)
			took := time.Since(start)
			requireWritten(t, rs)
			producer.VerifyStream(t, readStream(t, e.Client(), stream), rs)
			if m.throttled > 3 {
				t.Fatalf("%d throttled Kinesis records: the limiter did not keep the shard under its quota", m.throttled)
			}
			if m.maxEntries > 500 || m.maxBytes > 10<<20 {
				t.Fatalf("a call carried %d entries, %d bytes", m.maxEntries, m.maxBytes)
			}
			t.Logf("%d records in %v, %d calls, %d throttled", len(rs), took.Round(time.Millisecond), m.requests, m.throttled)
		})
	}
}

// TestEmulatorTimeoutAfterWrite makes the emulator write a call and then answer too late: the
// producer's request times out, the outcome is unknown, and the records are retried. Copies appear
// only for those records, and order holds.
func TestEmulatorTimeoutAfterWrite(t *testing.T) {
	e := pelicantest.NewEmulator(t)
	stream := e.NewStream(t, 2)
	e.Faults().Inject(pelicantest.Fault{Operation: "PutRecords", AfterApply: true, Latency: 400 * time.Millisecond, Times: 2})
	p, err := producer.New(context.Background(), e.Client(), stream, producer.WithRequestTimeout(100*time.Millisecond),
		producer.WithBackoff(5*time.Millisecond, 50*time.Millisecond))
	if err != nil {
		t.Fatal(err)
	}
	rs := putKeys(t, p, 20, 10, 50, 50)
	closeProducer(t, p)
	ambiguous := requireWritten(t, rs)
	rep := producer.VerifyStream(t, readStream(t, e.Client(), stream), rs)
	if ambiguous == 0 || rep.Repeats == 0 {
		t.Fatalf("%d ambiguous, %d repeats: the timeout did not bite", ambiguous, rep.Repeats)
	}
}

// TestEmulatorResharding splits and merges shards under a running producer. The shard map is read
// again, and every record is in the shard that owns its key, in order, except copies of records
// written by a stale map, which readers drop.
func TestEmulatorResharding(t *testing.T) {
	for _, agg := range []bool{true, false} {
		t.Run(fmt.Sprintf("aggregation=%v", agg), func(t *testing.T) {
			e := pelicantest.NewEmulator(t)
			client := e.Client()
			stream := e.NewStream(t, 2)
			p, err := producer.New(context.Background(), client, stream, producer.WithAggregation(agg),
				producer.WithMaxBufferedTime(5*time.Millisecond), producer.WithShardMapRefresh(0))
			if err != nil {
				t.Fatal(err)
			}
			rs := putKeys(t, p, 200, 3, 0, 20)
			if err := p.Flush(context.Background()); err != nil {
				t.Fatal(err)
			}
			ctx := context.Background()
			n := int32(4)
			if _, err := client.UpdateShardCount(ctx, &kinesis.UpdateShardCountInput{StreamName: &stream, TargetShardCount: &n,
				ScalingType: "UNIFORM_SCALING"}); err != nil {
				t.Fatal(err)
			}
			pelicantest.WaitActive(t, client, stream)
			rs = append(rs, putKeys(t, p, 200, 3, 0, 21)...)
			closeProducer(t, p)
			requireWritten(t, rs)
			rep := producer.VerifyStream(t, readStream(t, client, stream), rs)
			t.Logf("report %+v", rep)
		})
	}
}

// TestEmulatorCloseDeadline hangs every call; Close gives up at its deadline and hands back every
// record, none lost silently.
func TestEmulatorCloseDeadline(t *testing.T) {
	e := pelicantest.NewEmulator(t)
	stream := e.NewStream(t, 2)
	e.Faults().Inject(pelicantest.Fault{Operation: "PutRecords", Latency: time.Minute})
	p, err := producer.New(context.Background(), e.Client(), stream, producer.WithMaxBufferedTime(time.Millisecond))
	if err != nil {
		t.Fatal(err)
	}
	rs := putKeys(t, p, 10, 5, 0, 10)
	ctx, cancel := context.WithTimeout(context.Background(), 200*time.Millisecond)
	defer cancel()
	err = p.Close(ctx)
	var u *producer.UndeliveredError
	if !errors.As(err, &u) || len(u.Results) != len(rs) {
		t.Fatalf("Close = %v; want every one of %d records reported undelivered", err, len(rs))
	}
	for _, r := range rs {
		if !errors.Is(r.Err(), producer.ErrUndelivered) {
			t.Fatalf("Result error %v", r.Err())
		}
	}
	e.Faults().Clear()
}

// TestEmulatorRequestLimits fills calls to the current API limits, which the emulator enforces as
// the API reference states them: 10 MiB per PutRecords call (partition keys included), 500
// records, and 1 MiB per record (data and partition key).
func TestEmulatorRequestLimits(t *testing.T) {
	tests := []struct {
		name        string
		opts        []producer.Option
		count, size int
		minBytes    int
		minEntries  int
	}{
		{"10 MiB calls", []producer.Option{producer.WithAggregation(false)}, 60, 400_000, 9 << 20, 0},
		{"records of exactly 1 MiB", []producer.Option{producer.WithAggregation(false)}, 12, producer.DefaultMaxRecordBytes, 9 << 20, 0},
		{"500 records", []producer.Option{producer.WithAggregation(false)}, 1500, 10, 0, 500},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := pelicantest.NewEmulator(t)
			stream := e.NewStream(t, 16)
			m := &countingMetrics{}
			opts := append([]producer.Option{producer.WithMetrics(m), producer.WithShardRateLimit(0, 0),
				producer.WithMaxBufferedTime(time.Hour), producer.WithMaxBufferedBytes(1 << 30)}, tt.opts...)
			p, err := producer.New(context.Background(), e.Client(), stream, opts...)
			if err != nil {
				t.Fatal(err)
			}
			var rs []*producer.Result
			for i := range tt.count {
				pk := fmt.Sprintf("k%05d", i)
				r, err := p.Put(context.Background(), pk, []byte(strings.Repeat("d", tt.size-len(pk))))
				if err != nil {
					t.Fatal(err)
				}
				rs = append(rs, r)
			}
			closeProducer(t, p)
			requireWritten(t, rs)
			if m.maxBytes < tt.minBytes || m.maxEntries < tt.minEntries || m.maxBytes > 10<<20 || m.maxEntries > 500 {
				t.Fatalf("largest call: %d entries, %d bytes", m.maxEntries, m.maxBytes)
			}
			t.Logf("%d calls, largest %d entries, %d bytes", m.requests, m.maxEntries, m.maxBytes)
		})
	}
}
