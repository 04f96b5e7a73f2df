//go:build interop

package consumer_test

import (
	"fmt"
	"testing"
	"time"

	"github.com/pelicanhq/pelican/consumer/internal/dynalite"
	"github.com/pelicanhq/pelican/consumer/lease"
)

// TestInteropDynamoDBLeases runs workers that share their leases through the DynamoDB store, on a
// real DynamoDB-compatible server: they split the shards fairly, a killed worker's shards are
// taken over, and every record arrives in order per key.
func TestInteropDynamoDBLeases(t *testing.T) {
	srv := dynalite.Start(t)
	store := lease.NewDynamoDB(srv.Client(), srv.TableName("consumer-leases"))
	if err := store.CreateTable(t.Context()); err != nil {
		t.Fatal(err)
	}
	const shards = 4
	r := newRig(t, shards)
	r.store = store
	var workers []*worker
	var names []string
	for i := range 3 {
		name := fmt.Sprintf("w%d", i)
		names = append(names, name)
		workers = append(workers, r.start(name, r.handler(name)))
		r.write(20, 2)
	}
	waitFor(t, 60*time.Second, "a fair split", func() bool { return r.fair(shards, names...) })
	r.waitAll(60 * time.Second)
	r.exactlyOnce()

	killedAt := time.Now()
	workers[0].kill(t)
	waitFor(t, 60*time.Second, "the survivors to take every shard", func() bool { return r.fair(shards, names[1:]...) })
	t.Logf("killed worker's shards taken over in %v", time.Since(killedAt))
	r.write(20, 2)
	r.waitAll(60 * time.Second)
	r.check()

	// The table is the KCL's layout: a finished handoff leaves no checkpoint owner behind, and
	// every lease carries a checkpoint.
	leases, err := store.List(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	if len(leases) != shards {
		t.Fatalf("%d leases, want %d", len(leases), shards)
	}
	for _, l := range leases {
		if l.Checkpoint.SequenceNumber == "" || l.StartingHashKey == "" || l.EndingHashKey == "" {
			t.Errorf("lease %+v lacks a checkpoint or its hash range", l)
		}
	}
}
