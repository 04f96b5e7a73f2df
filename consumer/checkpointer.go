package consumer

import (
	"context"
	"fmt"

	"github.com/pelicanhq/pelican/consumer/lease"
)

// Checkpointer commits a shard's progress to the lease store. A checkpoint is fenced by the
// lease: once the worker has lost the shard, every call fails with an error wrapping
// ErrLeaseLost, and the handler should return. Checkpoints only move forward: committing a
// position at or before the last one committed does nothing.
type Checkpointer struct {
	run *shardRun
	end lease.Checkpoint
}

// Checkpoint commits every record of the batch; for the last batch of a closed shard it marks the
// shard SHARD_END, which lets its children start.
func (c *Checkpointer) Checkpoint(ctx context.Context) error {
	return c.run.commit(ctx, c.end)
}

// CheckpointRecord commits r and every record before it in the shard.
func (c *Checkpointer) CheckpointRecord(ctx context.Context, r Record) error {
	if r.ShardID != c.run.shard {
		return fmt.Errorf("consumer: checkpoint a record of %s through the checkpointer of %s", r.ShardID, c.run.shard)
	}
	return c.run.commit(ctx, lease.Checkpoint{SequenceNumber: r.SequenceNumber, SubSequenceNumber: r.SubSequenceNumber})
}
