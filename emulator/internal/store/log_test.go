package store

import (
	"bytes"
	"fmt"
	"runtime"
	"testing"
	"time"
)

// logRecord is what the tests put into a recordLog for index i.
func logRecord(i uint64) (key string, data []byte, arrival time.Time) {
	size := int(i % 300)
	if i%997 == 0 {
		size = maxChunk + 10 // larger than any chunk: gets one of its own
	}
	return fmt.Sprintf("key-%d", i), bytes.Repeat([]byte{byte(i)}, size), testEpoch.Add(time.Duration(i) * time.Millisecond)
}

func checkLogRecord(t *testing.T, r Record, i uint64) {
	t.Helper()
	key, data, arrival := logRecord(i)
	seq := Sequence{ShardCreated: testEpoch, ShardIndex: 2, Index: i, Arrival: arrival}.Format()
	if r.Index != i || r.PartitionKey != key || !bytes.Equal(r.Data, data) || !r.Arrival.Equal(arrival) || r.Sequence != seq {
		t.Fatalf("record %d read back as index %d key %q, %d bytes, arrival %v, sequence %s", i, r.Index, r.PartitionKey, len(r.Data), r.Arrival, r.Sequence)
	}
	if len(r.Data) != cap(r.Data) {
		t.Fatalf("record %d: data has spare capacity %d, an append would write into the next record", i, cap(r.Data)-len(r.Data))
	}
}

// newTestLog is the log of shard 2 created at testEpoch.
func newTestLog() *recordLog {
	return &recordLog{shardCreated: testEpoch, shardIndex: 2}
}

// record returns the retained record of index i.
func (l *recordLog) record(i uint64) Record { return l.records(i, i+1)[0] }

func fillLog(l *recordLog, from, to uint64) {
	for i := from; i < to; i++ {
		key, data, arrival := logRecord(i)
		l.add(i, "", key, data, arrival)
	}
}

func TestRecordLogReadsBackAcrossBlocks(t *testing.T) {
	l := newTestLog()
	const n = 3*blockLen + 17
	fillLog(l, 1, n+1)
	held := l.records(1, 11) // kept across a collection: they share the stored bytes
	runtime.GC()
	if l.len() != n || l.end() != n+1 {
		t.Fatalf("len %d end %d, want %d and %d", l.len(), l.end(), n, n+1)
	}
	if first, ok := l.oldest(); !ok || first != 1 {
		t.Fatalf("oldest %d %v, want 1", first, ok)
	}
	for i := uint64(1); i <= n; i++ {
		checkLogRecord(t, l.record(i), i)
	}
	for i, r := range held {
		checkLogRecord(t, r, uint64(i)+1)
	}
	if got := l.records(blockLen-2, blockLen+3); len(got) != 5 || got[0].Index != blockLen-2 || got[4].Index != blockLen+2 {
		t.Fatalf("records across a block boundary: %d records", len(got))
	}
}

func TestRecordLogDropsWholeBlocks(t *testing.T) {
	l := newTestLog()
	fillLog(l, 1, 3*blockLen+1)
	var want int64
	for i := uint64(1); i < blockLen+5; i++ {
		want += int64(l.size(i))
	}
	if got := l.dropBefore(blockLen + 5); got != want {
		t.Fatalf("dropped %d bytes, want %d", got, want)
	}
	if len(l.blocks) != 2 || l.head != 4 {
		t.Fatalf("after dropping into the second block: %d blocks, head %d; want 2 and 4", len(l.blocks), l.head)
	}
	if _, e := l.at(blockLen + 5); e.chunk != l.chunkBase {
		t.Fatalf("the oldest record is in chunk %d, but chunks from %d are kept", e.chunk, l.chunkBase)
	}
	if first, _ := l.oldest(); first != blockLen+5 {
		t.Fatalf("oldest %d, want %d", first, blockLen+5)
	}
	checkLogRecord(t, l.record(blockLen+5), blockLen+5)
	checkLogRecord(t, l.record(3*blockLen), 3*blockLen)
	// Everything: the last block stays for the records to come, which continue the indexes.
	l.dropBefore(l.end())
	if l.len() != 0 || len(l.blocks) != 1 || len(l.chunks) != 1 {
		t.Fatalf("after dropping all: len %d, %d blocks, %d chunks; want 0, 1, 1", l.len(), len(l.blocks), len(l.chunks))
	}
	fillLog(l, 3*blockLen+1, 3*blockLen+3)
	checkLogRecord(t, l.record(3*blockLen+2), 3*blockLen+2)
	if first, _ := l.oldest(); first != 3*blockLen+1 || l.len() != 2 {
		t.Fatalf("oldest %d len %d after refilling", first, l.len())
	}
}

func TestRecordLogStartsOverAfterAGapWhenEmpty(t *testing.T) {
	l := newTestLog()
	fillLog(l, 1, 10)
	l.dropBefore(10)
	fillLog(l, 5000, 5003) // a restore after trimmed records: the indexes jump
	if first, _ := l.oldest(); first != 5000 || l.len() != 3 || l.end() != 5003 {
		t.Fatalf("oldest %d len %d end %d", first, l.len(), l.end())
	}
	checkLogRecord(t, l.record(5002), 5002)
}

func TestRecordLogSearchesArrival(t *testing.T) {
	l := newTestLog()
	fillLog(l, 1, 2*blockLen)
	for _, i := range []uint64{1, 2, blockLen, blockLen + 1, 2*blockLen - 1} {
		_, _, arrival := logRecord(i)
		if got := l.searchArrival(arrival.UnixMilli()); got != i {
			t.Fatalf("search for the arrival of %d found %d", i, got)
		}
	}
	if got := l.searchArrival(testEpoch.Add(time.Hour).UnixMilli()); got != l.end() {
		t.Fatalf("search past the newest found %d, want end %d", got, l.end())
	}
}

func TestRecordLogKeepsJournalSequenceText(t *testing.T) {
	l := newTestLog()
	l.add(7, "12345", "k", []byte("v"), testEpoch)
	if r := l.record(7); r.Sequence != "12345" || r.PartitionKey != "k" || string(r.Data) != "v" {
		t.Fatalf("read back %+v", r)
	}
}

// BenchmarkShardAppend is the store's cost of appending one PutRecords request's worth of 1 KiB
// records, and with it the garbage collector's cost of what is already stored.
func BenchmarkShardAppend(b *testing.B) {
	sh := NewShard(0, HashKey{}, HashKey{}, testEpoch, "", "")
	pending := make([]Pending, 500)
	for i := range pending {
		pending[i] = Pending{PartitionKey: fmt.Sprintf("key-%d", i), Data: bytes.Repeat([]byte{'x'}, 1024)}
	}
	b.ReportAllocs()
	for i := 0; i < b.N; i++ {
		if _, err := sh.Append(testEpoch, pending, true); err != nil {
			b.Fatal(err)
		}
	}
}

// Trim drops exactly the records that arrived before the cutoff, to the nanosecond, as IndexAt
// finds exactly the first that did not.
func TestTrimAndIndexAtHonourSubMillisecondCutoffs(t *testing.T) {
	sh := NewShard(0, HashKey{}, MaxHashKey, testEpoch, "", "")
	for i := 0; i < 3; i++ {
		if _, err := sh.Append(testEpoch.Add(time.Duration(i)*time.Millisecond), []Pending{{PartitionKey: "k", Data: []byte{byte(i)}}}, true); err != nil {
			t.Fatal(err)
		}
	}
	half := testEpoch.Add(time.Millisecond + 500*time.Microsecond) // after record 2 (1 ms), before record 3 (2 ms)
	if got := sh.IndexAt(half); got != 3 {
		t.Fatalf("IndexAt(1.5 ms) = %d, want 3", got)
	}
	sh.Trim(half)
	if got := sh.Oldest(); got != 3 {
		t.Fatalf("after Trim(1.5 ms) the oldest is %d, want 3: a record from before the cutoff stayed", got)
	}
}
