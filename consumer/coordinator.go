package consumer

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"math/rand/v2"
	"sync"
	"sync/atomic"
	"time"

	"github.com/pelicanhq/pelican/consumer/lease"
)

// coordinator keeps this worker's leases: it takes, steals, renews and releases them, and tells
// the shard workers when to stop. Take passes run on the consumer's main loop and renew passes on
// a goroutine of their own; the shard workers checkpoint and release through their holding, whose
// mutex keeps every write on one lease in order so that each uses the counter the previous one
// left.
type coordinator struct {
	store         lease.Store
	me            string
	failover      time.Duration
	renewInterval time.Duration
	maxSteal      int
	log           *slog.Logger
	metrics       Metrics
	rng           *rand.Rand
	clock         Clock

	// frozen makes the worker behave as dead: no more writes to the store.
	frozen atomic.Bool

	mu      sync.Mutex
	seen    map[string]sighting
	held    map[string]*holding
	waiting map[string]*sighting
}

// sighting is when a lease was first seen with a counter value: a lease whose counter has not
// moved for the failover time is expired. Only this worker's clock is involved.
//
// Take passes run one take interval apart, and the failover time is commonly a whole number of
// them, so the pass that should find a lease expired runs just about one failover time after the
// pass that first saw its counter. Were sightings stamped when List returned, and expiry judged
// to the millisecond, the varying lengths of listings and the lateness of passes would make that
// pass miss the expiry about half the time, and a dead worker's leases would wait one more take
// interval. So a sighting is stamped when its listing started, and a lease counts as expired a
// little before the failover time has passed (jitter, a quarter renew interval). Both make other
// workers quicker, never quicker than the holder: a stamp is never earlier than the end of its
// listing less half a renew interval, and a holder stops using a lease a whole renew interval
// before the failover time (see coordinator.staleLocked).
type sighting struct {
	l  lease.Lease
	at time.Time
}

// holding is a lease this worker holds, and the contexts of the shard worker processing it.
type holding struct {
	key string

	mu      sync.Mutex
	l       lease.Lease
	renewed time.Time // when the last write that moved the counter started
	gone    bool      // lost or released: no more writes
	handoff bool      // another worker asked for the lease; the shard worker is stopping

	ctx    context.Context // cancelled when the lease is lost: stop at once
	cancel context.CancelFunc
	soft   context.Context // cancelled to stop after the batch in flight
	stop   context.CancelFunc
}

func newCoordinator(cfg config) *coordinator {
	return &coordinator{
		store:         cfg.store,
		me:            cfg.workerID,
		failover:      cfg.failover,
		renewInterval: cfg.renewInterval,
		maxSteal:      1,
		log:           cfg.logger,
		metrics:       cfg.metrics,
		rng:           rand.New(rand.NewPCG(rand.Uint64(), rand.Uint64())),
		clock:         cfg.clock,
		seen:          map[string]sighting{},
		held:          map[string]*holding{},
		waiting:       map[string]*sighting{},
	}
}

// lease returns the holding's current lease.
func (h *holding) lease() lease.Lease {
	h.mu.Lock()
	defer h.mu.Unlock()
	return h.l.Clone()
}

// list reads the lease table and updates the sightings.
func (c *coordinator) list(ctx context.Context) ([]lease.Lease, error) {
	start := c.clock.Now()
	leases, err := c.store.List(ctx)
	if err != nil {
		c.metrics.Error("", ErrorLease)
		return nil, fmt.Errorf("consumer: list leases: %w", err)
	}
	now := c.sightedAt(start)
	c.mu.Lock()
	defer c.mu.Unlock()
	present := make(map[string]bool, len(leases))
	for _, l := range leases {
		present[l.Key] = true
		if s, ok := c.seen[l.Key]; !ok || s.l.Counter != l.Counter {
			c.seen[l.Key] = sighting{l: l, at: now}
		}
	}
	for k := range c.seen {
		if !present[k] {
			delete(c.seen, k)
		}
	}
	return leases, nil
}

// sightedAt is the stamp of what a read that started at start saw: its start, unless the read
// took longer than half a renew interval (see sighting).
func (c *coordinator) sightedAt(start time.Time) time.Time {
	if floor := c.clock.Now().Add(-c.renewInterval / 2); floor.After(start) {
		return floor
	}
	return start
}

// jitter is how much earlier than the failover time a lease counts as expired (see sighting).
func (c *coordinator) jitter() time.Duration { return c.renewInterval / 4 }

func (c *coordinator) expired(l lease.Lease) bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	s, ok := c.seen[l.Key]
	return ok && s.l.Counter == l.Counter && c.clock.Now().Sub(s.at) >= c.failover-c.jitter()
}

// staleLocked reports whether h has gone so long without a renewal that another worker may judge
// it expired soon: the failover time less one renew interval since the last write that moved its
// counter started. Another worker's sighting of that counter is stamped no earlier than the end
// of its listing less half a renew interval, and it takes the lease no sooner than the failover
// time less a quarter renew interval after that, so not before then. The caller holds h.mu.
func (c *coordinator) staleLocked(h *holding) bool {
	return c.clock.Now().Sub(h.renewed) >= c.failover-c.renewInterval
}

// current reports whether the shard worker of h may go on reading and delivering: the lease is
// neither lost nor stale. A stale lease is marked lost, which cancels the handler's context: a
// worker that was paused (stopped, swapped out, cut off from the lease table) longer than that
// stops at once when it wakes, before it delivers what it read, rather than after the renewer
// notices that another worker took the lease.
func (c *coordinator) current(h *holding) bool {
	h.mu.Lock()
	defer h.mu.Unlock()
	if h.gone {
		return false
	}
	if c.staleLocked(h) {
		c.loseLocked(h, "not renewed within the failover time")
		return false
	}
	return true
}

func (c *coordinator) mine(key string) bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	_, held := c.held[key]
	_, waiting := c.waiting[key]
	return held || waiting
}

// take runs one take pass over leases (as just listed) and returns the leases now held, for
// which shard workers must start. Stolen leases are waited for until their handoff completes.
func (c *coordinator) take(ctx, base context.Context, leases []lease.Lease, ready func(lease.Lease) bool) []*holding {
	if c.frozen.Load() {
		return nil
	}
	p := plan(tableView{me: c.me, leases: leases, expired: c.expired, ready: ready, mine: c.mine}, c.maxSteal, c.rng)
	var started []*holding
	for _, l := range p.take {
		at := c.clock.Now()
		nl, err := c.store.Take(ctx, l, c.me)
		if err != nil {
			if !errors.Is(err, lease.ErrConflict) {
				c.metrics.Error(l.Key, ErrorLease)
				c.log.Warn("take lease", "shard", l.Key, "err", err)
			}
			continue
		}
		c.log.Info("lease taken", "shard", l.Key, "worker", c.me, "previous", l.Holder())
		c.metrics.LeaseChanged(l.Key, LeaseTaken)
		started = append(started, c.hold(base, nl, at))
	}
	for _, l := range p.steal {
		nl, err := c.store.Handoff(ctx, l, c.me)
		if err != nil {
			if !errors.Is(err, lease.ErrConflict) {
				c.metrics.Error(l.Key, ErrorLease)
				c.log.Warn("steal lease", "shard", l.Key, "err", err)
			}
			continue
		}
		c.log.Info("lease handoff asked", "shard", l.Key, "worker", c.me, "from", l.Owner)
		c.mu.Lock()
		c.waiting[l.Key] = &sighting{l: nl, at: c.clock.Now()}
		c.mu.Unlock()
	}
	return started
}

// hold records l as held, its counter last moved by a write that started at renewed.
func (c *coordinator) hold(base context.Context, l lease.Lease, renewed time.Time) *holding {
	h := &holding{key: l.Key, l: l, renewed: renewed}
	h.ctx, h.cancel = context.WithCancel(base)
	h.soft, h.stop = context.WithCancel(h.ctx)
	c.mu.Lock()
	c.held[l.Key] = h
	c.mu.Unlock()
	return h
}

// renew renews every held lease, then checks the handoffs this worker waits for, returning the
// leases whose handoff completed (or whose previous holder died): shard workers must start.
func (c *coordinator) renew(ctx, base context.Context) []*holding {
	if c.frozen.Load() {
		return nil
	}
	c.mu.Lock()
	held := make([]*holding, 0, len(c.held))
	for _, h := range c.held {
		held = append(held, h)
	}
	waiting := make([]string, 0, len(c.waiting))
	for k := range c.waiting {
		waiting = append(waiting, k)
	}
	c.mu.Unlock()
	for _, h := range held {
		c.renewOne(ctx, h)
	}
	var started []*holding
	for _, k := range waiting {
		if h := c.checkWaiting(ctx, base, k); h != nil {
			started = append(started, h)
		}
	}
	return started
}

func (c *coordinator) renewOne(ctx context.Context, h *holding) {
	h.mu.Lock()
	defer h.mu.Unlock()
	if h.gone {
		return
	}
	at := c.clock.Now()
	nl, err := c.store.Renew(ctx, h.l)
	if errors.Is(err, lease.ErrConflict) && c.refreshLocked(ctx, h) {
		at = c.clock.Now()
		nl, err = c.store.Renew(ctx, h.l)
	}
	if err == nil {
		h.l, h.renewed = nl, at
		return
	}
	if h.gone {
		return
	}
	c.metrics.Error(h.key, ErrorLease)
	c.log.Warn("renew lease", "shard", h.key, "err", err)
	// Others judge expiry from their own sightings of the counter; stop before they could.
	if c.staleLocked(h) {
		c.loseLocked(h, "not renewed in time")
	}
}

// refreshLocked rereads a lease after a failed condition. It returns true when this worker still
// holds it (adopting the stored version, and starting the handoff if another worker asked for
// the lease), and marks the lease lost otherwise.
func (c *coordinator) refreshLocked(ctx context.Context, h *holding) bool {
	fresh, err := c.store.Get(ctx, h.key)
	if err != nil && !errors.Is(err, lease.ErrNotFound) {
		c.metrics.Error(h.key, ErrorLease)
		c.log.Warn("reread lease", "shard", h.key, "err", err)
		return false
	}
	if err != nil || fresh.Holder() != c.me {
		c.loseLocked(h, "taken by "+fresh.Holder())
		return false
	}
	h.l = fresh
	if fresh.Owner != c.me && !h.handoff {
		h.handoff = true
		c.log.Info("lease handoff requested", "shard", h.key, "to", fresh.Owner)
		h.stop()
	}
	return true
}

func (c *coordinator) loseLocked(h *holding, why string) {
	if h.gone {
		return
	}
	h.gone = true
	h.cancel()
	c.mu.Lock()
	delete(c.held, h.key)
	c.mu.Unlock()
	c.log.Warn("lease lost", "shard", h.key, "worker", c.me, "why", why)
	c.metrics.LeaseChanged(h.key, LeaseLost)
}

// checkWaiting looks at a lease this worker asked to have handed over.
func (c *coordinator) checkWaiting(ctx, base context.Context, key string) *holding {
	start := c.clock.Now()
	fresh, err := c.store.Get(ctx, key)
	drop := func() {
		c.mu.Lock()
		delete(c.waiting, key)
		c.mu.Unlock()
	}
	switch {
	case errors.Is(err, lease.ErrNotFound):
		drop()
		return nil
	case err != nil:
		c.metrics.Error(key, ErrorLease)
		return nil
	case fresh.Owner != c.me:
		drop()
		return nil
	case fresh.Finished() && fresh.CheckpointOwner == "":
		// The shard ended during the handoff: nothing to process, let the lease go.
		drop()
		if _, err := c.store.Release(ctx, fresh, c.me); err != nil {
			c.log.Debug("release a finished lease", "shard", key, "err", err)
		}
		return nil
	case fresh.CheckpointOwner == "":
		// The previous holder's release moved the counter at some time before this read; renew
		// the lease so that the time of its last move is this worker's to know.
		at := c.clock.Now()
		nl, err := c.store.Renew(ctx, fresh)
		if err != nil {
			if errors.Is(err, lease.ErrConflict) {
				drop()
			} else {
				c.metrics.Error(key, ErrorLease)
			}
			return nil
		}
		drop()
		c.log.Info("lease stolen", "shard", key, "worker", c.me)
		c.metrics.LeaseChanged(key, LeaseStolen)
		return c.hold(base, nl, at)
	}
	c.mu.Lock()
	w := c.waiting[key]
	stale := w != nil && w.l.Counter == fresh.Counter && c.clock.Now().Sub(w.at) >= c.failover-c.jitter()
	if w != nil && w.l.Counter != fresh.Counter {
		*w = sighting{l: fresh, at: c.sightedAt(start)}
	}
	c.mu.Unlock()
	if !stale {
		return nil
	}
	// The previous holder died during the handoff.
	at := c.clock.Now()
	nl, err := c.store.Take(ctx, fresh, c.me)
	drop()
	if err != nil {
		return nil
	}
	c.log.Info("lease taken after a stalled handoff", "shard", key, "worker", c.me, "previous", fresh.CheckpointOwner)
	c.metrics.LeaseChanged(key, LeaseTaken)
	return c.hold(base, nl, at)
}

// checkpoint commits cp (with the shard's children, at SHARD_END) through the held lease.
func (c *coordinator) checkpoint(ctx context.Context, h *holding, cp lease.Checkpoint, children []string) error {
	h.mu.Lock()
	defer h.mu.Unlock()
	for attempt := 0; ; attempt++ {
		if h.gone || c.frozen.Load() {
			return fmt.Errorf("consumer: checkpoint %s: %w", h.key, ErrLeaseLost)
		}
		l := h.l.Clone()
		if len(children) > 0 {
			l.ChildShardIDs = children
		}
		at := c.clock.Now()
		nl, err := c.store.Checkpoint(ctx, l, cp)
		if err == nil {
			h.l, h.renewed = nl, at
			return nil
		}
		if !errors.Is(err, lease.ErrConflict) {
			c.metrics.Error(h.key, ErrorCheckpoint)
			return fmt.Errorf("consumer: checkpoint %s: %w", h.key, err)
		}
		if attempt > 0 || !c.refreshLocked(ctx, h) {
			if !h.gone {
				c.loseLocked(h, "checkpoint refused")
			}
			return fmt.Errorf("consumer: checkpoint %s: %w", h.key, ErrLeaseLost)
		}
	}
}

// release gives the lease up after its shard worker stopped. A lease lost meanwhile is left alone.
func (c *coordinator) release(ctx context.Context, h *holding) {
	h.mu.Lock()
	defer h.mu.Unlock()
	if h.gone || c.frozen.Load() {
		return
	}
	h.gone = true
	c.mu.Lock()
	delete(c.held, h.key)
	c.mu.Unlock()
	l, err := c.store.Release(ctx, h.l, c.me)
	if errors.Is(err, lease.ErrConflict) {
		var fresh lease.Lease
		if fresh, err = c.store.Get(ctx, h.key); err == nil {
			if fresh.Holder() != c.me && fresh.Owner != c.me {
				return
			}
			l, err = c.store.Release(ctx, fresh, c.me)
		}
	}
	if err != nil {
		// The lease expires on its own; another worker takes it after the failover time.
		c.metrics.Error(h.key, ErrorLease)
		c.log.Warn("release lease", "shard", h.key, "err", err)
		return
	}
	change := LeaseReleased
	if l.Owner != "" {
		change = LeaseHandedOff
	}
	c.log.Info("lease "+string(change), "shard", h.key, "worker", c.me, "owner", l.Owner)
	c.metrics.LeaseChanged(h.key, change)
}

// releaseWaiting gives up the handoffs this worker still waits for, at shutdown.
func (c *coordinator) releaseWaiting(ctx context.Context) {
	c.mu.Lock()
	keys := make([]string, 0, len(c.waiting))
	for k := range c.waiting {
		keys = append(keys, k)
	}
	c.waiting = map[string]*sighting{}
	c.mu.Unlock()
	if c.frozen.Load() {
		return
	}
	for _, k := range keys {
		fresh, err := c.store.Get(ctx, k)
		if err != nil || fresh.Owner != c.me {
			continue
		}
		if _, err := c.store.Release(ctx, fresh, c.me); err != nil {
			c.log.Warn("release a lease waited for", "shard", k, "err", err)
		}
	}
}
