package emulator_test

import (
	"encoding/json"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/kinesis"
	"github.com/aws/aws-sdk-go-v2/service/kinesis/types"

	"github.com/pelicanhq/pelican/emulator"
	"github.com/pelicanhq/pelican/pelicantest"
)

// changeEditMeta rewrites the saved form of the only stream in dir's meta.json through edit.
func changeEditMeta(t *testing.T, dir string, edit func(doc, stream map[string]any)) {
	t.Helper()
	path := filepath.Join(dir, "meta.json")
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var doc map[string]any
	if err := json.Unmarshal(b, &doc); err != nil {
		t.Fatal(err)
	}
	streams, _ := doc["streams"].([]any)
	if len(streams) != 1 {
		t.Fatalf("meta.json holds %d streams, want 1", len(streams))
	}
	edit(doc, streams[0].(map[string]any))
	if b, err = json.Marshal(doc); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, b, 0o644); err != nil {
		t.Fatal(err)
	}
}

// TestPendingChangeThatNoLongerFits: a pending reshard that a damaged or hand-edited data directory
// aims at shards it cannot apply to is refused whole, with an error in the log: the stream leaves
// UPDATING with the shards it had instead of a broken hash key space.
func TestPendingChangeThatNoLongerFits(t *testing.T) {
	cases := []struct {
		name   string
		shards int32
		start  func(kc *kinesis.Client) error
		edit   func(pending map[string]any)
	}{
		{"split of a shard that does not exist", 1,
			func(kc *kinesis.Client) error {
				_, err := kc.SplitShard(ctxT(t), &kinesis.SplitShardInput{StreamName: aws.String("damaged"),
					ShardToSplit: aws.String("shardId-000000000000"), NewStartingHashKey: aws.String("1000")})
				return err
			},
			func(p map[string]any) { p["shardToSplit"] = "shardId-000000000007" }},
		{"split at a key outside the shard", 2,
			func(kc *kinesis.Client) error {
				_, err := kc.SplitShard(ctxT(t), &kinesis.SplitShardInput{StreamName: aws.String("damaged"),
					ShardToSplit: aws.String("shardId-000000000000"), NewStartingHashKey: aws.String("1000")})
				return err
			},
			func(p map[string]any) { p["newStartingHashKey"] = "340282366920938463463374607431768211455" }},
		{"merge of shards that are not adjacent", 3,
			func(kc *kinesis.Client) error {
				_, err := kc.MergeShards(ctxT(t), &kinesis.MergeShardsInput{StreamName: aws.String("damaged"),
					ShardToMerge: aws.String("shardId-000000000000"), AdjacentShardToMerge: aws.String("shardId-000000000001")})
				return err
			},
			func(p map[string]any) { p["adjacentShardToMerge"] = "shardId-000000000002" }},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			clock := emulator.NewManualClock(time.Date(2025, 6, 1, 0, 0, 0, 0, time.UTC))
			opts := []emulator.Option{emulator.WithClock(clock), emulator.WithDelays(emulator.Delays{UpdateStream: time.Minute})}
			srv := runPersistent(t, dir, append(opts, emulator.WithStream("damaged", int(tc.shards)))...)
			kc := persistClient(srv.URL())
			_, before := pendingObserve(t, kc, "damaged")
			if err := tc.start(kc); err != nil {
				t.Fatal(err)
			}
			if err := srv.Close(); err != nil {
				t.Fatal(err)
			}
			changeEditMeta(t, dir, func(_, stream map[string]any) { tc.edit(stream["pending"].(map[string]any)) })
			log := &pelicantest.Buffer{}
			srv = runPersistent(t, dir, append(opts, emulator.WithLogger(slog.New(slog.NewTextHandler(log, nil))))...)
			kc = persistClient(srv.URL())
			clock.Advance(time.Minute)
			status, after := pendingObserve(t, kc, "damaged")
			if status != types.StreamStatusActive || after != before {
				t.Fatalf("after the transition: %s\n%s\nwant ACTIVE as before\n%s", status, after, before)
			}
			if err := srv.Close(); err != nil {
				t.Fatal(err)
			}
			if got := log.String(); !strings.Contains(got, "level=ERROR") || !strings.Contains(got, "could not be applied") {
				t.Fatalf("no error logged for the refused change:\n%s", got)
			}
		})
	}
}

// TestPendingChangeLostInVersion1DataDir: a data directory written before pending changes were
// saved (metadata version 1) only recorded that a transition had a change. It still loads; the
// transition completes without the change, with a warning, and the directory is saved in the
// current version from then on.
func TestPendingChangeLostInVersion1DataDir(t *testing.T) {
	dir := t.TempDir()
	clock := emulator.NewManualClock(time.Date(2025, 6, 1, 0, 0, 0, 0, time.UTC))
	opts := []emulator.Option{emulator.WithClock(clock), emulator.WithDelays(emulator.Delays{UpdateStream: time.Minute})}
	srv := runPersistent(t, dir, append(opts, emulator.WithStream("old", 2))...)
	kc := persistClient(srv.URL())
	_, before := pendingObserve(t, kc, "old")
	want := persistPut(t, kc, "old", "kept", 10)
	if _, err := kc.UpdateShardCount(ctxT(t), &kinesis.UpdateShardCountInput{StreamName: aws.String("old"),
		TargetShardCount: aws.Int32(4), ScalingType: types.ScalingTypeUniformScaling}); err != nil {
		t.Fatal(err)
	}
	if err := srv.Close(); err != nil {
		t.Fatal(err)
	}
	changeEditMeta(t, dir, func(doc, stream map[string]any) {
		doc["version"] = 1
		delete(stream, "pending")
		stream["pendingChange"] = true
	})
	log := &pelicantest.Buffer{}
	srv = runPersistent(t, dir, append(opts, emulator.WithLogger(slog.New(slog.NewTextHandler(log, nil))))...)
	kc = persistClient(srv.URL())
	if status, _ := pendingObserve(t, kc, "old"); status != types.StreamStatusUpdating {
		t.Fatalf("after the restart: %s, want UPDATING until the delay ends", status)
	}
	clock.Advance(time.Minute)
	if status, after := pendingObserve(t, kc, "old"); status != types.StreamStatusActive || after != before {
		t.Fatalf("after the transition: %s\n%s\nwant ACTIVE without the change\n%s", status, after, before)
	}
	for shard, recs := range want {
		got, _ := persistReadShard(t, kc, persistIterator(t, kc, "old", shard, types.ShardIteratorTypeTrimHorizon))
		persistRequireRecords(t, shard, got, recs)
	}
	if err := srv.Close(); err != nil {
		t.Fatal(err)
	}
	if got := log.String(); !strings.Contains(got, "level=WARN") || !strings.Contains(got, "completes without its change") {
		t.Fatalf("no warning for the lost change:\n%s", got)
	}
	b, err := os.ReadFile(filepath.Join(dir, "meta.json"))
	if err != nil {
		t.Fatal(err)
	}
	var doc struct {
		Version int `json:"version"`
	}
	if err := json.Unmarshal(b, &doc); err != nil || doc.Version != 2 {
		t.Fatalf("saved as version %d, want 2: %v", doc.Version, err)
	}
}
