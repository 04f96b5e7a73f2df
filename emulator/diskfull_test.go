package emulator_test

import (
	"errors"
	"fmt"
	"strings"
	"sync/atomic"
	"syscall"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	awshttp "github.com/aws/aws-sdk-go-v2/aws/transport/http"
	"github.com/aws/aws-sdk-go-v2/service/kinesis"
	"github.com/aws/aws-sdk-go-v2/service/kinesis/types"

	"github.com/pelicanhq/pelican/emulator"
	"github.com/pelicanhq/pelican/emulator/internal/store"
	"github.com/pelicanhq/pelican/pelicantest"
)

// failingDisk fills up and frees on demand, for the files whose path holds match: while full a
// write lets half its bytes through and fails with ENOSPC, as a full disk does, and an fsync fails.
type failingDisk struct {
	full  atomic.Bool
	match string
}

func (d *failingDisk) fault(op store.DiskOp, path string, n int) (int, error) {
	if !d.full.Load() || !strings.Contains(path, d.match) {
		return n, nil
	}
	if op == store.DiskWrite {
		return n / 2, syscall.ENOSPC
	}
	if op == store.DiskSync {
		return 0, syscall.ENOSPC
	}
	return n, nil
}

// requireInternalFailure fails unless err is the service's answer to a failed write: HTTP 500,
// InternalFailure.
func requireInternalFailure(t *testing.T, err error, what string) {
	t.Helper()
	var re *awshttp.ResponseError
	if apiCode(err) != "InternalFailure" || !errors.As(err, &re) || re.HTTPStatusCode() != 500 {
		t.Fatalf("%s on a full disk: got %v, want HTTP 500 InternalFailure", what, err)
	}
}

// TestDiskFullStreamTakesWritesAgain fills the disk under a stream's record log: writes are refused
// with 500 InternalFailure while it is full, the same stream takes writes once it is freed, and a
// restart finds every acknowledged record exactly once and no refused one.
func TestDiskFullStreamTakesWritesAgain(t *testing.T) {
	dir := t.TempDir()
	disk := &failingDisk{match: "logs"}
	srv := runPersistent(t, dir, emulator.WithDiskFault(disk.fault))
	kc := persistClient(srv.URL())
	ctx := ctxT(t)
	if _, err := kc.CreateStream(ctx, &kinesis.CreateStreamInput{StreamName: aws.String("full"), ShardCount: aws.Int32(2)}); err != nil {
		t.Fatal(err)
	}
	pelicantest.WaitActive(t, kc, "full")
	acked := persistPut(t, kc, "full", "before", 100)

	disk.full.Store(true)
	refused := 0
	for i := range 5 {
		_, err := kc.PutRecord(ctx, &kinesis.PutRecordInput{StreamName: aws.String("full"),
			PartitionKey: aws.String(fmt.Sprintf("key-%d", i)), Data: []byte(fmt.Sprintf("refused-%d", i))})
		requireInternalFailure(t, err, "PutRecord")
		refused++
	}
	entries := make([]types.PutRecordsRequestEntry, 50)
	for i := range entries {
		entries[i] = types.PutRecordsRequestEntry{PartitionKey: aws.String(fmt.Sprintf("key-%d", i)),
			Data: []byte(fmt.Sprintf("refused-batch-%d", i))}
	}
	out, err := kc.PutRecords(ctx, &kinesis.PutRecordsInput{StreamName: aws.String("full"), Records: entries})
	if err != nil {
		t.Fatal(err)
	}
	if aws.ToInt32(out.FailedRecordCount) != 50 {
		t.Fatalf("PutRecords on a full disk: %d of 50 failed", aws.ToInt32(out.FailedRecordCount))
	}
	for _, r := range out.Records {
		if aws.ToString(r.ErrorCode) != "InternalFailure" || r.SequenceNumber != nil {
			t.Fatalf("PutRecords entry on a full disk: %+v", r)
		}
	}
	refused += 50

	disk.full.Store(false)
	after := persistPut(t, kc, "full", "after", 100)
	total := 0
	for shard, recs := range after {
		acked[shard] = append(acked[shard], recs...)
	}
	for _, recs := range acked {
		total += len(recs)
	}
	readBack := func(kc *kinesis.Client, when string) {
		for shard, want := range acked {
			got, _ := persistReadShard(t, kc, persistIterator(t, kc, "full", shard, types.ShardIteratorTypeTrimHorizon))
			for _, r := range got {
				if strings.HasPrefix(string(r.Data), "refused") {
					t.Fatalf("%s: refused record %q is readable in %s", when, r.Data, shard)
				}
			}
			persistRequireRecords(t, shard, got, want)
		}
	}
	readBack(kc, "before the restart")
	if err := srv.Close(); err != nil {
		t.Fatal(err)
	}
	srv2 := runPersistent(t, dir)
	readBack(persistClient(srv2.URL()), "after the restart")
	t.Logf("full disk: %d records acknowledged, %d present once after the restart, %d refused, none present", total, total, refused)
}

// TestDiskFullControlPlaneChangesFail makes every metadata write fail: each control-plane change
// is refused with InternalFailure and leaves the state a client reads unchanged, and a restart
// shows nothing of them.
func TestDiskFullControlPlaneChangesFail(t *testing.T) {
	dir := t.TempDir()
	disk := &failingDisk{match: "meta.json"}
	srv := runPersistent(t, dir, emulator.WithDiskFault(disk.fault))
	kc := persistClient(srv.URL())
	ctx := ctxT(t)
	if _, err := kc.CreateStream(ctx, &kinesis.CreateStreamInput{StreamName: aws.String("kept"), ShardCount: aws.Int32(2)}); err != nil {
		t.Fatal(err)
	}
	pelicantest.WaitActive(t, kc, "kept")
	if _, err := kc.AddTagsToStream(ctx, &kinesis.AddTagsToStreamInput{StreamName: aws.String("kept"), Tags: map[string]string{"team": "a"}}); err != nil {
		t.Fatal(err)
	}
	acked := persistPut(t, kc, "kept", "before", 20)
	listed := func(kc *kinesis.Client) string {
		out, err := kc.ListStreams(ctx, &kinesis.ListStreamsInput{})
		if err != nil {
			t.Fatal(err)
		}
		return strings.Join(out.StreamNames, ",")
	}
	before, beforeList := persistSnapshot(t, kc, "kept"), listed(kc)
	shards := map[string]types.Shard{}
	for _, sh := range openShardsOf(t, kc, "kept") {
		shards[*sh.ShardId] = sh
	}

	disk.full.Store(true)
	changes := []struct {
		name string
		call func() error
	}{
		{"CreateStream", func() error {
			_, err := kc.CreateStream(ctx, &kinesis.CreateStreamInput{StreamName: aws.String("lost"), ShardCount: aws.Int32(1)})
			return err
		}},
		{"SplitShard", func() error {
			sh := shards["shardId-000000000000"]
			_, err := kc.SplitShard(ctx, &kinesis.SplitShardInput{StreamName: aws.String("kept"), ShardToSplit: sh.ShardId,
				NewStartingHashKey: aws.String("1000")})
			return err
		}},
		{"MergeShards", func() error {
			_, err := kc.MergeShards(ctx, &kinesis.MergeShardsInput{StreamName: aws.String("kept"),
				ShardToMerge: aws.String("shardId-000000000000"), AdjacentShardToMerge: aws.String("shardId-000000000001")})
			return err
		}},
		{"AddTagsToStream", func() error {
			_, err := kc.AddTagsToStream(ctx, &kinesis.AddTagsToStreamInput{StreamName: aws.String("kept"), Tags: map[string]string{"lost": "yes"}})
			return err
		}},
		{"IncreaseStreamRetentionPeriod", func() error {
			_, err := kc.IncreaseStreamRetentionPeriod(ctx, &kinesis.IncreaseStreamRetentionPeriodInput{StreamName: aws.String("kept"), RetentionPeriodHours: aws.Int32(48)})
			return err
		}},
		{"UpdateShardCount", func() error {
			_, err := kc.UpdateShardCount(ctx, &kinesis.UpdateShardCountInput{StreamName: aws.String("kept"), TargetShardCount: aws.Int32(4),
				ScalingType: types.ScalingTypeUniformScaling})
			return err
		}},
		{"RegisterStreamConsumer", func() error {
			_, err := kc.RegisterStreamConsumer(ctx, &kinesis.RegisterStreamConsumerInput{StreamARN: aws.String(streamARNOf(t, kc, "kept")),
				ConsumerName: aws.String("lost")})
			return err
		}},
		{"DeleteStream", func() error {
			_, err := kc.DeleteStream(ctx, &kinesis.DeleteStreamInput{StreamName: aws.String("kept")})
			return err
		}},
	}
	for _, c := range changes {
		requireInternalFailure(t, c.call(), c.name)
		if got := persistSnapshot(t, kc, "kept"); got != before {
			t.Fatalf("%s failed but changed the stream:\n%s\nwant\n%s", c.name, got, before)
		}
		if got := listed(kc); got != beforeList {
			t.Fatalf("%s failed but changed the stream list: %s, want %s", c.name, got, beforeList)
		}
	}
	// Records still go to the shards the saved metadata knows.
	more := persistPut(t, kc, "kept", "during", 20)

	disk.full.Store(false)
	if err := srv.Close(); err != nil {
		t.Fatal(err)
	}
	srv2 := runPersistent(t, dir)
	kc2 := persistClient(srv2.URL())
	if got := persistSnapshot(t, kc2, "kept"); got != before {
		t.Fatalf("after the restart:\n%s\nwant\n%s", got, before)
	}
	if got := listed(kc2); got != beforeList {
		t.Fatalf("after the restart the streams are %s, want %s", got, beforeList)
	}
	for shard, want := range acked {
		got, _ := persistReadShard(t, kc2, persistIterator(t, kc2, "kept", shard, types.ShardIteratorTypeTrimHorizon))
		persistRequireRecords(t, shard, got, append(want, more[shard]...))
	}
}

func openShardsOf(t *testing.T, kc *kinesis.Client, stream string) []types.Shard {
	t.Helper()
	out, err := kc.ListShards(ctxT(t), &kinesis.ListShardsInput{StreamName: aws.String(stream)})
	if err != nil {
		t.Fatal(err)
	}
	return out.Shards
}

func streamARNOf(t *testing.T, kc *kinesis.Client, stream string) string {
	t.Helper()
	out, err := kc.DescribeStreamSummary(ctxT(t), &kinesis.DescribeStreamSummaryInput{StreamName: aws.String(stream)})
	if err != nil {
		t.Fatal(err)
	}
	return *out.StreamDescriptionSummary.StreamARN
}
