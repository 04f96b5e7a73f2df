package emulator

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/pelicanhq/pelican/emulator/internal/store"
)

// putDirect writes n records of size bytes to the default stream through the operation itself.
func putDirect(t *testing.T, s *Server, stream string, n, size int) {
	t.Helper()
	c := &call{ctx: context.Background(), op: "PutRecords", account: s.cfg.account, region: s.cfg.region, now: s.now()}
	data := bytes.Repeat([]byte{'x'}, size)
	for sent := 0; sent < n; {
		in := &putRecordsInput{StreamName: stream}
		for ; sent < n && len(in.Records) < 5; sent++ {
			in.Records = append(in.Records, putRecordsRequestEntry{PartitionKey: "k" + itoa(sent), Data: data})
		}
		out, err := s.putRecords(c, in)
		if err != nil || out.FailedRecordCount != 0 {
			t.Fatalf("put: %v %+v", err, out)
		}
	}
}

func oldest(s *Server, stream string) uint64 {
	st := s.store.Get(store.Key{Account: s.cfg.account, Region: s.cfg.region, Name: stream})
	return st.Shards[0].Oldest()
}

func TestSweepTrimsStreamsNobodyReads(t *testing.T) {
	clock := NewManualClock(time.Date(2026, 11, 25, 12, 0, 0, 0, time.UTC))
	s, err := New(WithClock(clock), WithStream("s", 1))
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	putDirect(t, s, "s", 10, 100)
	clock.Advance(23 * time.Hour)
	if got := oldest(s, "s"); got != 1 {
		t.Fatalf("records trimmed before retention passed: oldest index %d", got)
	}
	putDirect(t, s, "s", 3, 100)
	clock.Advance(90 * time.Minute) // the first ten are past 24 hours now; a sweep has run since
	if got := oldest(s, "s"); got != 11 {
		t.Fatalf("oldest index %d after the sweep, want 11: the sweep did not trim", got)
	}
}

func TestSweepCompactsMostlyTrimmedLogs(t *testing.T) {
	dir := t.TempDir()
	start := time.Date(2026, 11, 25, 12, 0, 0, 0, time.UTC)
	clock := NewManualClock(start)
	s, err := New(WithClock(clock), WithDataDir(dir), WithStream("s", 1))
	if err != nil {
		t.Fatal(err)
	}
	putDirect(t, s, "s", 70, 1000<<10) // 70 MB: past the size worth compacting
	logs, _ := filepath.Glob(filepath.Join(dir, "logs", "*.log"))
	if len(logs) != 1 {
		t.Fatalf("logs %v", logs)
	}
	size := func() int64 {
		info, err := os.Stat(logs[0])
		if err != nil {
			t.Fatal(err)
		}
		return info.Size()
	}
	if before := size(); before < 70_000_000 {
		t.Fatalf("log is %d bytes before", before)
	}
	clock.Advance(24*time.Hour + 2*time.Minute)
	putDirect(t, s, "s", 1, 10) // written after the compaction, to the new log
	if after := size(); after > 1<<20 {
		t.Fatalf("log is %d bytes after retention passed: not compacted", after)
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	s2, err := New(WithClock(clock), WithDataDir(dir))
	if err != nil {
		t.Fatal(err)
	}
	defer s2.Close()
	st := s2.store.Get(store.Key{Account: s2.cfg.account, Region: s2.cfg.region, Name: "s"})
	sh := st.Shards[0]
	if sh.Oldest() != 71 || sh.Next() != 72 {
		t.Fatalf("after restart: oldest %d next %d, want 71 and 72", sh.Oldest(), sh.Next())
	}
}
