package lease

import (
	"context"
	"fmt"
	"sync"
)

// Memory is a Store held in memory, for the workers of one process and for tests. The zero value
// is not usable; call NewMemory.
type Memory struct {
	mu     sync.Mutex
	leases map[string]Lease
}

var _ Store = (*Memory)(nil)

// NewMemory returns an empty in-memory store.
func NewMemory() *Memory { return &Memory{leases: make(map[string]Lease)} }

// Create stores l as a new lease.
func (m *Memory) Create(ctx context.Context, l Lease) (Lease, error) {
	if err := ctx.Err(); err != nil {
		return Lease{}, err
	}
	if l.Key == "" {
		return Lease{}, fmt.Errorf("lease: create: empty key")
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	if _, ok := m.leases[l.Key]; ok {
		return Lease{}, fmt.Errorf("lease: create %s: %w", l.Key, ErrExists)
	}
	m.leases[l.Key] = l.Clone()
	return l.Clone(), nil
}

// Get returns the lease with the given key.
func (m *Memory) Get(ctx context.Context, key string) (Lease, error) {
	if err := ctx.Err(); err != nil {
		return Lease{}, err
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	l, ok := m.leases[key]
	if !ok {
		return Lease{}, fmt.Errorf("lease: get %s: %w", key, ErrNotFound)
	}
	return l.Clone(), nil
}

// List returns every lease.
func (m *Memory) List(ctx context.Context) ([]Lease, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	out := make([]Lease, 0, len(m.leases))
	for _, l := range m.leases {
		out = append(out, l.Clone())
	}
	return out, nil
}

// Take makes owner the lease's owner.
func (m *Memory) Take(ctx context.Context, l Lease, owner string) (Lease, error) {
	if owner == "" {
		return Lease{}, fmt.Errorf("lease: take %s: empty owner", l.Key)
	}
	return m.change(ctx, "take", l, func(s *Lease) bool {
		if s.Owner != "" && s.Owner != owner {
			s.OwnerSwitchesSinceCheckpoint++
		}
		s.Owner, s.CheckpointOwner = owner, ""
		return true
	})
}

// Handoff makes newOwner the owner and the current owner the checkpoint owner.
func (m *Memory) Handoff(ctx context.Context, l Lease, newOwner string) (Lease, error) {
	if err := checkHandoff(l, newOwner); err != nil {
		return Lease{}, err
	}
	return m.change(ctx, "handoff", l, func(s *Lease) bool {
		s.CheckpointOwner, s.Owner = s.Owner, newOwner
		s.OwnerSwitchesSinceCheckpoint++
		return true
	})
}

// Renew bumps the lease's counter.
func (m *Memory) Renew(ctx context.Context, l Lease) (Lease, error) {
	return m.change(ctx, "renew", l, func(*Lease) bool { return true })
}

// Checkpoint records cp.
func (m *Memory) Checkpoint(ctx context.Context, l Lease, cp Checkpoint) (Lease, error) {
	if cp.SequenceNumber == "" {
		return Lease{}, fmt.Errorf("lease: checkpoint %s: empty sequence number", l.Key)
	}
	return m.change(ctx, "checkpoint", l, func(s *Lease) bool {
		s.Checkpoint = cp
		s.PendingCheckpoint = Checkpoint{}
		s.OwnerSwitchesSinceCheckpoint = 0
		if len(l.ChildShardIDs) > 0 {
			s.ChildShardIDs = append([]string(nil), l.ChildShardIDs...)
		}
		return true
	})
}

// Release gives up worker's part in the lease.
func (m *Memory) Release(ctx context.Context, l Lease, worker string) (Lease, error) {
	return m.change(ctx, "release", l, func(s *Lease) bool {
		r, ok := released(*s, worker)
		*s = r
		return ok
	})
}

// Delete removes the lease.
func (m *Memory) Delete(ctx context.Context, l Lease) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	s, ok := m.leases[l.Key]
	if !ok || !sameVersion(s, l) {
		return fmt.Errorf("lease: delete %s: %w", l.Key, ErrConflict)
	}
	delete(m.leases, l.Key)
	return nil
}

// change applies f to the stored lease when it is still l, and bumps the counter.
func (m *Memory) change(ctx context.Context, op string, l Lease, f func(*Lease) bool) (Lease, error) {
	if err := ctx.Err(); err != nil {
		return Lease{}, err
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	s, ok := m.leases[l.Key]
	if !ok || !sameVersion(s, l) {
		return Lease{}, fmt.Errorf("lease: %s %s: %w", op, l.Key, ErrConflict)
	}
	s = s.Clone()
	if !f(&s) {
		return Lease{}, fmt.Errorf("lease: %s %s: %w", op, l.Key, ErrConflict)
	}
	s.Counter++
	m.leases[l.Key] = s
	return s.Clone(), nil
}

// sameVersion reports whether stored is the version of the lease the caller holds.
func sameVersion(stored, held Lease) bool {
	return stored.Counter == held.Counter && stored.Owner == held.Owner && stored.CheckpointOwner == held.CheckpointOwner
}
