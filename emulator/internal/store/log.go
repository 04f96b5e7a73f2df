package store

import (
	"sort"
	"time"
	"unsafe"
)

// recordLog holds a shard's retained records so that neither appending nor the garbage collector
// walks what is already stored. Records sit in blocks of up to blockLen entries; an entry holds no
// pointer, only where its bytes are in the log's chunks, which keep each record's partition key and
// data back to back. Appending copies a record's bytes once and never moves stored ones; the
// collector marks a few chunks instead of each record's strings and slices, and once a shard holds
// more than about a megabyte its chunks are arenas outside the Go heap (arena.go, which states how
// long a record read out stays readable). Stored bytes are never written again, so records read out
// share them.
//
// A record's sequence number is not stored: it follows from the shard, the record's index and its
// arrival (Sequence), and is formatted when the record is read. Only a record read back from a
// journal with a number that does not follow (none that this package wrote) keeps its text.
//
// Indexes are contiguous: every block but the last is full, so an index maps to its block by
// arithmetic. The caller (Shard) holds the lock.
type recordLog struct {
	blocks    []*logBlock // oldest first
	head      int         // the oldest retained entry of blocks[0]
	count     int         // retained records
	chunks    [][]byte    // oldest first; append-only
	chunkBase uint32      // the number of chunks[0]: entries name chunks by number
	mapped    *mappedSet  // the chunks that are arenas
	// The shard's creation and index, from which sequence numbers follow.
	shardCreated time.Time
	shardIndex   int
}

// blockLen is the number of entries of a full block: trimming frees memory a block at a time.
const blockLen = 1024

// Chunk sizes: the first chunk is small, so that a shard with a handful of records costs little,
// and each next one doubles up to maxChunk; a larger record gets a chunk of its own size.
const (
	minChunk = 4 << 10
	maxChunk = 1 << 20
	// populateWindow is how much of an arena is faulted in at once as the writer reaches it.
	populateWindow = 256 << 10
)

type logBlock struct {
	first   uint64        // index of entries[0]
	entries []recordEntry // at most blockLen
}

// recordEntry locates one record: its key at off in chunk, then its data. A record whose sequence
// number does not follow from its index (seqLen > 0) has that number's text first.
type recordEntry struct {
	arrival int64 // Unix milliseconds
	chunk   uint32
	off     uint32
	dataLen uint32
	keyLen  uint16
	seqLen  uint8
}

// size is what the record counts against size limits: data plus partition key.
func (e *recordEntry) size() int { return int(e.dataLen) + int(e.keyLen) }

// len returns the number of retained records.
func (l *recordLog) len() int { return l.count }

// oldest returns the index of the oldest retained record; ok is false when none is retained.
func (l *recordLog) oldest() (index uint64, ok bool) {
	if l.count == 0 {
		return 0, false
	}
	return l.blocks[0].first + uint64(l.head), true
}

// end returns one past the index of the newest retained record (only meaningful when len > 0).
func (l *recordLog) end() uint64 {
	last := l.blocks[len(l.blocks)-1]
	return last.first + uint64(len(last.entries))
}

// add appends a record of index index, with the sequence number text when it is not empty and
// differs from the one that follows from index and arrival (a record read back from a journal
// keeps the number it was given). index must follow the newest record; when none is retained it
// may be anything (the shard's records were trimmed, or restored from index onwards).
func (l *recordLog) add(index uint64, text, key string, data []byte, arrival time.Time) {
	if l.count == 0 && (len(l.blocks) == 0 || l.end() != index) {
		l.blocks, l.head = nil, 0
	}
	var b *logBlock
	if n := len(l.blocks); n > 0 && len(l.blocks[n-1].entries) < blockLen {
		b = l.blocks[n-1]
	} else {
		b = &logBlock{first: index}
		if n > 0 {
			b.entries = make([]recordEntry, 0, blockLen)
		}
		l.blocks = append(l.blocks, b)
	}
	if text != "" && text == string(l.sequence(index, arrival.UnixMilli()).AppendFormat(make([]byte, 0, 60))) {
		text = ""
	}
	c := l.room(len(text) + len(key) + len(data))
	off := len(l.chunks[c])
	buf := append(l.chunks[c], text...)
	buf = append(buf, key...)
	if end := off + len(text) + len(key) + len(data); cap(buf) == arenaSize && (off == 0 || off/populateWindow != end/populateWindow) {
		// The record enters a new window of an arena (no heap chunk is arenaSize long): the
		// window's pages come in with one call.
		from := end / populateWindow * populateWindow
		if off == 0 {
			from = 0
		}
		if from < arenaSize {
			populate(buf[:cap(buf)][from:min(from+populateWindow, arenaSize)])
		}
	}
	buf = append(buf, data...)
	l.chunks[c] = buf
	b.entries = append(b.entries, recordEntry{arrival: arrival.UnixMilli(), chunk: l.chunkBase + uint32(c), off: uint32(off),
		dataLen: uint32(len(data)), keyLen: uint16(len(key)), seqLen: uint8(len(text))})
	l.count++
}

// sequence returns the sequence number that follows from a record's index and arrival.
func (l *recordLog) sequence(index uint64, arrival int64) Sequence {
	return Sequence{ShardCreated: l.shardCreated, ShardIndex: l.shardIndex, Index: index, Arrival: time.UnixMilli(arrival)}
}

// room returns the position of a chunk with need free bytes, adding one if the last has too few.
// Chunks double from minChunk; past maxChunk they are arenas when the platform maps them.
func (l *recordLog) room(need int) int {
	n := len(l.chunks)
	if n > 0 && cap(l.chunks[n-1])-len(l.chunks[n-1]) >= need {
		return n - 1
	}
	size := minChunk
	if n > 0 {
		size = min(2*cap(l.chunks[n-1]), maxChunk)
	}
	if n > 0 && cap(l.chunks[n-1]) >= maxChunk && need <= arenaSize {
		if a := arenas.get(); a != nil {
			if l.mapped == nil {
				l.mapped = &mappedSet{}
			}
			l.mapped.add(a)
			l.chunks = append(l.chunks, a)
			return n
		}
	}
	l.chunks = append(l.chunks, make([]byte, 0, max(size, need)))
	return n
}

// at returns the entry of a retained index and its block.
func (l *recordLog) at(index uint64) (*logBlock, *recordEntry) {
	off := index - l.blocks[0].first
	b := l.blocks[off/blockLen]
	return b, &b.entries[off%blockLen]
}

// records returns the retained records of indexes from up to (not including) to. Keys and data
// share the stored bytes; sequence numbers are formatted into one new buffer, each derived from the
// one before it in the same second.
func (l *recordLog) records(from, to uint64) []Record {
	if to <= from {
		return nil
	}
	out := make([]Record, 0, to-from)
	seqs := make([]byte, 0, int(to-from)*57)
	var prev []byte // the previous record's sequence number, when it followed from its index
	var prevSecond int64
	var run seqRun
	running := false // run continues from prev
	for i := from; i < to; i++ {
		_, e := l.at(i)
		c := l.chunks[e.chunk-l.chunkBase]
		key := int(e.off) + int(e.seqLen)
		data := key + int(e.keyLen)
		end := data + int(e.dataLen)
		second := floorDiv(e.arrival, 1000)
		start := len(seqs)
		ok := false
		switch {
		case e.seqLen > 0:
			seqs, prev = append(seqs, c[e.off:key]...), nil
			ok = true
		case prev != nil && second == prevSecond:
			if !running {
				running = run.start(prev)
			}
			if running {
				seqs, ok = run.next(seqs)
			}
		}
		if !ok {
			seqs = l.sequence(i, e.arrival).AppendFormat(seqs)
		}
		running = running && ok && e.seqLen == 0
		if e.seqLen == 0 {
			prev, prevSecond = seqs[start:len(seqs):len(seqs)], second
		}
		out = append(out, Record{
			Index:        i,
			Sequence:     unsafe.String(unsafe.SliceData(seqs[start:]), len(seqs)-start),
			PartitionKey: unsafe.String(unsafe.SliceData(c[key:data]), int(e.keyLen)),
			Data:         c[data:end:end],
			Arrival:      time.UnixMilli(e.arrival),
		})
	}
	return out
}

// floorDiv is a divided by b, rounded down.
func floorDiv(a, b int64) int64 {
	q := a / b
	if a%b != 0 && (a < 0) != (b < 0) {
		q--
	}
	return q
}

// keyAt returns where the stored partition key of the retained record of index index starts: since
// stored bytes are never written again, it tells a record read out apart from any later record of
// the same index.
func (l *recordLog) keyAt(index uint64) *byte {
	_, e := l.at(index)
	return &l.chunks[e.chunk-l.chunkBase][int(e.off)+int(e.seqLen)]
}

// size returns the size of the retained record of index index.
func (l *recordLog) size(index uint64) int {
	_, e := l.at(index)
	return e.size()
}

// arrival returns the arrival of the retained record of index index, in Unix milliseconds.
func (l *recordLog) arrival(index uint64) int64 {
	_, e := l.at(index)
	return e.arrival
}

// searchArrival returns the index of the oldest retained record that arrived at or after ms, or end
// when none did. Arrivals grow with the index.
func (l *recordLog) searchArrival(ms int64) uint64 {
	first, _ := l.oldest()
	n := sort.Search(l.count, func(i int) bool { return l.arrival(first+uint64(i)) >= ms })
	return first + uint64(n)
}

// dropBefore forgets the retained records below index, freeing every block left empty, and returns
// the size of what it dropped.
func (l *recordLog) dropBefore(index uint64) (dropped int64) {
	first, ok := l.oldest()
	if !ok || index <= first {
		return 0
	}
	index = min(index, l.end())
	for i := first; i < index; i++ {
		dropped += int64(l.size(i))
	}
	l.count -= int(index - first)
	off := index - l.blocks[0].first
	whole := int(off / blockLen)
	if whole == len(l.blocks) {
		whole-- // keep the last block, which new records fill
	}
	clear(l.blocks[:whole])
	l.blocks = l.blocks[whole:]
	l.head = int(index - l.blocks[0].first)
	// Free the chunks below the oldest retained record's; with none retained, all but the last,
	// which new records fill.
	keep := uint32(len(l.chunks) - 1)
	if l.count > 0 {
		_, e := l.at(index)
		keep = e.chunk - l.chunkBase
	}
	if l.mapped != nil {
		for _, c := range l.chunks[:keep] {
			l.mapped.remove(c)
		}
	}
	clear(l.chunks[:keep])
	l.chunks = l.chunks[keep:]
	l.chunkBase += keep
	return dropped
}

// dropFrom forgets the retained records from index on (they were never seen: see Shard.discard)
// and returns the size of what it dropped. Their bytes stay in the chunks, never reused, so that a
// record read out before is never overwritten and a record appended later is told apart by where
// its bytes are.
func (l *recordLog) dropFrom(index uint64) (dropped int64) {
	first, ok := l.oldest()
	if !ok || index >= l.end() {
		return 0
	}
	index = max(index, first)
	end := l.end()
	for i := index; i < end; i++ {
		dropped += int64(l.size(i))
	}
	l.count -= int(end - index)
	off := index - l.blocks[0].first
	keep := int(off/blockLen) + 1
	last := l.blocks[keep-1]
	last.entries = last.entries[:off%blockLen]
	clear(l.blocks[keep:])
	l.blocks = l.blocks[:keep]
	return dropped
}
