package esm

import (
	"context"
	"errors"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/kinesis"
	"github.com/aws/aws-sdk-go-v2/service/kinesis/types"
)

// reader is where a shard's worker gets its records: GetRecords polled through a shard iterator
// for a stream ARN, or a SubscribeToShard subscription that pushes them for a consumer ARN. The
// worker batches, invokes, retries and checkpoints the same way whichever it reads from.
type reader interface {
	// next reads once: one GetRecords call, or one event a subscription has pushed. It does not
	// block waiting for records that are not there.
	next(ctx context.Context) (fetch, error)
	// pushed reports whether records arrive by themselves (the worker reads at every wake) rather
	// than when the worker polls on its interval.
	pushed() bool
	// caughtUp reports whether the reads so far reached the shard's tip as it stood when
	// generation gen of WaitIdle or WaitQuiet began; a reader that waits for the clock to try
	// again counts as caught up, as a failed poll does.
	caughtUp(gen uint64) bool
	// close stops the reader and releases what it holds.
	close()
}

// fetch is what one read returned.
type fetch struct {
	records []types.Record
	// end reports that the shard is closed and read to its end.
	end bool
	// more reports that another read right away may return more.
	more bool
}

// startPosition is where a shard's reading starts: after its checkpoint seq when it has one,
// else at typ (and ts for AT_TIMESTAMP).
type startPosition struct {
	typ types.ShardIteratorType
	ts  time.Time
	seq string
}

// poller reads a shard with GetShardIterator and GetRecords, as Lambda reads a stream ARN.
type poller struct {
	e        *Engine
	shard    string
	start    startPosition
	iterator *string
	lastSeq  string // the last sequence number read
}

func newPoller(e *Engine, shard string, start startPosition) *poller {
	return &poller{e: e, shard: shard, start: start, lastSeq: start.seq}
}

func (p *poller) pushed() bool         { return false }
func (p *poller) caughtUp(uint64) bool { return true }
func (p *poller) close()               {}

func (p *poller) next(ctx context.Context) (fetch, error) {
	e := p.e
	for {
		if p.iterator == nil {
			if err := p.openIterator(ctx); err != nil {
				if ctx.Err() == nil {
					e.log.Warn("esm: get shard iterator", "shard", p.shard, "err", err)
				}
				return fetch{}, err
			}
		}
		out, err := e.client.GetRecords(ctx, &kinesis.GetRecordsInput{ShardIterator: p.iterator, StreamARN: aws.String(e.src.StreamARN), Limit: aws.Int32(10000)})
		if err != nil {
			var expired *types.ExpiredIteratorException
			if errors.As(err, &expired) {
				p.iterator = nil
				continue
			}
			if ctx.Err() == nil {
				e.log.Warn("esm: get records", "shard", p.shard, "err", err)
			}
			return fetch{}, err
		}
		if n := len(out.Records); n > 0 {
			p.lastSeq = aws.ToString(out.Records[n-1].SequenceNumber)
		}
		p.iterator = out.NextShardIterator
		return fetch{
			records: out.Records,
			end:     p.iterator == nil,
			more:    len(out.Records) > 0 && aws.ToInt64(out.MillisBehindLatest) > 0,
		}, nil
	}
}

func (p *poller) openIterator(ctx context.Context) error {
	e := p.e
	in := &kinesis.GetShardIteratorInput{StreamARN: aws.String(e.src.StreamARN), ShardId: aws.String(p.shard), ShardIteratorType: p.start.typ}
	opened := e.cfg.clock.Now()
	switch {
	case p.lastSeq != "":
		in.ShardIteratorType = types.ShardIteratorTypeAfterSequenceNumber
		in.StartingSequenceNumber = aws.String(p.lastSeq)
	case p.start.typ == types.ShardIteratorTypeAtTimestamp:
		t := p.start.ts
		in.Timestamp = &t
	}
	out, err := e.client.GetShardIterator(ctx, in)
	if err != nil {
		return err
	}
	p.iterator = out.ShardIterator
	if p.start.typ == types.ShardIteratorTypeLatest {
		// The position is now the tip as of this call: should the iterator expire before a
		// record is read, a new one starts after this time (arrivals are whole milliseconds),
		// not at a later tip.
		p.start.typ = types.ShardIteratorTypeAtTimestamp
		p.start.ts = opened.Truncate(time.Millisecond).Add(time.Millisecond)
	}
	return nil
}
