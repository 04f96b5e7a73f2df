package consumer

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/kinesis"
	"github.com/aws/aws-sdk-go-v2/service/kinesis/types"
	"github.com/aws/smithy-go"
)

// poller reads a shard with GetRecords: never more often than the poll interval (Kinesis allows
// five calls a second per shard), after the idle interval when a read found the shard drained,
// and with a growing backoff while throttled.
type poller struct {
	api        KinesisAPI
	stream     streamRef
	shard      string
	start      start
	interval   time.Duration
	idle       time.Duration
	maxRecords int32
	throttle   RetryPolicy
	metrics    Metrics

	iterator  *string
	lastSeq   string // the last Kinesis record returned, where a new iterator resumes
	lastCall  time.Time
	wait      time.Duration
	throttled int
}

func (c *Consumer) newPoller(shard string, st start) *poller {
	return &poller{
		api:        c.api,
		stream:     c.stream,
		shard:      shard,
		start:      st,
		interval:   c.cfg.pollInterval,
		idle:       c.cfg.idleInterval,
		maxRecords: c.cfg.maxRecords,
		throttle:   RetryPolicy{InitialBackoff: 500 * time.Millisecond, MaxBackoff: 10 * time.Second},
		metrics:    c.cfg.metrics,
	}
}

func (p *poller) close() {}

func (p *poller) next(ctx context.Context) (readResult, error) {
	for {
		if p.iterator == nil {
			it, err := p.getIterator(ctx)
			if err != nil {
				return readResult{}, err
			}
			p.iterator = it
		}
		if d := time.Until(p.lastCall.Add(p.wait)); d > 0 && !sleep(ctx, d) {
			return readResult{}, ctx.Err()
		}
		p.lastCall = time.Now()
		out, err := p.api.GetRecords(ctx, &kinesis.GetRecordsInput{
			ShardIterator: p.iterator,
			Limit:         aws.Int32(p.maxRecords),
			StreamARN:     p.stream.arn(),
		})
		if err != nil {
			if ctx.Err() != nil {
				return readResult{}, ctx.Err()
			}
			var expired *types.ExpiredIteratorException
			switch {
			case errors.As(err, &expired):
				p.iterator, p.wait = nil, 0
				continue
			case isThrottle(err):
				p.throttled++
				p.metrics.Error(p.shard, ErrorThrottled)
				p.wait = p.throttle.backoff(p.throttled)
				continue
			}
			return readResult{}, fmt.Errorf("consumer: GetRecords on %s: %w", p.shard, err)
		}
		p.throttled = 0
		res := readResult{
			records:      out.Records,
			millisBehind: aws.ToInt64(out.MillisBehindLatest),
			end:          out.NextShardIterator == nil,
			children:     out.ChildShards,
		}
		if n := len(out.Records); n > 0 {
			p.lastSeq = aws.ToString(out.Records[n-1].SequenceNumber)
		}
		p.iterator = out.NextShardIterator
		p.wait = p.interval
		if len(out.Records) == 0 && res.millisBehind == 0 {
			p.wait = p.idle
		}
		return res, nil
	}
}

// getIterator starts where the last read left off, or at the start the first time.
func (p *poller) getIterator(ctx context.Context) (*string, error) {
	in := &kinesis.GetShardIteratorInput{ShardId: aws.String(p.shard)}
	p.stream.set(&in.StreamName, &in.StreamARN)
	if p.lastSeq != "" {
		in.ShardIteratorType = types.ShardIteratorTypeAfterSequenceNumber
		in.StartingSequenceNumber = aws.String(p.lastSeq)
	} else {
		in.ShardIteratorType = p.start.typ
		switch p.start.typ {
		case types.ShardIteratorTypeAtSequenceNumber, types.ShardIteratorTypeAfterSequenceNumber:
			in.StartingSequenceNumber = aws.String(p.start.seq)
		case types.ShardIteratorTypeAtTimestamp:
			in.Timestamp = aws.Time(p.start.at)
		}
	}
	out, err := p.api.GetShardIterator(ctx, in)
	if err != nil {
		return nil, fmt.Errorf("consumer: GetShardIterator on %s: %w", p.shard, err)
	}
	if out.ShardIterator == nil {
		return nil, fmt.Errorf("consumer: GetShardIterator on %s returned no iterator", p.shard)
	}
	return out.ShardIterator, nil
}

// isThrottle reports whether err is Kinesis refusing a call for its rate.
func isThrottle(err error) bool {
	var api smithy.APIError
	if !errors.As(err, &api) {
		return false
	}
	switch api.ErrorCode() {
	case "ProvisionedThroughputExceededException", "LimitExceededException", "KMSThrottlingException", "ThrottlingException":
		return true
	}
	return false
}
