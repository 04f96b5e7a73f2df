package consumer

import (
	"context"
	"fmt"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"

	"github.com/pelicanhq/pelican/aggregation"
	"github.com/pelicanhq/pelican/consumer/lease"
)

// TestCarriesOnFromKCLLeases starts a worker on leases the Java KCL left behind, as the lease
// store reads them from a KCL lease table: one checkpointed inside a KPL aggregate by a worker
// that is gone, one caught in a graceful handoff between two KCL workers. The worker takes both
// once they have not moved for the failover time and delivers exactly the records after the
// KCL's checkpoints.
func TestCarriesOnFromKCLLeases(t *testing.T) {
	f := newFakeKinesis(2)
	keys := map[string]string{} // a partition key of each shard
	for i := 0; len(keys) < 2; i++ {
		k := fmt.Sprintf("k%d", i)
		s := f.shardFor(k)
		if _, ok := keys[s]; !ok {
			keys[s] = k
		}
	}
	s0, s1 := "shardId-000000000000", "shardId-000000000001"
	f.put(keys[s0], []byte("a"))
	f.put(keys[s0], aggregation.Aggregate(
		aggregation.Record{PartitionKey: keys[s0], Data: []byte("b0")},
		aggregation.Record{PartitionKey: keys[s0], Data: []byte("b1")},
		aggregation.Record{PartitionKey: keys[s0], Data: []byte("b2")},
	))
	f.put(keys[s0], []byte("c"))
	f.put(keys[s1], []byte("x"))
	f.put(keys[s1], []byte("y"))
	f.put(keys[s1], []byte("z"))
	seq := func(shard string, i int) string {
		f.mu.Lock()
		defer f.mu.Unlock()
		return aws.ToString(f.shards[shard].records[i].SequenceNumber)
	}

	store := lease.NewMemory()
	ctx := t.Context()
	for _, l := range []lease.Lease{
		{
			Key: s0, Owner: "kcl-worker-1", Counter: 4410,
			// b0 and b1 of the aggregate are processed.
			Checkpoint: lease.Checkpoint{SequenceNumber: seq(s0, 1), SubSequenceNumber: 1},
		},
		{
			Key: s1, Owner: "kcl-worker-2", CheckpointOwner: "kcl-worker-1", Counter: 15002,
			Checkpoint:                   lease.Checkpoint{SequenceNumber: seq(s1, 0)},
			PendingCheckpoint:            lease.Checkpoint{SequenceNumber: seq(s1, 1)},
			OwnerSwitchesSinceCheckpoint: 1,
		},
	} {
		if _, err := store.Create(ctx, l); err != nil {
			t.Fatal(err)
		}
	}

	var (
		mu  sync.Mutex
		got = map[string][]string{}
	)
	h := HandlerFunc(func(_ context.Context, b Batch) error {
		mu.Lock()
		defer mu.Unlock()
		for _, r := range b.Records {
			got[r.ShardID] = append(got[r.ShardID], string(r.Data))
		}
		return nil
	})
	startWorker(t, f, store, h, WithWorkerID("pelican-1"))
	want := map[string][]string{s0: {"b2", "c"}, s1: {"y", "z"}}
	waitFor(t, 30*time.Second, "the records after the KCL's checkpoints", func() bool {
		mu.Lock()
		defer mu.Unlock()
		return len(got[s0]) >= 2 && len(got[s1]) >= 2
	})
	time.Sleep(3 * 200 * time.Millisecond) // a few more polls: nothing else may come
	mu.Lock()
	defer mu.Unlock()
	for shard, w := range want {
		if !slices.Equal(got[shard], w) {
			t.Errorf("%s: delivered %q, want %q", shard, got[shard], w)
		}
	}
	for _, key := range []string{s0, s1} {
		l, err := store.Get(ctx, key)
		if err != nil {
			t.Fatal(err)
		}
		if l.Owner != "pelican-1" || l.CheckpointOwner != "" {
			t.Errorf("%s: owner %q, checkpoint owner %q; want pelican-1 alone", key, l.Owner, l.CheckpointOwner)
		}
	}
}

// shardFor returns the open shard that owns the partition key.
func (f *fakeKinesis) shardFor(pk string) string {
	f.mu.Lock()
	defer f.mu.Unlock()
	h := hashOf(pk)
	for _, s := range f.shards {
		if !s.closed && h.Cmp(s.hashStart) >= 0 && h.Cmp(s.hashEnd) <= 0 {
			return s.id
		}
	}
	panic("no open shard for " + pk)
}
