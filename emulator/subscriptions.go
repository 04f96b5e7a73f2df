package emulator

import (
	"context"
	"io"
	"sync"
	"time"

	"github.com/pelicanhq/pelican/emulator/internal/store"
	"github.com/pelicanhq/pelican/emulator/internal/wire"
)

// SubscribeToShard, and the registry of live subscriptions. A subscription is one long response of
// event-stream messages: initial-response, then SubscribeToShardEvent messages pushed as records
// become visible in the shard (the reader waits on the shard, it never polls), and at a closed
// shard's end one last event with ChildShards and no ContinuationSequenceNumber. One consumer holds
// at most one subscription per shard; resharding, deregistration, stream deletion and shutdown end
// them through the registry.

const (
	// subscriptionLifetime is how long a subscription lasts before it ends cleanly.
	subscriptionLifetime = 5 * time.Minute
	// takeoverAfter is how old a subscription must be before another call for the same consumer and
	// shard takes it over; a younger one makes the new call fail with ResourceInUseException.
	takeoverAfter = 5 * time.Second
	// subscribeInterval is the least time between two calls for the same consumer and shard.
	subscribeInterval = time.Second
	// heartbeatInterval is how long a subscription stays silent before it sends an event without
	// records, so that the client sees it is alive and learns MillisBehindLatest.
	heartbeatInterval = 5 * time.Second
	// An event carries at most this many records and, beyond its first record, this many bytes
	// (the enhanced fan-out rate of one shard for one second).
	maxEventRecords = 10000
	maxEventBytes   = 2 << 20
)

// startingPosition is where a subscription starts reading.
type startingPosition struct {
	Type           string          `json:"Type"`
	SequenceNumber string          `json:"SequenceNumber,omitempty"`
	Timestamp      *wire.Timestamp `json:"Timestamp,omitempty"`
}

// subscribeToShardInput is the SubscribeToShard request.
type subscribeToShardInput struct {
	ConsumerARN      string            `json:"ConsumerARN"`
	ShardId          string            `json:"ShardId"`
	StartingPosition *startingPosition `json:"StartingPosition"`
	StreamId         string            `json:"StreamId,omitempty"`
	DryRun           *bool             `json:"DryRun,omitempty"`
}

// subscribeToShardEvent is one event of a subscription. ContinuationSequenceNumber is where to
// resubscribe (AFTER_SEQUENCE_NUMBER) to go on without gap or duplicate; it is absent from the
// last event of a closed shard, which carries ChildShards instead.
type subscribeToShardEvent struct {
	Records                    []record     `json:"Records"`
	ContinuationSequenceNumber string       `json:"ContinuationSequenceNumber,omitempty"`
	MillisBehindLatest         int64        `json:"MillisBehindLatest"`
	ChildShards                []childShard `json:"ChildShards,omitempty"`
}

// subscribeToShard admits a subscription and returns its events; the handler writes them out as
// an event stream and closes the source when it is done.
func (s *Server) subscribeToShard(c *call, in *subscribeToShardInput) (eventSource, error) {
	v := &validator{}
	v.consumerARN("consumerARN", in.ConsumerARN, true)
	v.shardID("shardId", in.ShardId, true)
	v.required("startingPosition", in.StartingPosition != nil)
	if p := in.StartingPosition; p != nil {
		v.required("startingPosition.type", p.Type != "")
		v.enum("startingPosition.type", p.Type, iterAtSequence, iterAfterSequence, iterTrimHorizon, iterLatest, iterAtTimestamp)
		if p.SequenceNumber != "" {
			v.pattern("startingPosition.sequenceNumber", p.SequenceNumber, sequencePattern, `0|([1-9]\d{0,128})`)
		}
	}
	if err := v.err(); err != nil {
		return nil, err
	}
	st, cons, err := s.findConsumer(c, consumerRef{arn: in.ConsumerARN})
	if err != nil {
		return nil, err
	}
	var consStatus, consName, streamStatus, encryption string
	var consCreated time.Time
	var sh *store.Shard
	st.View(func() {
		consStatus, consName, consCreated = cons.Status, cons.Name, cons.Created
		streamStatus, encryption = st.Status, answeredEncryption(st.EncryptionType)
		sh = st.Shard(in.ShardId)
	})
	if consStatus != consumerActive {
		return nil, errResourceInUse("Consumer %s with creation timestamp %d under stream: %s , account %s is not in ACTIVE status.", consName, consCreated.Unix(), st.Key.Name, st.Key.Account)
	}
	if streamStatus != store.StatusActive && streamStatus != store.StatusUpdating {
		return nil, errStreamNotActive(st.Key.Name, st.Key.Account, streamStatus)
	}
	if sh == nil {
		return nil, errShardNotFound(in.ShardId, st.Key.Name, st.Key.Account)
	}
	s.trimStream(st, c.now)
	pos, err := s.subscriptionStart(c, st, sh, in.StartingPosition)
	if err != nil {
		return nil, err
	}
	if in.DryRun != nil && *in.DryRun {
		return nil, errDryRun()
	}
	sub, err := s.beginSubscription(subKey{consumer: cons.ARN, shard: sh.ID}, st, consName, c.now)
	if err != nil {
		return nil, err
	}
	return &shardEvents{s: s, st: st, sh: sh, sub: sub, encryption: encryption, rateKey: cons.ARN + "/" + sh.ID,
		pos: pos, first: true, beat: make(chan struct{}, 1)}, nil
}

// subscriptionStart turns a starting position into a record index of sh.
func (s *Server) subscriptionStart(c *call, st *store.Stream, sh *store.Shard, p *startingPosition) (uint64, error) {
	withSeq := p.Type == iterAtSequence || p.Type == iterAfterSequence
	switch {
	case withSeq && p.SequenceNumber == "":
		return 0, errInvalidArgument("StartingPosition of type %s requires a SequenceNumber.", p.Type)
	case !withSeq && p.SequenceNumber != "":
		return 0, errInvalidArgument("StartingPosition of type %s does not take a SequenceNumber.", p.Type)
	case p.Type != iterAtTimestamp && p.Timestamp != nil && !p.Timestamp.IsZero():
		return 0, errInvalidArgument("StartingPosition of type %s does not take a Timestamp.", p.Type)
	}
	if p.Type == iterAfterSequence && readsFromFirst(sh, p.SequenceNumber) {
		return s.startPosition(c, st, sh, iterAtSequence, sh.StartSequence, nil)
	}
	return s.startPosition(c, st, sh, p.Type, p.SequenceNumber, p.Timestamp)
}

// readsFromFirst reports whether reading after seq reads a shard from its first record: seq is the
// continuation an event carries before the first record, or the shard's starting sequence number
// (which, as in Kinesis, comes before every record). A record written in the second its shard was
// created has the starting sequence number too; after that number means after that record.
func readsFromFirst(sh *store.Shard, seq string) bool {
	if seq == beforeFirst(sh) {
		return true
	}
	if seq != sh.StartSequence {
		return false
	}
	recs, _ := sh.Read(0, 1, maxEventBytes)
	return len(recs) == 0 || recs[0].Index != 0 || recs[0].Sequence != seq
}

// beforeFirst is the continuation of a subscription that has read nothing of a shard: a number
// below every record's (its arrival second precedes the shard), which no record can carry.
func beforeFirst(sh *store.Shard) string {
	return store.Sequence{ShardCreated: sh.Created, ShardIndex: sh.Index, Index: 0, Arrival: sh.Created.Add(-time.Second)}.Format()
}

// eventSource is what a streaming operation returns: its events, one at a time. Next blocks until
// the next event and returns it; it returns io.EOF when the stream ends cleanly, an *Error when it
// ends with an exception event, and ctx's error when the client went away. Close releases the
// source; the handler calls it once, whatever Next returned.
type eventSource interface {
	Next(ctx context.Context) (*subscribeToShardEvent, error)
	Close()
}

// shardEvents are the events of one subscription: the records of the shard from pos as they
// become visible, until the subscription ends, the client goes away, or the closed shard is read
// to its end.
type shardEvents struct {
	s          *Server
	st         *store.Stream
	sh         *store.Shard
	sub        *subscription
	encryption string
	rateKey    string // the consumer and shard whose read rate the events count against

	pos      uint64
	first    bool // no event sent yet: the first goes out even without records
	beating  bool // the heartbeat fired: the next event goes out even without records
	beat     chan struct{}
	stopBeat func() bool

	// The read that produced the last event, whose step Next finishes on its next call.
	resume  bool
	closed  bool            // the shard was closed at that read
	records bool            // the event had records
	wake    <-chan struct{} // wakes a reader when the shard changes after that read
	done    bool            // the closed shard's last event was returned
}

// arm times the next heartbeat.
func (e *shardEvents) arm() {
	if e.stopBeat != nil {
		e.stopBeat()
	}
	e.stopBeat = e.s.cfg.clock.AfterFunc(heartbeatInterval, func() {
		select {
		case e.beat <- struct{}{}:
		default:
		}
	})
}

// Close stops the heartbeat and frees the subscription's slot.
func (e *shardEvents) Close() {
	if e.stopBeat != nil {
		e.stopBeat()
	}
	e.s.subs.remove(e.sub)
}

// ended is what Next returns once the subscription has ended: its reason, or io.EOF.
func (e *shardEvents) ended() error {
	if reason := e.sub.endReason(); reason != nil {
		return reason
	}
	return io.EOF
}

// Next returns the next event of the subscription.
func (e *shardEvents) Next(ctx context.Context) (*subscribeToShardEvent, error) {
	if e.done {
		return nil, io.EOF
	}
	for {
		if e.resume {
			// Finish the step of the last event: the end of a closed shard, or a wait for more.
			e.resume = false
			if e.closed && e.pos >= e.sh.Next() {
				e.done = true
				return e.endEvent(), nil
			}
			if !e.records {
				if err := e.wait(ctx); err != nil {
					return nil, err
				}
			}
		}
		select {
		case <-e.sub.done:
			return nil, e.ended()
		case <-ctx.Done():
			return nil, ctx.Err()
		default:
		}
		e.wake = e.sh.Wait()
		e.closed = e.sh.Closed()
		recs, next := e.sh.Read(e.pos, maxEventRecords, maxEventBytes)
		if wait := e.s.limits.fanOutWait(e.s.now(), e.rateKey); len(recs) > 0 && wait > 0 {
			// Over 2 MiB/s for this consumer and shard: enhanced fan-out delivers later rather
			// than failing, so wait for the rate to allow the next event.
			if err := e.sleep(ctx, wait); err != nil {
				return nil, err
			}
			continue
		}
		if len(recs) > 0 || e.first || e.beating {
			// The next heartbeat is timed before the event goes out, so that a client that has
			// seen the event and moves a manual clock on sees the heartbeat too.
			e.arm()
			ev := e.event(recs, next)
			e.pos, e.first, e.beating = next, false, false
			e.resume, e.records = true, len(recs) > 0
			return ev, nil
		}
		if e.closed && e.pos >= e.sh.Next() {
			e.done = true
			return e.endEvent(), nil
		}
		if err := e.wait(ctx); err != nil {
			return nil, err
		}
	}
}

// wait blocks until the shard changes after the last read, the heartbeat fires, or the
// subscription or the client ends.
func (e *shardEvents) wait(ctx context.Context) error {
	select {
	case <-e.wake:
	case <-e.beat:
		e.beating = true
	case <-e.sub.done:
		return e.ended()
	case <-ctx.Done():
		return ctx.Err()
	}
	return nil
}

// sleep waits d on the server's clock, or until the subscription or the client ends.
func (e *shardEvents) sleep(ctx context.Context, d time.Duration) error {
	done := make(chan struct{})
	stop := e.s.cfg.clock.AfterFunc(d, func() { close(done) })
	defer stop()
	select {
	case <-done:
		return nil
	case <-e.sub.done:
		return e.ended()
	case <-ctx.Done():
		return ctx.Err()
	}
}

// event is the event with recs, read up to next; its bytes count against the fan-out rate.
func (e *shardEvents) event(recs []store.Record, next uint64) *subscribeToShardEvent {
	bytes := 0
	for i := range recs {
		bytes += recs[i].Size()
	}
	now := e.s.now()
	e.s.limits.fanOutCharge(now, e.rateKey, bytes)
	e.s.limits.stats.read(now, e.sh, len(recs), bytes)
	ev := &subscribeToShardEvent{Records: make([]record, len(recs))}
	for i := range recs {
		r := &recs[i]
		ev.Records[i] = record{SequenceNumber: r.Sequence, ApproximateArrivalTimestamp: wire.NewTimestamp(r.Arrival),
			Data: r.Data, PartitionKey: r.PartitionKey, EncryptionType: e.encryption}
	}
	if len(recs) > 0 {
		ev.ContinuationSequenceNumber = recs[len(recs)-1].Sequence
	} else {
		ev.ContinuationSequenceNumber = continuationAt(e.sh, next)
	}
	ev.MillisBehindLatest = e.s.millisBehind(&call{now: e.s.now()}, e.sh, next)
	return ev
}

// endEvent is the last event of a closed shard: no records, no continuation, its children.
func (e *shardEvents) endEvent() *subscribeToShardEvent {
	return &subscribeToShardEvent{Records: []record{}, ChildShards: e.s.childShards(e.st, e.sh)}
}

// continuationAt is the sequence number to resubscribe after to read from record index pos: the
// sequence number of the record before it, or beforeFirst before the first record.
func continuationAt(sh *store.Shard, pos uint64) string {
	if pos == 0 {
		return beforeFirst(sh)
	}
	if recs, _ := sh.Read(pos-1, 1, maxEventBytes); len(recs) == 1 && recs[0].Index == pos-1 {
		return recs[0].Sequence
	}
	// The record is no longer retained; a number of the same index resumes at the same place.
	return store.Sequence{ShardCreated: sh.Created, ShardIndex: sh.Index, Index: pos - 1, Arrival: sh.Created}.Format()
}

// subKey names one subscription slot: a consumer (by ARN) and a shard.
type subKey struct{ consumer, shard string }

// subscription is one live SubscribeToShard call.
type subscription struct {
	key     subKey
	stream  *store.Stream
	started time.Time
	done    chan struct{} // closed when the subscription must end

	mu     sync.Mutex
	ended  bool
	reason *Error      // sent as an exception event when the subscription ends; nil ends it cleanly
	stop   func() bool // stops the lifetime timer
}

// end makes the subscription end, with reason as its last word (nil for a clean end). Only the
// first call counts.
func (sub *subscription) end(reason *Error) {
	sub.mu.Lock()
	if sub.ended {
		sub.mu.Unlock()
		return
	}
	sub.ended, sub.reason = true, reason
	stop := sub.stop
	close(sub.done)
	sub.mu.Unlock()
	if stop != nil {
		stop()
	}
}

// endReason returns why the subscription ended (nil for a clean end).
func (sub *subscription) endReason() *Error {
	sub.mu.Lock()
	defer sub.mu.Unlock()
	return sub.reason
}

func (sub *subscription) isEnded() bool {
	sub.mu.Lock()
	defer sub.mu.Unlock()
	return sub.ended
}

// subscriptions tracks the live SubscribeToShard calls, so that resharding, deregistration,
// stream deletion and shutdown can end them.
type subscriptions struct {
	mu       sync.Mutex
	closed   bool
	live     map[subKey]*subscription
	lastCall map[subKey]time.Time // when each slot last admitted a call, for the one-per-second rule
}

func newSubscriptions() *subscriptions {
	return &subscriptions{live: map[subKey]*subscription{}, lastCall: map[subKey]time.Time{}}
}

// slotName is how AWS names a subscription slot in its messages: ACCOUNT:STREAM:SHARD:CONSUMER.
func slotName(st *store.Stream, shard, consumer string) string {
	return st.Key.Account + ":" + st.Key.Name + ":" + shard + ":" + consumer
}

// beginSubscription admits a call for the slot k at now, applying the rate rule (one call per second) and the
// takeover rule (a live subscription younger than five seconds wins; an older one is taken over
// and ends with ResourceInUseException). The new subscription ends by itself after five minutes
// of the server's clock.
func (s *Server) beginSubscription(k subKey, st *store.Stream, consumerName string, now time.Time) (*subscription, error) {
	r := s.subs
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.closed {
		return nil, errorByCode("ServiceUnavailable", "The server is shutting down.")
	}
	if last, ok := r.lastCall[k]; ok && now.Sub(last) < subscribeInterval {
		return nil, errLimitExceeded("Rate exceeded for consumer %s and shard %s in stream %s under account %s.", k.consumer, k.shard, st.Key.Name, st.Key.Account)
	}
	r.sweep(now)
	r.lastCall[k] = now
	slot := slotName(st, k.shard, consumerName)
	if old := r.live[k]; old != nil && !old.isEnded() {
		if now.Sub(old.started) < takeoverAfter {
			return nil, errSubscriptionExists(slot)
		}
		old.end(errSubscriptionExists(slot))
	}
	sub := &subscription{key: k, stream: st, started: now, done: make(chan struct{})}
	stop := s.cfg.clock.AfterFunc(subscriptionLifetime, func() { sub.end(nil) })
	sub.mu.Lock()
	sub.stop = stop
	sub.mu.Unlock()
	r.live[k] = sub
	return sub, nil
}

// sweep forgets call times too old to matter, so that the map does not grow without bound.
// Callers hold r.mu.
func (r *subscriptions) sweep(now time.Time) {
	if len(r.lastCall) < 1024 {
		return
	}
	for k, at := range r.lastCall {
		if now.Sub(at) >= subscribeInterval {
			delete(r.lastCall, k)
		}
	}
}

// remove forgets sub once its call has returned.
func (r *subscriptions) remove(sub *subscription) {
	sub.end(nil)
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.live[sub.key] == sub {
		delete(r.live, sub.key)
	}
}

// endWhere ends, cleanly, every live subscription that match selects.
func (r *subscriptions) endWhere(match func(*subscription) bool) {
	r.mu.Lock()
	var ending []*subscription
	for _, sub := range r.live {
		if match(sub) {
			ending = append(ending, sub)
		}
	}
	r.mu.Unlock()
	for _, sub := range ending {
		sub.end(nil)
	}
}

// closeAll ends every subscription (shutdown) and admits no more.
func (r *subscriptions) closeAll() {
	r.mu.Lock()
	r.closed = true
	r.mu.Unlock()
	r.endWhere(func(*subscription) bool { return true })
}

// endStream ends the subscriptions of a stream being deleted.
func (r *subscriptions) endStream(st *store.Stream) {
	r.endWhere(func(sub *subscription) bool { return sub.stream == st })
}

// endConsumer ends the subscriptions of a consumer being deregistered.
func (r *subscriptions) endConsumer(consumerARN string) {
	r.endWhere(func(sub *subscription) bool { return sub.key.consumer == consumerARN })
}
