package consumer

import (
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/pelicanhq/pelican/consumer/lease"
)

// balanced reports whether the workers named hold all n unfinished leases, as evenly as can be.
func balanced(t *testing.T, store lease.Store, n int, workers ...string) bool {
	counts := owners(t, store)
	total, lo, hi := 0, n, 0
	for _, w := range workers {
		total += counts[w]
		lo, hi = min(lo, counts[w]), max(hi, counts[w])
	}
	return total == n && hi-lo <= 1
}

func TestWorkersShareShardsFairly(t *testing.T) {
	for _, tt := range []struct {
		workers, shards int
	}{
		{2, 4}, {2, 5}, {3, 6}, {3, 4},
	} {
		t.Run(fmt.Sprintf("%d workers %d shards", tt.workers, tt.shards), func(t *testing.T) {
			f := newFakeKinesis(tt.shards)
			w := newWriter()
			store := lease.NewMemory()
			rec := newRecorder()
			var names []string
			for i := range tt.workers {
				name := fmt.Sprintf("w%d", i)
				names = append(names, name)
				startWorker(t, f, store, rec.handler(name), WithWorkerID(name))
				// Records flow while workers join, so leases move while batches are in flight.
				w.write(f, 30, 2)
				time.Sleep(100 * time.Millisecond)
			}
			waitFor(t, 15*time.Second, "a fair split", func() bool { return balanced(t, store, tt.shards, names...) })
			// The split stays fair: nobody keeps stealing.
			before := owners(t, store)
			time.Sleep(time.Second)
			if after := owners(t, store); fmt.Sprint(after) != fmt.Sprint(before) {
				t.Fatalf("leases kept moving: %v then %v", before, after)
			}
			w.write(f, 30, 2)
			waitFor(t, 10*time.Second, "every record", func() bool { return len(rec.deliveries()) >= w.total() })
			// Balancing hands leases over gracefully: without failures, no duplicates.
			checkExactlyOnceInOrder(t, w, rec.deliveries())
		})
	}
}

func TestKilledWorkersShardsAreTakenOver(t *testing.T) {
	for _, workers := range []int{2, 3} {
		t.Run(fmt.Sprintf("%d workers", workers), func(t *testing.T) {
			const shards = 6
			f := newFakeKinesis(shards)
			w := newWriter()
			store := lease.NewMemory()
			rec := newRecorder()
			var all []*started
			var names []string
			for i := range workers {
				name := fmt.Sprintf("w%d", i)
				names = append(names, name)
				all = append(all, startWorker(t, f, store, rec.handler(name), WithWorkerID(name)))
			}
			w.write(f, 30, 3)
			waitFor(t, 15*time.Second, "a fair split", func() bool { return balanced(t, store, shards, names...) })
			waitFor(t, 10*time.Second, "every record", func() bool { return len(rec.deliveries()) >= w.total() })

			victim := all[0]
			killedAt := time.Now()
			victim.kill(t)
			survivors := names[1:]
			waitFor(t, 15*time.Second, "the survivors to take every shard", func() bool { return balanced(t, store, shards, survivors...) })
			took := time.Since(killedAt)
			cfg := victim.c.cfg
			// Expiry is judged from sightings of the counter: never before the failover time,
			// and within it plus two take passes (and some slack for a busy machine).
			if limit := cfg.failover + 2*cfg.takeInterval + 2*time.Second; took > limit {
				t.Fatalf("takeover took %v, want at most %v", took, limit)
			}
			if took < cfg.failover-cfg.renewInterval {
				t.Fatalf("takeover after %v, before the lease could have expired (%v)", took, cfg.failover)
			}
			t.Logf("takeover in %v (failover %v)", took, cfg.failover)
			w.write(f, 30, 3)
			waitFor(t, 10*time.Second, "every record", func() bool { return len(rec.deliveries()) >= w.total() })
			checkAtLeastOnceInOrder(t, w, rec.deliveries())
		})
	}
}

func TestReshardingKeepsPerKeyOrder(t *testing.T) {
	for _, mode := range []struct {
		name string
		opts []Option
	}{
		{"polling", nil},
		{"fan-out", []Option{WithEnhancedFanOut("app")}},
	} {
		t.Run(mode.name, func(t *testing.T) {
			f := newFakeKinesis(2)
			w := newWriter()
			store := lease.NewMemory()
			rec := newRecorder()
			// A slow handler keeps parents busy while their children already have records.
			rec.delay = 20 * time.Millisecond
			startWorker(t, f, store, rec.handler("a"), append([]Option{WithWorkerID("a"), WithMaxRecords(7)}, mode.opts...)...)
			startWorker(t, f, store, rec.handler("b"), append([]Option{WithWorkerID("b"), WithMaxRecords(7)}, mode.opts...)...)
			w.write(f, 40, 3)
			f.split("shardId-000000000000")
			w.write(f, 40, 3)
			f.split("shardId-000000000001")
			w.write(f, 40, 3)
			f.merge("shardId-000000000002", "shardId-000000000003")
			w.write(f, 40, 3)
			waitFor(t, 30*time.Second, "every record", func() bool { return len(rec.deliveries()) >= w.total() })
			checkExactlyOnceInOrder(t, w, rec.deliveries())
			// Every closed shard was checkpointed SHARD_END, children after parents.
			for _, id := range []string{"shardId-000000000000", "shardId-000000000001", "shardId-000000000002", "shardId-000000000003"} {
				l, err := store.Get(t.Context(), id)
				if err != nil {
					t.Fatal(err)
				}
				if !l.Finished() || len(l.ChildShardIDs) == 0 {
					t.Errorf("closed shard %s: %+v, want SHARD_END with its children", id, l)
				}
			}
		})
	}
}

// TestChildWaitsForAParentWithoutALease pins the case of a merge child whose lease exists before
// one of its parents has one: that parent is not done, it only has not been listed yet.
func TestChildWaitsForAParentWithoutALease(t *testing.T) {
	f := newFakeKinesis(2)
	w := newWriter()
	w.write(f, 40, 2)
	store := lease.NewMemory()
	rec := newRecorder()
	release := make(chan struct{})
	rec.fail = func(_ string, b Batch) error {
		// Shard 0 is stuck until released, so its child 3 cannot finish either.
		if b.ShardID == "shardId-000000000000" {
			<-release
		}
		return nil
	}
	// A long sync interval: only the take pass can learn of shard 3 in time.
	startWorker(t, f, store, rec.handler("a"), WithShardSyncInterval(time.Hour))
	var once sync.Once
	unblock := func() { once.Do(func() { close(release) }) }
	t.Cleanup(unblock) // runs before the worker's stop
	waitFor(t, 5*time.Second, "shard 1 to be read", func() bool { return len(rec.deliveries()) > 0 })
	f.split("shardId-000000000000") // 2, 3
	w.write(f, 40, 2)
	f.split("shardId-000000000001") // 4, 5
	w.write(f, 40, 2)
	f.merge("shardId-000000000003", "shardId-000000000004") // 6, created when 4 ends
	w.write(f, 40, 2)
	waitFor(t, 10*time.Second, "shard 4 to end", func() bool {
		l, err := store.Get(t.Context(), "shardId-000000000004")
		return err == nil && l.Finished()
	})
	time.Sleep(500 * time.Millisecond) // a few take passes
	for _, d := range rec.deliveries() {
		if d.rec.ShardID == "shardId-000000000006" {
			t.Fatalf("shard 6 was read while its parent 3 had not even started")
		}
	}
	unblock()
	waitFor(t, 10*time.Second, "every record", func() bool { return len(rec.deliveries()) >= w.total() })
	checkExactlyOnceInOrder(t, w, rec.deliveries())
}

func TestReadiness(t *testing.T) {
	done := lease.Lease{Key: "p1", Checkpoint: lease.Checkpoint{SequenceNumber: lease.ShardEnd}}
	busy := lease.Lease{Key: "p2", Checkpoint: lease.Checkpoint{SequenceNumber: "5"}}
	child := func(parents ...string) lease.Lease {
		return lease.Lease{Key: "c", Checkpoint: lease.Checkpoint{SequenceNumber: lease.TrimHorizon}, ParentShardIDs: parents}
	}
	gone := func(id string) bool { return id == "trimmed" }
	tests := []struct {
		name    string
		leases  []lease.Lease
		ready   bool
		missing int
	}{
		{"no parents", []lease.Lease{child()}, true, 0},
		{"finished parent", []lease.Lease{done, child("p1")}, true, 0},
		{"parent in progress", []lease.Lease{done, busy, child("p1", "p2")}, false, 0},
		{"parent without a lease, not known gone", []lease.Lease{done, child("p1", "p3")}, false, 1},
		{"parent gone from the stream", []lease.Lease{child("trimmed")}, true, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := tt.leases[len(tt.leases)-1]
			if got := readyIn(tt.leases, gone)(c); got != tt.ready {
				t.Fatalf("ready = %v, want %v", got, tt.ready)
			}
			if got := missingParents(tt.leases, gone); len(got) != tt.missing {
				t.Fatalf("missing parents %v, want %d", got, tt.missing)
			}
		})
	}
}

func TestGracefulStopHandsShardsOverAtOnce(t *testing.T) {
	const shards = 4
	f := newFakeKinesis(shards)
	w := newWriter()
	store := lease.NewMemory()
	rec := newRecorder()
	// A long failover time: a takeover well before it cannot come from expiry.
	slow := []Option{WithFailoverTime(4 * time.Second), WithRenewInterval(500 * time.Millisecond), WithTakeInterval(200 * time.Millisecond)}
	a := startWorker(t, f, store, rec.handler("a"), append(slow, WithWorkerID("a"))...)
	startWorker(t, f, store, rec.handler("b"), append(slow, WithWorkerID("b"))...)
	w.write(f, 20, 3)
	waitFor(t, 20*time.Second, "a fair split", func() bool { return balanced(t, store, shards, "a", "b") })
	stoppedAt := time.Now()
	a.stop(t)
	waitFor(t, 10*time.Second, "b to hold every shard", func() bool { return balanced(t, store, shards, "b") })
	if took := time.Since(stoppedAt); took > 2*time.Second {
		t.Fatalf("b took the released shards after %v; a graceful stop must not wait for expiry (4s)", took)
	}
	w.write(f, 20, 3)
	waitFor(t, 10*time.Second, "every record", func() bool { return len(rec.deliveries()) >= w.total() })
	checkExactlyOnceInOrder(t, w, rec.deliveries())
}
