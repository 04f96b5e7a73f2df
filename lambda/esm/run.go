package esm

import (
	"context"
	"errors"
	"fmt"
	"sync"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/kinesis"
	"github.com/aws/aws-sdk-go-v2/service/kinesis/types"

	"github.com/pelicanhq/pelican/internal/shardlist"
)

// shardState is what the engine knows of one shard; its fields are guarded by Engine.mu.
type shardState struct {
	id       string
	parents  []string
	started  bool
	finished bool
	wake     chan struct{}
	// idleGen and quietGen are the WaitIdle generation the shard's worker was last idle (or
	// quiet) in; zero while it is busy.
	idleGen, quietGen uint64
	stats             ShardStats
}

// Run reads the stream and invokes the function until ctx is done, then stops cleanly: the
// invocations in flight finish and the checkpoints are saved. It returns nil when ctx ended it,
// ErrDisabled for a disabled mapping, or the error that stopped it (a stream that does not
// exist); other errors of the Kinesis API are logged and retried at the next poll.
func (e *Engine) Run(ctx context.Context) error {
	if !*e.m.Enabled {
		return ErrDisabled
	}
	e.mu.Lock()
	if e.running {
		e.mu.Unlock()
		return errors.New("esm: engine is running already")
	}
	e.running = true
	e.shards = map[string]*shardState{} // a new run starts its shards afresh from the checkpoints
	e.mu.Unlock()
	if err := e.checkConsumer(ctx); err != nil {
		e.mu.Lock()
		e.running = false
		e.notifyLocked()
		e.mu.Unlock()
		return err
	}
	var wg sync.WaitGroup
	defer func() {
		wg.Wait()
		e.mu.Lock()
		e.running = false
		e.notifyLocked()
		e.mu.Unlock()
	}()
	signal(e.relist)
	stopRetry := func() bool { return false }
	defer func() { stopRetry() }()
	for {
		select {
		case <-ctx.Done():
			return nil
		case <-e.relist:
		}
		e.mu.Lock()
		gen := e.gen
		e.mu.Unlock()
		shards, err := e.listShards(ctx)
		if err != nil {
			if ctx.Err() != nil {
				return nil
			}
			var missing *types.ResourceNotFoundException
			if errors.As(err, &missing) {
				return fmt.Errorf("esm: event source %s: %w", e.src.ARN, err)
			}
			e.log.Warn("esm: list shards", "stream", e.src.Stream, "err", err)
			stopRetry()
			stopRetry = e.cfg.clock.AfterFunc(e.cfg.pollInterval, func() { signal(e.relist) })
			e.mu.Lock()
			e.listedGen = gen // tried: the next try waits for the clock
			e.notifyLocked()
			e.mu.Unlock()
			continue
		}
		e.mu.Lock()
		e.relistDue = false
		e.mu.Unlock()
		e.startShards(ctx, shards, &wg)
		e.mu.Lock()
		e.listedGen = gen
		e.notifyLocked()
		e.mu.Unlock()
	}
}

// startShards starts a worker for every listed shard that is not started or finished and whose
// parents in the listing are all finished, as Lambda processes children only after their parents.
func (e *Engine) startShards(ctx context.Context, shards []types.Shard, wg *sync.WaitGroup) {
	listed := make(map[string]bool, len(shards))
	for _, s := range shards {
		listed[aws.ToString(s.ShardId)] = true
	}
	e.mu.Lock()
	defer e.mu.Unlock()
	for _, s := range shards {
		id := aws.ToString(s.ShardId)
		st := e.shards[id]
		if st == nil {
			st = &shardState{id: id, wake: make(chan struct{}, 1)}
			st.parents = shardlist.Parents(s)
			if cp, ok := e.cps.get(id); ok {
				st.finished = cp.Finished
				st.stats.Checkpoint = cp.SequenceNumber
				st.stats.Finished = cp.Finished
			}
			e.shards[id] = st
		}
	}
	for _, s := range shards {
		id := aws.ToString(s.ShardId)
		st := e.shards[id]
		if st.started || st.finished {
			continue
		}
		ready, parentListed := true, false
		for _, p := range st.parents {
			if !listed[p] {
				continue
			}
			parentListed = true
			if ps := e.shards[p]; ps != nil && !ps.finished {
				ready = false
			}
		}
		if !ready {
			continue
		}
		st.started = true
		w := newWorker(e, st, parentListed)
		wg.Add(1)
		go func() {
			defer wg.Done()
			w.run(ctx)
		}()
	}
}

// checkConsumer fails for a consumer ARN that names no registered consumer, as a stream that
// does not exist fails Run; other errors are left to the subscriptions, which retry.
func (e *Engine) checkConsumer(ctx context.Context) error {
	if e.src.Consumer == "" {
		return nil
	}
	_, err := e.client.DescribeStreamConsumer(ctx, &kinesis.DescribeStreamConsumerInput{ConsumerARN: aws.String(e.src.ARN)})
	var missing *types.ResourceNotFoundException
	if errors.As(err, &missing) {
		return fmt.Errorf("esm: event source %s: %w", e.src.ARN, err)
	}
	if err != nil && ctx.Err() == nil {
		e.log.Warn("esm: describe stream consumer", "consumer", e.src.ARN, "err", err)
	}
	return nil
}

// listShards lists the stream's shards, every page of them.
func (e *Engine) listShards(ctx context.Context) ([]types.Shard, error) {
	return shardlist.List(ctx, e.client, e.src.StreamARN)
}

// signal wakes whoever waits on c without blocking.
func signal(c chan struct{}) {
	select {
	case c <- struct{}{}:
	default:
	}
}

// notifyLocked wakes the waiters of WaitIdle and WaitQuiet; e.mu is held.
func (e *Engine) notifyLocked() {
	close(e.changed)
	e.changed = make(chan struct{})
}

// WaitIdle returns once the engine is idle: every shard has been polled to its tip since the
// call, every record read has been delivered (or filtered out, or discarded to on-failure), and
// nothing is in flight, waiting to be retried, gathered in a batching window or waiting for a
// tumbling window to end. It returns ctx's error if ctx ends first. The call makes every shard
// poll at once rather than at its next poll, so that a test needs no sleep. A shard read through a
// consumer ARN's subscription counts as polled once the subscription has been silent for 250 ms
// since the call: its records are pushed, and only silence says the last one has arrived.
//
// With a manual clock, WaitIdle does not return while a window or a retry waits for the clock:
// use WaitQuiet, then move the clock.
func (e *Engine) WaitIdle(ctx context.Context) error {
	return e.wait(ctx, func(st *shardState, g uint64) bool { return st.idleGen >= g })
}

// WaitQuiet returns once nothing more will happen until the clock moves or records arrive: every
// shard has been polled to its tip since the call and nothing is in flight; batching windows,
// retries and tumbling windows may be waiting for their time, and their timers are set.
func (e *Engine) WaitQuiet(ctx context.Context) error {
	return e.wait(ctx, func(st *shardState, g uint64) bool { return st.quietGen >= g })
}

func (e *Engine) wait(ctx context.Context, done func(*shardState, uint64) bool) error {
	e.mu.Lock()
	e.gen++
	g := e.gen
	for _, st := range e.shards {
		signal(st.wake)
	}
	signal(e.relist)
	e.mu.Unlock()
	for {
		e.mu.Lock()
		ok := e.listedGen >= g && !e.relistDue
		if !e.running {
			ok = false
		}
		for _, st := range e.shards {
			if st.finished || !st.started {
				continue // a shard not started waits for its parents, whose workers are counted
			}
			if !done(st, g) {
				ok = false
				break
			}
		}
		ch := e.changed
		e.mu.Unlock()
		if ok {
			return nil
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-ch:
		}
	}
}

// Stats returns what the engine has done so far.
func (e *Engine) Stats() Stats {
	e.mu.Lock()
	defer e.mu.Unlock()
	s := e.stats
	s.Shards = make(map[string]ShardStats, len(e.shards))
	for id, st := range e.shards {
		s.Shards[id] = st.stats
	}
	return s
}
