package producer

import (
	"context"
	"time"
)

// Result is the outcome of one user record given to Put. It is done once the record is written,
// or has failed for good; Done, Wait and the producer's WithOnResult callback tell when.
//
// The accessors other than Done, Wait and the key and data getters may be read once the Result is
// done.
type Result struct {
	pk, ehk  string
	data     []byte
	hash     hashKey
	size     int // data and partition key, as Kinesis counts a record
	accepted time.Time
	deadline time.Time // zero for no deadline
	seq      uint64    // order of acceptance, for Flush

	// Guarded by the producer's mutex until done.
	attempts  int
	ambiguous bool
	lastErr   error
	finished  bool

	done       chan struct{}
	shardID    string
	seqNumber  string
	subSeq     int
	aggregated bool
	err        error
}

// PartitionKey returns the record's partition key.
func (r *Result) PartitionKey() string { return r.pk }

// ExplicitHashKey returns the record's explicit hash key, or "" when it has none.
func (r *Result) ExplicitHashKey() string { return r.ehk }

// Data returns the record's data.
func (r *Result) Data() []byte { return r.data }

// Done returns a channel closed when the record is written or has failed.
func (r *Result) Done() <-chan struct{} { return r.done }

// Wait blocks until the record is done and returns its error, or returns the context's error.
func (r *Result) Wait(ctx context.Context) error {
	select {
	case <-r.done:
		return r.err
	case <-ctx.Done():
		return ctx.Err()
	}
}

// Err returns the record's error once it is done: nil when it was written.
func (r *Result) Err() error { return r.err }

// ShardID returns the shard the record was written to.
func (r *Result) ShardID() string { return r.shardID }

// SequenceNumber returns the sequence number of the Kinesis record that carries the user record.
func (r *Result) SequenceNumber() string { return r.seqNumber }

// SubSequenceNumber returns the user record's index inside its aggregated Kinesis record, the
// sub-sequence number consumers report beside SequenceNumber; 0 when it was not aggregated.
func (r *Result) SubSequenceNumber() int { return r.subSeq }

// Aggregated reports whether the record was written inside an aggregated Kinesis record.
func (r *Result) Aggregated() bool { return r.aggregated }

// Attempts returns how many PutRecords calls carried the record.
func (r *Result) Attempts() int { return r.attempts }

// Ambiguous reports whether an attempt ended without knowing if Kinesis wrote the record (a
// timeout, a broken connection, a server error), or wrote it to a shard that does not own its hash
// key after a resharding. Only such records may appear more than once in the stream; readers
// that drop user records outside their shard's hash key range (as the KCL does) see the second
// kind once.
func (r *Result) Ambiguous() bool { return r.ambiguous }

// Accepted returns when Put accepted the record.
func (r *Result) Accepted() time.Time { return r.accepted }
