package leasetest

import (
	"context"
	"errors"
	"fmt"
	"reflect"
	"slices"
	"sort"
	"sync"
	"testing"

	"github.com/pelicanhq/pelican/consumer/lease"
)

// NewStore returns an empty store for one subtest. It registers its own cleanup with t.
type NewStore func(t *testing.T) lease.Store

// Run runs the whole suite against stores made by newStore, each subtest on a fresh, empty store.
func Run(t *testing.T, newStore NewStore) {
	t.Helper()
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			c.run(t, newStore(t))
		})
	}
}

type suiteCase struct {
	name string
	run  func(t *testing.T, s lease.Store)
}

var cases = []suiteCase{
	{"CreateGetRoundTrip", testCreateGetRoundTrip},
	{"CreateExisting", testCreateExisting},
	{"GetMissing", testGetMissing},
	{"List", testList},
	{"TakeFree", testTakeFree},
	{"TakeFromOtherOwner", testTakeFromOtherOwner},
	{"StaleChangesConflict", testStaleChangesConflict},
	{"ChangesOnMissingLeaseConflict", testMissingConflict},
	{"RenewBumpsCounter", testRenew},
	{"CheckpointFencing", testCheckpointFencing},
	{"CheckpointResetsOwnerSwitches", testCheckpointResetsSwitches},
	{"CheckpointRecordsChildren", testCheckpointChildren},
	{"Handoff", testHandoff},
	{"HandoffNewOwnerReleases", testHandoffNewOwnerReleases},
	{"TakeEndsHandoff", testTakeEndsHandoff},
	{"Release", testRelease},
	{"ReleaseByStranger", testReleaseByStranger},
	{"Delete", testDelete},
	{"ConcurrentTakeOneWinner", testConcurrentTake},
	{"ConcurrentRenewLinear", testConcurrentRenew},
}

func ctx(t *testing.T) context.Context { return t.Context() }

func mustCreate(t *testing.T, s lease.Store, l lease.Lease) lease.Lease {
	t.Helper()
	got, err := s.Create(ctx(t), l)
	if err != nil {
		t.Fatalf("Create(%s): %v", l.Key, err)
	}
	return got
}

func mustGet(t *testing.T, s lease.Store, key string) lease.Lease {
	t.Helper()
	got, err := s.Get(ctx(t), key)
	if err != nil {
		t.Fatalf("Get(%s): %v", key, err)
	}
	return got
}

func wantConflict(t *testing.T, op string, err error) {
	t.Helper()
	if !errors.Is(err, lease.ErrConflict) {
		t.Fatalf("%s: got error %v, want one wrapping lease.ErrConflict", op, err)
	}
}

// equal compares leases, treating nil and empty slices as the same.
func equal(a, b lease.Lease) bool {
	norm := func(l lease.Lease) lease.Lease {
		l = l.Clone()
		if len(l.ParentShardIDs) == 0 {
			l.ParentShardIDs = nil
		}
		if len(l.ChildShardIDs) == 0 {
			l.ChildShardIDs = nil
		}
		sort.Strings(l.ParentShardIDs)
		sort.Strings(l.ChildShardIDs)
		return l
	}
	return reflect.DeepEqual(norm(a), norm(b))
}

func full() lease.Lease {
	return lease.Lease{
		Key:     "shardId-000000000007",
		Counter: 0,
		Checkpoint: lease.Checkpoint{
			SequenceNumber:    "49671234567890123456789012345678901234567890123456789012",
			SubSequenceNumber: 41,
		},
		PendingCheckpoint: lease.Checkpoint{
			SequenceNumber:    "49671234567890123456789012345678901234567890123456789099",
			SubSequenceNumber: 2,
		},
		OwnerSwitchesSinceCheckpoint: 3,
		ParentShardIDs:               []string{"shardId-000000000001", "shardId-000000000002"},
		ChildShardIDs:                []string{"shardId-000000000009"},
		StartingHashKey:              "0",
		EndingHashKey:                "340282366920938463463374607431768211455",
	}
}

func testCreateGetRoundTrip(t *testing.T, s lease.Store) {
	tests := []struct {
		name string
		l    lease.Lease
	}{
		{"every field", full()},
		{"owned", lease.Lease{Key: "shardId-000000000000", Owner: "worker-a", Counter: 5, Checkpoint: lease.Checkpoint{SequenceNumber: lease.TrimHorizon}}},
		{"minimal", lease.Lease{Key: "shardId-000000000001", Checkpoint: lease.Checkpoint{SequenceNumber: lease.Latest}}},
		{"shard end", lease.Lease{Key: "shardId-000000000002", Checkpoint: lease.Checkpoint{SequenceNumber: lease.ShardEnd}, ParentShardIDs: []string{"shardId-000000000000"}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			created := mustCreate(t, s, tt.l)
			if !equal(created, tt.l) {
				t.Fatalf("Create returned %+v, want %+v", created, tt.l)
			}
			got := mustGet(t, s, tt.l.Key)
			if !equal(got, tt.l) {
				t.Fatalf("Get returned %+v, want %+v", got, tt.l)
			}
		})
	}
}

func testCreateExisting(t *testing.T, s lease.Store) {
	l := lease.Lease{Key: "shardId-000000000000", Checkpoint: lease.Checkpoint{SequenceNumber: lease.TrimHorizon}}
	mustCreate(t, s, l)
	taken, err := s.Take(ctx(t), mustGet(t, s, l.Key), "worker-a")
	if err != nil {
		t.Fatal(err)
	}
	_, err = s.Create(ctx(t), l)
	if !errors.Is(err, lease.ErrExists) {
		t.Fatalf("second Create: got %v, want lease.ErrExists", err)
	}
	if got := mustGet(t, s, l.Key); !equal(got, taken) {
		t.Fatalf("a failed Create changed the lease: %+v, want %+v", got, taken)
	}
}

func testGetMissing(t *testing.T, s lease.Store) {
	_, err := s.Get(ctx(t), "shardId-000000000404")
	if !errors.Is(err, lease.ErrNotFound) {
		t.Fatalf("Get of a missing key: got %v, want lease.ErrNotFound", err)
	}
}

func testList(t *testing.T, s lease.Store) {
	got, err := s.List(ctx(t))
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 0 {
		t.Fatalf("List of an empty store returned %d leases", len(got))
	}
	var want []string
	for i := range 25 {
		k := fmt.Sprintf("shardId-%012d", i)
		want = append(want, k)
		mustCreate(t, s, lease.Lease{Key: k, Checkpoint: lease.Checkpoint{SequenceNumber: lease.TrimHorizon}})
	}
	got, err = s.List(ctx(t))
	if err != nil {
		t.Fatal(err)
	}
	var keys []string
	for _, l := range got {
		keys = append(keys, l.Key)
	}
	sort.Strings(keys)
	if !slices.Equal(keys, want) {
		t.Fatalf("List keys = %v, want %v", keys, want)
	}
}

func testTakeFree(t *testing.T, s lease.Store) {
	l := mustCreate(t, s, full())
	got, err := s.Take(ctx(t), l, "worker-a")
	if err != nil {
		t.Fatal(err)
	}
	want := l.Clone()
	want.Owner, want.Counter = "worker-a", l.Counter+1
	if !equal(got, want) {
		t.Fatalf("Take returned %+v, want %+v", got, want)
	}
	if stored := mustGet(t, s, l.Key); !equal(stored, want) {
		t.Fatalf("stored after Take: %+v, want %+v", stored, want)
	}
}

func testTakeFromOtherOwner(t *testing.T, s lease.Store) {
	l := mustCreate(t, s, lease.Lease{Key: "shardId-000000000000", Checkpoint: lease.Checkpoint{SequenceNumber: lease.TrimHorizon}})
	a, err := s.Take(ctx(t), l, "worker-a")
	if err != nil {
		t.Fatal(err)
	}
	if a.OwnerSwitchesSinceCheckpoint != 0 {
		t.Fatalf("taking a free lease counted an owner switch: %d", a.OwnerSwitchesSinceCheckpoint)
	}
	again, err := s.Take(ctx(t), a, "worker-a")
	if err != nil {
		t.Fatal(err)
	}
	if again.OwnerSwitchesSinceCheckpoint != 0 {
		t.Fatalf("retaking one's own lease counted an owner switch: %d", again.OwnerSwitchesSinceCheckpoint)
	}
	b, err := s.Take(ctx(t), again, "worker-b")
	if err != nil {
		t.Fatal(err)
	}
	if b.Owner != "worker-b" || b.Counter != again.Counter+1 || b.OwnerSwitchesSinceCheckpoint != 1 {
		t.Fatalf("Take by another worker: %+v, want owner worker-b, counter %d, one owner switch", b, again.Counter+1)
	}
}

// testStaleChangesConflict is the fencing table: every change made with a version of the lease
// that is no longer stored fails and leaves the lease alone.
func testStaleChangesConflict(t *testing.T, s lease.Store) {
	changes := []struct {
		name string
		do   func(l lease.Lease) error
	}{
		{"Take", func(l lease.Lease) error { _, err := s.Take(ctx(t), l, "worker-c"); return err }},
		{"Handoff", func(l lease.Lease) error { _, err := s.Handoff(ctx(t), l, "worker-c"); return err }},
		{"Renew", func(l lease.Lease) error { _, err := s.Renew(ctx(t), l); return err }},
		{"Checkpoint", func(l lease.Lease) error {
			_, err := s.Checkpoint(ctx(t), l, lease.Checkpoint{SequenceNumber: "1"})
			return err
		}},
		{"Release", func(l lease.Lease) error { _, err := s.Release(ctx(t), l, l.Owner); return err }},
		{"Delete", func(l lease.Lease) error { return s.Delete(ctx(t), l) }},
	}
	stale := []struct {
		name  string
		alter func(l lease.Lease) lease.Lease
	}{
		{"old counter", func(l lease.Lease) lease.Lease { l.Counter--; return l }},
		{"newer counter", func(l lease.Lease) lease.Lease { l.Counter++; return l }},
		{"other owner", func(l lease.Lease) lease.Lease { l.Owner = "worker-z"; return l }},
		{"no owner", func(l lease.Lease) lease.Lease { l.Owner = ""; return l }},
		{"phantom checkpoint owner", func(l lease.Lease) lease.Lease { l.CheckpointOwner = "worker-z"; return l }},
	}
	for i, c := range changes {
		for j, st := range stale {
			t.Run(c.name+"/"+st.name, func(t *testing.T) {
				key := fmt.Sprintf("shardId-%012d", i*len(stale)+j)
				l := mustCreate(t, s, lease.Lease{Key: key, Checkpoint: lease.Checkpoint{SequenceNumber: lease.TrimHorizon}})
				l, err := s.Take(ctx(t), l, "worker-a")
				if err != nil {
					t.Fatal(err)
				}
				l, err = s.Renew(ctx(t), l)
				if err != nil {
					t.Fatal(err)
				}
				bad := st.alter(l)
				if st.name == "no owner" && c.name == "Release" {
					bad.Owner = ""
				}
				wantConflict(t, c.name, c.do(bad))
				if got := mustGet(t, s, key); !equal(got, l) {
					t.Fatalf("a failed %s changed the lease: %+v, want %+v", c.name, got, l)
				}
			})
		}
	}
}

func testMissingConflict(t *testing.T, s lease.Store) {
	ghost := lease.Lease{Key: "shardId-000000000404", Owner: "worker-a", Counter: 1}
	_, err := s.Take(ctx(t), ghost, "worker-a")
	wantConflict(t, "Take", err)
	_, err = s.Renew(ctx(t), ghost)
	wantConflict(t, "Renew", err)
	_, err = s.Checkpoint(ctx(t), ghost, lease.Checkpoint{SequenceNumber: "1"})
	wantConflict(t, "Checkpoint", err)
	_, err = s.Release(ctx(t), ghost, "worker-a")
	wantConflict(t, "Release", err)
	wantConflict(t, "Delete", s.Delete(ctx(t), ghost))
	if _, err := s.Get(ctx(t), ghost.Key); !errors.Is(err, lease.ErrNotFound) {
		t.Fatalf("a failed change on a missing lease created it: Get = %v", err)
	}
}

func testRenew(t *testing.T, s lease.Store) {
	l := mustCreate(t, s, full())
	l, err := s.Take(ctx(t), l, "worker-a")
	if err != nil {
		t.Fatal(err)
	}
	for i := range 3 {
		before := l
		l, err = s.Renew(ctx(t), l)
		if err != nil {
			t.Fatalf("renew %d: %v", i, err)
		}
		want := before.Clone()
		want.Counter++
		if !equal(l, want) {
			t.Fatalf("Renew returned %+v, want %+v", l, want)
		}
	}
	if got := mustGet(t, s, l.Key); got.Counter != l.Counter {
		t.Fatalf("stored counter %d, want %d", got.Counter, l.Counter)
	}
}

func testCheckpointFencing(t *testing.T, s lease.Store) {
	l := mustCreate(t, s, lease.Lease{Key: "shardId-000000000000", Checkpoint: lease.Checkpoint{SequenceNumber: lease.TrimHorizon}})
	a, err := s.Take(ctx(t), l, "worker-a")
	if err != nil {
		t.Fatal(err)
	}
	cp := lease.Checkpoint{SequenceNumber: "49590338271490256608559692538361571095921575989136588898", SubSequenceNumber: 7}
	a, err = s.Checkpoint(ctx(t), a, cp)
	if err != nil {
		t.Fatal(err)
	}
	if a.Checkpoint != cp {
		t.Fatalf("Checkpoint returned checkpoint %+v, want %+v", a.Checkpoint, cp)
	}
	// worker-b takes the lease (as it would an expired one): worker-a's next checkpoint must fail.
	b, err := s.Take(ctx(t), mustGet(t, s, l.Key), "worker-b")
	if err != nil {
		t.Fatal(err)
	}
	_, err = s.Checkpoint(ctx(t), a, lease.Checkpoint{SequenceNumber: "49590338271490256608559692538361571095921575989136588999"})
	wantConflict(t, "Checkpoint by the previous owner", err)
	if got := mustGet(t, s, l.Key); got.Checkpoint != cp || got.Owner != "worker-b" {
		t.Fatalf("after the fenced checkpoint: %+v, want checkpoint %+v owned by worker-b", got, cp)
	}
	if _, err := s.Checkpoint(ctx(t), b, lease.Checkpoint{SequenceNumber: lease.ShardEnd}); err != nil {
		t.Fatalf("Checkpoint by the new owner: %v", err)
	}
	if got := mustGet(t, s, l.Key); !got.Finished() {
		t.Fatalf("lease not finished after a SHARD_END checkpoint: %+v", got)
	}
}

func testCheckpointResetsSwitches(t *testing.T, s lease.Store) {
	l := mustCreate(t, s, full())
	if l.OwnerSwitchesSinceCheckpoint == 0 || l.PendingCheckpoint.IsZero() {
		t.Fatal("the fixture needs owner switches and a pending checkpoint")
	}
	l, err := s.Take(ctx(t), l, "worker-a")
	if err != nil {
		t.Fatal(err)
	}
	l, err = s.Checkpoint(ctx(t), l, lease.Checkpoint{SequenceNumber: "12345"})
	if err != nil {
		t.Fatal(err)
	}
	got := mustGet(t, s, l.Key)
	if got.OwnerSwitchesSinceCheckpoint != 0 || !got.PendingCheckpoint.IsZero() {
		t.Fatalf("after Checkpoint: switches %d, pending %+v; want 0 and none", got.OwnerSwitchesSinceCheckpoint, got.PendingCheckpoint)
	}
	if !equal(got, l) {
		t.Fatalf("Checkpoint returned %+v, stored %+v", l, got)
	}
}

func testCheckpointChildren(t *testing.T, s lease.Store) {
	l := mustCreate(t, s, lease.Lease{Key: "shardId-000000000000", Checkpoint: lease.Checkpoint{SequenceNumber: lease.TrimHorizon}})
	l, err := s.Take(ctx(t), l, "worker-a")
	if err != nil {
		t.Fatal(err)
	}
	l, err = s.Checkpoint(ctx(t), l, lease.Checkpoint{SequenceNumber: "100"})
	if err != nil {
		t.Fatal(err)
	}
	if len(l.ChildShardIDs) != 0 {
		t.Fatalf("children appeared from nowhere: %v", l.ChildShardIDs)
	}
	l.ChildShardIDs = []string{"shardId-000000000001", "shardId-000000000002"}
	l, err = s.Checkpoint(ctx(t), l, lease.Checkpoint{SequenceNumber: lease.ShardEnd})
	if err != nil {
		t.Fatal(err)
	}
	got := mustGet(t, s, l.Key)
	kids := slices.Clone(got.ChildShardIDs)
	sort.Strings(kids)
	if !got.Finished() || !slices.Equal(kids, []string{"shardId-000000000001", "shardId-000000000002"}) {
		t.Fatalf("after the SHARD_END checkpoint: %+v", got)
	}
}

func testHandoff(t *testing.T, s lease.Store) {
	l := mustCreate(t, s, lease.Lease{Key: "shardId-000000000000", Checkpoint: lease.Checkpoint{SequenceNumber: lease.TrimHorizon}})
	a, err := s.Take(ctx(t), l, "worker-a")
	if err != nil {
		t.Fatal(err)
	}
	h, err := s.Handoff(ctx(t), a, "worker-b")
	if err != nil {
		t.Fatal(err)
	}
	if h.Owner != "worker-b" || h.CheckpointOwner != "worker-a" || h.Holder() != "worker-a" || h.Counter != a.Counter+1 || h.OwnerSwitchesSinceCheckpoint != 1 {
		t.Fatalf("after Handoff: %+v", h)
	}
	// The old owner learns of the handoff, renews and checkpoints as the checkpoint owner.
	h, err = s.Renew(ctx(t), mustGet(t, s, l.Key))
	if err != nil {
		t.Fatal(err)
	}
	h, err = s.Checkpoint(ctx(t), h, lease.Checkpoint{SequenceNumber: "777"})
	if err != nil {
		t.Fatal(err)
	}
	done, err := s.Release(ctx(t), h, "worker-a")
	if err != nil {
		t.Fatal(err)
	}
	if done.Owner != "worker-b" || done.CheckpointOwner != "" || done.Holder() != "worker-b" || done.Checkpoint.SequenceNumber != "777" {
		t.Fatalf("after the old owner's release: %+v", done)
	}
	if got := mustGet(t, s, l.Key); !equal(got, done) {
		t.Fatalf("stored %+v, Release returned %+v", got, done)
	}
	// A handoff from nobody, or to the owner itself, is refused.
	free := mustCreate(t, s, lease.Lease{Key: "shardId-000000000001", Checkpoint: lease.Checkpoint{SequenceNumber: lease.TrimHorizon}})
	if _, err := s.Handoff(ctx(t), free, "worker-b"); err == nil {
		t.Fatal("Handoff of a free lease succeeded")
	}
	if _, err := s.Handoff(ctx(t), done, "worker-b"); err == nil {
		t.Fatal("Handoff to the current owner succeeded")
	}
}

func testHandoffNewOwnerReleases(t *testing.T, s lease.Store) {
	l := mustCreate(t, s, lease.Lease{Key: "shardId-000000000000", Checkpoint: lease.Checkpoint{SequenceNumber: lease.TrimHorizon}})
	a, err := s.Take(ctx(t), l, "worker-a")
	if err != nil {
		t.Fatal(err)
	}
	h, err := s.Handoff(ctx(t), a, "worker-b")
	if err != nil {
		t.Fatal(err)
	}
	h, err = s.Release(ctx(t), h, "worker-b")
	if err != nil {
		t.Fatal(err)
	}
	if h.Owner != "" || h.CheckpointOwner != "worker-a" {
		t.Fatalf("after the new owner's release: %+v", h)
	}
	h, err = s.Release(ctx(t), h, "worker-a")
	if err != nil {
		t.Fatal(err)
	}
	if h.Owner != "" || h.CheckpointOwner != "" || h.Holder() != "" {
		t.Fatalf("after both released: %+v", h)
	}
}

func testTakeEndsHandoff(t *testing.T, s lease.Store) {
	l := mustCreate(t, s, lease.Lease{Key: "shardId-000000000000", Checkpoint: lease.Checkpoint{SequenceNumber: lease.TrimHorizon}})
	a, err := s.Take(ctx(t), l, "worker-a")
	if err != nil {
		t.Fatal(err)
	}
	h, err := s.Handoff(ctx(t), a, "worker-b")
	if err != nil {
		t.Fatal(err)
	}
	// worker-a died during the handoff; worker-b takes the lease once it has expired.
	b, err := s.Take(ctx(t), h, "worker-b")
	if err != nil {
		t.Fatal(err)
	}
	if b.Owner != "worker-b" || b.CheckpointOwner != "" {
		t.Fatalf("after Take: %+v", b)
	}
	_, err = s.Checkpoint(ctx(t), h, lease.Checkpoint{SequenceNumber: "5"})
	wantConflict(t, "Checkpoint by the dead checkpoint owner", err)
}

func testRelease(t *testing.T, s lease.Store) {
	l := mustCreate(t, s, full())
	a, err := s.Take(ctx(t), l, "worker-a")
	if err != nil {
		t.Fatal(err)
	}
	r, err := s.Release(ctx(t), a, "worker-a")
	if err != nil {
		t.Fatal(err)
	}
	want := a.Clone()
	want.Owner, want.Counter = "", a.Counter+1
	if !equal(r, want) {
		t.Fatalf("Release returned %+v, want %+v", r, want)
	}
	if got := mustGet(t, s, l.Key); !equal(got, want) {
		t.Fatalf("stored after Release: %+v, want %+v", got, want)
	}
	// A released lease is free: anyone takes it without waiting for expiry.
	if _, err := s.Take(ctx(t), r, "worker-b"); err != nil {
		t.Fatalf("Take after Release: %v", err)
	}
}

func testReleaseByStranger(t *testing.T, s lease.Store) {
	l := mustCreate(t, s, lease.Lease{Key: "shardId-000000000000", Checkpoint: lease.Checkpoint{SequenceNumber: lease.TrimHorizon}})
	a, err := s.Take(ctx(t), l, "worker-a")
	if err != nil {
		t.Fatal(err)
	}
	_, err = s.Release(ctx(t), a, "worker-b")
	wantConflict(t, "Release by a worker with no part in the lease", err)
	_, err = s.Release(ctx(t), l, "")
	wantConflict(t, "Release of a free lease", err)
	if got := mustGet(t, s, l.Key); !equal(got, a) {
		t.Fatalf("a refused Release changed the lease: %+v, want %+v", got, a)
	}
}

func testDelete(t *testing.T, s lease.Store) {
	l := mustCreate(t, s, full())
	if err := s.Delete(ctx(t), l); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Get(ctx(t), l.Key); !errors.Is(err, lease.ErrNotFound) {
		t.Fatalf("Get after Delete: %v, want lease.ErrNotFound", err)
	}
	if _, err := s.Create(ctx(t), l); err != nil {
		t.Fatalf("Create after Delete: %v", err)
	}
}

func testConcurrentTake(t *testing.T, s lease.Store) {
	l := mustCreate(t, s, lease.Lease{Key: "shardId-000000000000", Checkpoint: lease.Checkpoint{SequenceNumber: lease.TrimHorizon}})
	const workers = 8
	var (
		wg      sync.WaitGroup
		mu      sync.Mutex
		winners []string
	)
	for i := range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			owner := fmt.Sprintf("worker-%d", i)
			_, err := s.Take(ctx(t), l, owner)
			switch {
			case err == nil:
				mu.Lock()
				winners = append(winners, owner)
				mu.Unlock()
			case !errors.Is(err, lease.ErrConflict):
				t.Errorf("Take by %s: %v", owner, err)
			}
		}()
	}
	wg.Wait()
	if len(winners) != 1 {
		t.Fatalf("%d workers took the same lease version: %v", len(winners), winners)
	}
	if got := mustGet(t, s, l.Key); got.Owner != winners[0] || got.Counter != l.Counter+1 {
		t.Fatalf("stored %+v, want owner %s and counter %d", got, winners[0], l.Counter+1)
	}
}

func testConcurrentRenew(t *testing.T, s lease.Store) {
	l := mustCreate(t, s, lease.Lease{Key: "shardId-000000000000", Checkpoint: lease.Checkpoint{SequenceNumber: lease.TrimHorizon}})
	l, err := s.Take(ctx(t), l, "worker-a")
	if err != nil {
		t.Fatal(err)
	}
	// Several goroutines race to renew from fresh reads; every success must bump the counter
	// exactly once, so the final counter counts the successes.
	const goroutines, rounds = 4, 10
	var (
		wg        sync.WaitGroup
		mu        sync.Mutex
		successes int
	)
	for range goroutines {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for range rounds {
				cur, err := s.Get(ctx(t), l.Key)
				if err != nil {
					t.Error(err)
					return
				}
				_, err = s.Renew(ctx(t), cur)
				switch {
				case err == nil:
					mu.Lock()
					successes++
					mu.Unlock()
				case !errors.Is(err, lease.ErrConflict):
					t.Error(err)
					return
				}
			}
		}()
	}
	wg.Wait()
	if successes == 0 {
		t.Fatal("no renew succeeded")
	}
	if got := mustGet(t, s, l.Key); got.Counter != l.Counter+int64(successes) {
		t.Fatalf("counter %d after %d successful renews from %d", got.Counter, successes, l.Counter)
	}
}
