//go:build interop

package harness_test

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
	"time"

	"github.com/pelicanhq/pelican/internal/interop"
)

type jsUserRecord struct {
	ShardID           string `json:"shardId"`
	SequenceNumber    string `json:"sequenceNumber"`
	SubSequenceNumber *int64 `json:"subSequenceNumber"`
	PartitionKey      string `json:"partitionKey"`
	Data              string `json:"data"`
	ArrivedAt         string `json:"arrivedAt"`
}

// TestInteropRecordMatchesTheOfficialDeaggregator: records written by the JavaScript SDK, plain
// and aggregated by aws-kinesis-agg, are recorded as the user records that aws-kinesis-agg reads
// back: same shard, sequence and sub-sequence numbers, keys, bytes and arrival times.
func TestInteropRecordMatchesTheOfficialDeaggregator(t *testing.T) {
	node := interop.Node(t)
	modules := interop.NodeModules(t, "@aws-sdk/client-kinesis", "aws-kinesis-agg")
	em, stream := newEmulator(t, 2)
	ctx, cancel := context.WithTimeout(t.Context(), 2*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, node, filepath.Join("testdata", "interop.js"))
	cmd.Env = append(os.Environ(), "NODE_PATH="+modules, "PELICAN_ENDPOINT="+em.URL(), "PELICAN_STREAM="+stream)
	cmd.Stderr = os.Stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("interop.js: %v", err)
	}
	var js []jsUserRecord
	if err := json.Unmarshal(out, &js); err != nil {
		t.Fatalf("interop.js printed %s: %v", out, err)
	}
	if len(js) != 4+3+5 {
		t.Fatalf("the official library read %d user records, want 12", len(js))
	}
	f, _ := record(t, em.Client(), stream, len(js))
	type key struct {
		shard, seq string
		sub        int64
	}
	entries := map[key]int{}
	for i, e := range f.Entries {
		entries[key{e.ShardID, e.SequenceNumber, e.SubSequenceNumber}] = i
	}
	aggregated := 0
	for _, u := range js {
		k := key{u.ShardID, u.SequenceNumber, 0}
		if u.SubSequenceNumber != nil {
			k.sub = *u.SubSequenceNumber
			aggregated++
		}
		i, ok := entries[k]
		if !ok {
			t.Errorf("no entry for %+v", u)
			continue
		}
		e := f.Entries[i]
		data, _ := base64.StdEncoding.DecodeString(u.Data)
		arrived, _ := time.Parse(time.RFC3339Nano, u.ArrivedAt)
		if e.PartitionKey != u.PartitionKey || string(e.Data) != string(data) || e.Aggregated != (u.SubSequenceNumber != nil) || !e.ArrivedAt.Equal(arrived) {
			t.Errorf("entry %+v, official %+v", e, u)
		}
	}
	if aggregated != 8 {
		t.Errorf("the official library saw %d aggregated user records, want 8", aggregated)
	}
}
