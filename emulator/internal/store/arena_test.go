package store

import (
	"bytes"
	"runtime"
	"testing"
	"time"
)

// fillPastHeapChunks adds records of 1 KiB until the log writes into arenas, and returns the index
// after the last.
func fillPastHeapChunks(t *testing.T, l *recordLog, from uint64) uint64 {
	t.Helper()
	data := bytes.Repeat([]byte{'d'}, 1024)
	i := from
	for ; l.mapped == nil || len(l.mapped.arenas) < 2; i++ {
		l.add(i, "", "k", data, testEpoch)
		if i > from+100000 {
			t.Skip("this platform maps no arenas")
		}
	}
	return i
}

func (p *arenaPool) len() int {
	p.mu.Lock()
	defer p.mu.Unlock()
	return len(p.free)
}

// TestTrimmedArenaNeverFaultsAReader pins the lifetime rule of arena.go: a record read out before
// retention trims its arena stays addressable (its bytes read as zeros once the pages are back with
// the kernel, or as they were), and the arena goes back to the pool for reuse after the quarantine.
func TestTrimmedArenaNeverFaultsAReader(t *testing.T) {
	l := newTestLog()
	end := fillPastHeapChunks(t, l, 1)
	// The newest record is in the newest arena; hold one from the arena before it.
	var held Record
	for i := end - 1; i > 0; i-- {
		_, e := l.at(i)
		if int(e.chunk-l.chunkBase) < len(l.chunks)-1 {
			held = l.records(i, i+1)[0]
			break
		}
	}
	if held.Index == 0 || !l.mapped.contains(held.Data) {
		t.Fatal("no record of an older arena to hold")
	}
	before := arenas.len()
	l.dropBefore(end - 1)
	if arenas.len() <= before {
		t.Fatalf("trimming released no arena to the pool (%d before, %d after)", before, arenas.len())
	}
	if l.mapped.contains(held.Data) {
		t.Fatal("the trimmed arena is still the log's")
	}
	for _, c := range held.Data { // must not fault; the bytes are zeros or what they were
		if c != 0 && c != 'd' {
			t.Fatalf("a held record of a trimmed arena reads %q", c)
		}
	}
	if r := l.records(end-1, end)[0]; len(r.Data) != 1024 || r.Data[0] != 'd' {
		t.Fatal("the retained record changed")
	}
}

// TestArenaReuseWaitsForQuarantine checks that a released arena is not written again before the
// quarantine has passed.
func TestArenaReuseWaitsForQuarantine(t *testing.T) {
	var p arenaPool
	a := mapArena(arenaSize)
	if a == nil {
		t.Skip("this platform maps no arenas")
	}
	p.put(a)
	if b := p.get(); b != nil && &b[:1][0] == &a[:1][0] {
		t.Fatal("an arena released a moment ago was reused")
	}
	p.free[0].at = time.Now().Add(-arenaQuarantine)
	if b := p.get(); b == nil || &b[:1][0] != &a[:1][0] || len(b) != 0 || cap(b) != arenaSize {
		t.Fatal("an arena past its quarantine was not reused")
	}
}

// TestDroppedShardReleasesItsArenas checks that the arenas of a shard nothing refers to any more go
// back to the pool.
func TestDroppedShardReleasesItsArenas(t *testing.T) {
	sh := NewShard(0, HashKey{}, HashKey{}, testEpoch, "", "")
	data := bytes.Repeat([]byte{'d'}, 1024)
	for sh.log.mapped == nil || len(sh.log.mapped.arenas) < 2 {
		if _, err := sh.Append(testEpoch, []Pending{{PartitionKey: "k", Data: data}}, true); err != nil {
			t.Fatal(err)
		}
		if sh.next > 100000 {
			t.Skip("this platform maps no arenas")
		}
	}
	before := arenas.len()
	sh = nil
	deadline := time.Now().Add(5 * time.Second)
	for arenas.len() < before+2 {
		if time.Now().After(deadline) {
			t.Fatalf("the dropped shard's arenas were not released (%d in the pool, %d before)", arenas.len(), before)
		}
		runtime.GC()
		time.Sleep(10 * time.Millisecond)
	}
}

// TestSequenceTextFollowsOrIsKept checks that a journal's sequence number is stored only when it
// does not follow from the record's index and arrival, and that a record after a kept one does not
// derive its number from it.
func TestSequenceTextFollowsOrIsKept(t *testing.T) {
	l := newTestLog()
	seq := func(i uint64) string {
		return Sequence{ShardCreated: testEpoch, ShardIndex: 2, Index: i, Arrival: testEpoch}.Format()
	}
	l.add(1, seq(1), "k", []byte("a"), testEpoch)
	l.add(2, "12345", "k", []byte("b"), testEpoch)
	l.add(3, "", "k", []byte("c"), testEpoch)
	l.add(4, "", "k", []byte("d"), testEpoch)
	if _, e := l.at(1); e.seqLen != 0 {
		t.Fatalf("a number that follows was stored (%d bytes)", e.seqLen)
	}
	want := []string{seq(1), "12345", seq(3), seq(4)}
	for i, r := range l.records(1, 5) {
		if r.Sequence != want[i] || string(r.Data) != string(rune('a'+i)) {
			t.Fatalf("record %d: sequence %s data %q, want %s", i+1, r.Sequence, r.Data, want[i])
		}
	}
}
