package harness

import (
	"context"
	"errors"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/kinesis"
	"github.com/aws/aws-sdk-go-v2/service/kinesis/types"
)

// KinesisAPI is the part of the Kinesis client Record uses: reads only, so that recording needs
// no more than read permissions. *kinesis.Client satisfies it.
type KinesisAPI interface {
	ListShards(ctx context.Context, in *kinesis.ListShardsInput, optFns ...func(*kinesis.Options)) (*kinesis.ListShardsOutput, error)
	GetShardIterator(ctx context.Context, in *kinesis.GetShardIteratorInput, optFns ...func(*kinesis.Options)) (*kinesis.GetShardIteratorOutput, error)
	GetRecords(ctx context.Context, in *kinesis.GetRecordsInput, optFns ...func(*kinesis.Options)) (*kinesis.GetRecordsOutput, error)
}

var _ KinesisAPI = (*kinesis.Client)(nil)

const (
	// minCallInterval keeps a reader within the five GetRecords calls a second that Kinesis
	// allows per shard.
	minCallInterval = 200 * time.Millisecond
	// maxRecordsPerCall is the most records one GetRecords call may return.
	maxRecordsPerCall = 10000
	// maxFailures is how many failed calls in a row a shard's reader retries before it gives up;
	// throttling does not count, since waiting cures it.
	maxFailures = 5
	// maxBackoff caps the wait between retries.
	maxBackoff = 10 * time.Second
)

// streamRef names a stream by name or, when it starts with "arn:", by ARN.
type streamRef string

func (s streamRef) isARN() bool { return strings.HasPrefix(string(s), "arn:") }

// name is the stream's name, also when it is given by ARN.
func (s streamRef) name() string {
	if s.isARN() {
		if i := strings.LastIndex(string(s), "/"); i >= 0 {
			return string(s)[i+1:]
		}
	}
	return string(s)
}

func (s streamRef) nameAndARN() (name, arn *string) {
	if s.isARN() {
		return nil, aws.String(string(s))
	}
	return aws.String(string(s)), nil
}

// shardReader reads one shard from a position to its end, or until its context ends.
type shardReader struct {
	client   KinesisAPI
	stream   streamRef
	shard    string
	start    Position
	idle     time.Duration
	deliver  func(shard string, recs []types.Record, behind int64) error
	lastSeq  string
	failures int
}

// read returns the shard's children (from the last GetRecords of a closed shard) once the shard
// is read to its end.
func (r *shardReader) read(ctx context.Context) ([]types.ChildShard, error) {
	iter, err := r.iterator(ctx)
	if err != nil {
		return nil, err
	}
	var wait time.Duration
	for {
		if err := sleep(ctx, wait); err != nil {
			return nil, err
		}
		_, arn := r.stream.nameAndARN()
		out, err := r.client.GetRecords(ctx, &kinesis.GetRecordsInput{
			ShardIterator: iter, Limit: aws.Int32(maxRecordsPerCall), StreamARN: arn,
		})
		if err != nil {
			if ctx.Err() != nil {
				return nil, ctx.Err()
			}
			var expired *types.ExpiredIteratorException
			if errors.As(err, &expired) {
				if iter, err = r.iterator(ctx); err != nil {
					return nil, err
				}
				wait = 0
				continue
			}
			if wait, err = r.retry(err); err != nil {
				return nil, err
			}
			continue
		}
		r.failures = 0
		behind := aws.ToInt64(out.MillisBehindLatest)
		if len(out.Records) > 0 {
			r.lastSeq = aws.ToString(out.Records[len(out.Records)-1].SequenceNumber)
		}
		if err := r.deliver(r.shard, out.Records, behind); err != nil {
			return nil, err
		}
		if out.NextShardIterator == nil {
			return out.ChildShards, nil
		}
		iter = out.NextShardIterator
		wait = minCallInterval
		if len(out.Records) == 0 && behind == 0 {
			wait = r.idle
		}
	}
}

// iterator gets an iterator at the start position, or after the last record read.
func (r *shardReader) iterator(ctx context.Context) (*string, error) {
	name, arn := r.stream.nameAndARN()
	in := &kinesis.GetShardIteratorInput{StreamName: name, StreamARN: arn, ShardId: aws.String(r.shard)}
	switch {
	case r.lastSeq != "":
		in.ShardIteratorType = types.ShardIteratorTypeAfterSequenceNumber
		in.StartingSequenceNumber = aws.String(r.lastSeq)
	case r.start.kind == types.ShardIteratorTypeAtTimestamp:
		in.ShardIteratorType = r.start.kind
		in.Timestamp = aws.Time(r.start.at)
	default:
		in.ShardIteratorType = r.start.kind
	}
	for {
		out, err := r.client.GetShardIterator(ctx, in)
		if err == nil {
			r.failures = 0
			return out.ShardIterator, nil
		}
		if ctx.Err() != nil {
			return nil, ctx.Err()
		}
		wait, err := r.retry(err)
		if err != nil {
			return nil, err
		}
		if err := sleep(ctx, wait); err != nil {
			return nil, err
		}
	}
}

// retry decides what to do about a failed call: wait and try again, or give up with err.
func (r *shardReader) retry(err error) (time.Duration, error) {
	var (
		throughput *types.ProvisionedThroughputExceededException
		limit      *types.LimitExceededException
		notFound   *types.ResourceNotFoundException
		invalid    *types.InvalidArgumentException
		denied     *types.AccessDeniedException
	)
	switch {
	case errors.As(err, &throughput), errors.As(err, &limit):
		r.failures++
		return backoff(r.failures), nil
	case errors.As(err, &notFound), errors.As(err, &invalid), errors.As(err, &denied):
		return 0, err
	}
	r.failures++
	if r.failures > maxFailures {
		return 0, err
	}
	return backoff(r.failures), nil
}

// backoff doubles from half a second up to maxBackoff.
func backoff(failures int) time.Duration {
	d := 500 * time.Millisecond
	for i := 1; i < failures && d < maxBackoff; i++ {
		d *= 2
	}
	return min(d, maxBackoff)
}
