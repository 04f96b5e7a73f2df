// Package filelease keeps a consumer's leases and checkpoints in a JSON file, for a service that
// runs as one process and must resume where it stopped after a restart, without a DynamoDB table.
//
// A Store is a lease.Memory that writes all its leases to the file, atomically (a new file
// renamed over the old, both synced), after every change but renewals. Renewals only prove that
// the holder is alive, and Open forgets every owner: the file belongs to one process at a time,
// so whoever opens it holds nothing yet. Workers in several processes need a shared store such as
// lease.DynamoDB instead.
//
// The file names its fields as the Kinesis Client Library's lease table does (leaseKey,
// leaseCounter, checkpoint, checkpointSubSequenceNumber, parentShardId, ...).
package filelease
