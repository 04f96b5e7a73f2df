package consumer

import (
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/kinesis/types"

	"github.com/pelicanhq/pelican/consumer/lease"
)

// Position is where a worker starts reading a shard that has no checkpoint yet.
type Position struct {
	kind string
	at   time.Time
}

// TrimHorizon starts at the oldest record the stream keeps.
func TrimHorizon() Position { return Position{kind: lease.TrimHorizon} }

// Latest starts just after the newest record, when the shard is first read. Shards created by a
// later resharding start at their beginning, so nothing written after the start is missed.
func Latest() Position { return Position{kind: lease.Latest} }

// AtTimestamp starts at the first record that arrived at or after t.
func AtTimestamp(t time.Time) Position { return Position{kind: lease.AtTimestamp, at: t} }

// String returns the position's name, as checkpoints store it.
func (p Position) String() string { return p.kind }

// start is where a reader begins: a starting point in Kinesis terms, and the checkpoint below
// which deaggregated user records are dropped (records at the checkpoint's sequence number are
// read again, so an aggregate that was processed in part resumes at its next user record).
type start struct {
	typ   types.ShardIteratorType
	seq   string
	at    time.Time
	after lease.Checkpoint
}

// startFrom turns a lease's checkpoint into a reading start; ok is false for SHARD_END.
func startFrom(cp lease.Checkpoint, at time.Time) (s start, ok bool) {
	switch cp.SequenceNumber {
	case lease.ShardEnd:
		return start{}, false
	case lease.TrimHorizon, "":
		return start{typ: types.ShardIteratorTypeTrimHorizon}, true
	case lease.Latest:
		return start{typ: types.ShardIteratorTypeLatest}, true
	case lease.AtTimestamp:
		return start{typ: types.ShardIteratorTypeAtTimestamp, at: at}, true
	default:
		return start{typ: types.ShardIteratorTypeAtSequenceNumber, seq: cp.SequenceNumber, after: cp}, true
	}
}

// startingPosition is s for SubscribeToShard.
func (s start) startingPosition() *types.StartingPosition {
	p := &types.StartingPosition{Type: types.ShardIteratorType(s.typ)}
	switch s.typ {
	case types.ShardIteratorTypeAtSequenceNumber, types.ShardIteratorTypeAfterSequenceNumber:
		p.SequenceNumber = aws.String(s.seq)
	case types.ShardIteratorTypeAtTimestamp:
		p.Timestamp = aws.Time(s.at)
	}
	return p
}
