package consumer

import (
	"context"
	"errors"
	"fmt"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/kinesis/types"

	"github.com/pelicanhq/pelican/consumer/lease"
	"github.com/pelicanhq/pelican/internal/shardlist"
)

// listShards returns every shard of the stream, open and closed, as ListShards pages them.
func (c *Consumer) listShards(ctx context.Context) ([]types.Shard, error) {
	shards, err := shardlist.List(ctx, c.api, c.stream.String())
	if err != nil {
		return nil, fmt.Errorf("consumer: list shards of %s: %w", c.stream, err)
	}
	return shards, nil
}

// syncShards creates a lease for every shard that lacks one, parents before children, and
// removes the finished leases of shards that have left the stream. It returns the shards listed.
//
// A shard without a lease starts where its lineage says: if a parent has a lease, at the
// beginning (its records follow the parent's, which are read first); otherwise at the initial
// position. With Latest, a closed shard without a leased parent gets a lease that is finished
// already: everything in it is older than the start, and its children must not wait for it.
func (c *Consumer) syncShards(ctx context.Context) (map[string]bool, error) {
	shards, err := c.listShards(ctx)
	if err != nil {
		return nil, err
	}
	leases, err := c.cfg.store.List(ctx)
	if err != nil {
		return nil, fmt.Errorf("consumer: list leases: %w", err)
	}
	leased := make(map[string]lease.Lease, len(leases))
	for _, l := range leases {
		leased[l.Key] = l
	}
	inStream := make(map[string]bool, len(shards))
	for _, s := range shards {
		inStream[aws.ToString(s.ShardId)] = true
	}
	for _, s := range shardlist.ParentsFirst(shards) {
		id := aws.ToString(s.ShardId)
		if _, ok := leased[id]; ok {
			continue
		}
		parents := shardlist.Parents(s)
		parentLeased := false
		for _, p := range parents {
			// A parent finished without children recorded was never read: with Latest it was
			// closed before the start, and its children start at the tip like any other.
			if pl, ok := leased[p]; ok && !(pl.Finished() && len(pl.ChildShardIDs) == 0) {
				parentLeased = true
			}
		}
		closed := shardlist.Closed(s)
		cp := c.cfg.initial.kind
		switch {
		case parentLeased:
			cp = c.childStart()
		case cp == lease.Latest && closed:
			cp = lease.ShardEnd
		}
		l := lease.Lease{Key: id, Checkpoint: lease.Checkpoint{SequenceNumber: cp}, ParentShardIDs: parents}
		if s.HashKeyRange != nil {
			l.StartingHashKey = aws.ToString(s.HashKeyRange.StartingHashKey)
			l.EndingHashKey = aws.ToString(s.HashKeyRange.EndingHashKey)
		}
		if _, err := c.cfg.store.Create(ctx, l); err != nil && !errors.Is(err, lease.ErrExists) {
			return nil, fmt.Errorf("consumer: create lease: %w", err)
		}
		leased[id] = l
		c.cfg.logger.Debug("lease created", "shard", id, "checkpoint", cp, "parents", parents)
	}
	for _, l := range leases {
		if !inStream[l.Key] && l.Finished() {
			if err := c.cfg.store.Delete(ctx, l); err != nil && !errors.Is(err, lease.ErrConflict) {
				return nil, fmt.Errorf("consumer: delete the lease of a shard gone from the stream: %w", err)
			}
		}
	}
	return inStream, nil
}

// childStart is where a shard whose parent has a lease starts.
func (c *Consumer) childStart() string {
	if c.cfg.initial.kind == lease.AtTimestamp {
		return lease.AtTimestamp
	}
	return lease.TrimHorizon
}

// createChildren creates the leases of the children a closed shard reported, if they do not exist.
func (c *Consumer) createChildren(ctx context.Context, children []types.ChildShard) error {
	for _, ch := range children {
		l := lease.Lease{
			Key:            aws.ToString(ch.ShardId),
			Checkpoint:     lease.Checkpoint{SequenceNumber: c.childStart()},
			ParentShardIDs: append([]string(nil), ch.ParentShards...),
		}
		if ch.HashKeyRange != nil {
			l.StartingHashKey = aws.ToString(ch.HashKeyRange.StartingHashKey)
			l.EndingHashKey = aws.ToString(ch.HashKeyRange.EndingHashKey)
		}
		if _, err := c.cfg.store.Create(ctx, l); err != nil && !errors.Is(err, lease.ErrExists) {
			return fmt.Errorf("consumer: create the lease of child shard %s: %w", l.Key, err)
		}
	}
	return nil
}
