package consumer

import (
	"context"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/kinesis"

	"github.com/pelicanhq/pelican/consumer/lease"
)

// gate stops every call of one worker while it is closed, a stand-in for SIGSTOP: a stopped
// process stops at its next instruction, and a worker's goroutines spend their time waiting on
// calls to Kinesis and to the lease store, so stopping them at their next call is close. A call
// that wakes past its context's deadline fails, as it would in a process woken from SIGSTOP.
type gate struct {
	mu   sync.Mutex
	open chan struct{}
}

func newGate() *gate {
	g := &gate{open: make(chan struct{})}
	close(g.open)
	return g
}

func (g *gate) pause() {
	g.mu.Lock()
	defer g.mu.Unlock()
	g.open = make(chan struct{})
}

func (g *gate) resume() {
	g.mu.Lock()
	defer g.mu.Unlock()
	close(g.open)
}

func (g *gate) pass(ctx context.Context) error {
	g.mu.Lock()
	ch := g.open
	g.mu.Unlock()
	<-ch
	return ctx.Err()
}

type gatedKinesis struct {
	KinesisAPI
	g *gate
}

func (k gatedKinesis) ListShards(ctx context.Context, in *kinesis.ListShardsInput, o ...func(*kinesis.Options)) (*kinesis.ListShardsOutput, error) {
	if err := k.g.pass(ctx); err != nil {
		return nil, err
	}
	return k.KinesisAPI.ListShards(ctx, in, o...)
}

func (k gatedKinesis) GetShardIterator(ctx context.Context, in *kinesis.GetShardIteratorInput, o ...func(*kinesis.Options)) (*kinesis.GetShardIteratorOutput, error) {
	if err := k.g.pass(ctx); err != nil {
		return nil, err
	}
	return k.KinesisAPI.GetShardIterator(ctx, in, o...)
}

func (k gatedKinesis) GetRecords(ctx context.Context, in *kinesis.GetRecordsInput, o ...func(*kinesis.Options)) (*kinesis.GetRecordsOutput, error) {
	// A read sent before the process stopped has its answer waiting when it wakes.
	if err := k.g.pass(context.WithoutCancel(ctx)); err != nil {
		return nil, err
	}
	return k.KinesisAPI.GetRecords(ctx, in, o...)
}

type gatedStore struct {
	lease.Store
	g *gate
}

func (s gatedStore) Create(ctx context.Context, l lease.Lease) (lease.Lease, error) {
	if err := s.g.pass(ctx); err != nil {
		return lease.Lease{}, err
	}
	return s.Store.Create(ctx, l)
}

func (s gatedStore) Get(ctx context.Context, key string) (lease.Lease, error) {
	if err := s.g.pass(ctx); err != nil {
		return lease.Lease{}, err
	}
	return s.Store.Get(ctx, key)
}

func (s gatedStore) List(ctx context.Context) ([]lease.Lease, error) {
	if err := s.g.pass(ctx); err != nil {
		return nil, err
	}
	return s.Store.List(ctx)
}

func (s gatedStore) Take(ctx context.Context, l lease.Lease, owner string) (lease.Lease, error) {
	if err := s.g.pass(ctx); err != nil {
		return lease.Lease{}, err
	}
	return s.Store.Take(ctx, l, owner)
}

func (s gatedStore) Handoff(ctx context.Context, l lease.Lease, owner string) (lease.Lease, error) {
	if err := s.g.pass(ctx); err != nil {
		return lease.Lease{}, err
	}
	return s.Store.Handoff(ctx, l, owner)
}

func (s gatedStore) Renew(ctx context.Context, l lease.Lease) (lease.Lease, error) {
	if err := s.g.pass(ctx); err != nil {
		return lease.Lease{}, err
	}
	return s.Store.Renew(ctx, l)
}

func (s gatedStore) Checkpoint(ctx context.Context, l lease.Lease, cp lease.Checkpoint) (lease.Lease, error) {
	if err := s.g.pass(ctx); err != nil {
		return lease.Lease{}, err
	}
	return s.Store.Checkpoint(ctx, l, cp)
}

func (s gatedStore) Release(ctx context.Context, l lease.Lease, worker string) (lease.Lease, error) {
	if err := s.g.pass(ctx); err != nil {
		return lease.Lease{}, err
	}
	return s.Store.Release(ctx, l, worker)
}

func (s gatedStore) Delete(ctx context.Context, l lease.Lease) error {
	if err := s.g.pass(ctx); err != nil {
		return err
	}
	return s.Store.Delete(ctx, l)
}

// TestPausedWorkerRunLoop stops a running worker at its next call, as SIGSTOP would, until the
// other worker has taken every one of its leases, writes more records meanwhile, and wakes it: it
// must hand none of them to its handler on a lease it no longer holds. Unlike the tests of
// zombie_test.go this runs the whole worker, renewer and take passes included, on the system
// clock; the pause is ended by what the other worker did, not by a timer, so the outcome does
// not hang on the machine's speed.
func TestPausedWorkerRunLoop(t *testing.T) {
	const shards = 4
	f := newFakeKinesis(shards)
	store := lease.NewMemory()
	w := newWriter()
	w.write(f, 40, 5)

	var (
		mu       sync.Mutex
		woken    bool
		zombies  int // records a handed over on a lease held by another worker
		liveCtx  int // of those batches, the ones whose context was live
		afterRun int // records a handled after it woke, on leases it held again
	)
	g := newGate()
	aHandler := HandlerFunc(func(ctx context.Context, b Batch) error {
		l, err := store.Get(context.Background(), b.ShardID)
		mu.Lock()
		defer mu.Unlock()
		if !woken {
			return nil
		}
		if err != nil || l.Holder() != "a" {
			zombies += len(b.Records)
			if ctx.Err() == nil {
				liveCtx++
			}
			return nil
		}
		afterRun += len(b.Records)
		return nil
	})
	ca, err := New(gatedKinesis{f, g}, "stream", aHandler, append(fast(), WithWorkerID("a"), WithLeaseStore(gatedStore{store, g}))...)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- ca.Run(ctx) }()
	defer func() {
		cancel()
		select {
		case <-done:
		case <-time.After(20 * time.Second):
			t.Error("a did not stop")
		}
	}()
	b := startWorker(t, f, store, HandlerFunc(func(context.Context, Batch) error { return nil }), WithWorkerID("b"))
	waitFor(t, 30*time.Second, "a fair split", func() bool {
		o := owners(t, store)
		return o["a"] == shards/2 && o["b"] == shards/2
	})

	g.pause()
	w.write(f, 40, 50) // what a reads when it wakes
	waitFor(t, 30*time.Second, "b to take every lease of the paused worker", func() bool {
		return owners(t, store)["b"] == shards
	})
	mu.Lock()
	woken = true
	mu.Unlock()
	g.resume()
	// Give the woken worker time to deliver what it read, were it to; the check does not depend
	// on how long this is.
	time.Sleep(2 * time.Second)
	b.stop(t)

	mu.Lock()
	defer mu.Unlock()
	t.Logf("after waking, a delivered %d records on leases b held (%d batches with a live context), %d on leases it held again", zombies, liveCtx, afterRun)
	if zombies != 0 {
		t.Errorf("the woken worker delivered %d records on leases another worker held (%d batches with the handler's context live)", zombies, liveCtx)
	}
}
