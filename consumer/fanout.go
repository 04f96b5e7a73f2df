package consumer

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/kinesis"
	"github.com/aws/aws-sdk-go-v2/service/kinesis/types"

	"github.com/pelicanhq/pelican/internal/sdkhttp"
)

// subscriptionLifetime is how long Kinesis keeps a SubscribeToShard connection open. A reader
// whose subscription outlives it by subscriptionGrace resubscribes on its own, in case the end
// never arrives.
const (
	subscriptionLifetime = 5 * time.Minute
	subscriptionGrace    = 15 * time.Second
	// subscribeEvery is the least time between two SubscribeToShard calls for one shard and
	// consumer: Kinesis allows one a second.
	subscribeEvery = time.Second
)

// eventStream is what a subscription delivers; *kinesis.SubscribeToShardEventStream satisfies it.
// Events is closed when the subscription ends; Err then tells an expiry (nil) from a failure.
type eventStream interface {
	Events() <-chan types.SubscribeToShardEventStream
	Close() error
	Err() error
}

// subscribeFunc opens a subscription. The SDK's output type cannot be built outside the SDK, so
// readers take this function, which tests replace.
type subscribeFunc func(ctx context.Context, in *kinesis.SubscribeToShardInput) (eventStream, error)

func sdkSubscribe(api KinesisAPI) subscribeFunc {
	return func(ctx context.Context, in *kinesis.SubscribeToShardInput) (eventStream, error) {
		out, err := api.SubscribeToShard(ctx, in, sdkhttp.OwnProtocol)
		if err != nil {
			return nil, err
		}
		return out.GetStream(), nil
	}
}

// fanout reads a shard through enhanced fan-out. It resubscribes at the continuation sequence
// number of the last event it returned, when a subscription ends after its five minutes and
// after a failure (the caller backs off between failures).
type fanout struct {
	subscribe   subscribeFunc
	consumerARN string
	shard       string
	start       start
	every       time.Duration // least time between two subscriptions
	lifetime    time.Duration // resubscribe after this even if the subscription has not ended

	continuation string
	stream       eventStream
	cancel       context.CancelFunc
	expires      *time.Timer
	lastCall     time.Time
}

func (c *Consumer) newFanout(shard string, st start) *fanout {
	return &fanout{
		subscribe:   c.subscribe,
		consumerARN: c.consumerARN,
		shard:       shard,
		start:       st,
		every:       subscribeEvery,
		lifetime:    subscriptionLifetime + subscriptionGrace,
	}
}

func (f *fanout) next(ctx context.Context) (readResult, error) {
	for {
		if f.stream == nil {
			if err := f.open(ctx); err != nil {
				return readResult{}, err
			}
		}
		select {
		case ev, ok := <-f.stream.Events():
			if !ok {
				err := f.stream.Err()
				f.closeStream()
				if ctx.Err() != nil {
					return readResult{}, ctx.Err()
				}
				if err != nil {
					return readResult{}, fmt.Errorf("consumer: subscription to %s failed: %w", f.shard, err)
				}
				continue // the subscription's time is up: resubscribe
			}
			e, ok := ev.(*types.SubscribeToShardEventStreamMemberSubscribeToShardEvent)
			if !ok {
				continue
			}
			if s := aws.ToString(e.Value.ContinuationSequenceNumber); s != "" {
				f.continuation = s
			}
			res := readResult{
				records:      e.Value.Records,
				millisBehind: aws.ToInt64(e.Value.MillisBehindLatest),
				children:     e.Value.ChildShards,
				end:          len(e.Value.ChildShards) > 0,
			}
			if res.end {
				f.closeStream()
			}
			return res, nil
		case <-f.expires.C:
			f.closeStream()
		case <-ctx.Done():
			f.closeStream()
			return readResult{}, ctx.Err()
		}
	}
}

func (f *fanout) open(ctx context.Context) error {
	if d := time.Until(f.lastCall.Add(f.every)); d > 0 && !sleep(ctx, d) {
		return ctx.Err()
	}
	f.lastCall = time.Now()
	pos := f.start.startingPosition()
	if f.continuation != "" {
		pos = &types.StartingPosition{Type: types.ShardIteratorTypeAfterSequenceNumber, SequenceNumber: aws.String(f.continuation)}
	}
	sctx, cancel := context.WithCancel(ctx)
	stream, err := f.subscribe(sctx, &kinesis.SubscribeToShardInput{
		ConsumerARN:      aws.String(f.consumerARN),
		ShardId:          aws.String(f.shard),
		StartingPosition: pos,
	})
	if err != nil {
		cancel()
		return fmt.Errorf("consumer: SubscribeToShard %s: %w", f.shard, err)
	}
	f.stream, f.cancel = stream, cancel
	f.expires = time.NewTimer(f.lifetime)
	return nil
}

func (f *fanout) closeStream() {
	if f.stream == nil {
		return
	}
	_ = f.stream.Close()
	f.cancel()
	f.expires.Stop()
	f.stream, f.cancel = nil, nil
}

func (f *fanout) close() { f.closeStream() }

// registerConsumer registers the enhanced fan-out consumer, or finds it registered, and waits
// until it is ACTIVE. It returns the consumer's ARN.
func (c *Consumer) registerConsumer(ctx context.Context) (string, error) {
	streamARN := aws.ToString(c.stream.arn())
	if streamARN == "" {
		out, err := c.api.DescribeStreamSummary(ctx, &kinesis.DescribeStreamSummaryInput{StreamName: aws.String(c.stream.name)})
		if err != nil {
			return "", fmt.Errorf("consumer: describe stream %s: %w", c.stream, err)
		}
		streamARN = aws.ToString(out.StreamDescriptionSummary.StreamARN)
	}
	name := c.cfg.fanOutName
	var arn string
	reg, err := c.api.RegisterStreamConsumer(ctx, &kinesis.RegisterStreamConsumerInput{StreamARN: aws.String(streamARN), ConsumerName: aws.String(name)})
	var inUse *types.ResourceInUseException
	switch {
	case err == nil:
		arn = aws.ToString(reg.Consumer.ConsumerARN)
		if reg.Consumer.ConsumerStatus == types.ConsumerStatusActive {
			return arn, nil
		}
	case errors.As(err, &inUse):
		// Registered already, by this application's other workers or an earlier run.
	default:
		return "", fmt.Errorf("consumer: register stream consumer %s: %w", name, err)
	}
	delay := 200 * time.Millisecond
	for {
		in := &kinesis.DescribeStreamConsumerInput{StreamARN: aws.String(streamARN), ConsumerName: aws.String(name)}
		if arn != "" {
			in = &kinesis.DescribeStreamConsumerInput{ConsumerARN: aws.String(arn)}
		}
		out, err := c.api.DescribeStreamConsumer(ctx, in)
		switch {
		case err == nil && out.ConsumerDescription.ConsumerStatus == types.ConsumerStatusActive:
			return aws.ToString(out.ConsumerDescription.ConsumerARN), nil
		case err != nil && !isThrottle(err):
			return "", fmt.Errorf("consumer: describe stream consumer %s: %w", name, err)
		}
		if !sleep(ctx, delay) {
			return "", fmt.Errorf("consumer: waiting for stream consumer %s: %w", name, ctx.Err())
		}
		delay = min(2*delay, 5*time.Second)
	}
}
