// Package esm runs a Lambda event source mapping for Kinesis locally: it polls a stream through
// aws-sdk-go-v2, as it would poll AWS, and invokes a function with the events Lambda sends
// (aws-lambda-go's events.KinesisEvent, or events.KinesisTimeWindowEvent with tumbling windows),
// batching, retrying, bisecting, filtering and checkpointing by the mapping's settings as Lambda
// does. The configuration is the mapping itself: Mapping reads the JSON of
// `aws lambda create-event-source-mapping --cli-input-json`, with Lambda's defaults, ranges and
// error messages.
//
// The engine does not care how a function runs. A Function is anything with aws-lambda-go's
// Invoke method: a Go handler (any signature lambda.Start accepts) runs in process through
// NewHandler, which wraps aws-lambda-go's lambda.NewHandler, and a function in another process
// runs through a Lambda Runtime API server that implements Function.
//
// # What it does, as the Lambda developer guide describes
//
//   - For a stream ARN each shard is polled with GetRecords about once a second, and read on at
//     once while it is behind. For a stream consumer ARN (enhanced fan-out) each shard is read
//     through SubscribeToShard with that consumer: records are pushed, a subscription lasts up to
//     five minutes and is renewed with AFTER_SEQUENCE_NUMBER at the continuation sequence number of
//     its last event, and a closed shard's subscription ends with its ChildShards. Calls keep to
//     one a second per shard; a ResourceInUseException (another subscription of the consumer to the
//     shard, younger than five seconds) is tried again after five seconds. Both feed the same
//     batching, retries and checkpoints. Shards are read in parallel, and a shard's children only
//     once the shard is finished (closed, and every record of it done).
//   - A batch is sent when BatchSize records are ready, when the batching window of its first
//     record ends, or when the next record would take the event's JSON over 6 MB (MaxPayload).
//     Records are sent as stored: KPL aggregates stay aggregated.
//   - ParallelizationFactor splits a shard into lanes by partition key: up to that many batches
//     of one shard are in flight, and a key's records stay in order, never in two batches in flight.
//   - A failed batch (a function error, or with ReportBatchItemFailures a malformed answer) is
//     retried whole; with ReportBatchItemFailures the checkpoint moves below the lowest reported
//     sequence number and processing resumes there; an absent, null or empty list is success.
//     BisectBatchOnFunctionError halves a failing batch without using up a retry. When
//     MaximumRetryAttempts or MaximumRecordAgeInSeconds run out the batch goes to on-failure
//     (OnFailureRecord: WithOnFailure, WithOnFailureDir) and the shard moves on; before that it
//     never moves past a failing batch.
//   - Tumbling windows carry the state the function returns to the window's next invocation; at
//     the window's end a final invocation (isFinalInvokeForWindow) gets the state, which is then
//     reset. A state over 1 MB ends the window early (isWindowTerminatedEarly).
//   - FilterCriteria patterns (exact, prefix, suffix, anything-but, numeric, exists,
//     equals-ignore-case, $or, nested keys) apply to a record's data when it is JSON; records that
//     match no filter are dropped and the checkpoint passes them.
//   - Checkpoints live in memory or in a file (WithCheckpointFile), so a new engine carries on.
//
// All time comes from a Clock (WithClock): polls, batching windows, record ages, retry delays,
// tumbling windows and the pauses between subscriptions (a subscription's five minutes are the
// service's, so the emulator's clock when it runs on one). Tests run the engine on the emulator's
// manual clock and move it; WaitQuiet returns once nothing more happens before the clock moves,
// WaitIdle once everything read is done.
//
// # Where it differs from AWS
//
//   - WaitIdle and WaitQuiet make every shard poll at once instead of at its next poll. For a
//     consumer ARN, whose records are pushed, nothing says a subscription has caught up: they count
//     it caught up once it has been silent for 250 ms of real time since the call.
//   - The guide does not say what eventSourceARN holds when the mapping names a consumer: here,
//     as for a stream ARN, it is the stream's ARN (the stream the records belong to, as the
//     on-failure record's streamArn).
//   - Lambda does not document how it retries a failed SubscribeToShard: here it waits a second,
//     doubling up to a minute, or five seconds after ResourceInUseException, on the Clock. A
//     subscription the service has not ended 15 s after its five minutes is renewed anyway.
//   - Lambda does not document its retry delays for streams: here a lane waits one second before
//     its first retry, doubling up to a minute. Halves of a bisected batch go at once.
//   - Lambda's guide does not say what an itemIdentifier that is not in the batch does: here it
//     fails the whole batch, like the malformed answers the guide lists. A tumbling-window answer
//     whose state is null counts as an answer without state.
//   - Records older than MaximumRecordAgeInSeconds when a batch is about to be invoked (first time
//     or retry) are discarded from its head with RecordAgeExceeded; the rest are invoked.
//   - Tumbling windows are aligned on multiples of their length since the Unix epoch, by the
//     records' arrival times, and a shard with tumbling windows is read in one lane whatever the
//     ParallelizationFactor (the state is per shard). A final invocation may carry no records.
//   - Filters are held to the data key (Kinesis mappings support no other); data that is not JSON
//     matches no filter and is dropped, as the guide says. Up to ten filters are taken, the most a
//     raised quota allows; the default quota of five is not enforced.
//   - A single record whose event alone passes 6 MB is sent alone rather than refused.
//   - With LATEST, the position is kept in memory until the first checkpoint: an engine restarted
//     before any record was checkpointed starts at the stream's tip again.
//   - There is no concurrency limit, throttling or function timeout: the Function decides how long
//     an invocation may take (the Runtime API server applies the function's timeout).
package esm
