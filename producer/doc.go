// Package producer writes user records to a Kinesis data stream through PutRecords, the way the
// Kinesis Producer Library does, on aws-sdk-go-v2: it behaves the same against Kinesis and
// against an emulator.
//
// Put returns at once with a Result. Records collect into PutRecords calls within the API's
// limits (500 records and 10 MiB per call, 1 MiB per record unless the stream allows more) and
// go out when a call or an aggregate is full, when a record has waited WithMaxBufferedTime
// (100 ms by default), or on Flush and Close.
//
// # Aggregation
//
// By default user records bound for the same shard share Kinesis records in the KPL's aggregated
// format (package aggregation), which consumers such as the KCL, the official deaggregation
// libraries and package consumer read back. The shard comes from the stream's shard map, read
// with ListShards; records of different shards never share an aggregate. A lone user record is
// sent plain, as the KPL sends it. WithAggregation(false) sends every user record as its own
// Kinesis record.
//
// # Ordering
//
// The records of one partition key (with the same explicit hash key, if any) reach the stream in
// the order Put accepted them, retries included. The producer holds a key's later records back
// while earlier ones are in a PutRecords call: each call carries at most one run of a key's
// oldest records, inside one Kinesis record, so a partial failure can never let a later record
// of the key overtake an earlier one. With aggregation a run is as many records as fit in one
// aggregate; without it a run is one record, so one hot key sends one record per round trip.
//
// A record that fails for good (a non-retryable error, or its deadline) is reported and skipped;
// the key's later records go on in order. A record appears more than once only after an ambiguous
// attempt (a timeout, a broken connection, a server error: Kinesis may have written it), and then
// as a repeat before the key's next records: r1 r1 r2. Result.Ambiguous tells which records those
// are. The order holds as long as Kinesis does not apply an attempt after the producer gave up on
// it and the backoff passed.
//
// After a resharding the shard map is stale; an aggregate then lands on the shard that owns its
// first record's hash key, and the producer notices the unexpected shard id. It reads the map
// again, keeps the user records that shard owns, and sends the others again to the right shard
// (the KPL does the same). Their first copy sits in a shard that does not own their hash key;
// readers that drop such records, as the KCL does, never see it.
//
// # Retries, limits and backpressure
//
// Throttled and failed records of a call are retried with exponential backoff and jitter until
// their deadline (WithRecordTTL); errors that retrying cannot cure finish the record at once. A
// token bucket per shard keeps the producer under each shard's 1 MiB/s and 1,000 records/s, and a
// throttled shard's bucket is drained, so that a hot key does not set off a throttling storm.
// Memory is bounded by WithMaxBufferedBytes and WithMaxBufferedRecords; when the buffer is full,
// Put blocks until there is room or its context ends, or fails with ErrBufferFull.
//
// # Results and shutdown
//
// Every Result ends: written, failed with an error, or, when Close's context ends first, failed
// with ErrUndelivered and listed in the *UndeliveredError Close returns. Nothing accepted is
// dropped silently. WithOnResult adds a callback; WithMetrics reports records and bytes sent,
// retries, throttles, request sizes and latency (producer/otelmetrics adapts it to
// OpenTelemetry); WithLogger logs through log/slog.
package producer
