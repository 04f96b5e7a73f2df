package consumer

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/pelicanhq/pelican/consumer/lease"
)

// fast are the timings of the unit tests: short leases so that takeovers happen in a second.
func fast() []Option {
	return []Option{
		WithFailoverTime(900 * time.Millisecond),
		WithRenewInterval(150 * time.Millisecond),
		WithTakeInterval(200 * time.Millisecond),
		WithShardSyncInterval(300 * time.Millisecond),
		WithPollInterval(200 * time.Millisecond),
		WithIdleInterval(200 * time.Millisecond),
		WithShutdownTimeout(5 * time.Second),
		WithRetryPolicy(RetryPolicy{InitialBackoff: 10 * time.Millisecond, MaxBackoff: 50 * time.Millisecond}),
	}
}

// delivery is one record as a handler saw it.
type delivery struct {
	worker string
	rec    Record
}

// recorder is a handler that keeps every record delivered, and can be told to fail.
type recorder struct {
	mu    sync.Mutex
	got   []delivery
	fail  func(worker string, b Batch) error
	delay time.Duration
	// changed is signalled after every batch.
	changed chan struct{}
}

func newRecorder() *recorder { return &recorder{changed: make(chan struct{}, 1)} }

// handler returns the recorder's handler for one worker.
func (r *recorder) handler(worker string) Handler {
	return HandlerFunc(func(ctx context.Context, b Batch) error {
		if r.delay > 0 {
			select {
			case <-time.After(r.delay):
			case <-ctx.Done():
				return ctx.Err()
			}
		}
		r.mu.Lock()
		fail := r.fail
		r.mu.Unlock()
		if fail != nil {
			if err := fail(worker, b); err != nil {
				return err
			}
		}
		r.mu.Lock()
		for _, rec := range b.Records {
			r.got = append(r.got, delivery{worker: worker, rec: rec})
		}
		r.mu.Unlock()
		select {
		case r.changed <- struct{}{}:
		default:
		}
		return nil
	})
}

func (r *recorder) deliveries() []delivery {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]delivery(nil), r.got...)
}

// waitFor polls cond until it holds or the deadline passes.
func waitFor(t *testing.T, d time.Duration, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(d)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out after %v waiting for %s", d, what)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// payload is what the tests write: the key and the key's running number.
func payload(key string, n int) []byte { return []byte(key + "#" + strconv.Itoa(n)) }

func parsePayload(t *testing.T, data []byte) (string, int) {
	t.Helper()
	key, num, ok := strings.Cut(string(data), "#")
	if !ok {
		t.Fatalf("unexpected payload %q", data)
	}
	n, err := strconv.Atoi(num)
	if err != nil {
		t.Fatalf("unexpected payload %q", data)
	}
	return key, n
}

// writer writes numbered records for a set of keys.
type writer struct {
	mu   sync.Mutex
	next map[string]int
}

func newWriter() *writer { return &writer{next: map[string]int{}} }

func (w *writer) write(f *fakeKinesis, keys, perKey int) int {
	w.mu.Lock()
	defer w.mu.Unlock()
	n := 0
	for range perKey {
		for k := range keys {
			key := fmt.Sprintf("key-%03d", k)
			f.put(key, payload(key, w.next[key]))
			w.next[key]++
			n++
		}
	}
	return n
}

func (w *writer) total() int {
	w.mu.Lock()
	defer w.mu.Unlock()
	n := 0
	for _, v := range w.next {
		n += v
	}
	return n
}

// checkExactlyOnceInOrder fails unless every written record was delivered exactly once, and in
// order per key.
func checkExactlyOnceInOrder(t *testing.T, w *writer, got []delivery) {
	t.Helper()
	seen := map[string]int{}
	for _, d := range got {
		key, n := parsePayload(t, d.rec.Data)
		if n != seen[key] {
			t.Fatalf("key %s: got record %d, want %d (duplicate, loss or reordering); worker %s shard %s", key, n, seen[key], d.worker, d.rec.ShardID)
		}
		seen[key]++
	}
	w.mu.Lock()
	defer w.mu.Unlock()
	for key, n := range w.next {
		if seen[key] != n {
			t.Fatalf("key %s: %d records delivered, %d written", key, seen[key], n)
		}
	}
}

// checkAtLeastOnceInOrder fails unless every written record was delivered, and each key's first
// deliveries came in order. It returns the number of duplicates.
func checkAtLeastOnceInOrder(t *testing.T, w *writer, got []delivery) int {
	t.Helper()
	next := map[string]int{}
	dups := 0
	for _, d := range got {
		key, n := parsePayload(t, d.rec.Data)
		switch {
		case n == next[key]:
			next[key]++
		case n < next[key]:
			dups++
		default:
			t.Fatalf("key %s: got record %d before %d (a record lost or reordered); worker %s shard %s", key, n, next[key], d.worker, d.rec.ShardID)
		}
	}
	w.mu.Lock()
	defer w.mu.Unlock()
	for key, n := range w.next {
		if next[key] != n {
			t.Fatalf("key %s: %d records delivered, %d written", key, next[key], n)
		}
	}
	return dups
}

// started is a consumer running in the background.
type started struct {
	c      *Consumer
	cancel context.CancelFunc
	done   chan error
}

func startWorker(t *testing.T, f *fakeKinesis, store lease.Store, h Handler, opts ...Option) *started {
	t.Helper()
	opts = append(append(fast(), WithLeaseStore(store)), opts...)
	c, err := New(f, "stream", h, opts...)
	if err != nil {
		t.Fatal(err)
	}
	c.subscribe = f.subscribeFake
	ctx, cancel := context.WithCancel(context.Background())
	s := &started{c: c, cancel: cancel, done: make(chan error, 1)}
	go func() { s.done <- c.Run(ctx) }()
	t.Cleanup(func() { s.stop(t) })
	return s
}

// stop shuts the consumer down gracefully and waits for Run to return.
func (s *started) stop(t *testing.T) {
	t.Helper()
	s.cancel()
	select {
	case err, ok := <-s.done:
		if ok && err != nil {
			t.Errorf("Run: %v", err)
		}
		if ok {
			close(s.done)
		}
	case <-time.After(20 * time.Second):
		t.Fatal("Run did not return after its context was cancelled")
	}
}

// kill stops the consumer as if its process died.
func (s *started) kill(t *testing.T) {
	t.Helper()
	s.c.die()
	s.stop(t)
}

// owners counts the unfinished leases each worker owns.
func owners(t *testing.T, store lease.Store) map[string]int {
	t.Helper()
	leases, err := store.List(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]int{}
	for _, l := range leases {
		if !l.Finished() {
			out[l.Owner]++
		}
	}
	return out
}
