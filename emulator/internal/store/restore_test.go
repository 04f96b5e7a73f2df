package store

import (
	"testing"
	"time"
)

func TestShardBetween(t *testing.T) {
	sh := NewShard(0, HashKey{}, MaxHashKey, testEpoch, "", "")
	pending := make([]Pending, 10)
	for i := range pending {
		pending[i] = Pending{PartitionKey: "k", Data: []byte{byte(i)}}
	}
	if _, err := sh.Append(testEpoch, pending[:4], true); err != nil {
		t.Fatal(err)
	}
	if _, err := sh.Append(testEpoch.Add(time.Hour), pending[4:], false); err != nil { // not yet visible
		t.Fatal(err)
	}
	sh.Trim(testEpoch.Add(time.Minute)) // drops 1..4 (records are numbered from 1)
	cases := []struct {
		from, to   uint64
		first, len int
	}{
		{0, 11, 5, 6},  // trimmed records are gone; invisible ones are returned
		{6, 8, 6, 2},   // a window
		{9, 100, 9, 2}, // past the end
		{7, 7, 0, 0},   // empty range
		{9, 3, 0, 0},   // reversed range
		{0, 5, 0, 0},   // only trimmed records
	}
	for _, tc := range cases {
		got := sh.between(tc.from, tc.to)
		if len(got) != tc.len || (tc.len > 0 && got[0].Index != uint64(tc.first)) {
			t.Errorf("between(%d, %d): %d records from %v, want %d from %d", tc.from, tc.to, len(got), got, tc.len, tc.first)
		}
	}
}

func TestShardRestoreState(t *testing.T) {
	sh := NewShard(3, HashKey{}, MaxHashKey, testEpoch, "", "")
	end := Sequence{ShardCreated: testEpoch, ShardIndex: 3, Index: MaxSequenceIndex, Arrival: testEpoch}.Format()
	sh.restoreClosed(end, testEpoch.Add(time.Hour))
	if !sh.Closed() || sh.EndSequence() != end || !sh.ClosedAt().Equal(testEpoch.Add(time.Hour)) {
		t.Fatalf("closed state not restored: %v %s %v", sh.Closed(), sh.EndSequence(), sh.ClosedAt())
	}
	if _, err := sh.Append(testEpoch, []Pending{{PartitionKey: "k"}}, true); err != ErrShardClosed {
		t.Fatalf("append to a restored closed shard: %v", err)
	}

	open := NewShard(0, HashKey{}, MaxHashKey, testEpoch, "", "")
	open.restoreNext(42)
	open.restoreNext(7) // never lowers
	if open.Next() != 42 || open.Visible() != 42 || open.Oldest() != 42 {
		t.Fatalf("next %d visible %d oldest %d, want 42", open.Next(), open.Visible(), open.Oldest())
	}
	recs, err := open.Append(testEpoch, []Pending{{PartitionKey: "k", Data: []byte("x")}}, true)
	if err != nil || recs[0].Index != 42 {
		t.Fatalf("first record after restoreNext: %+v %v", recs, err)
	}
}
