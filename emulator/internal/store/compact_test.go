package store

import (
	"fmt"
	"os"
	"sync"
	"testing"
	"time"
)

// appendJournalled appends one record to sh as the emulator does and returns it, or an error.
func appendJournalled(j Journal, st *Stream, sh *Shard, at time.Time, data string) (Record, error) {
	recs, err := sh.Append(at, []Pending{{PartitionKey: "pk-" + data, Data: []byte(data)}}, false)
	if err != nil {
		return Record{}, err
	}
	if err := j.Records(st, sh, recs); err != nil {
		return Record{}, err
	}
	sh.Publish(recs[0].Index + 1)
	return recs[0], nil
}

func TestCompactWhileWritersGoOn(t *testing.T) {
	s, j := openTestJournal(t, t.TempDir())
	st := newTestStream("s", 3, 1)
	s.Add(st)
	const writers, perWriter = 6, 400
	acked := make([][]Record, writers)
	var wg sync.WaitGroup
	errs := make(chan error, writers)
	for w := 0; w < writers; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			sh := st.Shards[w%len(st.Shards)]
			for i := 0; i < perWriter; i++ {
				r, err := appendJournalled(j, st, sh, testEpoch, fmt.Sprintf("w%d-%d", w, i))
				if err != nil {
					errs <- err
					return
				}
				acked[w] = append(acked[w], r)
			}
		}()
	}
	done := make(chan struct{})
	go func() { wg.Wait(); close(done) }()
	compactions := 0
	for running := true; running; {
		select {
		case <-done:
			running = false
		default:
		}
		if err := j.Compact(st); err != nil {
			t.Fatal(err)
		}
		compactions++
	}
	close(errs)
	for err := range errs {
		t.Fatal(err)
	}
	// A last record after the last compaction goes to the new log.
	last, err := appendJournalled(j, st, st.Shards[0], testEpoch, "last")
	if err != nil {
		t.Fatal(err)
	}
	s2, _, _ := reopen(t, j)
	st2 := s2.Get(st.Key)
	for i, sh := range st2.Shards {
		want := readAll(st.Shards[i])
		requireSameRecords(t, readAll(sh), want)
		if sh.Next() != st.Shards[i].Next() {
			t.Fatalf("%s: next index %d after restart, %d before", sh.ID, sh.Next(), st.Shards[i].Next())
		}
	}
	// Every acknowledged record is among them, so the comparison above covered them all.
	n := 1
	for _, list := range acked {
		n += len(list)
	}
	got := 0
	for _, sh := range st2.Shards {
		got += len(readAll(sh))
	}
	if got != n || readAll(st2.Shards[0])[len(readAll(st2.Shards[0]))-1].Sequence != last.Sequence {
		t.Fatalf("restored %d records, acknowledged %d", got, n)
	}
	t.Logf("%d compactions under %d writers", compactions, writers)
}

// TestCompactKeepsWhatIsWrittenDuringTheCopy holds a compaction between its two phases until
// writers have added records to the old log, and checks that the new log has them.
func TestCompactKeepsWhatIsWrittenDuringTheCopy(t *testing.T) {
	s, j := openTestJournal(t, t.TempDir())
	st := newTestStream("s", 2, 1)
	s.Add(st)
	put(t, j, st, st.Shards[0], testEpoch, "before-a", "before-b")
	var during []Record
	betweenCompactionPhases = func() {
		for i := 0; i < 5; i++ {
			r, err := appendJournalled(j, st, st.Shards[i%2], testEpoch, fmt.Sprintf("during-%d", i))
			if err != nil {
				t.Error(err)
				return
			}
			during = append(during, r)
		}
	}
	defer func() { betweenCompactionPhases = nil }()
	if err := j.Compact(st); err != nil {
		t.Fatal(err)
	}
	if len(during) != 5 {
		t.Fatal("the writers did not run between the phases")
	}
	want := [][]Record{readAll(st.Shards[0]), readAll(st.Shards[1])}
	s2, _, _ := reopen(t, j)
	for i, sh := range s2.Get(st.Key).Shards {
		requireSameRecords(t, readAll(sh), want[i])
	}
}

func TestCompactIfMostlyTrimmed(t *testing.T) {
	defer func(min int64) { compactMinBytes = min }(compactMinBytes)
	compactMinBytes = 4 << 10
	s, j := openTestJournal(t, t.TempDir())
	st := newTestStream("s", 1, 1)
	s.Add(st)
	sh := st.Shards[0]
	for i := 0; i < 200; i++ {
		put(t, j, st, sh, testEpoch.Add(time.Duration(i)*time.Second), fmt.Sprintf("record-%03d-%s", i, "padding-padding-padding"))
	}
	path := logPath(j.Dir(), j.names[st])
	size := func() int64 {
		info, err := os.Stat(path)
		if err != nil {
			t.Fatal(err)
		}
		return info.Size()
	}
	if did, err := j.CompactIfMostlyTrimmed(st); err != nil || did {
		t.Fatalf("compacted a log with nothing trimmed: %v %v", did, err)
	}
	sh.Trim(testEpoch.Add(50 * time.Second)) // a quarter dropped: not worth it yet
	if did, _ := j.CompactIfMostlyTrimmed(st); did {
		t.Fatal("compacted a log three quarters live")
	}
	before := size()
	sh.Trim(testEpoch.Add(190 * time.Second)) // all but ten dropped
	if did, err := j.CompactIfMostlyTrimmed(st); err != nil || !did {
		t.Fatalf("did not compact a log 95%% trimmed: %v %v", did, err)
	}
	if after := size(); after*5 > before {
		t.Fatalf("log %d bytes after compaction, %d before", after, before)
	}
	want := readAll(sh)
	s2, _, _ := reopen(t, j)
	requireSameRecords(t, readAll(s2.Get(st.Key).Shards[0]), want)
}

// A compaction cut short by a crash leaves its unfinished new log beside the old one, which a
// restart reads whole and the leftover is removed.
func TestCompactionCutShortLeavesTheOldLog(t *testing.T) {
	s, j := openTestJournal(t, t.TempDir())
	st := newTestStream("s", 1, 1)
	s.Add(st)
	want := put(t, j, st, st.Shards[0], testEpoch, "a", "b", "c")
	leftover := logPath(j.Dir(), j.names[st]) + tmpSuffix
	if err := os.WriteFile(leftover, []byte(logMagic+"half a compaction"), 0o644); err != nil {
		t.Fatal(err)
	}
	s2, _, _ := reopen(t, j)
	requireSameRecords(t, readAll(s2.Get(st.Key).Shards[0]), want)
	if _, err := os.Stat(leftover); !os.IsNotExist(err) {
		t.Fatalf("the unfinished log is still there: %v", err)
	}
}
