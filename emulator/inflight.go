package emulator

import (
	"container/list"
	"context"
	"sync"
)

// inflight bounds the request body bytes the server holds at once, across connections: a request
// takes its body's size before reading it and gives it back when it is answered. A request that
// does not fit waits, first come first served, until earlier ones are answered, its client goes
// away or its body read timeout passes; it is never refused for it. A request larger than the whole
// budget waits until it can have all of it.
type inflight struct {
	mu      sync.Mutex
	size    int64
	used    int64
	waiters list.List // of *inflightWaiter, oldest first
}

type inflightWaiter struct {
	n     int64
	ready chan struct{}
}

// newInflight returns a budget of size bytes; size <= 0 is no bound.
func newInflight(size int64) *inflight { return &inflight{size: size} }

// acquire takes n bytes of the budget, waiting while they are not free; it returns how many it took
// (to give back with release), which is n capped at the budget.
func (b *inflight) acquire(ctx context.Context, n int64) (int64, error) {
	if b.size <= 0 || n <= 0 {
		return 0, nil
	}
	n = min(n, b.size)
	b.mu.Lock()
	if b.waiters.Len() == 0 && b.used+n <= b.size {
		b.used += n
		b.mu.Unlock()
		return n, nil
	}
	w := &inflightWaiter{n: n, ready: make(chan struct{})}
	elem := b.waiters.PushBack(w)
	b.mu.Unlock()
	select {
	case <-w.ready:
		return n, nil
	case <-ctx.Done():
		b.mu.Lock()
		select {
		case <-w.ready:
			// Granted just now: give it back.
			b.used -= n
		default:
			b.waiters.Remove(elem)
		}
		b.grant()
		b.mu.Unlock()
		return 0, ctx.Err()
	}
}

// release gives back n bytes taken by acquire.
func (b *inflight) release(n int64) {
	if n <= 0 {
		return
	}
	b.mu.Lock()
	b.used -= n
	b.grant()
	b.mu.Unlock()
}

// grant wakes the waiters at the front that now fit. Callers hold b.mu.
func (b *inflight) grant() {
	for e := b.waiters.Front(); e != nil; e = b.waiters.Front() {
		w := e.Value.(*inflightWaiter)
		if b.used+w.n > b.size {
			return
		}
		b.used += w.n
		b.waiters.Remove(e)
		close(w.ready)
	}
}
