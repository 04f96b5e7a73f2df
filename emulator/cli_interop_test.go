//go:build interop

package emulator_test

import (
	"encoding/json"
	"os"
	"os/exec"
	"strings"
	"testing"
	"time"

	"github.com/pelicanhq/pelican/internal/interop"
)

// awsCLI runs Debian's AWS CLI against endpoint and decodes its JSON output into out (when not nil).
func awsCLI(t *testing.T, endpoint string, out any, args ...string) {
	t.Helper()
	cli := interop.AWSCLI(t)
	cmd := exec.Command(cli, append([]string{"--endpoint-url", endpoint, "--output", "json", "kinesis"}, args...)...)
	cmd.Env = append(os.Environ(), "AWS_ACCESS_KEY_ID=AKIDCLI", "AWS_SECRET_ACCESS_KEY=secret",
		"AWS_DEFAULT_REGION=us-east-1", "AWS_REGION=us-east-1", "AWS_PAGER=", "AWS_CONFIG_FILE=/dev/null",
		"AWS_SHARED_CREDENTIALS_FILE=/dev/null", "AWS_MAX_ATTEMPTS=1")
	b, err := cmd.Output()
	if err != nil {
		stderr := ""
		if ee, ok := err.(*exec.ExitError); ok {
			stderr = string(ee.Stderr)
		}
		t.Fatalf("aws kinesis %s: %v\n%s", strings.Join(args, " "), err, stderr)
	}
	if out != nil {
		if err := json.Unmarshal(b, out); err != nil {
			t.Fatalf("aws kinesis %s: output is not JSON: %v\n%s", strings.Join(args, " "), err, b)
		}
	}
}

type cliShard struct {
	ShardId               string
	ParentShardId         string
	AdjacentParentShardId string
	HashKeyRange          struct{ StartingHashKey, EndingHashKey string }
	SequenceNumberRange   struct{ StartingSequenceNumber, EndingSequenceNumber string }
}

func cliShards(t *testing.T, endpoint, stream string) []cliShard {
	var out struct{ Shards []cliShard }
	awsCLI(t, endpoint, &out, "list-shards", "--stream-name", stream)
	return out.Shards
}

func TestInteropAWSCLI(t *testing.T) {
	endpoint := interop.StartEmulator(t)
	awsCLI(t, endpoint, nil, "create-stream", "--stream-name", "cli", "--shard-count", "2")
	awsCLI(t, endpoint, nil, "wait", "stream-exists", "--stream-name", "cli")

	var put struct{ ShardId, SequenceNumber string }
	awsCLI(t, endpoint, &put, "put-record", "--stream-name", "cli", "--partition-key", "alpha", "--data", "aGVsbG8gY2xp")
	if put.ShardId == "" || len(put.SequenceNumber) != 56 {
		t.Fatalf("put-record answered %+v", put)
	}
	var it struct{ ShardIterator string }
	awsCLI(t, endpoint, &it, "get-shard-iterator", "--stream-name", "cli", "--shard-id", put.ShardId, "--shard-iterator-type", "TRIM_HORIZON")
	var recs struct {
		Records []struct {
			Data, PartitionKey, SequenceNumber string
			ApproximateArrivalTimestamp        any
		}
		NextShardIterator string
	}
	awsCLI(t, endpoint, &recs, "get-records", "--shard-iterator", it.ShardIterator)
	if len(recs.Records) != 1 || recs.Records[0].Data != "aGVsbG8gY2xp" || recs.Records[0].SequenceNumber != put.SequenceNumber {
		t.Fatalf("get-records answered %+v", recs)
	}

	// Split shard 0 in the middle of its range, then merge the children back.
	shards := cliShards(t, endpoint, "cli")
	if len(shards) != 2 {
		t.Fatalf("want 2 shards, got %d", len(shards))
	}
	awsCLI(t, endpoint, nil, "split-shard", "--stream-name", "cli", "--shard-to-split", "shardId-000000000000", "--new-starting-hash-key", "85070591730234615865843651857942052864")
	awsCLI(t, endpoint, nil, "wait", "stream-exists", "--stream-name", "cli")
	shards = cliShards(t, endpoint, "cli")
	if len(shards) != 4 || shards[2].ParentShardId != "shardId-000000000000" || shards[3].ParentShardId != "shardId-000000000000" {
		t.Fatalf("after split: %+v", shards)
	}
	if shards[0].SequenceNumberRange.EndingSequenceNumber == "" {
		t.Fatal("the split parent has no ending sequence number")
	}
	awsCLI(t, endpoint, nil, "merge-shards", "--stream-name", "cli", "--shard-to-merge", "shardId-000000000002", "--adjacent-shard-to-merge", "shardId-000000000003")
	awsCLI(t, endpoint, nil, "wait", "stream-exists", "--stream-name", "cli")
	shards = cliShards(t, endpoint, "cli")
	if len(shards) != 5 || shards[4].ParentShardId != "shardId-000000000002" || shards[4].AdjacentParentShardId != "shardId-000000000003" {
		t.Fatalf("after merge: %+v", shards)
	}

	awsCLI(t, endpoint, nil, "delete-stream", "--stream-name", "cli")
	deadline := time.Now().Add(30 * time.Second)
	for {
		var list struct{ StreamNames []string }
		awsCLI(t, endpoint, &list, "list-streams")
		if len(list.StreamNames) == 0 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("stream still listed after delete: %v", list.StreamNames)
		}
		time.Sleep(100 * time.Millisecond)
	}
}
