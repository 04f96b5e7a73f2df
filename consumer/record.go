package consumer

import (
	"context"
	"time"
)

// Record is one user record: a Kinesis record, or one of the user records a KPL aggregated
// record carries.
type Record struct {
	// ShardID is the shard the record was read from.
	ShardID string
	// SequenceNumber is the Kinesis record's sequence number, shared by all the user records of
	// one aggregate.
	SequenceNumber string
	// SubSequenceNumber is the user record's index within its aggregate; 0 for a plain record.
	SubSequenceNumber int64
	// Aggregated reports whether the record came out of a KPL aggregate.
	Aggregated bool
	// PartitionKey is the user record's partition key.
	PartitionKey string
	// ExplicitHashKey is the hash key the producer set for an aggregated user record, if any.
	ExplicitHashKey string
	// Data is the payload.
	Data []byte
	// ApproximateArrivalTimestamp is when Kinesis accepted the record.
	ApproximateArrivalTimestamp time.Time
}

// Batch is what one read of a shard delivered, in shard order.
type Batch struct {
	// ShardID is the shard the records come from.
	ShardID string
	// Records are the user records, oldest first. Empty only for the last batch of a closed
	// shard.
	Records []Record
	// MillisBehindLatest is how far the read was behind the tip of the shard.
	MillisBehindLatest int64
	// ShardEnd reports that the shard is closed and these are its last records: checkpointing the
	// batch marks the shard SHARD_END, which lets its children start.
	ShardEnd bool
	// Checkpointer commits progress through the batch. With automatic checkpoints (the default)
	// the consumer commits the whole batch when the handler succeeds; a handler may still commit
	// earlier. With WithManualCheckpoint only the handler commits.
	Checkpointer *Checkpointer
}

// Handler processes the batches of a shard. Batches of one shard come one at a time and in order;
// batches of different shards come concurrently. Returning an error has the batch retried by the
// RetryPolicy; it is never skipped. The context is cancelled when the worker loses the lease:
// the handler should then stop at once, since another worker is taking the shard over.
type Handler interface {
	Handle(ctx context.Context, b Batch) error
}

// HandlerFunc adapts a function to Handler.
type HandlerFunc func(ctx context.Context, b Batch) error

// Handle calls f.
func (f HandlerFunc) Handle(ctx context.Context, b Batch) error { return f(ctx, b) }
