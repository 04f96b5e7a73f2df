package consumer

import (
	"context"
	"fmt"
	"sort"
	"testing"
	"time"

	"github.com/pelicanhq/pelican/consumer/lease"
)

func TestSyncShards(t *testing.T) {
	// 0 and 1 split into 2, 3 and 4, 5; 3 and 4 merge into 6. Open: 2, 5, 6.
	reshard := func(f *fakeKinesis) {
		f.split("shardId-000000000000")
		f.split("shardId-000000000001")
		f.merge("shardId-000000000003", "shardId-000000000004")
	}
	tests := []struct {
		name    string
		initial Position
		seed    []lease.Lease
		want    map[string]string // shard -> checkpoint of its lease
	}{
		{
			name: "trim horizon: every shard from its start", initial: TrimHorizon(),
			want: map[string]string{"0": "TRIM_HORIZON", "1": "TRIM_HORIZON", "2": "TRIM_HORIZON", "3": "TRIM_HORIZON", "4": "TRIM_HORIZON", "5": "TRIM_HORIZON", "6": "TRIM_HORIZON"},
		},
		{
			name: "latest: closed shards are finished, open ones start at the tip", initial: Latest(),
			want: map[string]string{"0": "SHARD_END", "1": "SHARD_END", "2": "LATEST", "3": "SHARD_END", "4": "SHARD_END", "5": "LATEST", "6": "LATEST"},
		},
		{
			name: "latest: new children of a leased parent start at their beginning", initial: Latest(),
			seed: []lease.Lease{{Key: "shardId-000000000000", Checkpoint: lease.Checkpoint{SequenceNumber: "5"}}},
			want: map[string]string{"0": "5", "1": "SHARD_END", "2": "TRIM_HORIZON", "3": "TRIM_HORIZON", "4": "SHARD_END", "5": "LATEST", "6": "TRIM_HORIZON"},
		},
		{
			name: "at timestamp: every shard at the timestamp", initial: AtTimestamp(time.Unix(1700000000, 0)),
			want: map[string]string{"0": "AT_TIMESTAMP", "1": "AT_TIMESTAMP", "2": "AT_TIMESTAMP", "3": "AT_TIMESTAMP", "4": "AT_TIMESTAMP", "5": "AT_TIMESTAMP", "6": "AT_TIMESTAMP"},
		},
		{
			name: "existing leases are left alone", initial: TrimHorizon(),
			seed: []lease.Lease{{Key: "shardId-000000000006", Owner: "w", Checkpoint: lease.Checkpoint{SequenceNumber: "77"}}},
			want: map[string]string{"0": "TRIM_HORIZON", "1": "TRIM_HORIZON", "2": "TRIM_HORIZON", "3": "TRIM_HORIZON", "4": "TRIM_HORIZON", "5": "TRIM_HORIZON", "6": "77"},
		},
		{
			name: "finished leases of shards gone from the stream are removed", initial: TrimHorizon(),
			seed: []lease.Lease{
				{Key: "shardId-000000000099", Checkpoint: lease.Checkpoint{SequenceNumber: lease.ShardEnd}},
				{Key: "shardId-000000000098", Checkpoint: lease.Checkpoint{SequenceNumber: "3"}},
			},
			want: map[string]string{"0": "TRIM_HORIZON", "1": "TRIM_HORIZON", "2": "TRIM_HORIZON", "3": "TRIM_HORIZON", "4": "TRIM_HORIZON", "5": "TRIM_HORIZON", "6": "TRIM_HORIZON", "98": "3"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newFakeKinesis(2)
			reshard(f)
			store := lease.NewMemory()
			for _, l := range tt.seed {
				if _, err := store.Create(context.Background(), l); err != nil {
					t.Fatal(err)
				}
			}
			c, err := New(f, "stream", HandlerFunc(func(context.Context, Batch) error { return nil }), WithLeaseStore(store), WithInitialPosition(tt.initial))
			if err != nil {
				t.Fatal(err)
			}
			listed, err := c.syncShards(t.Context())
			if err != nil {
				t.Fatal(err)
			}
			if len(listed) != 7 {
				t.Fatalf("listed %d shards, want 7", len(listed))
			}
			leases, err := store.List(t.Context())
			if err != nil {
				t.Fatal(err)
			}
			got := map[string]string{}
			for _, l := range leases {
				var n int
				fmt.Sscanf(l.Key, "shardId-%d", &n)
				got[fmt.Sprint(n)] = l.Checkpoint.SequenceNumber
			}
			if fmt.Sprint(got) != fmt.Sprint(tt.want) {
				t.Fatalf("leases %v, want %v", got, tt.want)
			}
			l6, err := store.Get(t.Context(), "shardId-000000000006")
			if err != nil {
				t.Fatal(err)
			}
			parents := append([]string(nil), l6.ParentShardIDs...)
			sort.Strings(parents)
			if len(tt.seed) == 0 && fmt.Sprint(parents) != "[shardId-000000000003 shardId-000000000004]" {
				t.Fatalf("shard 6's parents %v", parents)
			}
		})
	}
}
