package emulator_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"math/big"
	"net/http"
	"net/http/httptest"
	"runtime"
	"sort"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/kinesis"
	"github.com/aws/aws-sdk-go-v2/service/kinesis/types"

	"github.com/pelicanhq/pelican/emulator"
	"github.com/pelicanhq/pelican/pelicantest"
)

// The issue-13 benchmarks drive the emulator through the real Go SDK over loopback HTTP with four
// writers and 1 KiB records. On a small machine the SDK client itself is the bottleneck, so each
// benchmark also drives a server that only answers with canned responses (the ceiling) in the same
// run, and reports the emulator's rate as a fraction of it.

const (
	benchWriters   = 4
	benchBatch     = 500
	benchRecordLen = 1024
)

// The drain benchmarks read a stream of 4 shards holding 120,000 1 KiB records, each shard by one
// reader with GetRecords of Limit 10,000: answers of about 14 MB, the largest a reader asks for.
const (
	drainRecords  = 120000
	drainLimit    = 10000
	drainPerShard = drainRecords / benchWriters
)

func benchClient(endpoint string) *kinesis.Client {
	cfg := aws.Config{
		Region:      "us-east-1",
		Credentials: credentials.NewStaticCredentialsProvider("AKIDBENCH", "secret", ""),
		HTTPClient: &http.Client{Transport: pelicantest.Transport(&http.Transport{
			MaxIdleConnsPerHost: 64, MaxConnsPerHost: 64, DisableCompression: true,
		})},
	}
	return kinesis.NewFromConfig(cfg, func(o *kinesis.Options) {
		o.BaseEndpoint = aws.String(endpoint)
		o.RetryMaxAttempts = 1
	})
}

func benchEntries() []types.PutRecordsRequestEntry {
	data := []byte(strings.Repeat("x", benchRecordLen))
	entries := make([]types.PutRecordsRequestEntry, benchBatch)
	for i := range entries {
		entries[i] = types.PutRecordsRequestEntry{PartitionKey: aws.String(fmt.Sprintf("key-%d", i)), Data: data}
	}
	return entries
}

// putRate sends batches of PutRecords from four writers for d and returns records per second.
func putRate(tb testing.TB, kc *kinesis.Client, stream string, d time.Duration) float64 {
	entries := benchEntries()
	var sent atomic.Int64
	ctx := context.Background()
	deadline := time.Now().Add(d)
	start := time.Now()
	var wg sync.WaitGroup
	var failed atomic.Value
	for w := 0; w < benchWriters; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for time.Now().Before(deadline) {
				out, err := kc.PutRecords(ctx, &kinesis.PutRecordsInput{StreamName: &stream, Records: entries})
				if err != nil {
					failed.Store(err)
					return
				}
				sent.Add(int64(len(out.Records)) - int64(aws.ToInt32(out.FailedRecordCount)))
			}
		}()
	}
	wg.Wait()
	if err, _ := failed.Load().(error); err != nil {
		tb.Fatal(err)
	}
	return float64(sent.Load()) / time.Since(start).Seconds()
}

// getRate reads the records of every shard with four readers for d and returns records per second.
// Each reader starts over at the trim horizon when it reaches the tip.
func getRate(tb testing.TB, kc *kinesis.Client, stream string, shards []string, d time.Duration) float64 {
	return readRate(tb, kc, stream, shards, d, benchBatch, 0)
}

// readRate reads the shards of stream for d, one reader per shard with GetRecords of Limit limit,
// and returns records per second. A reader starts over at the trim horizon when an answer is empty,
// and, when perDrain is not zero, once it has read perDrain records or an answer is short.
func readRate(tb testing.TB, kc *kinesis.Client, stream string, shards []string, d time.Duration, limit, perDrain int) float64 {
	var got atomic.Int64
	ctx := context.Background()
	deadline := time.Now().Add(d)
	start := time.Now()
	var wg sync.WaitGroup
	var failed atomic.Value
	for w := 0; w < benchWriters; w++ {
		shard := shards[w%len(shards)]
		wg.Add(1)
		go func() {
			defer wg.Done()
			var iter *string
			drained := 0
			for time.Now().Before(deadline) {
				if iter == nil {
					it, err := kc.GetShardIterator(ctx, &kinesis.GetShardIteratorInput{StreamName: &stream, ShardId: &shard, ShardIteratorType: types.ShardIteratorTypeTrimHorizon})
					if err != nil {
						failed.Store(err)
						return
					}
					iter, drained = it.ShardIterator, 0
				}
				out, err := kc.GetRecords(ctx, &kinesis.GetRecordsInput{ShardIterator: iter, Limit: aws.Int32(int32(limit))})
				if err != nil {
					failed.Store(err)
					return
				}
				got.Add(int64(len(out.Records)))
				drained += len(out.Records)
				iter = out.NextShardIterator
				if len(out.Records) == 0 || (perDrain > 0 && (len(out.Records) < limit || drained >= perDrain)) {
					iter = nil
				}
			}
		}()
	}
	wg.Wait()
	if err, _ := failed.Load().(error); err != nil {
		tb.Fatal(err)
	}
	return float64(got.Load()) / time.Since(start).Seconds()
}

// ceilingServer answers PutRecords, GetShardIterator and GetRecords with canned responses of the
// benchmark's shape, doing no other work: the most any server can get out of this client.
func ceilingServer(tb testing.TB) *httptest.Server {
	put := cannedPutRecords()
	get := cannedGetRecords()
	iter := []byte(`{"ShardIterator":"AAAAAAAAAAFcanned"}`)
	drain := cannedGetRecordsN(drainLimit)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		w.Header().Set("Content-Type", "application/x-amz-json-1.1")
		answer := func(b []byte) {
			w.Header().Set("Content-Length", strconv.Itoa(len(b))) // as AWS and the emulator send it
			_, _ = w.Write(b)
		}
		switch r.Header.Get("X-Amz-Target") {
		case "Kinesis_20131202.PutRecords":
			answer(put)
		case "Kinesis_20131202.GetShardIterator":
			answer(iter)
		case "Kinesis_20131202.GetRecords":
			if bytes.Contains(body, []byte(`"Limit":`+strconv.Itoa(drainLimit))) {
				answer(drain)
			} else {
				answer(get)
			}
		default:
			w.WriteHeader(400)
			_, _ = w.Write([]byte(`{"__type":"UnknownOperationException"}`))
		}
	}))
	tb.Cleanup(srv.Close)
	return srv
}

func cannedPutRecords() []byte {
	type entry struct{ SequenceNumber, ShardId string }
	out := struct {
		FailedRecordCount int
		Records           []entry
	}{}
	for i := 0; i < benchBatch; i++ {
		out.Records = append(out.Records, entry{"49590338271490256608559692538361571095921575989136588898", "shardId-000000000000"})
	}
	b, _ := json.Marshal(out)
	return b
}

func cannedGetRecords() []byte { return cannedGetRecordsN(benchBatch) }

// cannedGetRecordsN is a GetRecords answer of n 1 KiB records, as the emulator writes them.
func cannedGetRecordsN(n int) []byte {
	type rec struct {
		SequenceNumber              string
		ApproximateArrivalTimestamp float64
		Data                        []byte
		PartitionKey                string
	}
	out := struct {
		Records            []rec
		NextShardIterator  string
		MillisBehindLatest int
	}{NextShardIterator: "AAAAAAAAAAFcanned"}
	data := []byte(strings.Repeat("x", benchRecordLen))
	for i := 0; i < n; i++ {
		out.Records = append(out.Records, rec{"49590338271490256608559692538361571095921575989136588898", 1.764e9, data, fmt.Sprintf("key-%d", i)})
	}
	b, _ := json.Marshal(out)
	return b
}

// fillShards writes drainPerShard 1 KiB records to each of the four shards of stream, one writer per
// shard, with explicit hash keys so that every shard holds the same number.
func fillShards(tb testing.TB, kc *kinesis.Client, stream string) {
	var wg sync.WaitGroup
	errs := make(chan error, benchWriters)
	for w := 0; w < benchWriters; w++ {
		// The middle of shard w's range of an evenly split stream: (2w+1) * 2^125.
		key := new(big.Int).Lsh(big.NewInt(int64(2*w+1)), 125).String()
		entries := benchEntries()
		for i := range entries {
			entries[i].ExplicitHashKey = aws.String(key)
		}
		wg.Add(1)
		go func() {
			defer wg.Done()
			for sent := 0; sent < drainPerShard; sent += benchBatch {
				out, err := kc.PutRecords(context.Background(), &kinesis.PutRecordsInput{StreamName: &stream, Records: entries})
				if err == nil && aws.ToInt32(out.FailedRecordCount) != 0 {
					err = fmt.Errorf("%d records failed: %s", aws.ToInt32(out.FailedRecordCount), aws.ToString(out.Records[0].ErrorMessage))
				}
				if err != nil {
					errs <- err
					return
				}
			}
		}()
	}
	wg.Wait()
	close(errs)
	if err := <-errs; err != nil {
		tb.Fatal(err)
	}
}

// drainRate drains the shards of stream for d, one reader per shard with GetRecords of Limit
// drainLimit, and returns records per second. A reader starts over at the trim horizon once it
// has read drainPerShard records or reached the tip.
func drainRate(tb testing.TB, kc *kinesis.Client, stream string, shards []string, d time.Duration) float64 {
	return readRate(tb, kc, stream, shards, d, drainLimit, drainPerShard)
}

// benchDuration is how long an interleaved benchmark measures: 24 slices of 250 ms, whatever b.N
// is, so that `make bench` (-benchtime 1s, which then runs each such benchmark once) reports
// medians of twelve pairs.
func benchDuration(*testing.B) time.Duration { return 6 * time.Second }

// benchSlice is the length of one slice of an interleaved benchmark: many requests of each reader
// or writer (a PutRecords of 500 records, a GetRecords of 500, take a few milliseconds).
const benchSlice = 250 * time.Millisecond

// drainSlice and drainDuration are the slice and the whole of the drain benchmarks: a GetRecords of
// 10,000 records takes 100 to 200 ms with four readers on two cores, so a slice of 250 ms held
// one or two answers per reader, and the end of each slice (readers finishing their last answer
// one by one, the cores half idle) was a good part of it. Slices of one second hold five or more.
const (
	drainSlice    = time.Second
	drainDuration = 16 * time.Second
)

// interleave measures two rates in alternating slices for d in all, after one warm-up slice each,
// so that both see the same machine load. It returns the mean of each and the median of the
// per-pair ratios b/a, which a burst of load from elsewhere moves far less than the ratio of the
// means.
func interleave(d, slice time.Duration, a, b func(time.Duration) float64) (meanA, meanB, ratio float64) {
	// One slice each, not counted, so that connections, pools and caches are warm on both sides.
	a(slice)
	b(slice)
	var ratios []float64
	for spent := time.Duration(0); spent < d; spent += 2 * slice {
		ra, rb := a(slice), b(slice)
		meanA += ra
		meanB += rb
		ratios = append(ratios, rb/ra)
	}
	n := float64(len(ratios))
	return meanA / n, meanB / n, median(ratios)
}

// median returns the median of v, which it sorts.
func median(v []float64) float64 {
	sort.Float64s(v)
	mid := len(v) / 2
	if len(v)%2 == 0 {
		return (v[mid-1] + v[mid]) / 2
	}
	return v[mid]
}

// againstCeiling measures rate through the ceiling's client cc and the emulator's ec in interleaved
// slices and reports both and the emulator's fraction of the ceiling.
func againstCeiling(b *testing.B, cc, ec *kinesis.Client, d, slice time.Duration, rate func(kc *kinesis.Client, d time.Duration) float64) {
	b.ResetTimer()
	ceil, emu, ratio := interleave(d, slice,
		func(d time.Duration) float64 { return rate(cc, d) },
		func(d time.Duration) float64 { return rate(ec, d) })
	b.StopTimer()
	b.ReportMetric(emu, "records/s")
	b.ReportMetric(ceil, "ceiling-records/s")
	b.ReportMetric(ratio, "fraction-of-ceiling")
}

// BenchmarkPutRecords reports the emulator's PutRecords rate beside the ceiling's, in one run.
func BenchmarkPutRecords(b *testing.B) {
	ceiling := ceilingServer(b)
	srv := emulator.RunT(b, emulator.WithStream("bench", 4))
	cc, ec := benchClient(ceiling.URL), benchClient(srv.URL())
	againstCeiling(b, cc, ec, benchDuration(b), benchSlice, func(kc *kinesis.Client, d time.Duration) float64 { return putRate(b, kc, "bench", d) })
}

// BenchmarkGetRecords reports the emulator's GetRecords rate beside the ceiling's, in one run.
func BenchmarkGetRecords(b *testing.B) {
	ceiling := ceilingServer(b)
	srv := emulator.RunT(b, emulator.WithStream("bench", 4))
	kc := benchClient(srv.URL())
	putRate(b, kc, "bench", 500*time.Millisecond)
	shards := []string{"shardId-000000000000", "shardId-000000000001", "shardId-000000000002", "shardId-000000000003"}
	cc := benchClient(ceiling.URL)
	againstCeiling(b, cc, kc, benchDuration(b), benchSlice, func(kc *kinesis.Client, d time.Duration) float64 { return getRate(b, kc, "bench", shards, d) })
}

// BenchmarkGetRecordsDrain reports the emulator's rate draining 120,000 1 KiB records from 4
// shards with GetRecords of Limit 10,000 beside the ceiling's, in one run.
func BenchmarkGetRecordsDrain(b *testing.B) {
	ceiling := ceilingServer(b)
	srv := emulator.RunT(b, emulator.WithStream("bench", 4))
	kc := benchClient(srv.URL())
	fillShards(b, kc, "bench")
	shards := []string{"shardId-000000000000", "shardId-000000000001", "shardId-000000000002", "shardId-000000000003"}
	cc := benchClient(ceiling.URL)
	againstCeiling(b, cc, kc, drainDuration, drainSlice, func(kc *kinesis.Client, d time.Duration) float64 { return drainRate(b, kc, "bench", shards, d) })
}

// BenchmarkPutRecordLatency measures one PutRecord round trip through the SDK.
func BenchmarkPutRecordLatency(b *testing.B) {
	srv := emulator.RunT(b, emulator.WithStream("bench", 1))
	kc := benchClient(srv.URL())
	ctx := context.Background()
	data := []byte(strings.Repeat("x", benchRecordLen))
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if _, err := kc.PutRecord(ctx, &kinesis.PutRecordInput{StreamName: aws.String("bench"), PartitionKey: aws.String("k"), Data: data}); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkStart measures an in-process start and stop, as every test pays it.
func BenchmarkStart(b *testing.B) {
	for i := 0; i < b.N; i++ {
		srv, err := emulator.Run(emulator.WithStream("s", 4))
		if err != nil {
			b.Fatal(err)
		}
		_ = srv.Close()
	}
}

// BenchmarkMemoryPerRecord reports the heap each stored 1 KiB record costs.
func BenchmarkMemoryPerRecord(b *testing.B) {
	const n = 20000
	srv := emulator.RunT(b, emulator.WithStream("bench", 4))
	kc := benchClient(srv.URL())
	ctx := context.Background()
	entries := benchEntries()
	var before, after runtime.MemStats
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		runtime.GC()
		runtime.ReadMemStats(&before)
		for sent := 0; sent < n; sent += benchBatch {
			if _, err := kc.PutRecords(ctx, &kinesis.PutRecordsInput{StreamName: aws.String("bench"), Records: entries}); err != nil {
				b.Fatal(err)
			}
		}
		runtime.GC()
		runtime.ReadMemStats(&after)
	}
	b.StopTimer()
	b.ReportMetric(float64(after.HeapAlloc-before.HeapAlloc)/n, "heap-bytes/record")
}
