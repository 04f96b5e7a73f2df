package consumer

import (
	"context"
	"errors"
	"sync/atomic"
	"testing"
	"time"

	"github.com/pelicanhq/pelican/consumer/lease"
)

func newTestCoordinator(t *testing.T, store lease.Store, me string, m Metrics) *coordinator {
	t.Helper()
	cfg := defaults()
	for _, o := range append(fast(), WithLeaseStore(store), WithWorkerID(me), WithMetrics(m)) {
		o(&cfg)
	}
	if err := cfg.finish(); err != nil {
		t.Fatal(err)
	}
	return newCoordinator(cfg)
}

// pass runs one take pass of c.
func pass(t *testing.T, c *coordinator) []*holding {
	t.Helper()
	leases, err := c.list(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	return c.take(t.Context(), t.Context(), leases, func(lease.Lease) bool { return true })
}

func seedLeases(t *testing.T, store lease.Store, keys ...string) {
	t.Helper()
	for _, k := range keys {
		if _, err := store.Create(t.Context(), lease.Lease{Key: k, Checkpoint: lease.Checkpoint{SequenceNumber: lease.TrimHorizon}}); err != nil {
			t.Fatal(err)
		}
	}
}

func TestCoordinatorGracefulHandoff(t *testing.T) {
	store := lease.NewMemory()
	seedLeases(t, store, "s0", "s1")
	ma, mb := newCountingMetrics(), newCountingMetrics()
	a := newTestCoordinator(t, store, "a", ma)
	b := newTestCoordinator(t, store, "b", mb)
	held := pass(t, a)
	if len(held) != 2 {
		t.Fatalf("a took %d leases, want 2", len(held))
	}
	// b sees a over the target and asks for one lease.
	if got := pass(t, b); len(got) != 0 {
		t.Fatalf("b started %d shards before any handoff completed", len(got))
	}
	if len(b.waiting) != 1 {
		t.Fatalf("b waits for %d handoffs, want 1", len(b.waiting))
	}
	// a learns of the handoff at its next renewal: the shard worker is told to stop after its
	// batch, and may still checkpoint meanwhile.
	a.renew(t.Context(), t.Context())
	var asked *holding
	for _, h := range held {
		if h.soft.Err() != nil {
			asked = h
		}
	}
	if asked == nil {
		t.Fatal("no shard worker of a was asked to stop")
	}
	if asked.ctx.Err() != nil {
		t.Fatal("the handed-off shard's handler context was cancelled: its batch could not finish")
	}
	if err := a.checkpoint(t.Context(), asked, lease.Checkpoint{SequenceNumber: "42"}, nil); err != nil {
		t.Fatalf("checkpoint during the handoff: %v", err)
	}
	// Until a releases, b waits.
	if got := b.renew(t.Context(), t.Context()); len(got) != 0 {
		t.Fatal("b started before a released")
	}
	a.release(t.Context(), asked)
	got := b.renew(t.Context(), t.Context())
	if len(got) != 1 || got[0].key != asked.key {
		t.Fatalf("b started %d shards after the release, want %s", len(got), asked.key)
	}
	if l := got[0].lease(); l.Owner != "b" || l.CheckpointOwner != "" || l.Checkpoint.SequenceNumber != "42" {
		t.Fatalf("b holds %+v", l)
	}
	if ma.changeCount(LeaseHandedOff) != 1 || mb.changeCount(LeaseStolen) != 1 {
		t.Fatalf("a reported %v, b %v", ma.changes, mb.changes)
	}
}

func TestCoordinatorLosesATakenLease(t *testing.T) {
	store := lease.NewMemory()
	seedLeases(t, store, "s0")
	m := newCountingMetrics()
	a := newTestCoordinator(t, store, "a", m)
	h := pass(t, a)[0]
	l, err := store.Get(t.Context(), "s0")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := store.Take(t.Context(), l, "intruder"); err != nil {
		t.Fatal(err)
	}
	a.renew(t.Context(), t.Context())
	if h.ctx.Err() == nil {
		t.Fatal("the handler context survived the loss of the lease")
	}
	if err := a.checkpoint(t.Context(), h, lease.Checkpoint{SequenceNumber: "1"}, nil); !errors.Is(err, ErrLeaseLost) {
		t.Fatalf("checkpoint after the loss: %v", err)
	}
	a.release(t.Context(), h)
	if l, _ := store.Get(t.Context(), "s0"); l.Owner != "intruder" {
		t.Fatalf("the lost lease was released from under its new owner: %+v", l)
	}
	if m.changeCount(LeaseLost) != 1 {
		t.Fatalf("changes %v", m.changes)
	}
}

// failingRenewals is a store whose renewals fail while broken is set.
type failingRenewals struct {
	lease.Store
	broken atomic.Bool
}

func (s *failingRenewals) Renew(ctx context.Context, l lease.Lease) (lease.Lease, error) {
	if s.broken.Load() {
		return lease.Lease{}, errors.New("network down")
	}
	return s.Store.Renew(ctx, l)
}

func TestCoordinatorStopsBeforeOthersCouldTakeOver(t *testing.T) {
	store := &failingRenewals{Store: lease.NewMemory()}
	seedLeases(t, store, "s0")
	a := newTestCoordinator(t, store, "a", NopMetrics{})
	h := pass(t, a)[0]
	store.broken.Store(true)
	a.renew(t.Context(), t.Context())
	if h.ctx.Err() != nil {
		t.Fatal("one failed renewal stopped the shard")
	}
	// Others may take the lease after the failover time from their last sighting of the counter;
	// the holder stops a renew interval before that.
	time.Sleep(a.failover - a.renewInterval)
	a.renew(t.Context(), t.Context())
	if h.ctx.Err() == nil {
		t.Fatal("the shard kept running without renewals for nearly the failover time")
	}
}

func TestCoordinatorTakesOverAStalledHandoff(t *testing.T) {
	store := lease.NewMemory()
	seedLeases(t, store, "s0", "s1")
	a := newTestCoordinator(t, store, "a", NopMetrics{})
	b := newTestCoordinator(t, store, "b", NopMetrics{})
	pass(t, a)
	pass(t, b)
	a.frozen.Store(true) // a dies before it hands the lease over
	start := time.Now()
	var got []*holding
	for len(got) == 0 {
		if time.Since(start) > 5*time.Second {
			t.Fatal("b never took over the stalled handoff")
		}
		got = b.renew(t.Context(), t.Context())
		time.Sleep(20 * time.Millisecond)
	}
	// A lease counts as expired a quarter renew interval before the failover time.
	if took := time.Since(start); took < b.failover-b.jitter() {
		t.Fatalf("b took over after %v, before the failover time less its jitter", took)
	}
	if l := got[0].lease(); l.Owner != "b" || l.CheckpointOwner != "" {
		t.Fatalf("b holds %+v", l)
	}
}

func TestCoordinatorFrozenWritesNothing(t *testing.T) {
	store := lease.NewMemory()
	seedLeases(t, store, "s0")
	a := newTestCoordinator(t, store, "a", NopMetrics{})
	h := pass(t, a)[0]
	before, _ := store.Get(t.Context(), "s0")
	a.frozen.Store(true)
	a.renew(t.Context(), t.Context())
	if err := a.checkpoint(t.Context(), h, lease.Checkpoint{SequenceNumber: "9"}, nil); !errors.Is(err, ErrLeaseLost) {
		t.Fatalf("checkpoint of a dead worker: %v", err)
	}
	a.release(t.Context(), h)
	if after, _ := store.Get(t.Context(), "s0"); after.Counter != before.Counter {
		t.Fatalf("a dead worker wrote to its lease: %+v then %+v", before, after)
	}
}
