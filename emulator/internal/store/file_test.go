package store

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"sort"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
)

var testEpoch = time.Date(2025, 3, 1, 12, 0, 0, 0, time.UTC)

// openTestJournal opens a file journal on dir with a store as its source, and loads it.
func openTestJournal(t testing.TB, dir string) (*Store, *FileJournal) {
	t.Helper()
	s, j, _ := loadTestJournal(t, dir)
	return s, j
}

func loadTestJournal(t testing.TB, dir string) (*Store, *FileJournal, LoadReport) {
	t.Helper()
	var s *Store
	j, err := OpenFile(dir, func() *Store { return s })
	if err != nil {
		t.Fatal(err)
	}
	s = New(j)
	t.Cleanup(func() { _ = j.Close() })
	_, rep, err := j.Load()
	if err != nil {
		t.Fatal(err)
	}
	return s, j, rep
}

// reopen closes j and loads its directory into a new store, as a restart does.
func reopen(t testing.TB, j *FileJournal) (*Store, *FileJournal, LoadReport) {
	t.Helper()
	if err := j.Close(); err != nil {
		t.Fatal(err)
	}
	return loadTestJournal(t, j.Dir())
}

func newTestStream(name string, shards int, gen int64) *Stream {
	k := Key{Account: "000000000000", Region: "us-east-1", Name: name}
	st := &Stream{
		Key: k, ARN: "arn:aws:kinesis:us-east-1:000000000000:stream/" + name, Status: StatusActive,
		Created: testEpoch, Mode: "PROVISIONED", RetentionHours: 24, EncryptionType: "NONE",
		Tags: map[string]string{}, MaxRecordSizeKiB: 1024, Distribution: "USER_PARTITION_KEY",
		Consumers: map[string]*Consumer{}, Generation: gen,
	}
	for i, r := range SplitEvenly(HashKey{}, MaxHashKey, shards) {
		st.Shards = append(st.Shards, NewShard(i, r[0], r[1], testEpoch, "", ""))
	}
	return st
}

// put appends records the way the emulator does: invisible, journalled, then published.
func put(t testing.TB, j Journal, st *Stream, sh *Shard, at time.Time, data ...string) []Record {
	t.Helper()
	pending := make([]Pending, len(data))
	for i, d := range data {
		pending[i] = Pending{PartitionKey: "pk-" + d, Data: []byte(d)}
	}
	recs, err := sh.Append(at, pending, false)
	if err != nil {
		t.Fatal(err)
	}
	if err := j.Records(st, sh, recs); err != nil {
		t.Fatal(err)
	}
	sh.Publish(recs[len(recs)-1].Index + 1)
	return recs
}

// readAll returns every readable record of sh.
func readAll(sh *Shard) []Record {
	recs, _ := sh.Read(0, 1<<30, 1<<30)
	return recs
}

func requireSameRecords(t testing.TB, got, want []Record) {
	t.Helper()
	if len(got) != len(want) {
		t.Fatalf("got %d records, want %d", len(got), len(want))
	}
	for i := range want {
		g, w := got[i], want[i]
		if g.Index != w.Index || g.Sequence != w.Sequence || g.PartitionKey != w.PartitionKey ||
			!bytes.Equal(g.Data, w.Data) || !g.Arrival.Equal(w.Arrival) {
			t.Fatalf("record %d: got %+v, want %+v", i, g, w)
		}
	}
}

func TestFileJournalRestoresStreamsShardsAndRecords(t *testing.T) {
	s, j := openTestJournal(t, t.TempDir())
	st := newTestStream("orders.v1", 2, 42)
	st.Tags["team"] = "payments"
	st.RetentionHours = 48
	st.EncryptionType, st.KeyID = "KMS", "alias/aws/kinesis"
	st.Metrics = []string{"IncomingBytes"}
	st.MaxRecordSizeKiB = 2048
	st.Distribution = "AUTO"
	st.WarmThroughput = &WarmThroughput{TargetMiBps: 10, CurrentMiBps: 5}
	st.Policy = `{"Version":"2012-10-17"}`
	st.Consumers["app"] = &Consumer{Name: "app", ARN: st.ARN + "/consumer/app:1", Status: "ACTIVE", Created: testEpoch}
	s.Add(st)
	if err := j.Streams(nil); err != nil {
		t.Fatal(err)
	}
	want0 := put(t, j, st, st.Shards[0], testEpoch.Add(time.Second), "a", "b")
	want0 = append(want0, put(t, j, st, st.Shards[0], testEpoch.Add(1500*time.Millisecond), "c")...)
	before := put(t, j, st, st.Shards[1], testEpoch.Add(2*time.Second), "d")

	// A split: shard 1 closes and two children open; records go to a child before any save.
	st.mu.Lock()
	st.Shards[1].Close(testEpoch.Add(3 * time.Second))
	mid := FromBig(SplitEvenly(st.Shards[1].StartHash, st.Shards[1].EndHash, 2)[1][0].Big())
	st.Shards = append(st.Shards,
		NewShard(2, st.Shards[1].StartHash, mid.Sub1(), testEpoch.Add(3*time.Second), st.Shards[1].ID, ""),
		NewShard(3, mid, st.Shards[1].EndHash, testEpoch.Add(3*time.Second), st.Shards[1].ID, ""))
	st.mu.Unlock()
	child := put(t, j, st, st.Shards[3], testEpoch.Add(4*time.Second), "e", "f")

	s2, _, rep := reopen(t, j)
	if rep.Records != 6 || rep.TornBytes != 0 {
		t.Fatalf("report %+v, want 6 records and nothing torn", rep)
	}
	got := s2.Get(st.Key)
	if got == nil {
		t.Fatal("stream not restored")
	}
	if got.ARN != st.ARN || got.Status != st.Status || !got.Created.Equal(st.Created) || got.Mode != st.Mode ||
		got.RetentionHours != 48 || got.EncryptionType != "KMS" || got.KeyID != st.KeyID ||
		!reflect.DeepEqual(got.Metrics, st.Metrics) || !reflect.DeepEqual(got.Tags, st.Tags) ||
		got.MaxRecordSizeKiB != 2048 || got.Distribution != "AUTO" || *got.WarmThroughput != *st.WarmThroughput ||
		got.Policy != st.Policy || got.Generation != 42 {
		t.Fatalf("settings not restored: %+v", got)
	}
	c := got.Consumers["app"]
	if c == nil || c.ARN != st.Consumers["app"].ARN || c.Status != "ACTIVE" || !c.Created.Equal(testEpoch) {
		t.Fatalf("consumer not restored: %+v", c)
	}
	if len(got.Shards) != 4 {
		t.Fatalf("got %d shards, want 4", len(got.Shards))
	}
	for i, sh := range got.Shards {
		w := st.Shards[i]
		if sh.ID != w.ID || sh.StartHash != w.StartHash || sh.EndHash != w.EndHash || sh.Parent != w.Parent ||
			!sh.Created.Equal(w.Created) || sh.StartSequence != w.StartSequence || sh.Closed() != w.Closed() ||
			sh.EndSequence() != w.EndSequence() || !sh.ClosedAt().Equal(w.ClosedAt()) {
			t.Fatalf("shard %d: got %+v, want %+v", i, sh, w)
		}
	}
	requireSameRecords(t, readAll(got.Shards[0]), want0)
	requireSameRecords(t, readAll(got.Shards[1]), before)
	requireSameRecords(t, readAll(got.Shards[3]), child)
	if got.Shards[0].Next() != 4 || got.Shards[2].Next() != 1 {
		t.Fatalf("next indexes %d, %d; want 4, 1", got.Shards[0].Next(), got.Shards[2].Next())
	}
}

func TestFileJournalSequenceNumbersContinueAfterRestart(t *testing.T) {
	s, j := openTestJournal(t, t.TempDir())
	st := newTestStream("s", 1, 1)
	s.Add(st)
	first := put(t, j, st, st.Shards[0], testEpoch, "a", "b", "c")
	s2, j2, _ := reopen(t, j)
	st2 := s2.Get(st.Key)
	more := put(t, j2, st2, st2.Shards[0], testEpoch.Add(time.Second), "d")
	if more[0].Index != 4 || !sequenceLess(first[2].Sequence, more[0].Sequence) {
		t.Fatalf("after restart: index %d seq %s, want index 4 above %s", more[0].Index, more[0].Sequence, first[2].Sequence)
	}
	s3, _, _ := reopen(t, j2)
	requireSameRecords(t, readAll(s3.Get(st.Key).Shards[0]), append(first, more...))
}

// sequenceLess compares two decimal sequence numbers as integers.
func sequenceLess(a, b string) bool {
	if len(a) != len(b) {
		return len(a) < len(b)
	}
	return a < b
}

// TestFileJournalWritesShardRecordsInIndexOrder: two writers append to one shard and the later one
// reaches the journal first. It must write the earlier writer's records too, in index order, so
// that publishing its own records never publishes ones that are not on disk.
func TestFileJournalWritesShardRecordsInIndexOrder(t *testing.T) {
	s, j := openTestJournal(t, t.TempDir())
	st := newTestStream("s", 1, 1)
	s.Add(st)
	sh := st.Shards[0]
	a, _ := sh.Append(testEpoch, []Pending{{PartitionKey: "k", Data: []byte("a")}, {PartitionKey: "k", Data: []byte("b")}}, false)
	b, _ := sh.Append(testEpoch, []Pending{{PartitionKey: "k", Data: []byte("c")}}, false)
	if err := j.Records(st, sh, b); err != nil {
		t.Fatal(err)
	}
	sh.Publish(b[0].Index + 1)
	if err := j.Records(st, sh, a); err != nil {
		t.Fatal(err)
	}
	s2, _, rep := reopen(t, j)
	if rep.Records != 3 {
		t.Fatalf("restored %d records, want 3", rep.Records)
	}
	requireSameRecords(t, readAll(s2.Get(st.Key).Shards[0]), append(append([]Record(nil), a...), b...))
}

func TestFileJournalConcurrentWriters(t *testing.T) {
	s, j := openTestJournal(t, t.TempDir())
	st := newTestStream("s", 3, 1)
	s.Add(st)
	const writers, puts = 8, 40
	var wg sync.WaitGroup
	for w := 0; w < writers; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := 0; i < puts; i++ {
				sh := st.Shards[(w+i)%len(st.Shards)]
				recs, err := sh.Append(testEpoch, []Pending{{PartitionKey: "k", Data: []byte(fmt.Sprintf("%d/%d", w, i))}}, false)
				if err != nil {
					t.Error(err)
					return
				}
				if err := j.Records(st, sh, recs); err != nil {
					t.Error(err)
					return
				}
				sh.Publish(recs[0].Index + 1)
			}
		}()
	}
	wg.Wait()
	want := make([][]Record, len(st.Shards))
	for i, sh := range st.Shards {
		want[i] = readAll(sh)
	}
	s2, _, rep := reopen(t, j)
	if rep.Records != writers*puts {
		t.Fatalf("restored %d records, want %d", rep.Records, writers*puts)
	}
	for i, sh := range s2.Get(st.Key).Shards {
		requireSameRecords(t, readAll(sh), want[i])
	}
}

// TestFileJournalCutsTornTail damages the end of a log in the ways a crash or a bad disk can, and
// checks that every intact entry before the damage comes back, the damage is cut, and the log
// takes new records afterwards.
func TestFileJournalCutsTornTail(t *testing.T) {
	cases := []struct {
		name string
		// damage changes the log; entryStart is where the last entry begins.
		damage   func(b []byte, entryStart int) []byte
		keepLast bool
	}{
		{"intact", func(b []byte, _ int) []byte { return b }, true},
		{"cut inside the header", func(b []byte, at int) []byte { return b[:at+3] }, false},
		{"cut after the header", func(b []byte, at int) []byte { return b[:at+entryHeader] }, false},
		{"cut inside the payload", func(b []byte, _ int) []byte { return b[:len(b)-1] }, false},
		{"flipped payload byte", func(b []byte, _ int) []byte { b[len(b)-2] ^= 0x40; return b }, false},
		{"flipped checksum", func(b []byte, at int) []byte { b[at+5] ^= 1; return b }, false},
		{"length past the end", func(b []byte, at int) []byte { b[at] = 0x7f; return b }, false},
		{"zeros appended", func(b []byte, _ int) []byte { return append(b, make([]byte, 4096)...) }, true},
		{"garbage appended", func(b []byte, _ int) []byte { return append(b, "not an entry at all"...) }, true},
		{"zeroed entry", func(b []byte, at int) []byte {
			for i := at; i < len(b); i++ {
				b[i] = 0
			}
			return b
		}, false},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			s, j := openTestJournal(t, t.TempDir())
			st := newTestStream("s", 1, 1)
			s.Add(st)
			sh := st.Shards[0]
			first := put(t, j, st, sh, testEpoch, "a", "b")
			path := logPath(j.Dir(), j.names[st])
			info, err := os.Stat(path)
			if err != nil {
				t.Fatal(err)
			}
			entryStart := int(info.Size())
			last := put(t, j, st, sh, testEpoch.Add(time.Second), "c")
			if err := j.Close(); err != nil {
				t.Fatal(err)
			}
			b, err := os.ReadFile(path)
			if err != nil {
				t.Fatal(err)
			}
			if err := os.WriteFile(path, tc.damage(b, entryStart), 0o644); err != nil {
				t.Fatal(err)
			}
			s2, j2, rep := reopen(t, j)
			want := first
			if tc.keepLast {
				want = append(append([]Record(nil), first...), last...)
			}
			st2 := s2.Get(st.Key)
			requireSameRecords(t, readAll(st2.Shards[0]), want)
			if torn := rep.TornBytes > 0; torn != (tc.name != "intact") {
				t.Fatalf("torn bytes %d", rep.TornBytes)
			}
			after := put(t, j2, st2, st2.Shards[0], testEpoch.Add(2*time.Second), "d")
			s3, _, rep3 := reopen(t, j2)
			if rep3.TornBytes != 0 {
				t.Fatalf("the cut log is damaged again: %+v", rep3)
			}
			requireSameRecords(t, readAll(s3.Get(st.Key).Shards[0]), append(want, after...))
		})
	}
}

// TestFileJournalCutsAtEveryOffset cuts a log at every byte: exactly the entries wholly before the
// cut come back.
func TestFileJournalCutsAtEveryOffset(t *testing.T) {
	s, j := openTestJournal(t, t.TempDir())
	st := newTestStream("s", 1, 1)
	s.Add(st)
	var ends []int // log size after each put
	var all []Record
	path := ""
	for i := 0; i < 4; i++ {
		all = append(all, put(t, j, st, st.Shards[0], testEpoch, fmt.Sprintf("record-%d", i))...)
		path = logPath(j.Dir(), j.names[st])
		info, err := os.Stat(path)
		if err != nil {
			t.Fatal(err)
		}
		ends = append(ends, int(info.Size()))
	}
	if err := j.Close(); err != nil {
		t.Fatal(err)
	}
	full, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	for cut := 0; cut <= len(full); cut++ {
		whole := 0
		for whole < len(ends) && ends[whole] <= cut {
			whole++
		}
		var recs []Record
		good, err := readLog(bytes.NewReader(full[:cut]), int64(cut), func(e logEntry) { recs = append(recs, e.records...) })
		if err != nil {
			t.Fatal(err)
		}
		wantGood := len(logMagic)
		if whole > 0 {
			wantGood = ends[whole-1]
		}
		if cut < len(logMagic) {
			wantGood = 0
		}
		if int(good) != wantGood {
			t.Fatalf("cut %d: good prefix %d, want %d", cut, good, wantGood)
		}
		requireSameRecords(t, recs, all[:whole])
	}
}

func TestFileJournalDeletedStreamRecordsDoNotComeBack(t *testing.T) {
	s, j := openTestJournal(t, t.TempDir())
	old := newTestStream("s", 1, 7)
	s.Add(old)
	put(t, j, old, old.Shards[0], testEpoch, "old-1", "old-2")
	oldLog := logPath(j.Dir(), j.names[old])

	s.Remove(old.Key, old)
	if err := j.Streams(nil); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(oldLog); !errors.Is(err, os.ErrNotExist) {
		t.Fatalf("the deleted stream's log is still there: %v", err)
	}
	recs, _ := old.Shards[0].Append(testEpoch, []Pending{{PartitionKey: "k", Data: []byte("late")}}, false)
	if err := j.Records(old, old.Shards[0], recs); !errors.Is(err, ErrStreamDeleted) {
		t.Fatalf("a write to a deleted stream: got %v, want ErrStreamDeleted", err)
	}

	// The same name again, even with the same generation, starts empty.
	fresh := newTestStream("s", 1, 7)
	s.Add(fresh)
	if err := j.Streams(nil); err != nil {
		t.Fatal(err)
	}
	want := put(t, j, fresh, fresh.Shards[0], testEpoch, "new")
	s2, _, _ := reopen(t, j)
	requireSameRecords(t, readAll(s2.Get(fresh.Key).Shards[0]), want)
}

func TestFileJournalRemovesOrphanLogs(t *testing.T) {
	s, j := openTestJournal(t, t.TempDir())
	st := newTestStream("s", 1, 1)
	s.Add(st)
	put(t, j, st, st.Shards[0], testEpoch, "a")
	// A crash between the metadata write that dropped a stream and the removal of its log leaves
	// the log behind; so does an interrupted compaction's temporary file.
	orphan := logPath(j.Dir(), "0123456789abcdef-5")
	if err := os.WriteFile(orphan, []byte(logMagic), 0o644); err != nil {
		t.Fatal(err)
	}
	tmp := logPath(j.Dir(), "x") + tmpSuffix
	if err := os.WriteFile(tmp, []byte("partial"), 0o644); err != nil {
		t.Fatal(err)
	}
	s2, _, rep := reopen(t, j)
	if rep.Orphans != 1 {
		t.Fatalf("orphans %d, want 1", rep.Orphans)
	}
	for _, p := range []string{orphan, tmp} {
		if _, err := os.Stat(p); !errors.Is(err, os.ErrNotExist) {
			t.Fatalf("%s not removed: %v", p, err)
		}
	}
	if n := len(readAll(s2.Get(st.Key).Shards[0])); n != 1 {
		t.Fatalf("the live stream lost records: %d", n)
	}
}

// TestFileJournalSavesUnknownShardFirst: a record for a shard the saved metadata does not list yet
// (a reshard whose save is still on its way) saves the metadata before the record is durable.
func TestFileJournalSavesUnknownShardFirst(t *testing.T) {
	s, j := openTestJournal(t, t.TempDir())
	st := newTestStream("s", 1, 1)
	s.Add(st)
	if err := j.Streams(nil); err != nil {
		t.Fatal(err)
	}
	st.mu.Lock()
	st.Shards = append(st.Shards, NewShard(1, HashKey{}, MaxHashKey, testEpoch, "", ""))
	st.mu.Unlock()
	put(t, j, st, st.Shards[1], testEpoch, "on the new shard")
	var doc metaDoc
	b, err := os.ReadFile(filepath.Join(j.Dir(), metaFile))
	if err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(b, &doc); err != nil {
		t.Fatal(err)
	}
	if len(doc.Streams) != 1 || len(doc.Streams[0].Shards) != 2 {
		t.Fatalf("metadata: %s", b)
	}
}

func TestFileJournalConcurrentMetadataSaves(t *testing.T) {
	s, j := openTestJournal(t, t.TempDir())
	var wg sync.WaitGroup
	for i := 0; i < 20; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			s.Add(newTestStream(fmt.Sprintf("s-%02d", i), 1, int64(i)))
			if err := j.Streams(nil); err != nil {
				t.Error(err)
			}
		}()
	}
	wg.Wait()
	s2, _, _ := reopen(t, j)
	if n := len(s2.All()); n != 20 {
		t.Fatalf("restored %d streams, want 20: a save went back in time", n)
	}
}

func TestFileJournalSecretSurvivesRestart(t *testing.T) {
	dir := t.TempDir()
	_, j := openTestJournal(t, dir)
	k1, err := j.Secret("iterator", 32)
	if err != nil {
		t.Fatal(err)
	}
	_, j2, _ := reopen(t, j)
	k2, err := j2.Secret("iterator", 32)
	if err != nil {
		t.Fatal(err)
	}
	other, err := j2.Secret("other", 32)
	if err != nil {
		t.Fatal(err)
	}
	if len(k1) != 32 || !bytes.Equal(k1, k2) || bytes.Equal(k1, other) {
		t.Fatalf("secrets: %x %x %x", k1, k2, other)
	}
	info, err := os.Stat(filepath.Join(dir, "iterator.key"))
	if err != nil {
		t.Fatal(err)
	}
	if info.Mode().Perm() != 0o600 {
		t.Fatalf("key file mode %v, want 0600", info.Mode().Perm())
	}
}

func TestFileJournalCompactKeepsNextIndex(t *testing.T) {
	s, j := openTestJournal(t, t.TempDir())
	st := newTestStream("s", 2, 1)
	s.Add(st)
	put(t, j, st, st.Shards[0], testEpoch, "old-a", "old-b")
	keep := put(t, j, st, st.Shards[0], testEpoch.Add(2*time.Hour), "new")
	put(t, j, st, st.Shards[1], testEpoch, "old-c")
	cutoff := testEpoch.Add(time.Hour)
	for _, sh := range st.Shards {
		sh.Trim(cutoff)
	}
	path := logPath(j.Dir(), j.names[st])
	before, _ := os.Stat(path)
	if err := j.Compact(st); err != nil {
		t.Fatal(err)
	}
	after, _ := os.Stat(path)
	if after.Size() >= before.Size() {
		t.Fatalf("compaction did not shrink the log: %d -> %d bytes", before.Size(), after.Size())
	}
	more := put(t, j, st, st.Shards[1], testEpoch.Add(3*time.Hour), "after")
	s2, _, _ := reopen(t, j)
	st2 := s2.Get(st.Key)
	requireSameRecords(t, readAll(st2.Shards[0]), keep)
	requireSameRecords(t, readAll(st2.Shards[1]), more)
	if more[0].Index != 2 || st2.Shards[0].Next() != 4 || st2.Shards[1].Next() != 3 {
		t.Fatalf("indexes after compaction: %d, next %d and %d", more[0].Index, st2.Shards[0].Next(), st2.Shards[1].Next())
	}
}

func TestFileJournalRejectsNewerMetadata(t *testing.T) {
	cases := []struct{ name, meta, want string }{
		{"newer version", `{"version":99,"streams":[]}`, "version 99"},
		{"broken json", `{"version":`, "not valid"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			s, j := openTestJournal(t, t.TempDir())
			st := newTestStream("s", 1, 1)
			s.Add(st)
			put(t, j, st, st.Shards[0], testEpoch, "kept")
			if err := j.Close(); err != nil {
				t.Fatal(err)
			}
			metaPath := filepath.Join(j.Dir(), metaFile)
			if err := os.WriteFile(metaPath, []byte(tc.meta), 0o644); err != nil {
				t.Fatal(err)
			}
			j2, err := OpenFile(j.Dir(), func() *Store { return New(nil) })
			if err != nil {
				t.Fatal(err)
			}
			if _, _, err := j2.Load(); err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("got %v, want an error about %q", err, tc.want)
			}
			// A directory it cannot read is left alone: no write, not even at Close.
			if err := j2.Streams(nil); !errors.Is(err, ErrNotLoaded) {
				t.Fatalf("Streams after a failed Load: %v", err)
			}
			if err := j2.Close(); err != nil {
				t.Fatal(err)
			}
			if b, _ := os.ReadFile(metaPath); string(b) != tc.meta {
				t.Fatalf("meta.json was rewritten: %s", b)
			}
			if _, err := os.Stat(logPath(j.Dir(), j.names[st])); err != nil {
				t.Fatalf("the record log was removed: %v", err)
			}
		})
	}
}

func TestFileJournalHeaderDamage(t *testing.T) {
	cases := []struct {
		name    string
		header  string
		wantErr bool
	}{
		{"torn header", "PLCN", false},
		{"unwritten header", "\x00\x00\x00\x00\x00\x00\x00\x00", false},
		{"another format", "PLCNLOG9", true},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			s, j := openTestJournal(t, t.TempDir())
			st := newTestStream("s", 1, 1)
			s.Add(st)
			put(t, j, st, st.Shards[0], testEpoch, "a")
			path := logPath(j.Dir(), j.names[st])
			if err := j.Close(); err != nil {
				t.Fatal(err)
			}
			b, err := os.ReadFile(path)
			if err != nil {
				t.Fatal(err)
			}
			damaged := []byte(tc.header)
			if !strings.HasPrefix(tc.name, "torn") {
				damaged = append(damaged, b[len(logMagic):]...)
			}
			if err := os.WriteFile(path, damaged, 0o644); err != nil {
				t.Fatal(err)
			}
			j2, err := OpenFile(j.Dir(), func() *Store { return New(nil) })
			if err != nil {
				t.Fatal(err)
			}
			defer j2.Close()
			_, _, err = j2.Load()
			if (err != nil) != tc.wantErr {
				t.Fatalf("Load: %v, want an error: %v", err, tc.wantErr)
			}
			after, _ := os.ReadFile(path)
			if tc.wantErr && !bytes.Equal(after, damaged) {
				t.Fatal("a log of another format was changed")
			}
			if !tc.wantErr && string(after) != logMagic {
				t.Fatalf("a torn header was not reset: %q", after)
			}
		})
	}
}

func TestFileJournalRefusesRecordsWithoutMetadata(t *testing.T) {
	s, j := openTestJournal(t, t.TempDir())
	st := newTestStream("s", 1, 1)
	s.Add(st)
	put(t, j, st, st.Shards[0], testEpoch, "a")
	if err := j.Close(); err != nil {
		t.Fatal(err)
	}
	if err := os.Remove(filepath.Join(j.Dir(), metaFile)); err != nil {
		t.Fatal(err)
	}
	j2, err := OpenFile(j.Dir(), func() *Store { return New(nil) })
	if err != nil {
		t.Fatal(err)
	}
	defer j2.Close()
	if _, _, err := j2.Load(); err == nil || !strings.Contains(err.Error(), "is missing") {
		t.Fatalf("Load without meta.json but with records: %v", err)
	}
	if _, err := os.Stat(logPath(j.Dir(), j.names[st])); err != nil {
		t.Fatalf("the record log was removed: %v", err)
	}
}

func TestFileJournalWritesNothingBeforeLoad(t *testing.T) {
	j, err := OpenFile(t.TempDir(), func() *Store { return New(nil) })
	if err != nil {
		t.Fatal(err)
	}
	defer j.Close()
	st := newTestStream("s", 1, 1)
	recs, _ := st.Shards[0].Append(testEpoch, []Pending{{PartitionKey: "k", Data: []byte("x")}}, false)
	if err := j.Records(st, st.Shards[0], recs); !errors.Is(err, ErrNotLoaded) {
		t.Fatalf("Records before Load: %v", err)
	}
	if err := j.Streams(nil); !errors.Is(err, ErrNotLoaded) {
		t.Fatalf("Streams before Load: %v", err)
	}
}

// TestFileJournalCloseSavesLastChanges: a change whose save has not run yet (the emulator saves
// some asynchronously) is kept by a clean Close.
func TestFileJournalCloseSavesLastChanges(t *testing.T) {
	s, j := openTestJournal(t, t.TempDir())
	st := newTestStream("s", 1, 1)
	s.Add(st)
	if err := j.Streams(nil); err != nil {
		t.Fatal(err)
	}
	st.mu.Lock()
	st.Tags["late"] = "change"
	st.mu.Unlock()
	s2, _, _ := reopen(t, j)
	if got := s2.Get(st.Key).Tags["late"]; got != "change" {
		t.Fatalf("tag after Close and reopen: %q", got)
	}
}

func TestFileJournalClosed(t *testing.T) {
	s, j := openTestJournal(t, t.TempDir())
	st := newTestStream("s", 1, 1)
	s.Add(st)
	if err := j.Close(); err != nil {
		t.Fatal(err)
	}
	recs, _ := st.Shards[0].Append(testEpoch, []Pending{{PartitionKey: "k", Data: []byte("x")}}, false)
	if err := j.Records(st, st.Shards[0], recs); !errors.Is(err, ErrJournalClosed) {
		t.Fatalf("Records after Close: %v", err)
	}
	if err := j.Streams(nil); !errors.Is(err, ErrJournalClosed) {
		t.Fatalf("Streams after Close: %v", err)
	}
}

func TestFileJournalRestoresAccounts(t *testing.T) {
	s, j := openTestJournal(t, t.TempDir())
	a := s.Account("111111111111", "eu-west-1")
	a.mu.Lock()
	a.Commitment = Commitment{Status: "ENABLED", StartedAt: testEpoch, EarliestAllowedEndAt: testEpoch.Add(24 * time.Hour)}
	a.Channels["ch"] = &Channel{Name: "ch", ID: "id-1", ARN: "arn:ch", Created: testEpoch, Status: "ACTIVE",
		Streams: []ChannelStream{{ARN: "arn:s", Created: testEpoch}}, Config: []byte(`{"k":1}`), Tags: map[string]string{"a": "b"}}
	a.Tags["arn:consumer"] = map[string]string{"team": "x"}
	a.Policies["arn:consumer"] = `{"Version":"2012-10-17"}`
	a.ModeSwitches["arn:s@1"] = []time.Time{testEpoch}
	a.mu.Unlock()
	if err := j.Streams(nil); err != nil {
		t.Fatal(err)
	}
	s2, _, _ := reopen(t, j)
	got := s2.Account("111111111111", "eu-west-1")
	got.mu.Lock()
	defer got.mu.Unlock()
	ch := got.Channels["ch"]
	if got.Commitment.Status != "ENABLED" || !got.Commitment.EarliestAllowedEndAt.Equal(a.Commitment.EarliestAllowedEndAt) ||
		ch == nil || ch.ID != "id-1" || string(ch.Config) != `{"k":1}` || ch.Tags["a"] != "b" || len(ch.Streams) != 1 ||
		got.Tags["arn:consumer"]["team"] != "x" || got.Policies["arn:consumer"] != a.Policies["arn:consumer"] ||
		len(got.ModeSwitches["arn:s@1"]) != 1 {
		t.Fatalf("account state not restored: %+v, channel %+v", got, ch)
	}
}

// TestMetadataCoversEveryStreamField fails when Stream, Shard, Consumer, Account or Change gains a
// field: decide whether it must survive a restart, and save it in snapshot and metaStream.stream,
// or list it here. A Change is saved whole, so a field added to it is saved; the test makes sure
// that Change.Validate and the emulator's applyChange were thought about too.
func TestMetadataCoversEveryStreamField(t *testing.T) {
	cases := []struct {
		typ  reflect.Type
		want []string
	}{
		{reflect.TypeFor[Stream](), []string{"ARN", "Consumers", "Created", "Distribution", "EncryptionType",
			"Generation", "Key", "KeyID", "MaxRecordSizeKiB", "Metrics", "Mode", "Pending", "PendingUntil",
			"Policy", "RetentionHours", "Shards", "Status", "Tags", "WarmThroughput", "mu"}},
		{reflect.TypeFor[Shard](), []string{"AdjacentParent", "Created", "EndHash", "ID", "Index", "Parent",
			"StartHash", "StartSequence", "bytes", "closed", "closedAt", "endSeq", "log", "mu", "next",
			"visible", "wake"}},
		{reflect.TypeFor[Consumer](), []string{"ARN", "Created", "Name", "PendingUntil", "Status"}},
		{reflect.TypeFor[Account](), []string{"Channels", "Commitment", "ModeSwitches", "Policies", "Tags", "mu"}},
		{reflect.TypeFor[Change](), []string{"AdjacentShardToMerge", "EncryptionType", "KeyID", "Kind",
			"MaxRecordSizeKiB", "NewStartingHashKey", "ShardToMerge", "ShardToSplit", "StreamMode",
			"TargetShardCount", "WarmThroughputMiBps"}},
	}
	for _, tc := range cases {
		var got []string
		for i := 0; i < tc.typ.NumField(); i++ {
			got = append(got, tc.typ.Field(i).Name)
		}
		sort.Strings(got)
		if !reflect.DeepEqual(got, tc.want) {
			t.Errorf("%s fields changed: %v; the data directory saves %v", tc.typ.Name(), got, tc.want)
		}
	}
}

func FuzzJournalRead(f *testing.F) {
	var log []byte
	log = append(log, logMagic...)
	log = appendRecordsEntry(log, 0, []Record{
		{Index: 0, Sequence: "1", PartitionKey: "k", Data: []byte("hello"), Arrival: testEpoch},
		{Index: 1, Sequence: "2", PartitionKey: "k2", Data: nil, Arrival: testEpoch.Add(time.Millisecond)},
	})
	log = appendNextEntry(log, 3, 99)
	f.Add(log)
	f.Add(log[:len(log)-3])
	f.Add([]byte(logMagic))
	f.Add([]byte(logMagic + "\x00\x00\x00\x00\x00\x00\x00\x00"))
	f.Add([]byte(logMagic + "\xff\xff\xff\xff\x00\x00\x00\x00"))
	f.Add([]byte("PLCNLOG"))
	flipped := append([]byte(nil), log...)
	flipped[len(logMagic)+entryHeader+3] ^= 0x10
	f.Add(flipped)
	f.Fuzz(func(t *testing.T, b []byte) {
		var entries []logEntry
		good, err := readLog(bytes.NewReader(b), int64(len(b)), func(e logEntry) { entries = append(entries, e) })
		if err != nil {
			t.Fatalf("readLog failed on damaged input instead of cutting it: %v", err)
		}
		if good < 0 || good > int64(len(b)) {
			t.Fatalf("good prefix %d outside [0, %d]", good, len(b))
		}
		// The good prefix reads back the same entries, and its entries encode to exactly it.
		var again []logEntry
		good2, err := readLog(bytes.NewReader(b[:good]), good, func(e logEntry) { again = append(again, e) })
		if err != nil || good2 != good || !reflect.DeepEqual(again, entries) {
			t.Fatalf("the good prefix does not read back: %d vs %d, %v", good2, good, err)
		}
		if good == 0 {
			return
		}
		enc := []byte(logMagic)
		for _, e := range entries {
			if e.kind == kindNext {
				enc = appendNextEntry(enc, e.shard, e.next)
			} else {
				enc = appendRecordsEntry(enc, e.shard, e.records)
			}
		}
		if !bytes.Equal(enc, b[:good]) {
			t.Fatalf("re-encoding the entries does not give the good prefix back")
		}
	})
}

// BenchmarkFileJournalRecords measures durable appends of 100 records of 1 KiB from parallel
// writers, which share fsyncs.
func BenchmarkFileJournalRecords(b *testing.B) {
	for _, shards := range []int{1, 4} {
		b.Run(fmt.Sprintf("shards=%d", shards), func(b *testing.B) {
			s, j := openTestJournal(b, b.TempDir())
			st := newTestStream("bench", shards, 1)
			s.Add(st)
			pending := make([]Pending, 100)
			for i := range pending {
				pending[i] = Pending{PartitionKey: "k", Data: bytes.Repeat([]byte("x"), 1024)}
			}
			b.SetParallelism(8)
			b.SetBytes(int64(len(pending) * 1025))
			var n sync.Mutex
			next := 0
			b.ResetTimer()
			b.RunParallel(func(pb *testing.PB) {
				n.Lock()
				sh := st.Shards[next%shards]
				next++
				n.Unlock()
				for pb.Next() {
					recs, err := sh.Append(time.Now(), pending, false)
					if err != nil {
						b.Error(err)
						return
					}
					if err := j.Records(st, sh, recs); err != nil {
						b.Error(err)
						return
					}
					sh.Publish(recs[len(recs)-1].Index + 1)
				}
			})
			b.ReportMetric(float64(b.N*len(pending))/b.Elapsed().Seconds(), "records/s")
		})
	}
}

func TestDataDirectoryTakesOneEmulatorAtATime(t *testing.T) {
	dir := t.TempDir()
	first, err := OpenFile(dir, nil)
	if err != nil {
		t.Fatal(err)
	}
	_, err = OpenFile(dir, nil)
	var inUse *DirInUseError
	if !errors.As(err, &inUse) || inUse.Owner != strconv.Itoa(os.Getpid()) {
		t.Fatalf("a second open of a held directory: %v, want a DirInUseError naming pid %d", err, os.Getpid())
	}
	if !strings.Contains(err.Error(), "in use by another emulator (pid ") {
		t.Fatalf("message %q does not say who holds the directory", err)
	}
	if err := first.Close(); err != nil {
		t.Fatal(err)
	}
	second, err := OpenFile(dir, nil)
	if err != nil {
		t.Fatalf("after Close the directory is free again: %v", err)
	}
	_ = second.Close()
}
