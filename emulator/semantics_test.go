package emulator_test

import (
	"bytes"
	"fmt"
	"math/big"
	"net/http"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/kinesis"
	"github.com/aws/aws-sdk-go-v2/service/kinesis/types"

	"github.com/pelicanhq/pelican/emulator"
)

var epoch = time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)

func iterator(t *testing.T, kc *kinesis.Client, stream, shard string, typ types.ShardIteratorType) *string {
	t.Helper()
	it, err := kc.GetShardIterator(ctxT(t), &kinesis.GetShardIteratorInput{StreamName: &stream, ShardId: &shard, ShardIteratorType: typ})
	if err != nil {
		t.Fatal(err)
	}
	return it.ShardIterator
}

func TestWriteThroughputLimit(t *testing.T) {
	clock := emulator.NewManualClock(epoch)
	srv := emulator.RunT(t, emulator.WithClock(clock), emulator.WithThroughputLimits(true), emulator.WithStream("hot", 1))
	kc := newClient(t, srv)
	ctx := ctxT(t)
	batch := func(n int, size int) *kinesis.PutRecordsOutput {
		entries := make([]types.PutRecordsRequestEntry, n)
		for i := range entries {
			entries[i] = types.PutRecordsRequestEntry{PartitionKey: aws.String("k"), Data: bytes.Repeat([]byte("x"), size)}
		}
		out, err := kc.PutRecords(ctx, &kinesis.PutRecordsInput{StreamName: aws.String("hot"), Records: entries})
		if err != nil {
			t.Fatal(err)
		}
		return out
	}
	// 1,000 records a second: two batches of 500 pass, the third is throttled record by record.
	for i := 0; i < 2; i++ {
		if out := batch(500, 10); aws.ToInt32(out.FailedRecordCount) != 0 {
			t.Fatalf("batch %d: %d records throttled under the limit", i, aws.ToInt32(out.FailedRecordCount))
		}
	}
	out := batch(500, 10)
	if aws.ToInt32(out.FailedRecordCount) != 500 || aws.ToString(out.Records[0].ErrorCode) != "ProvisionedThroughputExceededException" {
		t.Fatalf("over the record rate: %d failed, first %v", aws.ToInt32(out.FailedRecordCount), aws.ToString(out.Records[0].ErrorCode))
	}
	if msg := aws.ToString(out.Records[0].ErrorMessage); !strings.Contains(msg, "Rate exceeded for shard shardId-000000000000 in stream hot under account 000000000000.") {
		t.Fatalf("message %q", msg)
	}
	// Averaged, not cut per second: half a second refills half the rate.
	clock.Advance(500 * time.Millisecond)
	if out := batch(500, 10); aws.ToInt32(out.FailedRecordCount) != 0 {
		t.Fatalf("after half a second, %d of 500 throttled", aws.ToInt32(out.FailedRecordCount))
	}
	// Ten records of 1000 KiB fit in the 10 MiB burst; the eleventh waits until the bytes are paid
	// back at 1 MiB/s.
	clock.Advance(10 * time.Second)
	big := bytes.Repeat([]byte("y"), 1000<<10)
	for i := 0; i < 11; i++ {
		_, err := kc.PutRecord(ctx, &kinesis.PutRecordInput{StreamName: aws.String("hot"), PartitionKey: aws.String("k"), Data: big})
		if i < 10 && err != nil {
			t.Fatalf("record %d of 1000 KiB within the 10 MiB burst: %v", i, err)
		}
		if i == 10 {
			requireCode(t, err, "ProvisionedThroughputExceededException")
		}
	}
	clock.Advance(time.Second)
	if _, err := kc.PutRecord(ctx, &kinesis.PutRecordInput{StreamName: aws.String("hot"), PartitionKey: aws.String("k"), Data: big}); err != nil {
		t.Fatalf("a second later one 900 KiB record fits again: %v", err)
	}
}

func TestReadThroughputLimit(t *testing.T) {
	clock := emulator.NewManualClock(epoch)
	srv := emulator.RunT(t, emulator.WithClock(clock), emulator.WithThroughputLimits(true), emulator.WithStream("r", 1))
	kc := newClient(t, srv)
	ctx := ctxT(t)
	it := iterator(t, kc, "r", "shardId-000000000000", types.ShardIteratorTypeTrimHorizon)
	for i := 0; i < 5; i++ {
		out, err := kc.GetRecords(ctx, &kinesis.GetRecordsInput{ShardIterator: it})
		if err != nil {
			t.Fatalf("call %d of 5: %v", i+1, err)
		}
		it = out.NextShardIterator
	}
	_, err := kc.GetRecords(ctx, &kinesis.GetRecordsInput{ShardIterator: it})
	requireCode(t, err, "ProvisionedThroughputExceededException")
	clock.Advance(200 * time.Millisecond)
	if _, err := kc.GetRecords(ctx, &kinesis.GetRecordsInput{ShardIterator: it}); err != nil {
		t.Fatalf("a fifth of a second later one call fits again: %v", err)
	}
}

func TestControlPlaneRateLimit(t *testing.T) {
	clock := emulator.NewManualClock(epoch)
	limits := emulator.DefaultLimits()
	limits.ControlPlaneRatePerS = 5
	srv := emulator.RunT(t, emulator.WithClock(clock), emulator.WithLimits(limits))
	kc := newClient(t, srv)
	ctx := ctxT(t)
	for i := 0; i < 5; i++ {
		if _, err := kc.ListStreams(ctx, &kinesis.ListStreamsInput{}); err != nil {
			t.Fatal(err)
		}
	}
	_, err := kc.ListStreams(ctx, &kinesis.ListStreamsInput{})
	requireCode(t, err, "LimitExceededException")
	// Each operation has its own rate.
	if _, err := kc.DescribeLimits(ctx, &kinesis.DescribeLimitsInput{}); err != nil {
		t.Fatal(err)
	}
}

func TestFaultInjection(t *testing.T) {
	srv := emulator.RunT(t, emulator.WithStream("f", 1))
	kc := newClient(t, srv)
	ctx := ctxT(t)
	srv.Faults().Inject(emulator.Fault{Operation: "PutRecord", Code: "InternalFailure", Times: 2})
	for i := 0; i < 2; i++ {
		_, err := kc.PutRecord(ctx, &kinesis.PutRecordInput{StreamName: aws.String("f"), PartitionKey: aws.String("k"), Data: []byte("x")})
		requireCode(t, err, "InternalFailure")
	}
	if _, err := kc.PutRecord(ctx, &kinesis.PutRecordInput{StreamName: aws.String("f"), PartitionKey: aws.String("k"), Data: []byte("ok")}); err != nil {
		t.Fatalf("the fault outlived its 2 calls: %v", err)
	}
	// After-apply faults take effect and then fail: the ambiguous timeout a client must retry.
	srv.Faults().Inject(emulator.Fault{Operation: "PutRecord", Code: "ServiceUnavailable", Times: 1, AfterApply: true})
	_, err := kc.PutRecord(ctx, &kinesis.PutRecordInput{StreamName: aws.String("f"), PartitionKey: aws.String("k"), Data: []byte("ambiguous")})
	if err == nil {
		t.Fatal("after-apply fault did not fail the call")
	}
	out, err := kc.GetRecords(ctx, &kinesis.GetRecordsInput{ShardIterator: iterator(t, kc, "f", "shardId-000000000000", types.ShardIteratorTypeTrimHorizon)})
	if err != nil {
		t.Fatal(err)
	}
	if len(out.Records) != 2 || string(out.Records[1].Data) != "ambiguous" {
		t.Fatalf("stored %d records; the after-apply write must be stored", len(out.Records))
	}

	// The admin endpoint of a running server does the same over HTTP.
	post := func(body string) {
		resp, err := http.Post(srv.URL()+"/_pelican/faults", "application/json", strings.NewReader(body))
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != http.StatusNoContent {
			t.Fatalf("admin endpoint answered %d to %s", resp.StatusCode, body)
		}
	}
	post(`{"operation":"ListStreams","code":"LimitExceededException","message":"slow down","times":1}`)
	_, err = kc.ListStreams(ctx, &kinesis.ListStreamsInput{})
	requireCode(t, err, "LimitExceededException")
	post(`{"operation":"ListStreams","latency":"150ms","times":1}`)
	start := time.Now()
	if _, err := kc.ListStreams(ctx, &kinesis.ListStreamsInput{}); err != nil {
		t.Fatal(err)
	}
	if time.Since(start) < 150*time.Millisecond {
		t.Fatal("injected latency was not applied")
	}
	req, _ := http.NewRequest(http.MethodDelete, srv.URL()+"/_pelican/faults", nil)
	if resp, err := http.DefaultClient.Do(req); err != nil || resp.StatusCode != http.StatusNoContent {
		t.Fatalf("clearing faults: %v", err)
	}
	if n := len(srv.Faults().List()); n != 0 {
		t.Fatalf("%d faults left after clearing", n)
	}
}

func TestIteratorExpiresAfterFiveMinutes(t *testing.T) {
	clock := emulator.NewManualClock(epoch)
	srv := emulator.RunT(t, emulator.WithClock(clock), emulator.WithStream("x", 1))
	kc := newClient(t, srv)
	it := iterator(t, kc, "x", "shardId-000000000000", types.ShardIteratorTypeLatest)
	clock.Advance(5*time.Minute + time.Second)
	_, err := kc.GetRecords(ctxT(t), &kinesis.GetRecordsInput{ShardIterator: it})
	requireCode(t, err, "ExpiredIteratorException")
	if !strings.Contains(err.Error(), "Iterator expired. The iterator was created at time Sun Mar 01 12:00:00 UTC 2026") {
		t.Fatalf("message: %v", err)
	}
}

func TestRetentionTrimsOnTheClock(t *testing.T) {
	clock := emulator.NewManualClock(epoch)
	srv := emulator.RunT(t, emulator.WithClock(clock), emulator.WithStream("ret", 1))
	kc := newClient(t, srv)
	ctx := ctxT(t)
	put := func(s string) {
		if _, err := kc.PutRecord(ctx, &kinesis.PutRecordInput{StreamName: aws.String("ret"), PartitionKey: aws.String("k"), Data: []byte(s)}); err != nil {
			t.Fatal(err)
		}
	}
	put("old")
	clock.Advance(12 * time.Hour)
	put("young")
	clock.Advance(12*time.Hour + time.Minute) // "old" is now past the 24-hour retention
	out, err := kc.GetRecords(ctx, &kinesis.GetRecordsInput{ShardIterator: iterator(t, kc, "ret", "shardId-000000000000", types.ShardIteratorTypeTrimHorizon)})
	if err != nil {
		t.Fatal(err)
	}
	if len(out.Records) != 1 || string(out.Records[0].Data) != "young" {
		t.Fatalf("TRIM_HORIZON after retention read %d records", len(out.Records))
	}
	at := epoch.Add(time.Minute)
	it, err := kc.GetShardIterator(ctx, &kinesis.GetShardIteratorInput{StreamName: aws.String("ret"), ShardId: aws.String("shardId-000000000000"),
		ShardIteratorType: types.ShardIteratorTypeAtTimestamp, Timestamp: &at})
	if err != nil {
		t.Fatal(err)
	}
	out, err = kc.GetRecords(ctx, &kinesis.GetRecordsInput{ShardIterator: it.ShardIterator})
	if err != nil {
		t.Fatal(err)
	}
	if len(out.Records) != 1 || string(out.Records[0].Data) != "young" {
		t.Fatalf("AT_TIMESTAMP inside the trimmed range read %d records", len(out.Records))
	}
}

// TestReadingAcrossAReshard reads a split parent to its end: the last page has ChildShards and no
// NextShardIterator, the parent's ending sequence number is set, and the children take the writes.
func TestReadingAcrossAReshard(t *testing.T) {
	srv := emulator.RunT(t, emulator.WithStream("rs", 1))
	kc := newClient(t, srv)
	ctx := ctxT(t)
	for i := 0; i < 3; i++ {
		if _, err := kc.PutRecord(ctx, &kinesis.PutRecordInput{StreamName: aws.String("rs"), PartitionKey: aws.String(fmt.Sprint(i)), Data: []byte("before")}); err != nil {
			t.Fatal(err)
		}
	}
	it := iterator(t, kc, "rs", "shardId-000000000000", types.ShardIteratorTypeTrimHorizon)
	mid := new(big.Int).Lsh(big.NewInt(1), 127).String()
	if _, err := kc.SplitShard(ctx, &kinesis.SplitShardInput{StreamName: aws.String("rs"), ShardToSplit: aws.String("shardId-000000000000"), NewStartingHashKey: &mid}); err != nil {
		t.Fatal(err)
	}
	put, err := kc.PutRecord(ctx, &kinesis.PutRecordInput{StreamName: aws.String("rs"), PartitionKey: aws.String("k"), Data: []byte("after")})
	if err != nil {
		t.Fatal(err)
	}
	if *put.ShardId == "shardId-000000000000" {
		t.Fatal("a write after the split went to the closed parent")
	}
	out, err := kc.GetRecords(ctx, &kinesis.GetRecordsInput{ShardIterator: it})
	if err != nil {
		t.Fatal(err)
	}
	if len(out.Records) != 3 || out.NextShardIterator != nil || len(out.ChildShards) != 2 {
		t.Fatalf("drained parent: %d records, next %v, %d children", len(out.Records), out.NextShardIterator, len(out.ChildShards))
	}
	for _, c := range out.ChildShards {
		if len(c.ParentShards) != 1 || c.ParentShards[0] != "shardId-000000000000" {
			t.Fatalf("child %s has parents %v", aws.ToString(c.ShardId), c.ParentShards)
		}
	}
}

// TestUpdateShardCountLineage scales 3 -> 5 -> 3 and checks that the open shards split the hash
// space evenly and that every shard has at most two parents, as readers require.
func TestUpdateShardCountLineage(t *testing.T) {
	srv := emulator.RunT(t, emulator.WithStream("usc", 3))
	kc := newClient(t, srv)
	ctx := ctxT(t)
	for _, target := range []int32{5, 3} {
		out, err := kc.UpdateShardCount(ctx, &kinesis.UpdateShardCountInput{StreamName: aws.String("usc"), TargetShardCount: aws.Int32(target), ScalingType: types.ScalingTypeUniformScaling})
		if err != nil {
			t.Fatal(err)
		}
		if aws.ToInt32(out.TargetShardCount) != target {
			t.Fatalf("target %d answered %d", target, aws.ToInt32(out.TargetShardCount))
		}
		open, err := kc.ListShards(ctx, &kinesis.ListShardsInput{StreamName: aws.String("usc"), ShardFilter: &types.ShardFilter{Type: types.ShardFilterTypeAtLatest}})
		if err != nil {
			t.Fatal(err)
		}
		if len(open.Shards) != int(target) {
			t.Fatalf("%d open shards, want %d", len(open.Shards), target)
		}
		size := new(big.Int).Lsh(big.NewInt(1), 128)
		next := new(big.Int)
		sort.Slice(open.Shards, func(i, j int) bool {
			a, _ := new(big.Int).SetString(*open.Shards[i].HashKeyRange.StartingHashKey, 10)
			b, _ := new(big.Int).SetString(*open.Shards[j].HashKeyRange.StartingHashKey, 10)
			return a.Cmp(b) < 0
		})
		for i, sh := range open.Shards {
			start, _ := new(big.Int).SetString(*sh.HashKeyRange.StartingHashKey, 10)
			want := new(big.Int).Div(new(big.Int).Mul(size, big.NewInt(int64(i))), big.NewInt(int64(target)))
			if start.Cmp(want) != 0 || start.Cmp(next) != 0 {
				t.Fatalf("open shard %d starts at %s, want %s", i, start, want)
			}
			end, _ := new(big.Int).SetString(*sh.HashKeyRange.EndingHashKey, 10)
			next = end.Add(end, big.NewInt(1))
		}
		if next.Cmp(size) != 0 {
			t.Fatalf("open shards end at %s, not 2^128", next)
		}
	}
	all, err := kc.ListShards(ctx, &kinesis.ListShardsInput{StreamName: aws.String("usc")})
	if err != nil {
		t.Fatal(err)
	}
	for _, sh := range all.Shards {
		if sh.ParentShardId == nil && sh.AdjacentParentShardId != nil {
			t.Fatalf("%s has an adjacent parent and no parent", *sh.ShardId)
		}
	}
	_, err = kc.UpdateShardCount(ctx, &kinesis.UpdateShardCountInput{StreamName: aws.String("usc"), TargetShardCount: aws.Int32(7), ScalingType: types.ScalingTypeUniformScaling})
	requireCode(t, err, "LimitExceededException")
}

func TestStateDelaysOnTheClock(t *testing.T) {
	clock := emulator.NewManualClock(epoch)
	srv := emulator.RunT(t, emulator.WithClock(clock), emulator.WithDelays(emulator.Delays{CreateStream: 10 * time.Second, UpdateStream: 5 * time.Second}))
	kc := newClient(t, srv)
	ctx := ctxT(t)
	if _, err := kc.CreateStream(ctx, &kinesis.CreateStreamInput{StreamName: aws.String("slow"), ShardCount: aws.Int32(1)}); err != nil {
		t.Fatal(err)
	}
	status := func() types.StreamStatus {
		out, err := kc.DescribeStreamSummary(ctx, &kinesis.DescribeStreamSummaryInput{StreamName: aws.String("slow")})
		if err != nil {
			t.Fatal(err)
		}
		return out.StreamDescriptionSummary.StreamStatus
	}
	if s := status(); s != types.StreamStatusCreating {
		t.Fatalf("status %s, want CREATING", s)
	}
	_, err := kc.UpdateShardCount(ctx, &kinesis.UpdateShardCountInput{StreamName: aws.String("slow"), TargetShardCount: aws.Int32(2), ScalingType: types.ScalingTypeUniformScaling})
	requireCode(t, err, "ResourceInUseException")
	clock.Advance(10 * time.Second)
	if s := status(); s != types.StreamStatusActive {
		t.Fatalf("status %s, want ACTIVE", s)
	}
	if _, err := kc.UpdateShardCount(ctx, &kinesis.UpdateShardCountInput{StreamName: aws.String("slow"), TargetShardCount: aws.Int32(2), ScalingType: types.ScalingTypeUniformScaling}); err != nil {
		t.Fatal(err)
	}
	if s := status(); s != types.StreamStatusUpdating {
		t.Fatalf("status %s, want UPDATING", s)
	}
	if _, err := kc.PutRecord(ctx, &kinesis.PutRecordInput{StreamName: aws.String("slow"), PartitionKey: aws.String("k"), Data: []byte("during")}); err != nil {
		t.Fatalf("writes go on while UPDATING: %v", err)
	}
	clock.Advance(5 * time.Second)
	if s := status(); s != types.StreamStatusActive {
		t.Fatalf("status %s, want ACTIVE", s)
	}
	out, err := kc.ListShards(ctx, &kinesis.ListShardsInput{StreamName: aws.String("slow"), ShardFilter: &types.ShardFilter{Type: types.ShardFilterTypeAtLatest}})
	if err != nil || len(out.Shards) != 2 {
		t.Fatalf("after the update: %v, %d open shards", err, len(out.Shards))
	}
}

func TestListShardsFilters(t *testing.T) {
	clock := emulator.NewManualClock(epoch)
	srv := emulator.RunT(t, emulator.WithClock(clock), emulator.WithStream("lf", 1))
	kc := newClient(t, srv)
	ctx := ctxT(t)
	clock.Advance(time.Hour)
	mid := new(big.Int).Lsh(big.NewInt(1), 127).String()
	if _, err := kc.SplitShard(ctx, &kinesis.SplitShardInput{StreamName: aws.String("lf"), ShardToSplit: aws.String("shardId-000000000000"), NewStartingHashKey: &mid}); err != nil {
		t.Fatal(err)
	}
	splitAt := clock.Now()
	clock.Advance(time.Hour)
	before, after := splitAt.Add(-time.Minute), splitAt.Add(time.Minute)
	ids := func(f *types.ShardFilter) string {
		out, err := kc.ListShards(ctx, &kinesis.ListShardsInput{StreamName: aws.String("lf"), ShardFilter: f})
		if err != nil {
			t.Fatalf("%+v: %v", f, err)
		}
		var got []string
		for _, sh := range out.Shards {
			got = append(got, strings.TrimPrefix(*sh.ShardId, "shardId-00000000000"))
		}
		return strings.Join(got, ",")
	}
	for _, tc := range []struct {
		filter *types.ShardFilter
		want   string
	}{
		{nil, "0,1,2"},
		{&types.ShardFilter{Type: types.ShardFilterTypeAtLatest}, "1,2"},
		{&types.ShardFilter{Type: types.ShardFilterTypeAtTrimHorizon}, "0"},
		{&types.ShardFilter{Type: types.ShardFilterTypeFromTrimHorizon}, "0,1,2"},
		{&types.ShardFilter{Type: types.ShardFilterTypeAtTimestamp, Timestamp: &before}, "0"},
		{&types.ShardFilter{Type: types.ShardFilterTypeAtTimestamp, Timestamp: &after}, "1,2"},
		{&types.ShardFilter{Type: types.ShardFilterTypeFromTimestamp, Timestamp: &before}, "0,1,2"},
		{&types.ShardFilter{Type: types.ShardFilterTypeFromTimestamp, Timestamp: &after}, "1,2"},
		{&types.ShardFilter{Type: types.ShardFilterTypeAfterShardId, ShardId: aws.String("shardId-000000000000")}, "1,2"},
	} {
		if got := ids(tc.filter); got != tc.want {
			t.Errorf("filter %+v: shards %s, want %s", tc.filter, got, tc.want)
		}
	}
	_, err := kc.ListShards(ctx, &kinesis.ListShardsInput{StreamName: aws.String("lf"), ShardFilter: &types.ShardFilter{Type: types.ShardFilterTypeAtTimestamp}})
	requireCode(t, err, "InvalidArgumentException")
	// Paging: one shard a page, the token carries the filter.
	out, err := kc.ListShards(ctx, &kinesis.ListShardsInput{StreamName: aws.String("lf"), MaxResults: aws.Int32(1), ShardFilter: &types.ShardFilter{Type: types.ShardFilterTypeAtLatest}})
	if err != nil || len(out.Shards) != 1 || out.NextToken == nil {
		t.Fatalf("first page: %v", err)
	}
	next, err := kc.ListShards(ctx, &kinesis.ListShardsInput{NextToken: out.NextToken, MaxResults: aws.Int32(5)})
	if err != nil || len(next.Shards) != 1 || *next.Shards[0].ShardId != "shardId-000000000002" || next.NextToken != nil {
		t.Fatalf("second page: %v %+v", err, next)
	}
	clock.Advance(6 * time.Minute)
	_, err = kc.ListShards(ctx, &kinesis.ListShardsInput{NextToken: out.NextToken})
	requireCode(t, err, "ExpiredNextTokenException")
}

// TestDocumentedControlPlaneRates: with throughput limits on, each control-plane operation has the
// rate the API reference gives it, per account or per stream.
func TestDocumentedControlPlaneRates(t *testing.T) {
	clock := emulator.NewManualClock(epoch)
	srv := emulator.RunT(t, emulator.WithClock(clock), emulator.WithThroughputLimits(true), emulator.WithStream("a", 1), emulator.WithStream("b", 1))
	kc := newClient(t, srv)
	ctx := ctxT(t)
	// DescribeLimits: one a second per account.
	if _, err := kc.DescribeLimits(ctx, &kinesis.DescribeLimitsInput{}); err != nil {
		t.Fatal(err)
	}
	_, err := kc.DescribeLimits(ctx, &kinesis.DescribeLimitsInput{})
	requireCode(t, err, "LimitExceededException")
	clock.Advance(time.Second)
	if _, err := kc.DescribeLimits(ctx, &kinesis.DescribeLimitsInput{}); err != nil {
		t.Fatalf("a second later: %v", err)
	}
	// ListStreamConsumers: five a second per stream, however the stream is named.
	arnA := "arn:aws:kinesis:us-east-1:000000000000:stream/a"
	for i := 0; i < 5; i++ {
		in := &kinesis.ListStreamConsumersInput{StreamARN: aws.String(arnA)}
		if _, err := kc.ListStreamConsumers(ctx, in); err != nil {
			t.Fatalf("call %d: %v", i+1, err)
		}
	}
	_, err = kc.ListStreamConsumers(ctx, &kinesis.ListStreamConsumersInput{StreamARN: aws.String(arnA)})
	requireCode(t, err, "LimitExceededException")
	if _, err := kc.ListStreamConsumers(ctx, &kinesis.ListStreamConsumersInput{StreamARN: aws.String("arn:aws:kinesis:us-east-1:000000000000:stream/b")}); err != nil {
		t.Fatalf("another stream has its own rate: %v", err)
	}
	// GetShardIterator: five a second per open shard.
	for i := 0; i < 5; i++ {
		iterator(t, kc, "a", "shardId-000000000000", types.ShardIteratorTypeLatest)
	}
	_, err = kc.GetShardIterator(ctx, &kinesis.GetShardIteratorInput{StreamName: aws.String("a"), ShardId: aws.String("shardId-000000000000"), ShardIteratorType: types.ShardIteratorTypeLatest})
	requireCode(t, err, "ProvisionedThroughputExceededException")
	// UpdateShardCount: ten scalings of a stream in a rolling 24 hours.
	for i := 0; i < 10; i++ {
		target := int32(2 - i%2) // 2, 1, 2, 1, ...
		clock.Advance(time.Second)
		if _, err := kc.UpdateShardCount(ctx, &kinesis.UpdateShardCountInput{StreamName: aws.String("b"), TargetShardCount: aws.Int32(target), ScalingType: types.ScalingTypeUniformScaling}); err != nil {
			t.Fatalf("scaling %d: %v", i+1, err)
		}
	}
	_, err = kc.UpdateShardCount(ctx, &kinesis.UpdateShardCountInput{StreamName: aws.String("b"), TargetShardCount: aws.Int32(2), ScalingType: types.ScalingTypeUniformScaling})
	requireCode(t, err, "LimitExceededException")
	clock.Advance(24 * time.Hour)
	if _, err := kc.UpdateShardCount(ctx, &kinesis.UpdateShardCountInput{StreamName: aws.String("b"), TargetShardCount: aws.Int32(2), ScalingType: types.ScalingTypeUniformScaling}); err != nil {
		t.Fatalf("a day later: %v", err)
	}
}
