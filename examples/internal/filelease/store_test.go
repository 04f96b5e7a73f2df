package filelease_test

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/pelicanhq/pelican/consumer/lease"
	"github.com/pelicanhq/pelican/consumer/lease/leasetest"
	"github.com/pelicanhq/pelican/examples/internal/filelease"
)

func open(t *testing.T, path string) *filelease.Store {
	t.Helper()
	s, err := filelease.Open(path)
	if err != nil {
		t.Fatalf("Open(%s): %v", path, err)
	}
	return s
}

func TestConformance(t *testing.T) {
	leasetest.Run(t, func(t *testing.T) lease.Store {
		return open(t, filepath.Join(t.TempDir(), "leases.json"))
	})
}

// TestReopen: what a worker committed survives a restart, and whoever held the leases holds
// nothing once the file is opened again.
func TestReopen(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "leases.json")
	s := open(t, path)
	parent := mustCreate(t, s, lease.Lease{Key: "shardId-000000000000", StartingHashKey: "0", EndingHashKey: "99"})
	child := mustCreate(t, s, lease.Lease{Key: "shardId-000000000001", ParentShardIDs: []string{"shardId-000000000000"}, StartingHashKey: "0", EndingHashKey: "99"})
	parent, err := s.Take(ctx, parent, "worker-a")
	if err != nil {
		t.Fatal(err)
	}
	parent.ChildShardIDs = []string{"shardId-000000000001"}
	parent, err = s.Checkpoint(ctx, parent, lease.Checkpoint{SequenceNumber: lease.ShardEnd})
	if err != nil {
		t.Fatal(err)
	}
	child, err = s.Take(ctx, child, "worker-a")
	if err != nil {
		t.Fatal(err)
	}
	child, err = s.Checkpoint(ctx, child, lease.Checkpoint{SequenceNumber: "49650000000000000000000000000000000000000000000000000017", SubSequenceNumber: 3})
	if err != nil {
		t.Fatal(err)
	}
	// The worker dies holding the child; a renewal is not saved.
	if _, err := s.Renew(ctx, child); err != nil {
		t.Fatal(err)
	}

	again := open(t, path)
	got, err := again.List(ctx)
	if err != nil {
		t.Fatal(err)
	}
	slices.SortFunc(got, func(a, b lease.Lease) int { return strings.Compare(a.Key, b.Key) })
	want := []lease.Lease{parent, child}
	for i := range want {
		want[i].Owner = ""
	}
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("reopened leases\n got %+v\nwant %+v", got, want)
	}
	// The new worker takes the child at once, and the old one is fenced off.
	if _, err := again.Take(ctx, got[1], "worker-b"); err != nil {
		t.Fatalf("take after reopen: %v", err)
	}
}

// TestEveryChangeButRenewIsSaved reads the file after each kind of change.
func TestEveryChangeButRenewIsSaved(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "leases.json")
	s := open(t, path)
	l := mustCreate(t, s, lease.Lease{Key: "k"})
	steps := []struct {
		name    string
		change  func(lease.Lease) (lease.Lease, error)
		saved   bool
		present bool
	}{
		{"take", func(l lease.Lease) (lease.Lease, error) { return s.Take(ctx, l, "a") }, true, true},
		{"renew", func(l lease.Lease) (lease.Lease, error) { return s.Renew(ctx, l) }, false, true},
		{"handoff", func(l lease.Lease) (lease.Lease, error) { return s.Handoff(ctx, l, "b") }, true, true},
		{"checkpoint", func(l lease.Lease) (lease.Lease, error) {
			return s.Checkpoint(ctx, l, lease.Checkpoint{SequenceNumber: "42"})
		}, true, true},
		{"release", func(l lease.Lease) (lease.Lease, error) { return s.Release(ctx, l, "a") }, true, true},
		{"delete", func(l lease.Lease) (lease.Lease, error) { return l, s.Delete(ctx, l) }, true, false},
	}
	for _, st := range steps {
		before := readFile(t, path)
		next, err := st.change(l)
		if err != nil {
			t.Fatalf("%s: %v", st.name, err)
		}
		onDisk := readFile(t, path)
		i := slices.IndexFunc(onDisk, func(x lease.Lease) bool { return x.Key == "k" })
		switch {
		case !st.present && i >= 0:
			t.Fatalf("%s: lease still in the file", st.name)
		case st.present && i < 0:
			t.Fatalf("%s: lease missing from the file", st.name)
		case st.present && st.saved && !reflect.DeepEqual(onDisk[i], next):
			t.Fatalf("%s: file has %+v, want %+v", st.name, onDisk[i], next)
		case !st.saved && !reflect.DeepEqual(onDisk, before):
			t.Fatalf("%s: the file changed: %+v, was %+v", st.name, onDisk, before)
		}
		l = next
	}
	entries, err := os.ReadDir(filepath.Dir(path))
	if err != nil {
		t.Fatal(err)
	}
	if len(entries) != 1 {
		t.Fatalf("directory holds %d entries, want only the lease file: %v", len(entries), entries)
	}
}

// TestConcurrentChangesLastSaveWins: however changes interleave, the file ends as the store does.
func TestConcurrentChangesLastSaveWins(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "leases.json")
	s := open(t, path)
	var wg sync.WaitGroup
	for w := range 8 {
		wg.Go(func() {
			key := fmt.Sprintf("shardId-%012d", w)
			l, err := s.Create(ctx, lease.Lease{Key: key})
			if err != nil {
				t.Error(err)
				return
			}
			if l, err = s.Take(ctx, l, "worker"); err != nil {
				t.Error(err)
				return
			}
			for i := 1; i <= 10; i++ {
				if l, err = s.Checkpoint(ctx, l, lease.Checkpoint{SequenceNumber: fmt.Sprint(i)}); err != nil {
					t.Error(err)
					return
				}
			}
		})
	}
	wg.Wait()
	inMemory, err := s.List(ctx)
	if err != nil {
		t.Fatal(err)
	}
	slices.SortFunc(inMemory, func(a, b lease.Lease) int { return strings.Compare(a.Key, b.Key) })
	if got := readFile(t, path); !reflect.DeepEqual(got, inMemory) {
		t.Fatalf("file\n%+v\nstore\n%+v", got, inMemory)
	}
	for _, l := range inMemory {
		if l.Checkpoint.SequenceNumber != "10" {
			t.Fatalf("%s checkpointed at %s, want 10", l.Key, l.Checkpoint)
		}
	}
}

func TestOpenRefusesACorruptFile(t *testing.T) {
	path := filepath.Join(t.TempDir(), "leases.json")
	if err := os.WriteFile(path, []byte(`{"version":1,"leases":[{"leaseKey":`), 0o600); err != nil {
		t.Fatal(err)
	}
	_, err := filelease.Open(path)
	if err == nil || !strings.Contains(err.Error(), path) {
		t.Fatalf("Open of a torn file: %v, want an error naming the file", err)
	}
}

func TestSaveFailsWhereTheFileCannotBeWritten(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "gone")
	s := open(t, filepath.Join(dir, "leases.json"))
	if _, err := s.Create(context.Background(), lease.Lease{Key: "k"}); err == nil {
		t.Fatal("Create saved into a directory that does not exist")
	}
}

func mustCreate(t *testing.T, s lease.Store, l lease.Lease) lease.Lease {
	t.Helper()
	got, err := s.Create(context.Background(), l)
	if err != nil {
		t.Fatalf("Create(%s): %v", l.Key, err)
	}
	return got
}

// readFile parses the file as saved, leases sorted by key.
func readFile(t *testing.T, path string) []lease.Lease {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	leases, err := filelease.Parse(data)
	if err != nil {
		t.Fatal(err)
	}
	return leases
}
