//go:build interop

package emulator_test

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
	"time"

	"github.com/pelicanhq/pelican/emulator"
	"github.com/pelicanhq/pelican/internal/interop"
)

// jsEFOResult is what testdata/efo_interop.js prints.
type jsEFOResult struct {
	Streams     []string
	ConsumerARN string
	Puts        []string
	Records     []struct {
		SequenceNumber, PartitionKey, Data string
		Arrival                            *int64
	}
	Events           int
	LastContinuation string
	ChildShards      []struct {
		ShardId      string
		ParentShards []string
	}
	EndContinuation *string
	Ended           bool
}

// The JavaScript SDK v3 opens HTTP/2 for every call, as h2c on an http:// endpoint: it lists
// streams, writes, registers a consumer, and reads through SubscribeToShard until a split ends the
// shard, all against the emulator's one port.
func TestInteropJavaScriptEnhancedFanOut(t *testing.T) {
	node := interop.Node(t)
	modules := interop.NodeModules(t, "@aws-sdk/client-kinesis", "@smithy/node-http-handler")
	srv := emulator.RunT(t, emulator.WithStream("js-efo", 1))

	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, node, filepath.Join("testdata", "efo_interop.js"))
	cmd.Env = append(os.Environ(), "NODE_PATH="+modules, "PELICAN_ENDPOINT=http://"+srv.Addr(), "PELICAN_STREAM=js-efo")
	out, err := cmd.Output()
	if err != nil {
		stderr := ""
		if ee, ok := err.(*exec.ExitError); ok {
			stderr = string(ee.Stderr)
		}
		t.Fatalf("node efo_interop.js: %v\n%s", err, stderr)
	}
	var res jsEFOResult
	if err := json.Unmarshal(out, &res); err != nil {
		t.Fatalf("script output is not JSON: %v\n%s", err, out)
	}

	if fmt.Sprint(res.Streams) != "[js-efo]" {
		t.Errorf("ListStreams over h2c: %v", res.Streams)
	}
	if !consumerARNShapeAny.MatchString(res.ConsumerARN) {
		t.Errorf("consumer ARN %s", res.ConsumerARN)
	}
	if len(res.Records) != 5 || len(res.Puts) != 5 {
		t.Fatalf("read %d records of %d written: %+v", len(res.Records), len(res.Puts), res.Records)
	}
	for i, r := range res.Records {
		if r.SequenceNumber != res.Puts[i] || r.Data != fmt.Sprintf("js-%d", i) || r.PartitionKey != "js" || r.Arrival == nil {
			t.Errorf("record %d: %+v, want sequence %s data js-%d", i, r, res.Puts[i], i)
		}
	}
	if res.LastContinuation != res.Puts[4] {
		t.Errorf("last ContinuationSequenceNumber %s, want %s", res.LastContinuation, res.Puts[4])
	}
	if len(res.ChildShards) != 2 || res.ChildShards[0].ShardId != "shardId-000000000001" || res.ChildShards[1].ShardId != "shardId-000000000002" {
		t.Errorf("child shards %+v", res.ChildShards)
	}
	if res.EndContinuation != nil {
		t.Errorf("the shard's last event carries ContinuationSequenceNumber %s", *res.EndContinuation)
	}
	if !res.Ended {
		t.Error("the event stream did not end after the shard's last event")
	}
}
