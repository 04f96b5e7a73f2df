// Package lease keeps the leases through which several consumer processes share the shards of one
// Kinesis stream: one lease per shard, holding the shard's owner, its checkpoint and its place in
// the shard lineage.
//
// A lease is changed only by conditional writes on its counter and owner, so a worker that has
// lost a lease cannot renew it or checkpoint through it: that fencing keeps two workers from
// processing one shard. Liveness is read from the counter: a holder renews by bumping it, and a
// lease whose counter has not moved for the failover time belongs to a dead worker and may be
// taken. Expiry is therefore judged by the reader's own clock, never by comparing clocks across
// machines.
//
// Two stores come with the package: [Memory] for the workers of one process, and [DynamoDB], the
// production store on AWS, whose table has the layout of the Kinesis Client Library's lease table
// (leaseKey, leaseOwner, leaseCounter, checkpoint, checkpointSubSequenceNumber, parentShardId,
// childShardIds, ...) so that the same tools read both. It can carry on from a table the Java KCL
// wrote, KCL 3 included: the worker metrics, leader lock and migration items a KCL 3 keeps among
// the leases are skipped, the attributes the KCL adds (throughputKBps...) are kept through every
// write, and the KCL's checkpoints are read as Pelican's own. Package leasetest holds the
// conformance suite every [Store] must pass.
package lease
