package store

import (
	"fmt"
	"runtime"
	"sync"
	"time"
	"unsafe"
)

// ShardID is the id of the shard with index i: shardId- and 12 zero-padded digits.
func ShardID(i int) string { return fmt.Sprintf("shardId-%012d", i) }

// Record is one stored data record. Records are immutable once appended; readers share them.
type Record struct {
	Index        uint64
	Sequence     string
	PartitionKey string
	Data         []byte
	Arrival      time.Time // millisecond precision
}

// Size is what the record counts against size limits: data plus partition key.
func (r *Record) Size() int { return len(r.Data) + len(r.PartitionKey) }

// Shard is one shard of a stream. Its identity and hash range never change; its records grow at the
// end and are trimmed at the start when retention passes.
type Shard struct {
	ID             string
	Index          int
	StartHash      HashKey
	EndHash        HashKey
	Parent         string
	AdjacentParent string
	Created        time.Time
	StartSequence  string

	mu       sync.RWMutex
	log      recordLog // retained records, oldest first
	next     uint64    // index of the next record
	visible  uint64    // records below this index may be read (durable when journalled)
	closed   bool
	endSeq   string
	closedAt time.Time
	wake     chan struct{}
	bytes    int64
}

// NewShard returns an open, empty shard.
func NewShard(index int, start, end HashKey, created time.Time, parent, adjacent string) *Shard {
	sh := &Shard{
		ID: ShardID(index), Index: index, StartHash: start, EndHash: end,
		Parent: parent, AdjacentParent: adjacent, Created: created,
		StartSequence: Sequence{ShardCreated: created, ShardIndex: index, Index: 0, Arrival: created}.Format(),
		// Records are numbered from 1, so that the shard's starting sequence number (index 0)
		// sorts below every record, even one that arrives in the shard's first second.
		next: 1, visible: 1,
		wake: make(chan struct{}),
	}
	sh.log.shardCreated, sh.log.shardIndex = created, index
	// The log's arenas go back to the pool once nothing refers to the shard (a deleted stream, a
	// closed store); arena.go says what that means for records still held.
	sh.log.mapped = &mappedSet{}
	runtime.AddCleanup(sh, (*mappedSet).releaseAll, sh.log.mapped)
	return sh
}

// Closed reports whether the shard was closed by a reshard.
func (sh *Shard) Closed() bool {
	sh.mu.RLock()
	defer sh.mu.RUnlock()
	return sh.closed
}

// EndSequence returns the closed shard's ending sequence number, or "" while it is open.
func (sh *Shard) EndSequence() string {
	sh.mu.RLock()
	defer sh.mu.RUnlock()
	return sh.endSeq
}

// ClosedAt returns when the shard closed (zero while open).
func (sh *Shard) ClosedAt() time.Time {
	sh.mu.RLock()
	defer sh.mu.RUnlock()
	return sh.closedAt
}

// Close ends the shard: no more writes; readers drain it and then learn of its children.
func (sh *Shard) Close(now time.Time) {
	sh.mu.Lock()
	defer sh.mu.Unlock()
	if sh.closed {
		return
	}
	sh.closed = true
	sh.closedAt = now
	sh.endSeq = Sequence{ShardCreated: sh.Created, ShardIndex: sh.Index, Index: MaxSequenceIndex, Arrival: sh.Created}.Format()
	sh.broadcast()
}

// Wait returns a channel that is closed when the shard next changes (a record becomes visible, or
// the shard closes).
func (sh *Shard) Wait() <-chan struct{} {
	sh.mu.RLock()
	defer sh.mu.RUnlock()
	return sh.wake
}

func (sh *Shard) broadcast() {
	close(sh.wake)
	sh.wake = make(chan struct{})
}

// Pending is one record to append: its key and data.
type Pending struct {
	PartitionKey string
	Data         []byte
}

// Append adds records at the end, stamps them with sequence numbers and arrival time, and returns
// them. visible says whether readers may see them at once; when false the caller makes them visible
// with Publish after they are durable.
func (sh *Shard) Append(now time.Time, recs []Pending, visible bool) ([]Record, error) {
	now = now.Truncate(time.Millisecond)
	sh.mu.Lock()
	defer sh.mu.Unlock()
	if sh.closed {
		return nil, ErrShardClosed
	}
	start := sh.next
	for _, p := range recs {
		sh.log.add(sh.next, "", p.PartitionKey, p.Data, now)
		sh.bytes += int64(len(p.Data) + len(p.PartitionKey))
		sh.next++
	}
	if visible {
		sh.visible = sh.next
		sh.broadcast()
	}
	return sh.log.records(start, sh.next), nil
}

// Restore appends a record read back from a journal, keeping its index, sequence and arrival.
func (sh *Shard) Restore(r Record) {
	sh.mu.Lock()
	defer sh.mu.Unlock()
	if r.Index < sh.next {
		return
	}
	sh.log.add(r.Index, r.Sequence, r.PartitionKey, r.Data, r.Arrival)
	sh.bytes += int64(r.Size())
	sh.next = r.Index + 1
	sh.visible = sh.next
}

// Publish makes every record below index upTo visible to readers.
func (sh *Shard) Publish(upTo uint64) {
	sh.mu.Lock()
	defer sh.mu.Unlock()
	if upTo > sh.next {
		upTo = sh.next
	}
	if upTo > sh.visible {
		sh.visible = upTo
		sh.broadcast()
	}
}

// holds reports whether r, returned by Append, is still the shard's record of its index: discard
// has not dropped it. Stored bytes are never written again, so a record appended in its place after
// a discard has its partition key (never empty) elsewhere.
func (sh *Shard) holds(r Record) bool {
	sh.mu.RLock()
	defer sh.mu.RUnlock()
	first, ok := sh.log.oldest()
	switch {
	case r.Index >= sh.next:
		return false
	case !ok || r.Index < first:
		return true // trimmed since, not discarded
	}
	return sh.log.keyAt(r.Index) == unsafe.StringData(r.PartitionKey)
}

// discard drops the records from index from on that readers cannot see yet (a write of them to
// the journal failed), so that the next record takes index from. Visible records are kept.
func (sh *Shard) discard(from uint64) {
	sh.mu.Lock()
	defer sh.mu.Unlock()
	from = max(from, sh.visible)
	if from >= sh.next {
		return
	}
	sh.bytes -= sh.log.dropFrom(from)
	sh.next = from
}

// Next returns the index the next appended record will get.
func (sh *Shard) Next() uint64 {
	sh.mu.RLock()
	defer sh.mu.RUnlock()
	return sh.next
}

// Visible returns the index one past the last readable record.
func (sh *Shard) Visible() uint64 {
	sh.mu.RLock()
	defer sh.mu.RUnlock()
	return sh.visible
}

// Trim drops the records that arrived before cutoff (retention).
func (sh *Shard) Trim(cutoff time.Time) {
	sh.mu.Lock()
	defer sh.mu.Unlock()
	if sh.log.len() == 0 {
		return
	}
	sh.bytes -= sh.log.dropBefore(sh.log.searchArrival(ceilMilli(cutoff)))
}

// ceilMilli returns t in Unix milliseconds, rounded up: arrivals are kept in whole milliseconds,
// so a record arrived before t exactly when its millisecond is below ceilMilli(t).
func ceilMilli(t time.Time) int64 {
	ms := t.UnixMilli()
	if t.After(time.UnixMilli(ms)) {
		ms++
	}
	return ms
}

// Oldest returns the index of the oldest retained record (Next when none is retained).
func (sh *Shard) Oldest() uint64 {
	sh.mu.RLock()
	defer sh.mu.RUnlock()
	if i, ok := sh.log.oldest(); ok {
		return i
	}
	return sh.next
}

// Read returns up to limit visible records from index from onwards, stopping once maxBytes would be
// passed (at least one record is returned when any is available). next is the index to read from
// afterwards; the records share the stored bytes.
func (sh *Shard) Read(from uint64, limit int, maxBytes int) (recs []Record, next uint64) {
	sh.mu.RLock()
	defer sh.mu.RUnlock()
	base, ok := sh.log.oldest()
	if !ok {
		if from < sh.next {
			from = sh.next
		}
		return nil, from
	}
	if from < base {
		from = base
	}
	if from >= sh.visible {
		return nil, from
	}
	size := 0
	to := from
	for to < sh.visible && to-from < uint64(limit) {
		sz := sh.log.size(to)
		if to > from && size+sz > maxBytes {
			break
		}
		size += sz
		to++
	}
	return sh.log.records(from, to), to
}

// IndexAt returns the index of the first visible record that arrived at or after t.
func (sh *Shard) IndexAt(t time.Time) uint64 {
	sh.mu.RLock()
	defer sh.mu.RUnlock()
	if sh.log.len() == 0 {
		return sh.next
	}
	i := sh.log.searchArrival(ceilMilli(t))
	if i >= sh.log.end() {
		return sh.next
	}
	return i
}

// LatestArrival returns the arrival time of the last visible record, or zero.
func (sh *Shard) LatestArrival() time.Time {
	sh.mu.RLock()
	defer sh.mu.RUnlock()
	base, ok := sh.log.oldest()
	if !ok || sh.visible <= base {
		return time.Time{}
	}
	return time.UnixMilli(sh.log.arrival(sh.visible - 1))
}

// Bytes returns the size of the retained records.
func (sh *Shard) Bytes() int64 {
	sh.mu.RLock()
	defer sh.mu.RUnlock()
	return sh.bytes
}
