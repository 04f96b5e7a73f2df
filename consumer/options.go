package consumer

import (
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"log/slog"
	"os"
	"time"

	"github.com/pelicanhq/pelican/consumer/lease"
)

// Option configures a Consumer.
type Option func(*config)

type config struct {
	store            lease.Store
	workerID         string
	failover         time.Duration
	renewInterval    time.Duration
	takeInterval     time.Duration
	syncInterval     time.Duration
	initial          Position
	pollInterval     time.Duration
	idleInterval     time.Duration
	maxRecords       int32
	fanOutName       string
	manualCheckpoint bool
	retry            RetryPolicy
	metrics          Metrics
	logger           *slog.Logger
	shutdownTimeout  time.Duration
	clock            Clock
}

func defaults() config {
	return config{
		failover:        10 * time.Second,
		syncInterval:    time.Minute,
		initial:         TrimHorizon(),
		pollInterval:    200 * time.Millisecond,
		idleInterval:    time.Second,
		maxRecords:      10000,
		retry:           DefaultRetryPolicy(),
		metrics:         NopMetrics{},
		logger:          slog.New(slog.DiscardHandler),
		shutdownTimeout: 30 * time.Second,
		clock:           systemClock{},
	}
}

func (c *config) finish() error {
	if c.store == nil {
		c.store = lease.NewMemory()
	}
	if c.workerID == "" {
		c.workerID = defaultWorkerID()
	}
	if c.failover <= 0 {
		return fmt.Errorf("consumer: failover time must be positive, got %v", c.failover)
	}
	if c.renewInterval <= 0 {
		c.renewInterval = c.failover / 3
	}
	if c.renewInterval >= c.failover {
		return fmt.Errorf("consumer: renew interval %v must be shorter than the failover time %v", c.renewInterval, c.failover)
	}
	if c.takeInterval <= 0 {
		c.takeInterval = c.failover / 2
	}
	if c.pollInterval < 200*time.Millisecond {
		// GetRecords allows five calls a second per shard.
		c.pollInterval = 200 * time.Millisecond
	}
	c.idleInterval = max(c.idleInterval, c.pollInterval)
	if c.maxRecords <= 0 || c.maxRecords > 10000 {
		c.maxRecords = 10000
	}
	if c.metrics == nil {
		c.metrics = NopMetrics{}
	}
	if c.logger == nil {
		c.logger = slog.New(slog.DiscardHandler)
	}
	if c.clock == nil {
		c.clock = systemClock{}
	}
	return nil
}

func defaultWorkerID() string {
	host, err := os.Hostname()
	if err != nil || host == "" {
		host = "worker"
	}
	var b [6]byte
	_, _ = rand.Read(b[:])
	return host + "-" + hex.EncodeToString(b[:])
}

// WithLeaseStore sets where leases and checkpoints are kept. The default is an in-memory store,
// which serves the workers of one process and forgets everything when it ends; workers in
// several processes share a lease.DynamoDB store.
func WithLeaseStore(s lease.Store) Option { return func(c *config) { c.store = s } }

// WithWorkerID names this worker in the lease store. It must differ between the live workers of
// one application. The default is the host name and a random suffix.
func WithWorkerID(id string) Option { return func(c *config) { c.workerID = id } }

// WithFailoverTime sets how long a lease may go without renewal before other workers take it
// (default 10s; they take it up to a quarter renew interval sooner, so that passes running a
// little late do not miss it). A dead worker's shards are taken over between the failover time
// less one renew interval and the failover time plus one take interval (and one listing of the
// lease table) after its death. A worker whose own lease has gone for the failover time less one renew
// interval without a renewal (a paused or partitioned process) stops the shard and cancels its
// handler's context before it reads or delivers anything more, so it never delivers records on a
// lease that another worker may already have taken.
func WithFailoverTime(d time.Duration) Option { return func(c *config) { c.failover = d } }

// WithRenewInterval sets how often held leases are renewed (default a third of the failover time).
func WithRenewInterval(d time.Duration) Option { return func(c *config) { c.renewInterval = d } }

// WithTakeInterval sets how often the worker looks for leases to take or steal (default half the
// failover time).
func WithTakeInterval(d time.Duration) Option { return func(c *config) { c.takeInterval = d } }

// WithShardSyncInterval sets how often the worker lists the stream's shards to create leases for
// new ones (default 1 minute). Children of a shard that ends are found at once without waiting.
func WithShardSyncInterval(d time.Duration) Option { return func(c *config) { c.syncInterval = d } }

// WithInitialPosition sets where shards without a checkpoint start (default TrimHorizon).
func WithInitialPosition(p Position) Option { return func(c *config) { c.initial = p } }

// WithPollInterval sets the least time between two GetRecords calls on one shard (default and
// minimum 200ms: Kinesis allows five calls a second per shard).
func WithPollInterval(d time.Duration) Option { return func(c *config) { c.pollInterval = d } }

// WithIdleInterval sets the wait after a GetRecords that found nothing new (default 1s).
func WithIdleInterval(d time.Duration) Option { return func(c *config) { c.idleInterval = d } }

// WithMaxRecords sets the Limit of each GetRecords call (default and maximum 10000).
func WithMaxRecords(n int) Option {
	return func(c *config) { c.maxRecords = int32(min(max(n, 0), 10000)) }
}

// WithEnhancedFanOut reads through enhanced fan-out instead of polling, as the registered stream
// consumer of the given name, registering it if needed. Every worker of one application uses the
// same name.
func WithEnhancedFanOut(consumerName string) Option {
	return func(c *config) { c.fanOutName = consumerName }
}

// WithManualCheckpoint leaves checkpoints to the handler, through Batch.Checkpointer. The last
// batch of a closed shard must be checkpointed for its children to start.
func WithManualCheckpoint() Option { return func(c *config) { c.manualCheckpoint = true } }

// WithRetryPolicy sets how failing batches are retried (default DefaultRetryPolicy).
func WithRetryPolicy(p RetryPolicy) Option { return func(c *config) { c.retry = p } }

// WithMetrics sets where measurements go (default NopMetrics).
func WithMetrics(m Metrics) Option { return func(c *config) { c.metrics = m } }

// WithLogger sets the logger (default: discard).
func WithLogger(l *slog.Logger) Option { return func(c *config) { c.logger = l } }

// WithShutdownTimeout bounds the graceful shutdown (default 30s): past it, handlers still running
// are cancelled and their batches are left to be delivered again.
func WithShutdownTimeout(d time.Duration) Option { return func(c *config) { c.shutdownTimeout = d } }

// WithClock sets the clock by which the worker judges lease times (default: the system clock).
// Tests move a manual clock to make leases expire, or to make a worker look paused, without
// waiting; the intervals between renewals, take passes and reads are still timed by the system.
func WithClock(c Clock) Option { return func(cfg *config) { cfg.clock = c } }
