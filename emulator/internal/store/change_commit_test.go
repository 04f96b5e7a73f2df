package store

import (
	"errors"
	"reflect"
	"strings"
	"sync/atomic"
	"syscall"
	"testing"
)

// failingMeta fails every write of meta.json while on.
func failingMeta(on *atomic.Bool) DiskFault {
	return func(op DiskOp, path string, n int) (int, error) {
		if on.Load() && strings.Contains(path, metaFile) && op == DiskWrite {
			return 0, syscall.ENOSPC
		}
		return n, nil
	}
}

// storeState is what a client could read of every stream and account, for comparisons.
func storeState(s *Store) (map[string]metaStream, []metaAccount) {
	out := map[string]metaStream{}
	for _, st := range s.All() {
		out[st.Key.Name] = snapshot(st, "")
	}
	all, err := s.snapshotAccounts()
	if err != nil {
		panic(err)
	}
	// An empty account is one no call has changed: the same as none.
	var accounts []metaAccount
	for _, a := range all {
		if a.Commitment != (Commitment{}) || len(a.Channels)+len(a.Tags)+len(a.Policies)+len(a.ModeSwitches) > 0 {
			accounts = append(accounts, a)
		}
	}
	return out, accounts
}

// TestChangeIsUndoneWhenTheSaveFails makes a change of every kind (a stream added, one removed, a
// shard split, tags, a consumer, account state) on a disk that cannot save it: Change returns the
// error, the store reads as before, a record written meanwhile to the split's child is refused,
// and a restart finds the state before the change.
func TestChangeIsUndoneWhenTheSaveFails(t *testing.T) {
	var full atomic.Bool
	dir := t.TempDir()
	var s *Store
	j, err := OpenFile(dir, func() *Store { return s })
	if err != nil {
		t.Fatal(err)
	}
	j.SetDiskFault(failingMeta(&full))
	s = New(j)
	t.Cleanup(func() { _ = j.Close() })
	if _, _, err := j.Load(); err != nil {
		t.Fatal(err)
	}
	kept, gone := newTestStream("kept", 1, 1), newTestStream("gone", 1, 1)
	if err := s.Change(func() bool { s.Add(kept); s.Add(gone); return true }); err != nil {
		t.Fatal(err)
	}
	put(t, j, kept, kept.Shards[0], testEpoch, "before")
	beforeStreams, beforeAccounts := storeState(s)

	full.Store(true)
	var child *Shard
	err = s.Change(func() bool {
		s.Add(newTestStream("new", 2, 1))
		s.Remove(gone.Key, gone)
		kept.Update(func() {
			parent := kept.Shards[0]
			parent.Close(testEpoch)
			child = NewShard(1, parent.StartHash, parent.EndHash, testEpoch, parent.ID, "")
			kept.Shards = append(kept.Shards, child)
			kept.Tags["lost"] = "yes"
			kept.RetentionHours = 48
			kept.Consumers["c"] = &Consumer{Name: "c", Status: "CREATING"}
		})
		a := s.Account("000000000000", "us-east-1")
		a.Update(func() {
			a.Commitment.Status = "ENABLED"
			a.Channels["ch"] = &Channel{Name: "ch"}
			a.Tags["arn:c"] = map[string]string{"k": "v"}
		})
		// A save asked for inside the change is left to it.
		if err := s.Save(); err != nil {
			t.Errorf("Save inside a change: %v", err)
		}
		return true
	})
	if !errors.Is(err, syscall.ENOSPC) {
		t.Fatalf("Change on a full disk: got %v, want ENOSPC", err)
	}
	afterStreams, afterAccounts := storeState(s)
	if !reflect.DeepEqual(afterStreams, beforeStreams) {
		t.Fatalf("streams after the failed change:\n%+v\nwant\n%+v", afterStreams, beforeStreams)
	}
	if !reflect.DeepEqual(afterAccounts, beforeAccounts) {
		t.Fatalf("accounts after the failed change:\n%+v\nwant\n%+v", afterAccounts, beforeAccounts)
	}
	if kept.Shards[0].Closed() {
		t.Fatal("the split's parent is still closed")
	}

	// A writer that routed to the child before the change was undone.
	full.Store(false)
	recs, err := child.Append(testEpoch, []Pending{{PartitionKey: "pk", Data: []byte("orphan")}}, false)
	if err != nil {
		t.Fatal(err)
	}
	if err := j.Records(kept, child, recs); !errors.Is(err, ErrShardClosed) {
		t.Fatalf("a record for an undone shard: got %v, want ErrShardClosed", err)
	}
	if child.Next() != recs[0].Index {
		t.Fatal("the refused record stays in the undone shard")
	}

	s2, _, _ := reopen(t, j)
	restarted, restartedAccounts := storeState(s2)
	if !reflect.DeepEqual(restarted, beforeStreams) || !reflect.DeepEqual(restartedAccounts, beforeAccounts) {
		t.Fatalf("after the restart:\n%+v %+v\nwant\n%+v %+v", restarted, restartedAccounts, beforeStreams, beforeAccounts)
	}
	requireSameRecords(t, readAll(s2.Get(kept.Key).Shards[0]), readAll(kept.Shards[0]))
}
