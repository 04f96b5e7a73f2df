package lease

import (
	"errors"
	"slices"
	"strconv"
)

// Sentinel checkpoint values, as the KCL writes them in place of a sequence number.
const (
	// TrimHorizon starts a shard at its oldest record.
	TrimHorizon = "TRIM_HORIZON"
	// Latest starts a shard just after its newest record.
	Latest = "LATEST"
	// AtTimestamp starts a shard at the consumer's configured timestamp.
	AtTimestamp = "AT_TIMESTAMP"
	// ShardEnd marks a closed shard whose records have all been processed; its children may start.
	ShardEnd = "SHARD_END"
)

// ErrNotFound is returned when no lease has the requested key.
var ErrNotFound = errors.New("lease: not found")

// ErrExists is returned by Create when a lease with the same key is already stored.
var ErrExists = errors.New("lease: already exists")

// ErrConflict is returned when a conditional change fails: the stored lease is no longer the one
// the caller holds (its counter or owner moved, or it is gone). For a worker this means the lease
// was lost.
var ErrConflict = errors.New("lease: conflict: the stored lease has changed")

// Checkpoint is a position in a shard: a sequence number, or one of TrimHorizon, Latest,
// AtTimestamp and ShardEnd, with the sub-sequence number that tells apart the user records of one
// KPL aggregated record.
type Checkpoint struct {
	SequenceNumber    string
	SubSequenceNumber int64
}

// IsZero reports whether c is unset.
func (c Checkpoint) IsZero() bool { return c.SequenceNumber == "" && c.SubSequenceNumber == 0 }

// IsSentinel reports whether c is one of the named positions rather than a sequence number.
func (c Checkpoint) IsSentinel() bool {
	switch c.SequenceNumber {
	case TrimHorizon, Latest, AtTimestamp, ShardEnd:
		return true
	}
	return false
}

// String returns the sequence number, followed by "/" and the sub-sequence number when it is set.
func (c Checkpoint) String() string {
	if c.SubSequenceNumber == 0 {
		return c.SequenceNumber
	}
	return c.SequenceNumber + "/" + strconv.FormatInt(c.SubSequenceNumber, 10)
}

// Lease is one shard's lease, as stored.
type Lease struct {
	// Key is the lease key, the shard id.
	Key string
	// Owner is the worker that holds the lease, or "" when it is free.
	Owner string
	// CheckpointOwner is set during a graceful handoff: the previous owner, which finishes its batch
	// in flight and checkpoints before it lets Owner start. Empty otherwise.
	CheckpointOwner string
	// Counter is bumped by every change; it is the version the conditional writes compare.
	Counter int64
	// Checkpoint is the position up to which the shard's records have been processed.
	Checkpoint Checkpoint
	// PendingCheckpoint is a checkpoint prepared but not committed (a KCL field, kept for
	// round-trips; cleared by every checkpoint).
	PendingCheckpoint Checkpoint
	// OwnerSwitchesSinceCheckpoint counts owner changes since the last checkpoint.
	OwnerSwitchesSinceCheckpoint int64
	// ParentShardIDs are the shards that must reach ShardEnd before this one may be processed.
	ParentShardIDs []string
	// ChildShardIDs are the shards that continue this one once it is closed.
	ChildShardIDs []string
	// StartingHashKey and EndingHashKey are the shard's hash key range, as decimal strings.
	StartingHashKey string
	EndingHashKey   string
}

// Holder returns the worker that processes the shard now: the checkpoint owner during a handoff,
// otherwise the owner. It is "" when nobody does.
func (l Lease) Holder() string {
	if l.CheckpointOwner != "" {
		return l.CheckpointOwner
	}
	return l.Owner
}

// Finished reports whether the shard has been processed to its end.
func (l Lease) Finished() bool { return l.Checkpoint.SequenceNumber == ShardEnd }

// Clone returns a copy of l that shares no memory with it.
func (l Lease) Clone() Lease {
	l.ParentShardIDs = slices.Clone(l.ParentShardIDs)
	l.ChildShardIDs = slices.Clone(l.ChildShardIDs)
	return l
}
