// Package consumer reads a Kinesis data stream the way the Kinesis Client Library does, without
// the JVM: many processes share the stream's shards through leases, each shard is read in order by
// one worker at a time, and a handler's success commits a checkpoint, so processing is
// at-least-once and survives restarts, crashes and resharding.
//
// A Consumer runs one worker. Workers of one application share a lease store (package
// consumer/lease: in memory for one process, DynamoDB across processes). Each worker takes free
// and expired leases, renews the ones it holds, and steals from the busiest worker until the
// shards are spread fairly; a lease is handed over gracefully, so the previous owner finishes its
// batch in flight and checkpoints before the new owner reads. A worker that dies stops renewing,
// and the others take its leases once they have not moved for the failover time.
//
// Records are read by polling (GetRecords, at most five calls a second per shard, backing off
// when idle or throttled) or by enhanced fan-out (RegisterStreamConsumer and SubscribeToShard,
// resubscribing at the continuation sequence number when a subscription ends after its five
// minutes or fails). KPL aggregated records are deaggregated, and checkpoints carry the
// sub-sequence number of the user record within its aggregate.
//
// A child shard is read only after all its parents have been processed to their end and
// checkpointed SHARD_END, so the records of one partition key are handled in order across splits
// and merges. A failing handler is retried by the RetryPolicy and never skipped: when the policy
// gives up, the worker releases the lease without a checkpoint and the batch is delivered again.
//
// Run blocks until its context is done, then shuts down gracefully: it lets each batch in flight
// finish, checkpoints it, and releases the leases so that another worker takes them at once.
package consumer
