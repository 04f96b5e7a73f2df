package store

import (
	"sort"
	"time"
	"unsafe"
)

// recordLog holds a shard's retained records so that neither appending nor the garbage collector
// walks what is already stored. Records sit in blocks of up to blockLen entries; an entry holds no
// pointer, only where its bytes are in the log's chunks, which keep each record's sequence number,
// partition key and data back to back. Appending copies a record's bytes once and never moves
// stored ones; the collector marks a few chunks instead of each record's strings and slices.
// Stored bytes are never written again, so records read out share them, strings included.
//
// Indexes are contiguous: every block but the last is full, so an index maps to its block by
// arithmetic. The caller (Shard) holds the lock.
type recordLog struct {
	blocks    []*logBlock // oldest first
	head      int         // the oldest retained entry of blocks[0]
	count     int         // retained records
	chunks    [][]byte    // oldest first; append-only
	chunkBase uint32      // the number of chunks[0]: entries name chunks by number
	// formatted says the newest record's sequence number was formatted here (not read back from
	// a journal), so that the next one in the same second can be derived from it.
	formatted bool
}

// blockLen is the number of entries of a full block: trimming frees memory a block at a time.
const blockLen = 1024

// Chunk sizes: the first chunk is small, so that a shard with a handful of records costs little,
// and each next one doubles up to maxChunk; a larger record gets a chunk of its own size.
const (
	minChunk = 4 << 10
	maxChunk = 1 << 20
)

type logBlock struct {
	first   uint64        // index of entries[0]
	entries []recordEntry // at most blockLen
}

// recordEntry locates one record: its sequence number at off in chunk, then its key, then its data.
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

// add appends a record of index index with the sequence number seq, or text when it is not empty
// (a record read back from a journal keeps the number it was given). index must follow the newest
// record; when none is retained it may be anything (the shard's records were trimmed, or restored
// from index onwards).
func (l *recordLog) add(index uint64, seq Sequence, text, key string, data []byte, arrival time.Time) {
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
	// A formatted sequence number takes at most 57 digits (47 hexadecimal digits).
	need := max(60, len(text)) + len(key) + len(data)
	prev := l.newestSequence(index, arrival)
	c := l.room(need)
	off := len(l.chunks[c])
	var buf []byte
	ok := false
	if text != "" {
		buf, ok = append(l.chunks[c], text...), true
		l.formatted = false
	} else if prev != nil {
		buf, ok = appendNextSequence(l.chunks[c], prev)
	}
	if !ok {
		buf = seq.AppendFormat(l.chunks[c])
	}
	if text == "" {
		l.formatted = true
	}
	seqLen := len(buf) - off
	buf = append(buf, key...)
	buf = append(buf, data...)
	l.chunks[c] = buf
	b.entries = append(b.entries, recordEntry{arrival: arrival.UnixMilli(), chunk: l.chunkBase + uint32(c), off: uint32(off),
		dataLen: uint32(len(data)), keyLen: uint16(len(key)), seqLen: uint8(seqLen)})
	l.count++
}

// newestSequence returns the sequence number of the newest record when the record of index index
// and arrival can derive its own from it: the one before it, formatted here, in the same second.
func (l *recordLog) newestSequence(index uint64, arrival time.Time) []byte {
	if !l.formatted || l.count == 0 || l.end() != index {
		return nil
	}
	_, e := l.at(index - 1)
	if time.UnixMilli(e.arrival).Unix() != arrival.Unix() {
		return nil
	}
	c := l.chunks[e.chunk-l.chunkBase]
	return c[e.off : int(e.off)+int(e.seqLen)]
}

// room returns the position of a chunk with need free bytes, adding one if the last has too few.
func (l *recordLog) room(need int) int {
	n := len(l.chunks)
	if n > 0 && cap(l.chunks[n-1])-len(l.chunks[n-1]) >= need {
		return n - 1
	}
	size := minChunk
	if n > 0 {
		size = min(2*cap(l.chunks[n-1]), maxChunk)
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

// record returns the retained record of index index, sharing the stored bytes.
func (l *recordLog) record(index uint64) Record {
	_, e := l.at(index)
	c := l.chunks[e.chunk-l.chunkBase]
	key := int(e.off) + int(e.seqLen)
	data := key + int(e.keyLen)
	end := data + int(e.dataLen)
	return Record{
		Index:        index,
		Sequence:     unsafe.String(&c[e.off], int(e.seqLen)),
		PartitionKey: unsafe.String(unsafe.SliceData(c[key:data]), int(e.keyLen)),
		Data:         c[data:end:end],
		Arrival:      time.UnixMilli(e.arrival),
	}
}

// records returns the retained records of indexes from up to (not including) to.
func (l *recordLog) records(from, to uint64) []Record {
	if to <= from {
		return nil
	}
	out := make([]Record, 0, to-from)
	for i := from; i < to; i++ {
		out = append(out, l.record(i))
	}
	return out
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
	// The newest record's sequence number may have been read back rather than formatted here.
	l.formatted = false
	return dropped
}
