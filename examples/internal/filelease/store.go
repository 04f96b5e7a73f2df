package filelease

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"sync"

	"github.com/pelicanhq/pelican/consumer/lease"
)

// Store is a lease.Store kept in memory and saved to a file after every change but renewals.
// Open it with Open.
type Store struct {
	*lease.Memory
	path string
	mu   sync.Mutex // one save at a time, each of the state as it is when the save starts
}

var _ lease.Store = (*Store)(nil)

// Open loads the leases saved at path, or starts empty when there is no file, and returns a Store
// that saves to path. Every lease is loaded free: owners and checkpoint owners are forgotten.
func Open(path string) (*Store, error) {
	s := &Store{Memory: lease.NewMemory(), path: path}
	data, err := os.ReadFile(path)
	if errors.Is(err, fs.ErrNotExist) {
		return s, nil
	}
	if err != nil {
		return nil, fmt.Errorf("filelease: %w", err)
	}
	leases, err := Parse(data)
	if err != nil {
		return nil, fmt.Errorf("filelease: %s: %w", path, err)
	}
	for _, l := range leases {
		l.Owner, l.CheckpointOwner = "", ""
		if _, err := s.Memory.Create(context.Background(), l); err != nil {
			return nil, fmt.Errorf("filelease: %s: %w", path, err)
		}
	}
	return s, nil
}

// Path returns the file the store saves to.
func (s *Store) Path() string { return s.path }

// Create stores l as a new lease and saves.
func (s *Store) Create(ctx context.Context, l lease.Lease) (lease.Lease, error) {
	return s.saved(s.Memory.Create(ctx, l))
}

// Take makes owner the lease's owner and saves.
func (s *Store) Take(ctx context.Context, l lease.Lease, owner string) (lease.Lease, error) {
	return s.saved(s.Memory.Take(ctx, l, owner))
}

// Handoff starts a graceful handoff to newOwner and saves.
func (s *Store) Handoff(ctx context.Context, l lease.Lease, newOwner string) (lease.Lease, error) {
	return s.saved(s.Memory.Handoff(ctx, l, newOwner))
}

// Checkpoint records cp and saves; the checkpoint is on disk when it returns.
func (s *Store) Checkpoint(ctx context.Context, l lease.Lease, cp lease.Checkpoint) (lease.Lease, error) {
	return s.saved(s.Memory.Checkpoint(ctx, l, cp))
}

// Release gives up worker's part in the lease and saves.
func (s *Store) Release(ctx context.Context, l lease.Lease, worker string) (lease.Lease, error) {
	return s.saved(s.Memory.Release(ctx, l, worker))
}

// Delete removes the lease and saves.
func (s *Store) Delete(ctx context.Context, l lease.Lease) error {
	if err := s.Memory.Delete(ctx, l); err != nil {
		return err
	}
	return s.save()
}

// saved saves after a change that succeeded. A failed save is returned as the change's error: the
// change holds in memory, but the caller must not count on it surviving a restart.
func (s *Store) saved(l lease.Lease, err error) (lease.Lease, error) {
	if err != nil {
		return l, err
	}
	if err := s.save(); err != nil {
		return lease.Lease{}, err
	}
	return l, nil
}

// save writes every lease to a new file beside the old one, syncs it, renames it over the old
// one and syncs the directory, so that the file is always one whole state, old or new.
func (s *Store) save() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	leases, err := s.Memory.List(context.Background())
	if err != nil {
		return fmt.Errorf("filelease: save: %w", err)
	}
	data, err := Format(leases)
	if err != nil {
		return fmt.Errorf("filelease: save: %w", err)
	}
	dir := filepath.Dir(s.path)
	tmp, err := os.CreateTemp(dir, "."+filepath.Base(s.path)+".*")
	if err != nil {
		return fmt.Errorf("filelease: save: %w", err)
	}
	defer os.Remove(tmp.Name()) // fails harmlessly once renamed
	if _, err := tmp.Write(data); err != nil {
		tmp.Close()
		return fmt.Errorf("filelease: save: %w", err)
	}
	if err := tmp.Sync(); err != nil {
		tmp.Close()
		return fmt.Errorf("filelease: save: %w", err)
	}
	if err := tmp.Close(); err != nil {
		return fmt.Errorf("filelease: save: %w", err)
	}
	if err := os.Rename(tmp.Name(), s.path); err != nil {
		return fmt.Errorf("filelease: save: %w", err)
	}
	return syncDir(dir)
}

func syncDir(dir string) error {
	d, err := os.Open(dir)
	if err != nil {
		return fmt.Errorf("filelease: save: %w", err)
	}
	defer d.Close()
	if err := d.Sync(); err != nil {
		return fmt.Errorf("filelease: save: sync %s: %w", dir, err)
	}
	return nil
}
