package emulator_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"math/big"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/kinesis"
	"github.com/aws/aws-sdk-go-v2/service/kinesis/types"

	"github.com/pelicanhq/pelican/emulator"
	"github.com/pelicanhq/pelican/pelicantest"
)

// persistClient is an unchanged SDK client aimed at an endpoint URL, retries off, so that a test can
// keep talking to a server across restarts and to servers in other processes.
func persistClient(endpoint string) *kinesis.Client {
	cfg := aws.Config{
		Region:      "us-east-1",
		Credentials: credentials.NewStaticCredentialsProvider("AKIDTEST", "secret", ""),
		// pelicantest's transport: the SDK's request-body race would otherwise cut long answers.
		HTTPClient: &http.Client{Transport: pelicantest.Transport(nil), Timeout: 30 * time.Second},
	}
	return kinesis.NewFromConfig(cfg, func(o *kinesis.Options) {
		o.BaseEndpoint = aws.String(endpoint)
		o.RetryMaxAttempts = 1
	})
}

// runPersistent starts a server on dir; the test closes it, or cleanup does.
func runPersistent(t testing.TB, dir string, opts ...emulator.Option) *emulator.Server {
	t.Helper()
	srv, err := emulator.Run(append([]emulator.Option{emulator.WithDataDir(dir)}, opts...)...)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = srv.Close() })
	return srv
}

// persistReadShard reads a shard from iterator until it is caught up (or ends), returning the
// records and the iterator to go on from.
func persistReadShard(t testing.TB, kc *kinesis.Client, iterator *string) ([]types.Record, *string) {
	t.Helper()
	ctx := ctxT(t)
	var out []types.Record
	for iterator != nil {
		page, err := kc.GetRecords(ctx, &kinesis.GetRecordsInput{ShardIterator: iterator})
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, page.Records...)
		if len(page.Records) == 0 && aws.ToInt64(page.MillisBehindLatest) == 0 {
			return out, page.NextShardIterator
		}
		iterator = page.NextShardIterator
	}
	return out, nil
}

// persistIterator returns a shard iterator of the given type.
func persistIterator(t testing.TB, kc *kinesis.Client, stream, shard string, typ types.ShardIteratorType) *string {
	t.Helper()
	out, err := kc.GetShardIterator(ctxT(t), &kinesis.GetShardIteratorInput{StreamName: aws.String(stream),
		ShardId: aws.String(shard), ShardIteratorType: typ})
	if err != nil {
		t.Fatal(err)
	}
	return out.ShardIterator
}

// persistPut puts n records with keys spread over the shards and returns, per shard, the
// acknowledged sequence numbers and data in order.
func persistPut(t testing.TB, kc *kinesis.Client, stream, prefix string, n int) map[string][]types.Record {
	t.Helper()
	entries := make([]types.PutRecordsRequestEntry, n)
	for i := range entries {
		entries[i] = types.PutRecordsRequestEntry{PartitionKey: aws.String(fmt.Sprintf("key-%d", i)),
			Data: []byte(fmt.Sprintf("%s-%d", prefix, i))}
	}
	out, err := kc.PutRecords(ctxT(t), &kinesis.PutRecordsInput{StreamName: aws.String(stream), Records: entries})
	if err != nil {
		t.Fatal(err)
	}
	if aws.ToInt32(out.FailedRecordCount) != 0 {
		t.Fatalf("%d records failed", aws.ToInt32(out.FailedRecordCount))
	}
	acked := map[string][]types.Record{}
	for i, r := range out.Records {
		acked[*r.ShardId] = append(acked[*r.ShardId], types.Record{SequenceNumber: r.SequenceNumber, Data: entries[i].Data})
	}
	return acked
}

// persistRequireRecords fails unless got holds exactly want's sequence numbers and data, in order.
func persistRequireRecords(t testing.TB, shard string, got, want []types.Record) {
	t.Helper()
	if len(got) != len(want) {
		t.Fatalf("%s: read %d records, want %d", shard, len(got), len(want))
	}
	for i := range want {
		if *got[i].SequenceNumber != *want[i].SequenceNumber || !bytes.Equal(got[i].Data, want[i].Data) {
			t.Fatalf("%s record %d: got %s %q, want %s %q", shard, i, *got[i].SequenceNumber, got[i].Data,
				*want[i].SequenceNumber, want[i].Data)
		}
	}
}

func seqLess(a, b string) bool {
	x, _ := new(big.Int).SetString(a, 10)
	y, _ := new(big.Int).SetString(b, 10)
	return x.Cmp(y) < 0
}

func TestPersistRecordsAndIteratorsSurviveRestart(t *testing.T) {
	dir := t.TempDir()
	srv := runPersistent(t, dir)
	kc := persistClient(srv.URL())
	ctx := ctxT(t)
	if _, err := kc.CreateStream(ctx, &kinesis.CreateStreamInput{StreamName: aws.String("orders"), ShardCount: aws.Int32(3)}); err != nil {
		t.Fatal(err)
	}
	pelicantest.WaitActive(t, kc, "orders")
	acked := persistPut(t, kc, "orders", "before", 60)
	// Iterators issued before the restart: one at the trim horizon, one caught up at the tip.
	horizon := map[string]*string{}
	tip := map[string]*string{}
	for shard, want := range acked {
		horizon[shard] = persistIterator(t, kc, "orders", shard, types.ShardIteratorTypeTrimHorizon)
		got, next := persistReadShard(t, kc, persistIterator(t, kc, "orders", shard, types.ShardIteratorTypeTrimHorizon))
		persistRequireRecords(t, shard, got, want)
		tip[shard] = next
	}
	if err := srv.Close(); err != nil {
		t.Fatal(err)
	}

	srv2 := runPersistent(t, dir)
	kc2 := persistClient(srv2.URL())
	after := persistPut(t, kc2, "orders", "after", 60)
	for shard, want := range acked {
		got, _ := persistReadShard(t, kc2, horizon[shard])
		persistRequireRecords(t, shard, got, append(append([]types.Record(nil), want...), after[shard]...))
		gotNew, _ := persistReadShard(t, kc2, tip[shard])
		persistRequireRecords(t, shard, gotNew, after[shard])
		if len(after[shard]) > 0 && !seqLess(*want[len(want)-1].SequenceNumber, *after[shard][0].SequenceNumber) {
			t.Fatalf("%s: sequence numbers went back after the restart: %s then %s", shard,
				*want[len(want)-1].SequenceNumber, *after[shard][0].SequenceNumber)
		}
	}
}

// persistSnapshot captures what a client sees of a stream's control-plane state, as JSON.
func persistSnapshot(t testing.TB, kc *kinesis.Client, stream string) string {
	t.Helper()
	ctx := ctxT(t)
	summary, err := kc.DescribeStreamSummary(ctx, &kinesis.DescribeStreamSummaryInput{StreamName: aws.String(stream)})
	if err != nil {
		t.Fatal(err)
	}
	shards, err := kc.ListShards(ctx, &kinesis.ListShardsInput{StreamName: aws.String(stream)})
	if err != nil {
		t.Fatal(err)
	}
	tags, err := kc.ListTagsForStream(ctx, &kinesis.ListTagsForStreamInput{StreamName: aws.String(stream)})
	if err != nil {
		t.Fatal(err)
	}
	consumers, err := kc.ListStreamConsumers(ctx, &kinesis.ListStreamConsumersInput{StreamARN: summary.StreamDescriptionSummary.StreamARN})
	if err != nil {
		t.Fatal(err)
	}
	b, err := json.MarshalIndent(map[string]any{
		"summary": summary.StreamDescriptionSummary, "shards": shards.Shards, "tags": tags.Tags,
		"consumers": consumers.Consumers,
	}, "", " ")
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

func TestPersistControlPlaneSurvivesRestart(t *testing.T) {
	dir := t.TempDir()
	srv := runPersistent(t, dir)
	kc := persistClient(srv.URL())
	ctx := ctxT(t)
	const name = "settings"
	if _, err := kc.CreateStream(ctx, &kinesis.CreateStreamInput{StreamName: aws.String(name), ShardCount: aws.Int32(2),
		Tags: map[string]string{"team": "payments"}}); err != nil {
		t.Fatal(err)
	}
	pelicantest.WaitActive(t, kc, name)
	before := persistPut(t, kc, name, "parent", 20)
	// Split the first shard in the middle of its range.
	mid := new(big.Int).Lsh(big.NewInt(1), 126)
	if _, err := kc.SplitShard(ctx, &kinesis.SplitShardInput{StreamName: aws.String(name),
		ShardToSplit: aws.String("shardId-000000000000"), NewStartingHashKey: aws.String(mid.String())}); err != nil {
		t.Fatal(err)
	}
	pelicantest.WaitActive(t, kc, name)
	steps := []func() error{
		func() error {
			_, err := kc.AddTagsToStream(ctx, &kinesis.AddTagsToStreamInput{StreamName: aws.String(name), Tags: map[string]string{"env": "test"}})
			return err
		},
		func() error {
			_, err := kc.IncreaseStreamRetentionPeriod(ctx, &kinesis.IncreaseStreamRetentionPeriodInput{StreamName: aws.String(name), RetentionPeriodHours: aws.Int32(72)})
			return err
		},
		func() error {
			_, err := kc.StartStreamEncryption(ctx, &kinesis.StartStreamEncryptionInput{StreamName: aws.String(name),
				EncryptionType: types.EncryptionTypeKms, KeyId: aws.String("alias/aws/kinesis")})
			return err
		},
		func() error {
			_, err := kc.EnableEnhancedMonitoring(ctx, &kinesis.EnableEnhancedMonitoringInput{StreamName: aws.String(name),
				ShardLevelMetrics: []types.MetricsName{types.MetricsNameIncomingBytes}})
			return err
		},
	}
	for i, step := range steps {
		if err := step(); err != nil {
			t.Fatalf("step %d: %v", i, err)
		}
		pelicantest.WaitActive(t, kc, name)
	}
	summary, err := kc.DescribeStreamSummary(ctx, &kinesis.DescribeStreamSummaryInput{StreamName: aws.String(name)})
	if err != nil {
		t.Fatal(err)
	}
	arn := summary.StreamDescriptionSummary.StreamARN
	reg, err := kc.RegisterStreamConsumer(ctx, &kinesis.RegisterStreamConsumerInput{StreamARN: arn, ConsumerName: aws.String("app")})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := kc.TagResource(ctx, &kinesis.TagResourceInput{ResourceARN: reg.Consumer.ConsumerARN, Tags: map[string]string{"owner": "app-team"}}); err != nil {
		t.Fatal(err)
	}
	children := persistPut(t, kc, name, "child", 20)
	want := persistSnapshot(t, kc, name)
	if err := srv.Close(); err != nil {
		t.Fatal(err)
	}

	srv2 := runPersistent(t, dir)
	kc2 := persistClient(srv2.URL())
	if got := persistSnapshot(t, kc2, name); got != want {
		t.Fatalf("control-plane state changed across a restart:\n got %s\nwant %s", got, want)
	}
	consumerTags, err := kc2.ListTagsForResource(ctx, &kinesis.ListTagsForResourceInput{ResourceARN: reg.Consumer.ConsumerARN})
	if err != nil {
		t.Fatal(err)
	}
	if len(consumerTags.Tags) != 1 || aws.ToString(consumerTags.Tags[0].Value) != "app-team" {
		t.Fatalf("consumer tags after restart: %+v", consumerTags.Tags)
	}
	// Every shard holds what it held: the closed parent its records from before the split, the
	// children theirs from after it, the untouched shard both.
	if _, ok := children["shardId-000000000000"]; ok {
		t.Fatal("a record went to the closed parent after the split")
	}
	for _, shard := range []string{"shardId-000000000000", "shardId-000000000001", "shardId-000000000002", "shardId-000000000003"} {
		want := append(append([]types.Record(nil), before[shard]...), children[shard]...)
		got, next := persistReadShard(t, kc2, persistIterator(t, kc2, name, shard, types.ShardIteratorTypeTrimHorizon))
		persistRequireRecords(t, shard, got, want)
		if closed := shard == "shardId-000000000000"; closed != (next == nil) {
			t.Fatalf("%s: closed %v, but the next iterator is %v", shard, closed, next)
		}
	}
}

func TestPersistDeletedStreamStaysDeleted(t *testing.T) {
	dir := t.TempDir()
	srv := runPersistent(t, dir)
	kc := persistClient(srv.URL())
	ctx := ctxT(t)
	create := func() {
		if _, err := kc.CreateStream(ctx, &kinesis.CreateStreamInput{StreamName: aws.String("again"), ShardCount: aws.Int32(1)}); err != nil {
			t.Fatal(err)
		}
		pelicantest.WaitActive(t, kc, "again")
	}
	create()
	persistPut(t, kc, "again", "first-life", 5)
	if _, err := kc.CreateStream(ctx, &kinesis.CreateStreamInput{StreamName: aws.String("gone"), ShardCount: aws.Int32(1)}); err != nil {
		t.Fatal(err)
	}
	pelicantest.WaitActive(t, kc, "gone")
	persistPut(t, kc, "gone", "x", 3)
	for _, name := range []string{"again", "gone"} {
		if _, err := kc.DeleteStream(ctx, &kinesis.DeleteStreamInput{StreamName: aws.String(name)}); err != nil {
			t.Fatal(err)
		}
	}
	for _, name := range []string{"again", "gone"} {
		for i := 0; ; i++ {
			_, err := kc.DescribeStreamSummary(ctx, &kinesis.DescribeStreamSummaryInput{StreamName: aws.String(name)})
			if apiCode(err) == "ResourceNotFoundException" {
				break
			}
			if i == 200 {
				t.Fatalf("stream %s is not deleted: %v", name, err)
			}
			time.Sleep(10 * time.Millisecond)
		}
	}
	create()
	want := persistPut(t, kc, "again", "second-life", 5)
	if err := srv.Close(); err != nil {
		t.Fatal(err)
	}

	srv2 := runPersistent(t, dir)
	kc2 := persistClient(srv2.URL())
	_, err := kc2.DescribeStreamSummary(ctx, &kinesis.DescribeStreamSummaryInput{StreamName: aws.String("gone")})
	requireCode(t, err, "ResourceNotFoundException")
	got, _ := persistReadShard(t, kc2, persistIterator(t, kc2, "again", "shardId-000000000000", types.ShardIteratorTypeTrimHorizon))
	persistRequireRecords(t, "shardId-000000000000", got, want["shardId-000000000000"])
}

func TestPersistRetentionTrimsRestoredRecords(t *testing.T) {
	dir := t.TempDir()
	start := time.Date(2025, 6, 1, 0, 0, 0, 0, time.UTC)
	clock := emulator.NewManualClock(start)
	srv := runPersistent(t, dir, emulator.WithClock(clock), emulator.WithStream("aging", 1))
	kc := persistClient(srv.URL())
	persistPut(t, kc, "aging", "old", 5)
	clock.Advance(23 * time.Hour)
	young := persistPut(t, kc, "aging", "young", 5)
	if err := srv.Close(); err != nil {
		t.Fatal(err)
	}

	// Two hours later the old records have passed the 24-hour retention; the young ones have not.
	clock.Advance(2 * time.Hour)
	srv2 := runPersistent(t, dir, emulator.WithClock(clock), emulator.WithStream("aging", 1))
	kc2 := persistClient(srv2.URL())
	const shard = "shardId-000000000000"
	got, _ := persistReadShard(t, kc2, persistIterator(t, kc2, "aging", shard, types.ShardIteratorTypeTrimHorizon))
	persistRequireRecords(t, shard, got, young[shard])
	if err := srv2.Close(); err != nil {
		t.Fatal(err)
	}

	// Once every record has expired, the shard's sequence numbers still go on from where they were.
	clock.Advance(48 * time.Hour)
	srv3 := runPersistent(t, dir, emulator.WithClock(clock), emulator.WithStream("aging", 1))
	kc3 := persistClient(srv3.URL())
	got, _ = persistReadShard(t, kc3, persistIterator(t, kc3, "aging", shard, types.ShardIteratorTypeTrimHorizon))
	if len(got) != 0 {
		t.Fatalf("%d expired records came back", len(got))
	}
	next := persistPut(t, kc3, "aging", "later", 1)[shard]
	last := young[shard][len(young[shard])-1]
	if !seqLess(*last.SequenceNumber, *next[0].SequenceNumber) {
		t.Fatalf("sequence numbers went back after retention emptied the shard: %s then %s", *last.SequenceNumber, *next[0].SequenceNumber)
	}
}

// The pending-change tests leave one stream in each kind of UPDATING transition, stop the server
// (cleanly, or with SIGKILL in a child process), start it again on the same directory and check
// that every transition completes with its change: at PendingUntil, or at once when that passed
// while the server was down. What each stream must look like in the end comes from a server
// without delays that took the same calls.

// pendingDelay is the UPDATING delay of the pending-change tests: long enough that no transition
// completes by itself while a test runs, on a real clock or a manual one.
const pendingDelay = time.Hour

// pendingCase is one stream left in one kind of UPDATING transition.
type pendingCase struct {
	stream  string
	shards  int32                                                           // 0 for an ON_DEMAND stream
	prepare func(ctx context.Context, kc *kinesis.Client, arn string) error // before the transition
	transit func(ctx context.Context, kc *kinesis.Client, arn string) error // starts the transition
}

const pendingKMSKey = "arn:aws:kms:us-east-1:123456789012:key/12345678-1234-1234-1234-123456789012"

func pendingCases() []pendingCase {
	mode := func(ctx context.Context, kc *kinesis.Client, arn string, to types.StreamMode, warm *int32) error {
		_, err := kc.UpdateStreamMode(ctx, &kinesis.UpdateStreamModeInput{StreamARN: aws.String(arn),
			StreamModeDetails: &types.StreamModeDetails{StreamMode: to}, WarmThroughputMiBps: warm})
		return err
	}
	encrypt := func(ctx context.Context, kc *kinesis.Client, arn, key string) error {
		_, err := kc.StartStreamEncryption(ctx, &kinesis.StartStreamEncryptionInput{StreamARN: aws.String(arn),
			EncryptionType: types.EncryptionTypeKms, KeyId: aws.String(key)})
		return err
	}
	return []pendingCase{
		{stream: "pending-split", shards: 1, transit: func(ctx context.Context, kc *kinesis.Client, arn string) error {
			_, err := kc.SplitShard(ctx, &kinesis.SplitShardInput{StreamARN: aws.String(arn), ShardToSplit: aws.String("shardId-000000000000"),
				NewStartingHashKey: aws.String(new(big.Int).Lsh(big.NewInt(3), 125).String())})
			return err
		}},
		{stream: "pending-merge", shards: 3, transit: func(ctx context.Context, kc *kinesis.Client, arn string) error {
			// The pair in hash key order, as the service requires: the child's parent is shard 1,
			// its adjacent parent 2.
			_, err := kc.MergeShards(ctx, &kinesis.MergeShardsInput{StreamARN: aws.String(arn),
				ShardToMerge: aws.String("shardId-000000000001"), AdjacentShardToMerge: aws.String("shardId-000000000002")})
			return err
		}},
		{stream: "pending-shard-count", shards: 2, transit: func(ctx context.Context, kc *kinesis.Client, arn string) error {
			_, err := kc.UpdateShardCount(ctx, &kinesis.UpdateShardCountInput{StreamARN: aws.String(arn),
				TargetShardCount: aws.Int32(3), ScalingType: types.ScalingTypeUniformScaling})
			return err
		}},
		{stream: "pending-encrypt", shards: 1, transit: func(ctx context.Context, kc *kinesis.Client, arn string) error {
			return encrypt(ctx, kc, arn, "alias/aws/kinesis")
		}},
		{stream: "pending-decrypt", shards: 1,
			prepare: func(ctx context.Context, kc *kinesis.Client, arn string) error {
				return encrypt(ctx, kc, arn, pendingKMSKey)
			},
			transit: func(ctx context.Context, kc *kinesis.Client, arn string) error {
				_, err := kc.StopStreamEncryption(ctx, &kinesis.StopStreamEncryptionInput{StreamARN: aws.String(arn),
					EncryptionType: types.EncryptionTypeKms, KeyId: aws.String(pendingKMSKey)})
				return err
			}},
		{stream: "pending-on-demand", shards: 1, transit: func(ctx context.Context, kc *kinesis.Client, arn string) error {
			return mode(ctx, kc, arn, types.StreamModeOnDemand, aws.Int32(50))
		}},
		{stream: "pending-provisioned", shards: 1,
			prepare: func(ctx context.Context, kc *kinesis.Client, arn string) error {
				return mode(ctx, kc, arn, types.StreamModeOnDemand, aws.Int32(20))
			},
			transit: func(ctx context.Context, kc *kinesis.Client, arn string) error {
				return mode(ctx, kc, arn, types.StreamModeProvisioned, nil)
			}},
		{stream: "pending-record-size", shards: 1, transit: func(ctx context.Context, kc *kinesis.Client, arn string) error {
			_, err := kc.UpdateMaxRecordSize(ctx, &kinesis.UpdateMaxRecordSizeInput{StreamARN: aws.String(arn), MaxRecordSizeInKiB: aws.Int32(4096)})
			return err
		}},
		{stream: "pending-warm", transit: func(ctx context.Context, kc *kinesis.Client, arn string) error {
			_, err := kc.UpdateStreamWarmThroughput(ctx, &kinesis.UpdateStreamWarmThroughputInput{StreamARN: aws.String(arn),
				WarmThroughputMiBps: aws.Int32(200)})
			return err
		}},
	}
}

// pendingPrepare creates the streams of cases and takes them to where their transitions start,
// on a server without delays.
func pendingPrepare(t *testing.T, kc *kinesis.Client, cases []pendingCase) {
	t.Helper()
	ctx := ctxT(t)
	if _, err := kc.UpdateAccountSettings(ctx, &kinesis.UpdateAccountSettingsInput{
		MinimumThroughputBillingCommitment: &types.MinimumThroughputBillingCommitmentInput{Status: types.MinimumThroughputBillingCommitmentInputStatusEnabled}}); err != nil {
		t.Fatalf("UpdateAccountSettings: %v", err)
	}
	for _, pc := range cases {
		in := &kinesis.CreateStreamInput{StreamName: aws.String(pc.stream)}
		if pc.shards == 0 {
			in.StreamModeDetails = &types.StreamModeDetails{StreamMode: types.StreamModeOnDemand}
		} else {
			in.ShardCount = aws.Int32(pc.shards)
		}
		if _, err := kc.CreateStream(ctx, in); err != nil {
			t.Fatalf("%s: %v", pc.stream, err)
		}
		pelicantest.WaitActive(t, kc, pc.stream)
		if pc.prepare != nil {
			if err := pc.prepare(ctx, kc, pendingARN(t, kc, pc.stream)); err != nil {
				t.Fatalf("%s: preparing: %v", pc.stream, err)
			}
			pelicantest.WaitActive(t, kc, pc.stream)
		}
	}
}

// pendingTransit starts every case's transition and returns what each stream looks like while
// it is UPDATING.
func pendingTransit(t *testing.T, kc *kinesis.Client, cases []pendingCase) map[string]string {
	t.Helper()
	ctx := ctxT(t)
	during := map[string]string{}
	for _, pc := range cases {
		if err := pc.transit(ctx, kc, pendingARN(t, kc, pc.stream)); err != nil {
			t.Fatalf("%s: %v", pc.stream, err)
		}
		status, state := pendingObserve(t, kc, pc.stream)
		if status != types.StreamStatusUpdating {
			t.Fatalf("%s: %s after the call, want UPDATING", pc.stream, status)
		}
		during[pc.stream] = state
	}
	return during
}

func pendingARN(t *testing.T, kc *kinesis.Client, stream string) string {
	t.Helper()
	out, err := kc.DescribeStreamSummary(ctxT(t), &kinesis.DescribeStreamSummaryInput{StreamName: aws.String(stream)})
	if err != nil {
		t.Fatal(err)
	}
	return *out.StreamDescriptionSummary.StreamARN
}

// pendingObserve returns a stream's status and, as text, everything a pending change can alter:
// its settings and its shards with their lineage, hash ranges and whether they are closed. Times
// and sequence numbers are left out, so that two servers can be compared.
func pendingObserve(t *testing.T, kc *kinesis.Client, stream string) (types.StreamStatus, string) {
	t.Helper()
	ctx := ctxT(t)
	out, err := kc.DescribeStreamSummary(ctx, &kinesis.DescribeStreamSummaryInput{StreamName: aws.String(stream)})
	if err != nil {
		t.Fatal(err)
	}
	d := out.StreamDescriptionSummary
	var b strings.Builder
	fmt.Fprintf(&b, "encryption=%s key=%s mode=%s maxRecordKiB=%d open=%d", d.EncryptionType, aws.ToString(d.KeyId),
		d.StreamModeDetails.StreamMode, aws.ToInt32(d.MaxRecordSizeInKiB), aws.ToInt32(d.OpenShardCount))
	if w := d.WarmThroughput; w != nil {
		fmt.Fprintf(&b, " warm=%d/%d", aws.ToInt32(w.CurrentMiBps), aws.ToInt32(w.TargetMiBps))
	}
	shards, err := kc.ListShards(ctx, &kinesis.ListShardsInput{StreamName: aws.String(stream)})
	if err != nil {
		t.Fatal(err)
	}
	for _, sh := range shards.Shards {
		fmt.Fprintf(&b, "\n%s parent=%s adjacent=%s range=%s..%s closed=%v", aws.ToString(sh.ShardId),
			aws.ToString(sh.ParentShardId), aws.ToString(sh.AdjacentParentShardId), aws.ToString(sh.HashKeyRange.StartingHashKey),
			aws.ToString(sh.HashKeyRange.EndingHashKey), sh.SequenceNumberRange.EndingSequenceNumber != nil)
	}
	return d.StreamStatus, b.String()
}

// pendingReference returns what every case's stream looks like once its transition is complete:
// the same calls on a server without delays.
func pendingReference(t *testing.T, cases []pendingCase) map[string]string {
	t.Helper()
	kc := newClient(t, emulator.RunT(t))
	pendingPrepare(t, kc, cases)
	want := map[string]string{}
	for _, pc := range cases {
		if err := pc.transit(ctxT(t), kc, pendingARN(t, kc, pc.stream)); err != nil {
			t.Fatalf("%s: %v", pc.stream, err)
		}
		status, state := pendingObserve(t, kc, pc.stream)
		if status != types.StreamStatusActive {
			t.Fatalf("%s: %s without a delay, want ACTIVE", pc.stream, status)
		}
		want[pc.stream] = state
	}
	return want
}

// pendingRequire fails unless every case's stream has the status and state given.
func pendingRequire(t *testing.T, kc *kinesis.Client, cases []pendingCase, status types.StreamStatus, want map[string]string, when string) {
	t.Helper()
	for _, pc := range cases {
		gotStatus, got := pendingObserve(t, kc, pc.stream)
		if gotStatus != status || got != want[pc.stream] {
			t.Errorf("%s %s: %s\n%s\nwant %s\n%s", pc.stream, when, gotStatus, got, status, want[pc.stream])
		}
	}
	if t.Failed() {
		t.FailNow()
	}
}

// pendingMetaIsSettled fails unless the data directory's metadata holds no pending change and no
// stream that is not ACTIVE: the restart has applied every change before serving.
func pendingMetaIsSettled(t *testing.T, dir string) {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(dir, "meta.json"))
	if err != nil {
		t.Fatal(err)
	}
	var doc struct {
		Streams []struct {
			Name    string          `json:"name"`
			Status  string          `json:"status"`
			Pending json.RawMessage `json:"pending"`
		} `json:"streams"`
	}
	if err := json.Unmarshal(b, &doc); err != nil {
		t.Fatal(err)
	}
	for _, ms := range doc.Streams {
		if ms.Status != "ACTIVE" || ms.Pending != nil {
			t.Errorf("saved %s: %s, pending %s", ms.Name, ms.Status, ms.Pending)
		}
	}
}

// Environment of the server process of TestPersistPendingChangeSurvivesKill.
const pendingDirEnv = "PELICAN_PENDING_SERVER_DATA_DIR"

// TestPersistPendingServerProcess is the server side of TestPersistPendingChangeSurvivesKill: in
// the child process it serves the data directory named by the environment, with the UPDATING
// delay of the pending-change tests, until it is killed. In a normal run it returns at once.
func TestPersistPendingServerProcess(t *testing.T) {
	dir := os.Getenv(pendingDirEnv)
	if dir == "" {
		return
	}
	srv, err := emulator.Run(emulator.WithDataDir(dir), emulator.WithDelays(emulator.Delays{UpdateStream: pendingDelay}))
	if err != nil {
		fmt.Fprintln(os.Stderr, "pending server:", err)
		os.Exit(3)
	}
	fmt.Printf("%s%s\n", crashEndpoint, srv.URL())
	select {} // until SIGKILL
}

// startPendingServer starts the test binary as the server of TestPersistPendingServerProcess on
// dir and waits for its endpoint; kill ends it with SIGKILL.
func startPendingServer(t *testing.T, dir string) *crashServer {
	t.Helper()
	return startServerProcess(t, "TestPersistPendingServerProcess", pendingDirEnv, dir)
}

// pendingAfterRestart starts a server on dir whose clock reads now (before or after the
// transitions were due) and checks that every transition completes with its change: still
// UPDATING as it was until PendingUntil, then as the reference; at once when it was already due.
// The last restart checks that the completed changes were saved.
func pendingAfterRestart(t *testing.T, dir string, cases []pendingCase, during, want map[string]string, due bool) {
	t.Helper()
	clock := emulator.NewManualClock(time.Now())
	if due {
		clock.Advance(pendingDelay + time.Minute)
	}
	opts := []emulator.Option{emulator.WithClock(clock), emulator.WithDelays(emulator.Delays{UpdateStream: pendingDelay})}
	srv := runPersistent(t, dir, opts...)
	kc := persistClient(srv.URL())
	if due {
		pendingMetaIsSettled(t, dir)
	} else {
		pendingRequire(t, kc, cases, types.StreamStatusUpdating, during, "after the restart")
		clock.Advance(pendingDelay)
	}
	pendingRequire(t, kc, cases, types.StreamStatusActive, want, "once due")
	// The children of reshards take records, routed by the new hash ranges.
	for shard := range persistPut(t, kc, "pending-split", "after", 20) {
		if shard == "shardId-000000000000" {
			t.Fatal("a record went to the closed parent of the split")
		}
	}
	if err := srv.Close(); err != nil {
		t.Fatal(err)
	}
	pendingMetaIsSettled(t, dir)
	srv = runPersistent(t, dir, opts...)
	pendingRequire(t, persistClient(srv.URL()), cases, types.StreamStatusActive, want, "after another restart")
}

// pendingCheckCases fails unless the reference shows every case's change, so that a case whose
// transition changes nothing cannot pass for one that survived.
func pendingCheckCases(t *testing.T, cases []pendingCase, during, want map[string]string) {
	t.Helper()
	for _, pc := range cases {
		if during[pc.stream] == want[pc.stream] {
			t.Fatalf("%s: the transition changes nothing a client sees:\n%s", pc.stream, want[pc.stream])
		}
	}
}

// TestPersistPendingChangeSurvivesRestart: a server stopped while streams are UPDATING (one of
// each kind of change) comes back with every transition still under way, and each completes with
// its change at PendingUntil, or at once if that passed while the server was down.
func TestPersistPendingChangeSurvivesRestart(t *testing.T) {
	cases := pendingCases()
	want := pendingReference(t, cases)
	for _, due := range []bool{false, true} {
		t.Run(map[bool]string{false: "before due", true: "after due"}[due], func(t *testing.T) {
			dir := t.TempDir()
			srv := runPersistent(t, dir)
			pendingPrepare(t, persistClient(srv.URL()), cases)
			if err := srv.Close(); err != nil {
				t.Fatal(err)
			}
			srv = runPersistent(t, dir, emulator.WithClock(emulator.NewManualClock(time.Now())),
				emulator.WithDelays(emulator.Delays{UpdateStream: pendingDelay}))
			during := pendingTransit(t, persistClient(srv.URL()), cases)
			pendingCheckCases(t, cases, during, want)
			if err := srv.Close(); err != nil {
				t.Fatal(err)
			}
			pendingAfterRestart(t, dir, cases, during, want, due)
		})
	}
}

// TestPersistPendingChangeSurvivesKill: as TestPersistPendingChangeSurvivesRestart, but the
// server is killed with SIGKILL while the streams are UPDATING: a change is saved before the call
// that starts it is answered.
func TestPersistPendingChangeSurvivesKill(t *testing.T) {
	cases := pendingCases()
	want := pendingReference(t, cases)
	for _, due := range []bool{false, true} {
		t.Run(map[bool]string{false: "before due", true: "after due"}[due], func(t *testing.T) {
			dir := t.TempDir()
			srv := runPersistent(t, dir)
			pendingPrepare(t, persistClient(srv.URL()), cases)
			if err := srv.Close(); err != nil {
				t.Fatal(err)
			}
			child := startPendingServer(t, dir)
			during := pendingTransit(t, persistClient(child.endpoint), cases)
			pendingCheckCases(t, cases, during, want)
			child.kill(t)
			pendingAfterRestart(t, dir, cases, during, want, due)
		})
	}
}

// TestPersistDeletionDueWhileDownEndsAtStart: a stream still DELETING at shutdown whose delay ends
// while the server is down is gone at the next start, and so are its records on disk.
func TestPersistDeletionDueWhileDownEndsAtStart(t *testing.T) {
	dir := t.TempDir()
	clock := emulator.NewManualClock(time.Date(2025, 6, 1, 0, 0, 0, 0, time.UTC))
	opts := []emulator.Option{emulator.WithClock(clock), emulator.WithDelays(emulator.Delays{DeleteStream: time.Minute})}
	srv := runPersistent(t, dir, append(opts, emulator.WithStream("leaving", 1))...)
	kc := persistClient(srv.URL())
	persistPut(t, kc, "leaving", "r", 5)
	if _, err := kc.DeleteStream(ctxT(t), &kinesis.DeleteStreamInput{StreamName: aws.String("leaving")}); err != nil {
		t.Fatal(err)
	}
	if err := srv.Close(); err != nil {
		t.Fatal(err)
	}
	logs, err := os.ReadDir(filepath.Join(dir, "logs"))
	if err != nil || len(logs) != 1 {
		t.Fatalf("before the restart the DELETING stream keeps its log: %v %v", logs, err)
	}
	clock.Advance(2 * time.Minute)
	srv2 := runPersistent(t, dir, opts...)
	if logs, err := os.ReadDir(filepath.Join(dir, "logs")); err != nil || len(logs) != 0 {
		t.Fatalf("the deleted stream's records stay on disk: %v %v", logs, err)
	}
	_, err = persistClient(srv2.URL()).DescribeStreamSummary(ctxT(t), &kinesis.DescribeStreamSummaryInput{StreamName: aws.String("leaving")})
	requireCode(t, err, "ResourceNotFoundException")
}

// TestPersistStreamsFromOptionsAreKept: a stream named with WithStream (--create-stream) that the
// data directory already holds is kept with its records, not created again.
func TestPersistStreamsFromOptionsAreKept(t *testing.T) {
	dir := t.TempDir()
	srv := runPersistent(t, dir, emulator.WithStream("kept", 2))
	want := persistPut(t, persistClient(srv.URL()), "kept", "r", 10)
	if err := srv.Close(); err != nil {
		t.Fatal(err)
	}
	srv2 := runPersistent(t, dir, emulator.WithStream("kept", 2))
	kc2 := persistClient(srv2.URL())
	for shard, recs := range want {
		got, _ := persistReadShard(t, kc2, persistIterator(t, kc2, "kept", shard, types.ShardIteratorTypeTrimHorizon))
		persistRequireRecords(t, shard, got, recs)
	}
}

// BenchmarkPutRecordsDataDir reports PutRecords throughput in memory and with a data directory, in
// one run, through the real SDK (four writers, batches of 500 records of 1 KiB, four shards).
func BenchmarkPutRecordsDataDir(b *testing.B) {
	mem := emulator.RunT(b, emulator.WithStream("bench", 4))
	disk := emulator.RunT(b, emulator.WithStream("bench", 4), emulator.WithDataDir(b.TempDir()))
	d := benchDuration(b)
	b.ResetTimer()
	memRate := putRate(b, benchClient(mem.URL()), "bench", d)
	diskRate := putRate(b, benchClient(disk.URL()), "bench", d)
	b.StopTimer()
	b.ReportMetric(memRate, "memory-records/s")
	b.ReportMetric(diskRate, "data-dir-records/s")
	b.ReportMetric(diskRate/memRate, "data-dir-fraction")
}

// ExampleWithDataDir keeps a stream and its records across a restart.
func ExampleWithDataDir() {
	dir, err := os.MkdirTemp("", "pelican-data")
	if err != nil {
		panic(err)
	}
	defer os.RemoveAll(dir)

	srv, err := emulator.Run(emulator.WithDataDir(dir), emulator.WithStream("orders", 1))
	if err != nil {
		panic(err)
	}
	kc := persistClient(srv.URL())
	ctx := context.Background()
	put, err := kc.PutRecord(ctx, &kinesis.PutRecordInput{StreamName: aws.String("orders"),
		PartitionKey: aws.String("customer-1"), Data: []byte("order placed")})
	if err != nil {
		panic(err)
	}
	_ = srv.Close()

	// A new server on the same directory has the stream and the record.
	srv, err = emulator.Run(emulator.WithDataDir(dir))
	if err != nil {
		panic(err)
	}
	defer srv.Close()
	kc = persistClient(srv.URL())
	it, err := kc.GetShardIterator(ctx, &kinesis.GetShardIteratorInput{StreamName: aws.String("orders"),
		ShardId: put.ShardId, ShardIteratorType: types.ShardIteratorTypeTrimHorizon})
	if err != nil {
		panic(err)
	}
	got, err := kc.GetRecords(ctx, &kinesis.GetRecordsInput{ShardIterator: it.ShardIterator})
	if err != nil {
		panic(err)
	}
	fmt.Println(string(got.Records[0].Data), *got.Records[0].SequenceNumber == *put.SequenceNumber)
	// Output: order placed true
}

func TestPersistDataDirectoryServesOneEmulator(t *testing.T) {
	dir := t.TempDir()
	first, err := emulator.Run(emulator.WithDataDir(dir))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := emulator.Run(emulator.WithDataDir(dir)); err == nil || !strings.Contains(err.Error(), "in use by another emulator") {
		t.Fatalf("a second emulator on a held data directory started: %v", err)
	}
	if err := first.Close(); err != nil {
		t.Fatal(err)
	}
	again, err := emulator.Run(emulator.WithDataDir(dir))
	if err != nil {
		t.Fatalf("after the first emulator closed: %v", err)
	}
	_ = again.Close()
}
