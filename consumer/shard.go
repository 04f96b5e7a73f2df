package consumer

import (
	"context"
	"errors"
	"log/slog"
	"sync"

	"github.com/aws/aws-sdk-go-v2/service/kinesis/types"

	"github.com/pelicanhq/pelican/consumer/lease"
)

// reader reads one shard from a starting point: by polling or through a subscription.
type reader interface {
	// next returns the next records of the shard, waiting for them as long as it must.
	next(ctx context.Context) (readResult, error)
	close()
}

// readResult is one read: records, lag, and at the end of a closed shard its children.
type readResult struct {
	records      []types.Record
	millisBehind int64
	end          bool
	children     []types.ChildShard
}

// outcome is how the delivery of a batch ended.
type outcome int

const (
	delivered outcome = iota // handled, and checkpointed unless checkpoints are manual
	leaseLost                // stop at once, write nothing
	gaveUp                   // the retry policy gave up: release without a checkpoint
	stopped                  // a graceful stop came during a retry: release without a checkpoint
)

// shardRun is the processing of one held shard.
type shardRun struct {
	c     *Consumer
	h     *holding
	shard string

	mu        sync.Mutex
	committed lease.Checkpoint
	children  []types.ChildShard
}

// runShard processes a held shard until it ends, the lease is lost, or the worker stops it, then
// releases the lease (unless lost). It reports whether the shard was processed to its end.
func (c *Consumer) runShard(h *holding) (finished bool) {
	l := h.lease()
	s := &shardRun{c: c, h: h, shard: h.key, committed: l.Checkpoint}
	log := c.cfg.logger.With("shard", h.key, "worker", c.cfg.workerID)
	defer func() {
		ctx, cancel := context.WithTimeout(context.WithoutCancel(h.ctx), c.cfg.failover)
		defer cancel()
		c.coord.release(ctx, h)
	}()
	ready, err := c.parentsDone(h.soft, l)
	if err != nil || !ready {
		if err != nil {
			log.Warn("check parent shards", "err", err)
		}
		return false
	}
	st, ok := startFrom(l.Checkpoint, c.cfg.initial.at)
	if !ok {
		return true
	}
	keys := newHashRange(l.StartingHashKey, l.EndingHashKey)
	r := c.newReader(h.key, st)
	defer r.close()
	log.Debug("shard started", "from", l.Checkpoint.String())
	failures := 0
	for h.soft.Err() == nil {
		if !c.coord.current(h) {
			return false
		}
		res, err := r.next(h.soft)
		if err != nil {
			if h.soft.Err() != nil {
				break
			}
			failures++
			kind := ErrorRead
			if isThrottle(err) {
				kind = ErrorThrottled
			}
			c.cfg.metrics.Error(h.key, kind)
			log.Warn("read shard", "err", err, "failures", failures)
			sleep(h.soft, c.cfg.retry.backoff(failures))
			continue
		}
		failures = 0
		c.cfg.metrics.MillisBehindLatest(h.key, res.millisBehind)
		recs := userRecords(h.key, res.records, st.after, keys, log)
		if len(recs) == 0 && !res.end {
			continue
		}
		b := Batch{ShardID: h.key, Records: recs, MillisBehindLatest: res.millisBehind, ShardEnd: res.end}
		end := lease.Checkpoint{SequenceNumber: lease.ShardEnd}
		if res.end {
			s.mu.Lock()
			s.children = res.children
			s.mu.Unlock()
		} else {
			last := recs[len(recs)-1]
			end = lease.Checkpoint{SequenceNumber: last.SequenceNumber, SubSequenceNumber: last.SubSequenceNumber}
		}
		b.Checkpointer = &Checkpointer{run: s, end: end}
		if o := s.deliver(b, log); o != delivered {
			return false
		}
		if res.end {
			log.Info("shard processed to its end", "children", len(res.children))
			return true
		}
	}
	return false
}

// deliver hands a batch to the handler until it succeeds, then checkpoints it.
func (s *shardRun) deliver(b Batch, log *slog.Logger) outcome {
	cfg := &s.c.cfg
	for attempt := 1; ; attempt++ {
		// The read may have waited long, or the worker may have been paused: deliver nothing on a
		// lease another worker may hold by now.
		if !s.c.coord.current(s.h) {
			return leaseLost
		}
		err := s.c.handler.Handle(s.h.ctx, b)
		if err == nil && b.ShardEnd && cfg.manualCheckpoint && !s.ended() {
			err = ErrShardEndNotCheckpointed
		}
		if err == nil {
			break
		}
		if errors.Is(err, ErrLeaseLost) || s.h.ctx.Err() != nil {
			return leaseLost
		}
		cfg.metrics.Error(s.shard, ErrorHandler)
		log.Warn("handler failed", "err", err, "attempt", attempt, "records", len(b.Records))
		if cfg.retry.exhausted(attempt) {
			log.Error("retry policy gave up; releasing the shard without a checkpoint", "attempts", attempt)
			return gaveUp
		}
		if !sleep(s.h.soft, cfg.retry.backoff(attempt)) {
			if s.h.ctx.Err() != nil {
				return leaseLost
			}
			return stopped
		}
	}
	cfg.metrics.RecordsProcessed(s.shard, len(b.Records))
	if cfg.manualCheckpoint {
		return delivered
	}
	for attempt := 1; ; attempt++ {
		err := b.Checkpointer.Checkpoint(s.h.ctx)
		if err == nil {
			return delivered
		}
		if errors.Is(err, ErrLeaseLost) || s.h.ctx.Err() != nil {
			return leaseLost
		}
		log.Warn("checkpoint failed", "err", err, "attempt", attempt)
		if !sleep(s.h.ctx, cfg.retry.backoff(attempt)) {
			return leaseLost
		}
	}
}

func (s *shardRun) ended() bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.committed.SequenceNumber == lease.ShardEnd
}

// commit writes cp as the shard's checkpoint if it is past the last one. At SHARD_END it first
// creates the children's leases, so that they exist before the shard is marked finished.
func (s *shardRun) commit(ctx context.Context, cp lease.Checkpoint) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.committed.SequenceNumber == lease.ShardEnd {
		return nil
	}
	var children []string
	if cp.SequenceNumber == lease.ShardEnd {
		if err := s.c.createChildren(ctx, s.children); err != nil {
			return err
		}
		for _, ch := range s.children {
			if ch.ShardId != nil {
				children = append(children, *ch.ShardId)
			}
		}
	} else if !after(cp.SequenceNumber, cp.SubSequenceNumber, s.committed) {
		return nil
	}
	if err := s.c.coord.checkpoint(ctx, s.h, cp, children); err != nil {
		return err
	}
	s.committed = cp
	return nil
}

// parentsDone reports whether every parent of l has been processed to its end. A parent without
// a lease counts as done only once a listing of the stream has shown it gone (trimmed, with its
// lease removed after it finished); until then its lease may simply not have been created yet.
func (c *Consumer) parentsDone(ctx context.Context, l lease.Lease) (bool, error) {
	for _, p := range l.ParentShardIDs {
		pl, err := c.cfg.store.Get(ctx, p)
		if errors.Is(err, lease.ErrNotFound) {
			if c.isGone(p) {
				continue
			}
			return false, nil
		}
		if err != nil {
			return false, err
		}
		if !pl.Finished() {
			return false, nil
		}
	}
	return true, nil
}

// readyIn returns the readiness test of a take pass over leases: every parent is finished, or
// has no lease and is gone from the stream.
func readyIn(leases []lease.Lease, gone func(string) bool) func(lease.Lease) bool {
	byKey := make(map[string]lease.Lease, len(leases))
	for _, l := range leases {
		byKey[l.Key] = l
	}
	return func(l lease.Lease) bool {
		for _, p := range l.ParentShardIDs {
			pl, ok := byKey[p]
			if ok && !pl.Finished() || !ok && !gone(p) {
				return false
			}
		}
		return true
	}
}

// missingParents returns the parents that leases name but that have no lease and are not known
// to be gone from the stream.
func missingParents(leases []lease.Lease, gone func(string) bool) []string {
	have := make(map[string]bool, len(leases))
	for _, l := range leases {
		have[l.Key] = true
	}
	var out []string
	for _, l := range leases {
		if l.Finished() {
			continue
		}
		for _, p := range l.ParentShardIDs {
			if !have[p] && !gone(p) {
				out = append(out, p)
			}
		}
	}
	return out
}
