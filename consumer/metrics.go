package consumer

// ErrorKind names the kind of failure a Metrics error counts.
type ErrorKind string

// The kinds of failure the consumer counts.
const (
	// ErrorHandler is a handler that returned an error (the batch is retried).
	ErrorHandler ErrorKind = "handler"
	// ErrorRead is a failed GetRecords, GetShardIterator or subscription.
	ErrorRead ErrorKind = "read"
	// ErrorThrottled is a read refused with ProvisionedThroughputExceededException or
	// LimitExceededException.
	ErrorThrottled ErrorKind = "throttled"
	// ErrorCheckpoint is a checkpoint that could not be written.
	ErrorCheckpoint ErrorKind = "checkpoint"
	// ErrorLease is a lease store operation that failed other than by losing the lease.
	ErrorLease ErrorKind = "lease"
)

// LeaseChange names a change in what a worker holds.
type LeaseChange string

// The lease changes a worker reports.
const (
	// LeaseTaken is a free or expired lease taken.
	LeaseTaken LeaseChange = "taken"
	// LeaseStolen is a lease taken over from a busier worker, once its handoff completed.
	LeaseStolen LeaseChange = "stolen"
	// LeaseHandedOff is a lease given to another worker that asked for it to balance the load.
	LeaseHandedOff LeaseChange = "handed-off"
	// LeaseLost is a lease another worker took without a handoff, or one this worker could not
	// renew in time.
	LeaseLost LeaseChange = "lost"
	// LeaseReleased is a lease given up at shutdown, at the end of its shard, or after the retry
	// policy gave up.
	LeaseReleased LeaseChange = "released"
)

// Metrics receives the consumer's measurements. Implementations must be safe for concurrent use
// and quick: they are called on the processing path. Embed NopMetrics to implement only some
// methods. Package consumer/otelmetrics adapts it to OpenTelemetry.
type Metrics interface {
	// RecordsProcessed counts user records in batches the handler finished successfully.
	RecordsProcessed(shardID string, n int)
	// MillisBehindLatest reports, for every read, how far behind the tip of the shard it was.
	MillisBehindLatest(shardID string, millis int64)
	// Error counts a failure.
	Error(shardID string, kind ErrorKind)
	// LeaseChanged reports a change in the leases this worker holds.
	LeaseChanged(shardID string, change LeaseChange)
}

// NopMetrics discards every measurement.
type NopMetrics struct{}

// RecordsProcessed does nothing.
func (NopMetrics) RecordsProcessed(string, int) {}

// MillisBehindLatest does nothing.
func (NopMetrics) MillisBehindLatest(string, int64) {}

// Error does nothing.
func (NopMetrics) Error(string, ErrorKind) {}

// LeaseChanged does nothing.
func (NopMetrics) LeaseChanged(string, LeaseChange) {}
