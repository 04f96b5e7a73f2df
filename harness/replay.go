package harness

import (
	"cmp"
	"container/heap"
	"context"
	"fmt"

	"github.com/pelicanhq/pelican"
)

// Deliverer takes records one at a time, in order; *pelican.Subscriber is one.
type Deliverer interface {
	Deliver(ctx context.Context, rec pelican.Record) error
}

var _ Deliverer = (*pelican.Subscriber)(nil)

// Replay delivers the fixture at path to d, as ReplayFixture does, and fails the test at the
// first error, naming the line. It returns what it delivered.
func Replay(t TB, path string, d Deliverer, opts ...Option) Stats {
	t.Helper()
	f, err := ReadFile(path)
	if err != nil {
		t.Fatalf("harness: %v", err)
	}
	stats, err := ReplayFixture(t.Context(), f, d, opts...)
	if err != nil {
		t.Fatalf("harness: replay %s: %v", path, err)
	}
	return stats
}

// ReplayFile reads the fixture at path and delivers it to d, as ReplayFixture does.
func ReplayFile(ctx context.Context, path string, d Deliverer, opts ...Option) (Stats, error) {
	f, err := ReadFile(path)
	if err != nil {
		return Stats{}, err
	}
	return ReplayFixture(ctx, f, d, opts...)
}

// ReplayFixture delivers f's entries to d one at a time, in the order Ordered gives: each
// shard's records in file order (the recorded sequence order), the shards merged by arrival
// time, so the records of one partition key arrive in the order they were written, across
// resharding too. It does not sleep: the handlers read the recorded times from the context
// (pelican.MetadataFromContext gives the arrival time in Record.ArrivedAt and the envelope's
// occurred-at time), and a Clock given WithClock is set to each record's arrival time. It
// applies WithEventTypes, WithoutEventTypes and WithTransform, decoding events with WithTypes,
// and stops at the first error d returns, naming the entry's line.
func ReplayFixture(ctx context.Context, f *Fixture, d Deliverer, opts ...Option) (Stats, error) {
	cfg := newConfig(opts)
	pl, err := newPipeline(&cfg, false)
	if err != nil {
		return Stats{}, err
	}
	var stats Stats
	shards := make(map[string]bool)
	for _, src := range Ordered(f.Entries) {
		if err := ctx.Err(); err != nil {
			return stats, err
		}
		e := *src
		keep, err := pl.process(&e)
		if err != nil {
			return stats, fmt.Errorf("%s: %w", where(f, src), err)
		}
		if !keep {
			stats.Dropped++
			continue
		}
		if cfg.clock != nil {
			cfg.clock.Set(e.ArrivedAt)
		}
		if err := d.Deliver(ctx, e.Record()); err != nil {
			return stats, fmt.Errorf("%s: %w", where(f, src), err)
		}
		stats.Records++
		if !shards[e.ShardID] {
			shards[e.ShardID] = true
			stats.Shards++
		}
	}
	return stats, nil
}

// where names an entry in errors: file and line, or shard and sequence number.
func where(f *Fixture, e *Entry) string {
	switch {
	case f.Path != "" && e.Line > 0:
		return fmt.Sprintf("%s:%d", f.Path, e.Line)
	case e.Line > 0:
		return fmt.Sprintf("line %d", e.Line)
	}
	return fmt.Sprintf("%s/%s", e.ShardID, e.SequenceNumber)
}

// Ordered returns entries in replay order. The entries of each shard keep their order; among
// the shards, the entry that arrived first goes next, and of entries that arrived at the same
// time the one earlier in entries. So a child shard's records, which arrived after its
// parents closed, come after its parents' records, and each partition key's records keep their
// order.
func Ordered(entries []*Entry) []*Entry {
	byShard := make(map[string]*queue)
	var queues []*queue
	for i, e := range entries {
		q := byShard[e.ShardID]
		if q == nil {
			q = &queue{}
			byShard[e.ShardID] = q
			queues = append(queues, q)
		}
		q.items = append(q.items, indexed{e, i})
	}
	h := make(queueHeap, 0, len(queues))
	for _, q := range queues {
		h = append(h, q)
	}
	heap.Init(&h)
	out := make([]*Entry, 0, len(entries))
	for h.Len() > 0 {
		q := h[0]
		out = append(out, q.items[0].e)
		q.items = q.items[1:]
		if len(q.items) == 0 {
			heap.Pop(&h)
		} else {
			heap.Fix(&h, 0)
		}
	}
	return out
}

type indexed struct {
	e *Entry
	i int
}

// queue is one shard's entries not yet ordered.
type queue struct{ items []indexed }

type queueHeap []*queue

func (h queueHeap) Len() int { return len(h) }
func (h queueHeap) Less(i, j int) bool {
	a, b := h[i].items[0], h[j].items[0]
	if c := a.e.ArrivedAt.Compare(b.e.ArrivedAt); c != 0 {
		return c < 0
	}
	return cmp.Less(a.i, b.i)
}
func (h queueHeap) Swap(i, j int) { h[i], h[j] = h[j], h[i] }
func (h *queueHeap) Push(x any)   { *h = append(*h, x.(*queue)) }
func (h *queueHeap) Pop() any {
	old := *h
	q := old[len(old)-1]
	*h = old[:len(old)-1]
	return q
}
