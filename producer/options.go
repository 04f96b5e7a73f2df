package producer

import (
	"log/slog"
	"time"
)

// Limits of the Kinesis API that the defaults follow. The API reference, and the doc comment of
// PutRecords in aws-sdk-go-v2, allow 500 records and 10 MiB per PutRecords call, partition keys
// included, each record within its stream's MaxRecordSizeInKiB (1 MiB unless raised). Older pages
// say 5 MiB per call; WithMaxRequestBytes sets that for endpoints that still enforce it. A shard
// takes 1 MiB/s or 1,000 records/s of writes.
const (
	// MaxRecordsPerRequest is the most records one PutRecords call may carry.
	MaxRecordsPerRequest = 500
	// DefaultMaxRequestBytes is the default cap of one call's data and partition keys.
	DefaultMaxRequestBytes = 10 << 20
	// DefaultMaxRecordBytes is the default limit of one record's data and partition key.
	DefaultMaxRecordBytes = 1 << 20
	// DefaultShardBytesPerSec is a shard's write quota in bytes.
	DefaultShardBytesPerSec = 1 << 20
	// DefaultShardRecordsPerSec is a shard's write quota in records.
	DefaultShardRecordsPerSec = 1000
)

const (
	maxPartitionKeyRunes     = 256
	aggregatePartitionKey    = "a" // the KPL's: the aggregate is routed by its explicit hash key
	defaultMaxBufferedTime   = 100 * time.Millisecond
	defaultMaxBufferedBytes  = 64 << 20
	defaultMaxBufferedCount  = 100_000
	defaultRecordTTL         = 30 * time.Second
	defaultRequestTimeout    = 10 * time.Second
	defaultBackoffBase       = 100 * time.Millisecond
	defaultBackoffMax        = 5 * time.Second
	defaultMaxInFlight       = 8
	defaultShardMapRefresh   = time.Minute
	defaultMinRefreshBackoff = 100 * time.Millisecond
)

// Option configures a Producer.
type Option func(*config)

type config struct {
	maxBufferedTime  time.Duration
	aggregation      bool
	maxRecordsPerReq int
	maxRequestBytes  int
	maxRecordBytes   int
	maxBufferedBytes int
	maxBufferedCount int
	blockOnFull      bool
	recordTTL        time.Duration
	requestTimeout   time.Duration
	backoffBase      time.Duration
	backoffMax       time.Duration
	maxInFlight      int
	shardBytesPerSec float64
	shardRecordsPerS float64
	shardMapRefresh  time.Duration
	metrics          Metrics
	logger           *slog.Logger
	onResult         func(*Result)
}

func defaultConfig() config {
	return config{
		maxBufferedTime:  defaultMaxBufferedTime,
		aggregation:      true,
		maxRecordsPerReq: MaxRecordsPerRequest,
		maxRequestBytes:  DefaultMaxRequestBytes,
		maxRecordBytes:   DefaultMaxRecordBytes,
		maxBufferedBytes: defaultMaxBufferedBytes,
		maxBufferedCount: defaultMaxBufferedCount,
		blockOnFull:      true,
		recordTTL:        defaultRecordTTL,
		requestTimeout:   defaultRequestTimeout,
		backoffBase:      defaultBackoffBase,
		backoffMax:       defaultBackoffMax,
		maxInFlight:      defaultMaxInFlight,
		shardBytesPerSec: DefaultShardBytesPerSec,
		shardRecordsPerS: DefaultShardRecordsPerSec,
		shardMapRefresh:  defaultShardMapRefresh,
		metrics:          NopMetrics{},
		logger:           slog.New(slog.DiscardHandler),
	}
}

// WithMaxBufferedTime sets how long a record may wait to be batched before it is sent (default
// 100 ms). Batches also go out as soon as they are full.
func WithMaxBufferedTime(d time.Duration) Option { return func(c *config) { c.maxBufferedTime = d } }

// WithAggregation turns KPL aggregation on or off (default on). On, user records bound for the
// same shard share Kinesis records in the KPL's format; off, each user record is one Kinesis
// record.
func WithAggregation(on bool) Option { return func(c *config) { c.aggregation = on } }

// WithMaxRecordsPerRequest caps the Kinesis records of one PutRecords call (default and most 500).
func WithMaxRecordsPerRequest(n int) Option { return func(c *config) { c.maxRecordsPerReq = n } }

// WithMaxRequestBytes caps one PutRecords call's data and partition keys (default 10 MiB, the
// current API limit; set 5 MiB for endpoints that follow the older limit).
func WithMaxRequestBytes(n int) Option { return func(c *config) { c.maxRequestBytes = n } }

// WithMaxRecordBytes sets the largest Kinesis record, data and partition key together (default
// 1 MiB). Raise it to match a stream whose MaxRecordSizeInKiB was raised.
func WithMaxRecordBytes(n int) Option { return func(c *config) { c.maxRecordBytes = n } }

// WithMaxBufferedBytes bounds the data and partition keys of records accepted by Put and not yet
// done (default 64 MiB).
func WithMaxBufferedBytes(n int) Option { return func(c *config) { c.maxBufferedBytes = n } }

// WithMaxBufferedRecords bounds the records accepted by Put and not yet done (default 100,000).
func WithMaxBufferedRecords(n int) Option { return func(c *config) { c.maxBufferedCount = n } }

// WithBlockOnFull chooses what Put does when the buffer is full: block until there is room or its
// context ends (true, the default), or fail at once with ErrBufferFull (false).
func WithBlockOnFull(block bool) Option { return func(c *config) { c.blockOnFull = block } }

// WithRecordTTL sets how long after Put a record may still be sent or retried (default 30 s).
// Past it the record fails with ErrExpired. Zero or less means no deadline.
func WithRecordTTL(d time.Duration) Option { return func(c *config) { c.recordTTL = d } }

// WithRequestTimeout bounds one PutRecords call (default 10 s). A call that times out is an
// ambiguous failure: its records are retried and may be written twice.
func WithRequestTimeout(d time.Duration) Option { return func(c *config) { c.requestTimeout = d } }

// WithBackoff sets the exponential backoff between attempts of a record: base doubles with each
// attempt up to max, with jitter (defaults 100 ms and 5 s).
func WithBackoff(base, max time.Duration) Option {
	return func(c *config) { c.backoffBase, c.backoffMax = base, max }
}

// WithMaxInFlightRequests bounds concurrent PutRecords calls (default 8).
func WithMaxInFlightRequests(n int) Option { return func(c *config) { c.maxInFlight = n } }

// WithShardRateLimit sets the write rate the producer keeps each shard under (default 1 MiB/s and
// 1,000 records/s, a shard's quota). Lower it when several producers share a stream; zero turns
// the limiter off.
func WithShardRateLimit(bytesPerSecond, recordsPerSecond int) Option {
	return func(c *config) {
		c.shardBytesPerSec, c.shardRecordsPerS = float64(bytesPerSecond), float64(recordsPerSecond)
	}
}

// WithShardMapRefresh sets how often the shard map is read again (default every minute); it is
// also read again as soon as a record lands on a shard other than the one predicted. Zero turns
// the periodic refresh off.
func WithShardMapRefresh(d time.Duration) Option { return func(c *config) { c.shardMapRefresh = d } }

// WithMetrics sets where measurements go (default nowhere).
func WithMetrics(m Metrics) Option { return func(c *config) { c.metrics = m } }

// WithLogger sets the logger (default: discard).
func WithLogger(l *slog.Logger) Option { return func(c *config) { c.logger = l } }

// WithOnResult sets a function called once for every record, written or failed, from the
// producer's goroutines, just before its Result becomes done (so Flush and Close return after the
// calls for their records). It must not block for long: it holds up the producer.
func WithOnResult(fn func(*Result)) Option { return func(c *config) { c.onResult = fn } }
