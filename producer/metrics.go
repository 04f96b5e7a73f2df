package producer

import "time"

// Metrics receives the producer's measurements. The producer calls it from its own goroutines,
// never while holding its lock; implementations must be safe for concurrent use and quick.
// Embed NopMetrics to implement only some methods. Package producer/otelmetrics adapts it to
// OpenTelemetry.
type Metrics interface {
	// RequestSent reports one PutRecords call.
	RequestSent(RequestStats)
	// RecordsSent counts user records, and their data bytes, that a shard acknowledged.
	RecordsSent(shardID string, records, bytes int)
	// RecordsRetried counts user records put back for another attempt, by error code.
	RecordsRetried(code string, records int)
	// RecordsFailed counts user records that finished with an error, by error code.
	RecordsFailed(code string, records int)
	// Throttled counts Kinesis records a shard refused with ProvisionedThroughputExceededException.
	Throttled(shardID string, kinesisRecords int)
	// Latency reports, for each Kinesis record acknowledged, the time from the Put of its oldest
	// user record to the acknowledgement.
	Latency(time.Duration)
}

// RequestStats describes one PutRecords call.
type RequestStats struct {
	KinesisRecords int           // entries in the request
	UserRecords    int           // user records inside them
	Bytes          int           // data and partition keys, as Kinesis counts the request
	Duration       time.Duration // from sending to the answer
	ErrorCode      string        // the whole call's error code, "" on success
	FailedRecords  int           // entries the answer marked as failed
}

// NopMetrics discards every measurement.
type NopMetrics struct{}

// RequestSent does nothing.
func (NopMetrics) RequestSent(RequestStats) {}

// RecordsSent does nothing.
func (NopMetrics) RecordsSent(string, int, int) {}

// RecordsRetried does nothing.
func (NopMetrics) RecordsRetried(string, int) {}

// RecordsFailed does nothing.
func (NopMetrics) RecordsFailed(string, int) {}

// Throttled does nothing.
func (NopMetrics) Throttled(string, int) {}

// Latency does nothing.
func (NopMetrics) Latency(time.Duration) {}
