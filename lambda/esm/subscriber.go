package esm

import (
	"context"
	"errors"
	"sync"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/kinesis"
	"github.com/aws/aws-sdk-go-v2/service/kinesis/types"

	"github.com/pelicanhq/pelican/internal/sdkhttp"
)

const (
	// subscriptionLifetime is how long Kinesis keeps a SubscribeToShard call open; a subscription
	// that outlives it by subscriptionGrace on the engine's clock is renewed without waiting for
	// its end.
	subscriptionLifetime = 5 * time.Minute
	subscriptionGrace    = 15 * time.Second
	// subscribeEvery is the least time between two calls for one consumer and shard: Kinesis
	// allows one a second.
	subscribeEvery = time.Second
	// inUsePause is how long to wait after ResourceInUseException: Kinesis refuses a second
	// subscription of a consumer and shard within 5 seconds of the first.
	inUsePause = 5 * time.Second
	// maxPause caps the pause between failed subscriptions, which doubles from a second.
	maxPause = time.Minute
	// pushSettle is how long, in real time, a subscription must have been silent before the
	// engine counts it caught up for WaitIdle and WaitQuiet: records are pushed, so nothing but
	// silence says the last one written has arrived. It is transport time, not the stream's
	// time, so it is not on the engine's clock.
	pushSettle = 250 * time.Millisecond
)

// subscriber reads a shard through enhanced fan-out, as Lambda reads a consumer ARN: a
// SubscribeToShard call with the consumer pushes events for up to five minutes, after which a new
// call goes on AFTER_SEQUENCE_NUMBER at the continuation sequence number of the last event; at a
// closed shard's end the event with ChildShards ends it. A goroutine holds the subscription and
// hands each event with records to the worker through a channel of one, so that a worker whose
// buffer is full holds the subscription back.
type subscriber struct {
	e     *Engine
	shard string
	wake  chan struct{} // the worker's: signalled when an event waits or the state changes

	events chan fetch
	cancel context.CancelFunc
	done   chan struct{}

	// continuation is where the next subscription starts; only the goroutine touches it.
	continuation string
	start        startPosition

	mu         sync.Mutex
	state      subState
	lastEvent  time.Time // real time the last event arrived
	seenGen    uint64
	seenAt     time.Time // real time generation seenGen was first asked about
	settleStop func() bool
}

// subState is where a subscriber stands.
type subState int

const (
	subConnecting subState = iota // a SubscribeToShard call is being made
	subOpen                       // a subscription is pushing events
	subPaused                     // waiting on the engine's clock to subscribe again
	subEnded                      // the closed shard was read to its end
)

func newSubscriber(e *Engine, shard string, start startPosition, wake chan struct{}) *subscriber {
	return &subscriber{e: e, shard: shard, wake: wake, start: start, continuation: start.seq,
		events: make(chan fetch, 1)}
}

func (s *subscriber) pushed() bool { return true }

// next hands over the next event the subscription pushed, if one waits; the first call starts the
// subscription.
func (s *subscriber) next(ctx context.Context) (fetch, error) {
	if s.cancel == nil {
		sctx, cancel := context.WithCancel(ctx)
		s.cancel, s.done = cancel, make(chan struct{})
		go s.run(sctx)
	}
	select {
	case f := <-s.events:
		return f, nil
	default:
		return fetch{}, nil
	}
}

func (s *subscriber) close() {
	if s.cancel != nil {
		s.cancel()
		<-s.done
	}
	s.mu.Lock()
	if s.settleStop != nil {
		s.settleStop()
	}
	s.mu.Unlock()
}

// caughtUp reports whether the subscription has been silent for pushSettle since generation gen
// began, with nothing waiting to be handed over; a subscriber waiting on the clock, or at the
// shard's end, is caught up too.
func (s *subscriber) caughtUp(gen uint64) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	now := time.Now()
	if gen > s.seenGen {
		s.seenGen, s.seenAt = gen, now
	}
	if len(s.events) > 0 {
		return false
	}
	switch s.state {
	case subPaused, subEnded:
		return true
	case subConnecting:
		return false
	}
	d := pushSettle - now.Sub(laterOf(s.seenAt, s.lastEvent))
	if d <= 0 {
		return true
	}
	if s.settleStop != nil {
		s.settleStop()
	}
	wake := s.wake
	s.settleStop = time.AfterFunc(d, func() { signal(wake) }).Stop
	return false
}

func (s *subscriber) setState(st subState) {
	s.mu.Lock()
	s.state = st
	if st == subOpen {
		s.lastEvent = time.Now() // the first event is on its way: wait for it as for any other
	}
	s.mu.Unlock()
	signal(s.wake)
}

// errShardEnd ends a subscriber whose shard is read to its end.
var errShardEnd = errors.New("esm: shard read to its end")

// run subscribes, and subscribes again, until the shard's end or ctx's.
func (s *subscriber) run(ctx context.Context) {
	defer close(s.done)
	clock := s.e.cfg.clock
	var lastCall time.Time
	failPause := time.Duration(0)
	for ctx.Err() == nil {
		if !lastCall.IsZero() {
			if d := lastCall.Add(subscribeEvery).Sub(clock.Now()); d > 0 && !s.pause(ctx, d) {
				return
			}
		}
		s.setState(subConnecting)
		lastCall = clock.Now()
		err := s.subscribe(ctx)
		var inUse *types.ResourceInUseException
		var limit *types.LimitExceededException
		var pause time.Duration
		switch {
		case ctx.Err() != nil:
			return
		case errors.Is(err, errShardEnd):
			s.setState(subEnded)
			return
		case err == nil:
			failPause = 0
			continue // the subscription's five minutes are up: renew it
		case errors.As(err, &inUse):
			pause = inUsePause
		case errors.As(err, &limit):
			pause = subscribeEvery
		default:
			failPause = min(max(2*failPause, time.Second), maxPause)
			pause = failPause
		}
		s.e.log.Warn("esm: subscribe to shard", "shard", s.shard, "consumer", s.e.src.ARN, "retryIn", pause, "err", err)
		if !s.pause(ctx, pause) {
			return
		}
	}
}

// subscribe makes one SubscribeToShard call and hands its events over until it ends: nil when its
// time is up, errShardEnd at the shard's end, or the error that ended it.
func (s *subscriber) subscribe(ctx context.Context) error {
	e := s.e
	sctx, cancel := context.WithCancel(ctx)
	defer cancel()
	pos := &types.StartingPosition{Type: s.start.typ}
	switch {
	case s.continuation != "":
		pos = &types.StartingPosition{Type: types.ShardIteratorTypeAfterSequenceNumber, SequenceNumber: aws.String(s.continuation)}
	case s.start.typ == types.ShardIteratorTypeAtTimestamp:
		pos.Timestamp = aws.Time(s.start.ts)
	}
	out, err := e.client.SubscribeToShard(sctx, &kinesis.SubscribeToShardInput{
		ConsumerARN:      aws.String(e.src.ARN),
		ShardId:          aws.String(s.shard),
		StartingPosition: pos,
	}, sdkhttp.OwnProtocol)
	if err != nil {
		return err
	}
	stream := out.GetStream()
	defer stream.Close()
	expired := make(chan struct{})
	stop := e.cfg.clock.AfterFunc(subscriptionLifetime+subscriptionGrace, func() {
		s.setState(subConnecting)
		close(expired)
	})
	defer stop()
	s.setState(subOpen)
	e.log.Debug("esm: subscribed", "shard", s.shard, "position", string(pos.Type), "after", aws.ToString(pos.SequenceNumber))
	for {
		select {
		case ev, ok := <-stream.Events():
			if !ok {
				return stream.Err()
			}
			se, ok := ev.(*types.SubscribeToShardEventStreamMemberSubscribeToShardEvent)
			if !ok {
				continue
			}
			if c := aws.ToString(se.Value.ContinuationSequenceNumber); c != "" {
				s.continuation = c
			}
			f := fetch{records: se.Value.Records, end: len(se.Value.ChildShards) > 0, more: true}
			s.mu.Lock()
			s.lastEvent = time.Now()
			s.mu.Unlock()
			if len(f.records) == 0 && !f.end {
				signal(s.wake) // a heartbeat: nothing to hand over, but the silence starts again
				continue
			}
			select {
			case s.events <- f:
				signal(s.wake)
			case <-ctx.Done():
				return ctx.Err()
			}
			if f.end {
				return errShardEnd
			}
		case <-expired:
			return nil
		case <-ctx.Done():
			return ctx.Err()
		}
	}
}

// pause waits d on the engine's clock; it reports false if ctx ended first. While it waits the
// subscriber counts as caught up; the moment the clock passes d it does not, so that a WaitIdle
// right after the clock moves waits for the subscription that follows.
func (s *subscriber) pause(ctx context.Context, d time.Duration) bool {
	// The timer is armed before the subscriber says it is paused, so that a test which sees it
	// paused and moves the clock fires it.
	done := make(chan struct{})
	fired := false // guarded by s.mu
	stop := s.e.cfg.clock.AfterFunc(d, func() {
		s.mu.Lock()
		fired = true
		s.state = subConnecting
		s.mu.Unlock()
		signal(s.wake)
		close(done)
	})
	defer stop()
	s.mu.Lock()
	if !fired {
		s.state = subPaused
	}
	s.mu.Unlock()
	signal(s.wake)
	select {
	case <-done:
		return true
	case <-ctx.Done():
		return false
	}
}
