package store

import (
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"reflect"
	"testing"
	"time"
)

func intPtr(v int) *int { return &v }

// everyKindOfChange holds one valid Change of each kind.
var everyKindOfChange = []Change{
	{Kind: ChangeSplit, ShardToSplit: "shardId-000000000000", NewStartingHashKey: "85070591730234615865843651857942052864"},
	{Kind: ChangeMerge, ShardToMerge: "shardId-000000000000", AdjacentShardToMerge: "shardId-000000000001"},
	{Kind: ChangeShardCount, TargetShardCount: 4},
	{Kind: ChangeEncryption, EncryptionType: "KMS", KeyID: "alias/aws/kinesis"},
	{Kind: ChangeEncryption, EncryptionType: "NONE"},
	{Kind: ChangeMode, StreamMode: "ON_DEMAND", WarmThroughputMiBps: intPtr(100)},
	{Kind: ChangeMode, StreamMode: "PROVISIONED"},
	{Kind: ChangeMaxRecordSize, MaxRecordSizeKiB: 4096},
	{Kind: ChangeWarmThroughput, WarmThroughputMiBps: intPtr(0)},
}

func TestChangeValidate(t *testing.T) {
	for _, c := range everyKindOfChange {
		if err := c.Validate(); err != nil {
			t.Errorf("%+v: %v", c, err)
		}
	}
	bad := []struct {
		name string
		c    Change
	}{
		{"no kind", Change{}},
		{"unknown kind", Change{Kind: "Rename"}},
		{"split without shard", Change{Kind: ChangeSplit, NewStartingHashKey: "1"}},
		{"split without key", Change{Kind: ChangeSplit, ShardToSplit: "shardId-000000000000"}},
		{"split with a key out of range", Change{Kind: ChangeSplit, ShardToSplit: "shardId-000000000000",
			NewStartingHashKey: "340282366920938463463374607431768211456"}},
		{"split with a key that is no number", Change{Kind: ChangeSplit, ShardToSplit: "shardId-000000000000", NewStartingHashKey: "12a"}},
		{"merge of one shard", Change{Kind: ChangeMerge, ShardToMerge: "shardId-000000000000"}},
		{"zero shards", Change{Kind: ChangeShardCount}},
		{"encryption without type", Change{Kind: ChangeEncryption, KeyID: "alias/aws/kinesis"}},
		{"mode without mode", Change{Kind: ChangeMode}},
		{"mode with negative warm throughput", Change{Kind: ChangeMode, StreamMode: "ON_DEMAND", WarmThroughputMiBps: intPtr(-1)}},
		{"no record size", Change{Kind: ChangeMaxRecordSize}},
		{"warm throughput without target", Change{Kind: ChangeWarmThroughput}},
		{"negative warm throughput", Change{Kind: ChangeWarmThroughput, WarmThroughputMiBps: intPtr(-5)}},
	}
	for _, tc := range bad {
		t.Run(tc.name, func(t *testing.T) {
			if err := tc.c.Validate(); !errors.Is(err, ErrInvalidChange) {
				t.Fatalf("Validate: %v, want ErrInvalidChange", err)
			}
		})
	}
}

func TestChangeCloneSharesNothing(t *testing.T) {
	if (*Change)(nil).Clone() != nil {
		t.Fatal("the clone of nil is not nil")
	}
	c := &Change{Kind: ChangeWarmThroughput, WarmThroughputMiBps: intPtr(10)}
	d := c.Clone()
	*d.WarmThroughputMiBps = 20
	d.Kind = ChangeMode
	if *c.WarmThroughputMiBps != 10 || c.Kind != ChangeWarmThroughput {
		t.Fatalf("changing the clone changed the original: %+v", c)
	}
}

// TestFileJournalKeepsPendingChange: a stream that is UPDATING keeps its pending change, of every
// kind, across a restart.
func TestFileJournalKeepsPendingChange(t *testing.T) {
	for _, c := range everyKindOfChange {
		t.Run(c.Kind+"-"+c.EncryptionType+c.StreamMode, func(t *testing.T) {
			s, j := openTestJournal(t, t.TempDir())
			st := newTestStream("updating", 2, 3)
			until := testEpoch.Add(time.Minute)
			st.Status, st.PendingUntil, st.Pending = StatusUpdating, until, c.Clone()
			s.Add(st)
			if err := j.Streams(nil); err != nil {
				t.Fatal(err)
			}
			j.mu.RLock()
			name := j.names[st]
			j.mu.RUnlock()
			s2, j2 := reopenRestored(t, j, name)
			got := s2.Get(st.Key)
			if got.Status != StatusUpdating || !got.PendingUntil.Equal(until) {
				t.Fatalf("restored %s until %v, want UPDATING until %v", got.Status, got.PendingUntil, until)
			}
			if !reflect.DeepEqual(got.Pending, &c) {
				t.Fatalf("pending change: got %+v, want %+v", got.Pending, c)
			}
			// Settling the transition clears it, and the next save forgets the change.
			got.mu.Lock()
			got.Pending, got.Status = nil, StatusActive
			got.mu.Unlock()
			s3, _ := reopenRestored(t, j2, name)
			if again := s3.Get(st.Key); again.Pending != nil || again.Status != StatusActive {
				t.Fatalf("after the transition: %s with %+v", again.Status, again.Pending)
			}
		})
	}
}

// reopenRestored closes j, loads its directory again and checks that the stream whose log is
// called name came back with no change reported lost.
func reopenRestored(t *testing.T, j *FileJournal, name string) (*Store, *FileJournal) {
	t.Helper()
	if err := j.Close(); err != nil {
		t.Fatal(err)
	}
	var s *Store
	j2, err := OpenFile(j.Dir(), func() *Store { return s })
	if err != nil {
		t.Fatal(err)
	}
	s = New(j2)
	t.Cleanup(func() { _ = j2.Close() })
	restored, _, err := j2.Load()
	if err != nil {
		t.Fatal(err)
	}
	if len(restored) != 1 || restored[0].ChangeLost || j2.names[restored[0].Stream] != name {
		t.Fatalf("restored %+v", restored)
	}
	return s, j2
}

// editMeta rewrites meta.json of dir through edit, which gets it decoded as plain JSON.
func editMeta(t *testing.T, dir string, edit func(doc map[string]any)) {
	t.Helper()
	path := filepath.Join(dir, metaFile)
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var doc map[string]any
	if err := json.Unmarshal(b, &doc); err != nil {
		t.Fatal(err)
	}
	edit(doc)
	if b, err = json.Marshal(doc); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, b, 0o644); err != nil {
		t.Fatal(err)
	}
}

// TestFileJournalLoadsVersion1Metadata: a data directory written before pending changes were saved
// still loads. A transition it marked as having a change comes back reported as lost; the next
// save writes the current version.
func TestFileJournalLoadsVersion1Metadata(t *testing.T) {
	for _, lost := range []bool{false, true} {
		t.Run(map[bool]string{false: "no pending change", true: "pending change lost"}[lost], func(t *testing.T) {
			s, j := openTestJournal(t, t.TempDir())
			st := newTestStream("old", 1, 1)
			st.Status, st.PendingUntil = StatusUpdating, testEpoch.Add(time.Minute)
			s.Add(st)
			want := put(t, j, st, st.Shards[0], testEpoch, "a", "b")
			if err := j.Close(); err != nil {
				t.Fatal(err)
			}
			editMeta(t, j.Dir(), func(doc map[string]any) {
				doc["version"] = 1
				ms := doc["streams"].([]any)[0].(map[string]any)
				if _, ok := ms["pending"]; ok {
					t.Fatal("a stream without a pending change saved one")
				}
				if lost {
					ms["pendingChange"] = true
				}
			})
			s2 := New(nil)
			j2, err := OpenFile(j.Dir(), func() *Store { return s2 })
			if err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() { _ = j2.Close() })
			restored, rep, err := j2.Load()
			if err != nil {
				t.Fatal(err)
			}
			if len(restored) != 1 || restored[0].ChangeLost != lost || restored[0].Stream.Pending != nil || rep.Records != 2 {
				t.Fatalf("restored %+v, report %+v; want the change lost: %v", restored, rep, lost)
			}
			got := s2.Get(st.Key)
			if got.Status != StatusUpdating {
				t.Fatalf("status %s, want UPDATING", got.Status)
			}
			requireSameRecords(t, readAll(got.Shards[0]), want)
			if err := j2.Streams(nil); err != nil {
				t.Fatal(err)
			}
			var doc metaDoc
			b, _ := os.ReadFile(filepath.Join(j.Dir(), metaFile))
			if err := json.Unmarshal(b, &doc); err != nil || doc.Version != metaVersion || doc.Streams[0].PendingChange {
				t.Fatalf("saved again as version %d (pendingChange %v), want %d: %v", doc.Version, doc.Streams[0].PendingChange, metaVersion, err)
			}
		})
	}
}

// TestFileJournalRejectsInvalidPendingChange: a pending change that cannot be applied fails Load
// and leaves the directory as it is.
func TestFileJournalRejectsInvalidPendingChange(t *testing.T) {
	cases := []struct {
		name    string
		pending any
	}{
		{"unknown kind", map[string]any{"kind": "RenameStream"}},
		{"split without a hash key", map[string]any{"kind": ChangeSplit, "shardToSplit": "shardId-000000000000"}},
		{"not an object", "SplitShard"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			s, j := openTestJournal(t, t.TempDir())
			st := newTestStream("s", 1, 1)
			st.Status, st.PendingUntil = StatusUpdating, testEpoch.Add(time.Minute)
			s.Add(st)
			if err := j.Close(); err != nil {
				t.Fatal(err)
			}
			editMeta(t, j.Dir(), func(doc map[string]any) {
				doc["streams"].([]any)[0].(map[string]any)["pending"] = tc.pending
			})
			before, _ := os.ReadFile(filepath.Join(j.Dir(), metaFile))
			j2, err := OpenFile(j.Dir(), func() *Store { return New(nil) })
			if err != nil {
				t.Fatal(err)
			}
			if _, _, err := j2.Load(); err == nil {
				t.Fatal("Load took an invalid pending change")
			}
			if err := j2.Close(); err != nil {
				t.Fatal(err)
			}
			if after, _ := os.ReadFile(filepath.Join(j.Dir(), metaFile)); string(after) != string(before) {
				t.Fatalf("meta.json was rewritten:\n%s", after)
			}
		})
	}
}
