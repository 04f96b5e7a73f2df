package consumer

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
)

// Consumer is one worker of a consuming application: it holds some of the stream's shard leases
// and runs the handler over their records. Create it with New and start it with Run.
type Consumer struct {
	api     KinesisAPI
	stream  streamRef
	handler Handler
	cfg     config
	coord   *coordinator

	subscribe   subscribeFunc
	consumerARN string

	mu      sync.Mutex
	started bool
	gone    map[string]bool // shards a listing showed gone from the stream
	killed  chan struct{}
	kill    sync.Once
}

// New returns a worker for the stream, given by name or ARN, that passes its records to h.
func New(api KinesisAPI, stream string, h Handler, opts ...Option) (*Consumer, error) {
	if api == nil || h == nil || stream == "" {
		return nil, errors.New("consumer: New needs a Kinesis client, a stream and a handler")
	}
	cfg := defaults()
	for _, o := range opts {
		o(&cfg)
	}
	if err := cfg.finish(); err != nil {
		return nil, err
	}
	c := &Consumer{
		api:       api,
		stream:    newStreamRef(stream),
		handler:   h,
		cfg:       cfg,
		coord:     newCoordinator(cfg),
		subscribe: sdkSubscribe(api),
		killed:    make(chan struct{}),
	}
	return c, nil
}

// WorkerID returns the name this worker holds leases under.
func (c *Consumer) WorkerID() string { return c.cfg.workerID }

// Run processes records until ctx is done, then shuts down gracefully: shard workers finish the
// batch in flight and checkpoint it, and the leases are released so that other workers take
// them at once. It returns nil after a graceful shutdown, and an error when it cannot start (the
// stream cannot be listed, or the enhanced fan-out consumer cannot be registered). Run may be
// called once.
func (c *Consumer) Run(ctx context.Context) error {
	c.mu.Lock()
	if c.started {
		c.mu.Unlock()
		return errors.New("consumer: Run called twice")
	}
	c.started = true
	c.mu.Unlock()

	if c.cfg.fanOutName != "" {
		arn, err := c.registerConsumer(ctx)
		if err != nil {
			return startErr(ctx, err)
		}
		c.consumerARN = arn
	}
	if _, err := c.syncShards(ctx); err != nil {
		return startErr(ctx, err)
	}
	c.cfg.logger.Info("consumer started", "stream", c.stream.String(), "worker", c.cfg.workerID)

	// Shard workers run on a context of their own: a graceful shutdown lets them finish.
	base, hardStop := context.WithCancel(context.WithoutCancel(ctx))
	defer hardStop()
	loop := &runLoop{c: c, base: base, done: make(chan shardDone), handedOver: make(chan []*holding), running: map[string]*holding{}}
	// Renewals run apart from the take passes and shard syncs, which wait on the lease table and
	// on Kinesis: a slow listing must not let held leases expire.
	stopRenewer := loop.renewer()
	defer stopRenewer()
	loop.take(ctx)

	take := time.NewTicker(c.cfg.takeInterval)
	defer take.Stop()
	syncShards := time.NewTicker(c.cfg.syncInterval)
	defer syncShards.Stop()
	for {
		select {
		case <-ctx.Done():
			if !c.coord.frozen.Load() {
				return loop.shutdown(hardStop, stopRenewer)
			}
			hardStop()
			loop.drain()
			return nil
		case <-c.killed:
			hardStop()
			loop.drain()
			return nil
		case hs := <-loop.handedOver:
			loop.start(hs)
		case <-take.C:
			loop.take(base)
		case <-syncShards.C:
			pass, cancel := context.WithTimeout(base, c.cfg.failover)
			if _, err := c.syncShards(pass); err != nil {
				c.cfg.logger.Warn("shard sync", "err", err)
			}
			cancel()
		case d := <-loop.done:
			delete(loop.running, d.key)
			if d.finished {
				// The children of a finished shard may be ready now.
				loop.take(base)
			}
		}
	}
}

// startErr is nil when the start failed because ctx is done: nothing ran, nothing to shut down.
func startErr(ctx context.Context, err error) error {
	if ctx.Err() != nil {
		return nil
	}
	return err
}

// shardDone reports that a shard worker stopped.
type shardDone struct {
	key      string
	finished bool
}

// runLoop is the state of Run's loop: the shard workers running.
type runLoop struct {
	c          *Consumer
	base       context.Context
	done       chan shardDone
	handedOver chan []*holding // leases whose handoff completed, from the renewer
	running    map[string]*holding
}

// renewer renews the held leases every renew interval in a goroutine of its own, passing the
// leases whose handoff completed to the loop. The returned function stops it and waits.
func (r *runLoop) renewer() (stop func()) {
	c := r.c
	quit, done := make(chan struct{}), make(chan struct{})
	go func() {
		defer close(done)
		t := time.NewTicker(c.cfg.renewInterval)
		defer t.Stop()
		for {
			select {
			case <-quit:
				return
			case <-t.C:
			}
			pass, cancel := context.WithTimeout(r.base, c.cfg.failover)
			hs := c.coord.renew(pass, r.base)
			cancel()
			if len(hs) == 0 {
				continue
			}
			select {
			case r.handedOver <- hs:
			case <-quit:
				r.giveBack(hs)
				return
			}
		}
	}()
	var once sync.Once
	return func() {
		once.Do(func() {
			close(quit)
			<-done
		})
	}
}

// giveBack releases leases that were handed over while the worker is stopping.
func (r *runLoop) giveBack(hs []*holding) {
	ctx, cancel := context.WithTimeout(r.base, r.c.cfg.failover)
	defer cancel()
	for _, h := range hs {
		r.c.coord.release(ctx, h)
	}
}

func (r *runLoop) take(ctx context.Context) {
	ctx, cancel := context.WithTimeout(ctx, r.c.cfg.failover)
	defer cancel()
	c := r.c
	leases, err := c.coord.list(ctx)
	if err != nil {
		c.cfg.logger.Warn("take pass", "err", err)
		return
	}
	// A child's lease can exist before its parent's: a merge child is created when one parent
	// ends, while the other parent may be a shard no worker has listed yet. List the stream to
	// create the missing leases, or to learn that those parents are gone.
	if missing := missingParents(leases, c.isGone); len(missing) > 0 {
		listed, err := c.syncShards(ctx)
		if err != nil {
			c.cfg.logger.Warn("shard sync", "err", err)
			return
		}
		for _, p := range missing {
			if !listed[p] {
				c.markGone(p)
			}
		}
		if leases, err = c.coord.list(ctx); err != nil {
			c.cfg.logger.Warn("take pass", "err", err)
			return
		}
	}
	r.start(c.coord.take(ctx, r.base, leases, readyIn(leases, c.isGone)))
}

func (r *runLoop) start(hs []*holding) {
	for _, h := range hs {
		r.running[h.key] = h
		go func() {
			finished := r.c.runShard(h)
			r.done <- shardDone{key: h.key, finished: finished}
		}()
	}
}

// shutdown stops every shard worker after its batch in flight, renewing the leases meanwhile,
// and cancels those still running after the shutdown timeout.
func (r *runLoop) shutdown(hardStop, stopRenewer func()) error {
	c := r.c
	c.cfg.logger.Info("consumer stopping", "worker", c.cfg.workerID, "shards", len(r.running))
	for _, h := range r.running {
		h.stop()
	}
	deadline := time.NewTimer(c.cfg.shutdownTimeout)
	defer deadline.Stop()
	for len(r.running) > 0 {
		select {
		case d := <-r.done:
			delete(r.running, d.key)
		case hs := <-r.handedOver:
			// Handoffs that complete now are given straight back.
			r.giveBack(hs)
		case <-deadline.C:
			c.cfg.logger.Warn("shutdown timeout; cancelling the handlers still running", "shards", len(r.running))
			hardStop()
		}
	}
	stopRenewer()
	ctx, cancel := context.WithTimeout(r.base, c.cfg.failover)
	defer cancel()
	c.coord.releaseWaiting(ctx)
	c.cfg.logger.Info("consumer stopped", "worker", c.cfg.workerID)
	return nil
}

// drain waits for every shard worker to stop.
func (r *runLoop) drain() {
	for len(r.running) > 0 {
		d := <-r.done
		delete(r.running, d.key)
	}
}

func (c *Consumer) isGone(shard string) bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.gone[shard]
}

func (c *Consumer) markGone(shard string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.gone == nil {
		c.gone = map[string]bool{}
	}
	c.gone[shard] = true
}

// die makes the worker behave as if its process died: it stops at once and writes nothing more
// to the lease store, so its leases expire.
func (c *Consumer) die() {
	c.kill.Do(func() {
		c.coord.frozen.Store(true)
		close(c.killed)
	})
}

func (c *Consumer) newReader(shard string, st start) reader {
	if c.cfg.fanOutName != "" {
		return c.newFanout(shard, st)
	}
	return c.newPoller(shard, st)
}

// streamRef names a stream by name or by ARN, as the caller gave it.
type streamRef struct {
	name    string
	arnName string
}

func newStreamRef(s string) streamRef {
	if strings.HasPrefix(s, "arn:") {
		return streamRef{arnName: s}
	}
	return streamRef{name: s}
}

// set fills a request's StreamName or StreamARN.
func (s streamRef) set(name, arn **string) {
	if s.arnName != "" {
		*arn = aws.String(s.arnName)
		return
	}
	*name = aws.String(s.name)
}

func (s streamRef) arn() *string {
	if s.arnName == "" {
		return nil
	}
	return aws.String(s.arnName)
}

// String returns the stream as the caller named it.
func (s streamRef) String() string {
	if s.arnName != "" {
		return s.arnName
	}
	return s.name
}

var _ fmt.Stringer = streamRef{}
