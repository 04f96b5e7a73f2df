package store

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"
)

// fullDisk is a disk that fills up and frees on demand: while full, a write lets half its bytes
// through and fails with ENOSPC, as a real full disk does, and (when syncs is set) an fsync fails
// too. Only the files whose path contains match are hit ("" for all).
type fullDisk struct {
	full  atomic.Bool
	syncs atomic.Bool
	match string
	hits  atomic.Int64
}

func (d *fullDisk) fault(op DiskOp, path string, n int) (int, error) {
	if !d.full.Load() || !strings.Contains(path, d.match) {
		return n, nil
	}
	switch op {
	case DiskWrite:
		d.hits.Add(1)
		return n / 2, syscall.ENOSPC
	case DiskSync:
		if d.syncs.Load() {
			d.hits.Add(1)
			return 0, syscall.ENOSPC
		}
	}
	return n, nil
}

func openFaultyJournal(t *testing.T, dir string, d *fullDisk) (*Store, *FileJournal) {
	t.Helper()
	var s *Store
	j, err := OpenFile(dir, func() *Store { return s })
	if err != nil {
		t.Fatal(err)
	}
	j.SetDiskFault(d.fault)
	s = New(j)
	t.Cleanup(func() { _ = j.Close() })
	if _, _, err := j.Load(); err != nil {
		t.Fatal(err)
	}
	return s, j
}

// TestFileJournalRecoversFromFullDisk fills the disk under a stream's log (a torn write, or a
// failed fsync after a whole one), checks that the write fails and leaves nothing behind, frees the
// disk and checks that the same stream takes writes again and that a restart finds exactly the
// acknowledged records.
func TestFileJournalRecoversFromFullDisk(t *testing.T) {
	for _, failSync := range []bool{false, true} {
		t.Run(fmt.Sprintf("failSync=%v", failSync), func(t *testing.T) {
			d := &fullDisk{match: logsDir}
			d.syncs.Store(failSync)
			s, j := openFaultyJournal(t, t.TempDir(), d)
			st := newTestStream("full", 1, 1)
			s.Add(st)
			if err := j.Streams(nil); err != nil {
				t.Fatal(err)
			}
			sh := st.Shards[0]
			want := put(t, j, st, sh, testEpoch, "a1", "a2")

			d.full.Store(true)
			for range 3 {
				recs, err := sh.Append(testEpoch, []Pending{{PartitionKey: "pk", Data: []byte("refused")}}, false)
				if err != nil {
					t.Fatal(err)
				}
				if err := j.Records(st, sh, recs); !errors.Is(err, syscall.ENOSPC) {
					t.Fatalf("write on a full disk: got %v, want ENOSPC", err)
				}
				if sh.Next() != recs[0].Index || sh.Visible() != recs[0].Index {
					t.Fatalf("a refused record stays in the shard: next %d visible %d, record %d", sh.Next(), sh.Visible(), recs[0].Index)
				}
			}
			if d.hits.Load() == 0 {
				t.Fatal("the disk was never asked")
			}

			d.full.Store(false)
			want = append(want, put(t, j, st, sh, testEpoch, "c1", "c2")...)
			requireSameRecords(t, readAll(sh), want)

			s2, _, rep := reopen(t, j)
			if rep.TornBytes != 0 {
				t.Errorf("the log kept %d bytes of refused writes", rep.TornBytes)
			}
			requireSameRecords(t, readAll(s2.Get(st.Key).Shards[0]), want)
		})
	}
}

// TestFileJournalFullDiskUnderConcurrentWriters has writers go on while the disk fills and frees
// again and again: after a restart, every acknowledged record is there exactly once and no refused
// one is.
func TestFileJournalFullDiskUnderConcurrentWriters(t *testing.T) {
	d := &fullDisk{match: logsDir}
	d.syncs.Store(true)
	s, j := openFaultyJournal(t, t.TempDir(), d)
	st := newTestStream("busy", 2, 1)
	s.Add(st)
	if err := j.Streams(nil); err != nil {
		t.Fatal(err)
	}
	var (
		mu       sync.Mutex
		acked    = map[string]bool{}
		refused  int
		stop     atomic.Bool
		wg       sync.WaitGroup
		flipping sync.WaitGroup
	)
	flipping.Add(1)
	go func() {
		defer flipping.Done()
		for i := 0; !stop.Load(); i++ {
			d.full.Store(i%2 == 1)
			time.Sleep(time.Millisecond)
		}
		d.full.Store(false)
	}()
	for w := range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			sh := st.Shards[w%2]
			for i := range 150 {
				data := fmt.Sprintf("w%d-%d", w, i)
				_, err := appendJournalled(j, st, sh, testEpoch, data)
				mu.Lock()
				if err == nil {
					acked[data] = true
				} else {
					refused++
				}
				mu.Unlock()
			}
		}()
	}
	wg.Wait()
	stop.Store(true)
	flipping.Wait()
	if refused == 0 || len(acked) == 0 {
		t.Fatalf("the disk neither failed nor worked often enough: %d acknowledged, %d refused", len(acked), refused)
	}
	t.Logf("%d acknowledged, %d refused", len(acked), refused)
	check := func(s *Store, when string) {
		seen := map[string]int{}
		for _, sh := range s.Get(st.Key).Shards {
			recs := readAll(sh)
			for i, r := range recs {
				seen[string(r.Data)]++
				if i > 0 && (r.Index != recs[i-1].Index+1 || !sequenceLess(recs[i-1].Sequence, r.Sequence)) {
					t.Fatalf("%s: records %d and %d of %s are out of order", when, recs[i-1].Index, r.Index, sh.ID)
				}
			}
		}
		var extra []string
		for data, n := range seen {
			if !acked[data] || n != 1 {
				extra = append(extra, fmt.Sprintf("%s×%d", data, n))
			}
		}
		sort.Strings(extra)
		if len(extra) > 0 {
			t.Fatalf("%s: records refused or stored twice: %v", when, extra)
		}
		if len(seen) != len(acked) {
			t.Fatalf("%s: %d of %d acknowledged records present", when, len(seen), len(acked))
		}
	}
	check(s, "before the restart")
	s2, _, _ := reopen(t, j)
	check(s2, "after the restart")
}

// TestFileJournalRefusesWhenTheCutFails keeps the log's tail when even cutting it back fails:
// nothing is acknowledged until a later write manages the cut.
func TestFileJournalRefusesWhenTheCutFails(t *testing.T) {
	var failing atomic.Bool
	fault := func(op DiskOp, path string, n int) (int, error) {
		if failing.Load() && strings.Contains(path, logsDir) {
			if op == DiskWrite {
				return n, nil // the bytes reach the file
			}
			return 0, syscall.EIO // the fsync and the cut fail
		}
		return n, nil
	}
	dir := t.TempDir()
	var s *Store
	j, err := OpenFile(dir, func() *Store { return s })
	if err != nil {
		t.Fatal(err)
	}
	j.SetDiskFault(fault)
	s = New(j)
	t.Cleanup(func() { _ = j.Close() })
	if _, _, err := j.Load(); err != nil {
		t.Fatal(err)
	}
	st := newTestStream("eio", 1, 1)
	s.Add(st)
	if err := j.Streams(nil); err != nil {
		t.Fatal(err)
	}
	sh := st.Shards[0]
	want := put(t, j, st, sh, testEpoch, "kept")
	failing.Store(true)
	if _, err := appendJournalled(j, st, sh, testEpoch, "lost"); !errors.Is(err, syscall.EIO) {
		t.Fatalf("got %v, want EIO", err)
	}
	if _, err := appendJournalled(j, st, sh, testEpoch, "lost too"); !errors.Is(err, syscall.EIO) {
		t.Fatalf("got %v, want EIO while the cut fails", err)
	}
	failing.Store(false)
	want = append(want, put(t, j, st, sh, testEpoch, "after")...)
	s2, _, _ := reopen(t, j)
	requireSameRecords(t, readAll(s2.Get(st.Key).Shards[0]), want)
	info, err := os.Stat(filepath.Join(dir, logsDir))
	if err != nil || !info.IsDir() {
		t.Fatal(err)
	}
}
