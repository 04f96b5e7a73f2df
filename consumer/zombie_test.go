package consumer

import (
	"context"
	"sync"
	"testing"
	"time"

	"github.com/pelicanhq/pelican/consumer/lease"
)

// testClock is a Clock that moves only when a test advances it.
type testClock struct {
	mu  sync.Mutex
	now time.Time
}

func newTestClock() *testClock {
	return &testClock{now: time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)}
}

func (c *testClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

func (c *testClock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = c.now.Add(d)
}

func (c *testClock) Set(t time.Time) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = t
}

// zombieRig is one worker holding the only shard of a fake stream, whose shard worker the test
// runs itself (no renewer, no take passes), so that a pause can be placed exactly.
type zombieRig struct {
	f     *fakeKinesis
	store *lease.Memory
	clock *testClock
	c     *Consumer
	h     *holding
	shard string

	mu        sync.Mutex
	takenAt   bool // another worker took the lease
	zombies   int  // records handed to the handler after that
	liveCtx   int  // zombie batches whose context was still live
	delivered int
}

func newZombieRig(t *testing.T, opts ...Option) *zombieRig {
	t.Helper()
	r := &zombieRig{f: newFakeKinesis(1), store: lease.NewMemory(), clock: newTestClock()}
	h := HandlerFunc(func(ctx context.Context, b Batch) error {
		r.mu.Lock()
		defer r.mu.Unlock()
		r.delivered += len(b.Records)
		if r.takenAt {
			r.zombies += len(b.Records)
			if ctx.Err() == nil {
				r.liveCtx++
			}
		}
		return nil
	})
	opts = append(append(fast(), WithWorkerID("a"), WithLeaseStore(r.store), WithClock(r.clock)), opts...)
	c, err := New(r.f, "stream", h, opts...)
	if err != nil {
		t.Fatal(err)
	}
	r.c = c
	ctx := t.Context()
	if _, err := c.syncShards(ctx); err != nil {
		t.Fatal(err)
	}
	leases, err := c.coord.list(ctx)
	if err != nil {
		t.Fatal(err)
	}
	hs := c.coord.take(ctx, ctx, leases, func(lease.Lease) bool { return true })
	if len(hs) != 1 {
		t.Fatalf("worker took %d leases, want 1", len(hs))
	}
	r.h, r.shard = hs[0], hs[0].key
	return r
}

// pauseAndLose makes the worker look paused for twice the failover time, during which worker b
// takes its lease, as b's take pass would once the lease expired.
func (r *zombieRig) pauseAndLose(t *testing.T) {
	r.clock.Advance(2 * r.c.cfg.failover)
	ctx := context.Background()
	l, err := r.store.Get(ctx, r.shard)
	if err == nil {
		_, err = r.store.Take(ctx, l, "b")
	}
	if err != nil {
		t.Errorf("b takes the lease: %v", err)
	}
	r.mu.Lock()
	r.takenAt = true
	r.mu.Unlock()
}

func (r *zombieRig) write(n int) {
	for i := range n {
		r.f.put("key", payload("key", i))
	}
}

// run runs the shard worker until it stops, or cancels it if it goes on after 10s.
func (r *zombieRig) run(t *testing.T) {
	t.Helper()
	done := make(chan struct{})
	go func() {
		defer close(done)
		r.c.runShard(r.h)
	}()
	select {
	case <-done:
	case <-time.After(10 * time.Second):
		t.Error("the shard worker did not stop on its own")
		r.h.cancel()
		<-done
	}
}

func (r *zombieRig) report(t *testing.T) {
	t.Helper()
	r.mu.Lock()
	defer r.mu.Unlock()
	t.Logf("records delivered %d, of which on the lost lease %d (%d batches with a live context)", r.delivered, r.zombies, r.liveCtx)
	if r.zombies != 0 {
		t.Errorf("%d records delivered after the lease was taken by another worker (%d batches with the handler's context live)", r.zombies, r.liveCtx)
	}
	if r.h.ctx.Err() == nil {
		t.Error("the handler's context is live after the lease was lost")
	}
	if l, err := r.store.Get(context.Background(), r.shard); err != nil || l.Owner != "b" || !l.Checkpoint.IsSentinel() {
		t.Errorf("lease after the pause: %+v, %v; want b's, with no checkpoint from a", l, err)
	}
}

// TestPausedWorkerDeliversNothingOnALostLease pauses a worker while it fetches a batch, long
// enough for another worker to take its lease: when it wakes with the batch, it must stop the
// shard and cancel the handler's context rather than hand the batch over.
func TestPausedWorkerDeliversNothingOnALostLease(t *testing.T) {
	for _, manual := range []bool{false, true} {
		name := map[bool]string{false: "auto checkpoint", true: "manual checkpoint"}[manual]
		t.Run(name, func(t *testing.T) {
			var opts []Option
			if manual {
				opts = append(opts, WithManualCheckpoint())
			}
			r := newZombieRig(t, opts...)
			r.write(500)
			var once sync.Once
			r.f.mu.Lock()
			r.f.getRecordsErr = func(string) error {
				once.Do(func() { r.pauseAndLose(t) })
				return nil
			}
			r.f.mu.Unlock()
			r.run(t)
			r.report(t)
		})
	}
}

// TestPausedWorkerReadsNothingOnALostLease pauses a worker inside its handler: with checkpoints
// left to the handler nothing is written that would reveal the loss, so the worker must see on
// its own clock that its lease is stale before it reads the next batch.
func TestPausedWorkerReadsNothingOnALostLease(t *testing.T) {
	r := newZombieRig(t, WithManualCheckpoint())
	r.write(100)
	paused := false
	r.c.handler = HandlerFunc(func(ctx context.Context, b Batch) error {
		r.mu.Lock()
		r.delivered += len(b.Records)
		if r.takenAt {
			r.zombies += len(b.Records)
			if ctx.Err() == nil {
				r.liveCtx++
			}
		}
		r.mu.Unlock()
		if !paused {
			paused = true
			r.write(100) // the next read has records to deliver
			r.pauseAndLose(t)
		}
		return nil
	})
	r.run(t)
	if calls := len(r.f.getRecordsCalls(r.shard)); calls != 1 {
		t.Errorf("%d GetRecords calls, want 1: the worker read on a lost lease", calls)
	}
	r.report(t)
}

// TestLiveWorkerKeepsDelivering checks that the staleness check does not stop a worker whose
// lease is renewed: time moves by less than the failover time between renewals.
func TestLiveWorkerKeepsDelivering(t *testing.T) {
	r := newZombieRig(t)
	r.write(30)
	batches := 0
	r.f.mu.Lock()
	r.f.getRecordsErr = func(string) error {
		// Each read takes a renew interval of the worker's time, and the renewer keeps up.
		r.clock.Advance(r.c.cfg.renewInterval)
		r.c.coord.renewOne(context.Background(), r.h)
		batches++
		if batches == 3 {
			r.h.stop()
		}
		r.write(10)
		return nil
	}
	r.f.mu.Unlock()
	r.run(t)
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.delivered != 60 {
		t.Errorf("delivered %d records, want 60", r.delivered)
	}
	if err := r.h.ctx.Err(); err != nil {
		t.Errorf("the handler's context was cancelled (%v) on a lease renewed in time", err)
	}
}
