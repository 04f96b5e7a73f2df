package lease

import (
	"context"
	"fmt"
)

// Store keeps the leases of one consumer application on one stream.
//
// Every change is conditional: the caller passes the lease as it last read it, and the change is
// made only if the stored lease still has the same Counter, Owner and CheckpointOwner; otherwise
// the method returns an error that wraps ErrConflict. Every successful change bumps Counter by one
// and returns the lease as now stored. Implementations are safe for concurrent use.
type Store interface {
	// Create stores l as a new lease, failing with ErrExists when its key is taken.
	Create(ctx context.Context, l Lease) (Lease, error)
	// Get returns the lease with the given key, or an error wrapping ErrNotFound.
	Get(ctx context.Context, key string) (Lease, error)
	// List returns every lease, in no particular order, read consistently.
	List(ctx context.Context) ([]Lease, error)
	// Take makes owner the lease's owner and ends any handoff. It is how a free or expired lease
	// is taken; OwnerSwitchesSinceCheckpoint grows when the owner changes.
	Take(ctx context.Context, l Lease, owner string) (Lease, error)
	// Handoff starts a graceful steal: newOwner becomes Owner and the current owner becomes
	// CheckpointOwner, which may still checkpoint until it releases.
	Handoff(ctx context.Context, l Lease, newOwner string) (Lease, error)
	// Renew bumps the counter, the holder's heartbeat.
	Renew(ctx context.Context, l Lease) (Lease, error)
	// Checkpoint records cp, resets OwnerSwitchesSinceCheckpoint, clears PendingCheckpoint and,
	// when l.ChildShardIDs is not empty, records the children too.
	Checkpoint(ctx context.Context, l Lease, cp Checkpoint) (Lease, error)
	// Release gives up worker's part in the lease: a CheckpointOwner's release completes a
	// handoff, an Owner's release frees the lease. It fails with ErrConflict when worker has no
	// part in it.
	Release(ctx context.Context, l Lease, worker string) (Lease, error)
	// Delete removes the lease.
	Delete(ctx context.Context, l Lease) error
}

// released returns l after worker's release, or false when worker has no part in it.
func released(l Lease, worker string) (Lease, bool) {
	switch {
	case worker == "":
		return l, false
	case l.CheckpointOwner == worker:
		l.CheckpointOwner = ""
	case l.Owner == worker:
		l.Owner = ""
	default:
		return l, false
	}
	return l, true
}

// checkHandoff refuses a handoff with nobody to hand to, and reports a lease with no owner, or
// one already owned by newOwner, as a conflict: there is nothing to hand off.
func checkHandoff(l Lease, newOwner string) error {
	if newOwner == "" {
		return fmt.Errorf("lease: handoff %s: empty new owner", l.Key)
	}
	if l.Owner == "" || l.Owner == newOwner {
		return fmt.Errorf("lease: handoff %s from %q to %q: %w", l.Key, l.Owner, newOwner, ErrConflict)
	}
	return nil
}
