package producer

import (
	"context"
	"fmt"
	"log/slog"
	"sync"
	"time"
	"unicode/utf8"

	"github.com/pelicanhq/pelican/aggregation"
)

// Producer batches user records into PutRecords calls to one stream. Its methods are safe for
// concurrent use.
type Producer struct {
	client Client
	stream streamRef
	cfg    config
	log    *slog.Logger
	aggs   sync.Pool // *aggregation.Aggregator

	mu            sync.Mutex
	smap          *shardMap
	lanes         []*lane // one per open shard, in smap.open order
	keys          map[keyID]*keyQueue
	backoff       keyHeap
	seq           uint64
	buffered      int // records accepted and not finished
	unsettled     int // records accepted and not yet counted against waiting Flush calls
	bufBytes      int
	readyBytes    int // over all lanes
	readyKeys     int
	inFlight      map[*request]struct{}
	unverified    []*unverified
	flushers      []*flushWaiter
	space         chan struct{} // closed when room frees up for a blocked Put
	closed        bool          // Put refuses new records
	aborted       bool          // Close gave up; nothing is tracked any more
	stale         bool          // the shard map is known wrong: send nothing until it is read again
	staleGen      int
	mapGen        int  // counts shard maps with different open shards
	mismatch      bool // a record landed off the current map's prediction since the last read
	serviceRouted bool // the stream places records itself (AUTO record distribution)
	refreshing    bool
	lastMap       time.Time
	turn          int // rotates which due lane goes first

	wake      chan struct{}
	quit      chan struct{}
	runCtx    context.Context
	cancelRun context.CancelFunc
	wg        sync.WaitGroup
}

// keyID identifies the records whose order the producer keeps: one partition key, with one
// explicit hash key or none.
type keyID struct{ pk, ehk string }

type keyState uint8

const (
	keyReady    keyState = iota + 1 // in its lane's ready list
	keyInFlight                     // a prefix of its records is in a PutRecords call
	keyBackoff                      // waiting in the backoff heap to retry
)

// keyQueue holds the records of one key that are not yet written, oldest first.
type keyQueue struct {
	id         keyID
	hash       hashKey
	recs       deque[*Result]
	bytes      int
	state      keyState
	lane       *lane
	readySince time.Time
	retryAt    time.Time
	heapIndex  int
}

// lane is one shard's share of the work: its keys ready to send and its rate limiter.
type lane struct {
	shard  shard
	ready  deque[*keyQueue]
	bytes  int // queued bytes of its ready keys
	bucket *bucket
	mark   int
}

// flushWaiter is a Flush waiting for the records accepted before it.
type flushWaiter struct {
	upTo      uint64
	remaining int
	done      chan struct{}
}

// New returns a Producer for stream (a name, or an ARN when it starts with "arn:"), after reading
// the stream's shard map with ListShards.
func New(ctx context.Context, client Client, stream string, opts ...Option) (*Producer, error) {
	cfg := defaultConfig()
	for _, o := range opts {
		o(&cfg)
	}
	if err := cfg.validate(); err != nil {
		return nil, err
	}
	ref := streamRef(stream)
	m, err := listShards(ctx, client, ref)
	if err != nil {
		return nil, err
	}
	runCtx, cancel := context.WithCancel(context.Background())
	p := &Producer{
		client:    client,
		stream:    ref,
		cfg:       cfg,
		log:       cfg.logger.With("stream", stream),
		keys:      make(map[keyID]*keyQueue),
		inFlight:  make(map[*request]struct{}),
		wake:      make(chan struct{}, 1),
		quit:      make(chan struct{}),
		runCtx:    runCtx,
		cancelRun: cancel,
	}
	p.aggs.New = func() any { return aggregation.NewAggregator() }
	p.installMap(m, time.Now())
	p.wg.Add(1)
	go p.loop()
	return p, nil
}

func (c *config) validate() error {
	switch {
	case c.maxRecordsPerReq < 1 || c.maxRecordsPerReq > MaxRecordsPerRequest:
		return fmt.Errorf("producer: records per request must be 1 to %d, not %d", MaxRecordsPerRequest, c.maxRecordsPerReq)
	case c.maxRecordBytes < 1:
		return fmt.Errorf("producer: record size limit must be positive, not %d", c.maxRecordBytes)
	case c.maxRequestBytes < c.maxRecordBytes:
		return fmt.Errorf("producer: request size limit %d is below the record size limit %d", c.maxRequestBytes, c.maxRecordBytes)
	case c.maxBufferedBytes < 1 || c.maxBufferedCount < 1:
		return fmt.Errorf("producer: buffer limits must be positive")
	case c.maxInFlight < 1:
		return fmt.Errorf("producer: in-flight requests must be at least 1, not %d", c.maxInFlight)
	case c.requestTimeout <= 0:
		return fmt.Errorf("producer: request timeout must be positive")
	case c.backoffBase <= 0 || c.backoffMax < c.backoffBase:
		return fmt.Errorf("producer: backoff needs 0 < base <= max")
	case c.maxBufferedTime < 0:
		return fmt.Errorf("producer: maximum buffered time must not be negative")
	}
	return nil
}

// Put accepts a user record for the stream and returns at once, unless the buffer is full (see
// WithBlockOnFull). The Result tells when the record is written or has failed. Put keeps data
// until then: do not change it before the Result is done.
func (p *Producer) Put(ctx context.Context, partitionKey string, data []byte) (*Result, error) {
	return p.put(ctx, partitionKey, "", data)
}

// PutWithHashKey is Put with an explicit hash key, a decimal integer in 0 .. 2^128-1 that picks the
// shard in place of the partition key's hash.
func (p *Producer) PutWithHashKey(ctx context.Context, partitionKey, explicitHashKey string, data []byte) (*Result, error) {
	if explicitHashKey == "" {
		return nil, fmt.Errorf("%w: empty explicit hash key", ErrInvalidKey)
	}
	return p.put(ctx, partitionKey, explicitHashKey, data)
}

func (p *Producer) put(ctx context.Context, pk, ehk string, data []byte) (*Result, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	if pk == "" || (len(pk) > maxPartitionKeyRunes && utf8.RuneCountInString(pk) > maxPartitionKeyRunes) {
		return nil, fmt.Errorf("%w: partition key must have 1 to %d characters", ErrInvalidKey, maxPartitionKeyRunes)
	}
	var h hashKey
	if ehk != "" {
		var err error
		if h, err = parseHashKey(ehk); err != nil {
			return nil, fmt.Errorf("%w: explicit hash key %q: %w", ErrInvalidKey, ehk, err)
		}
	} else {
		h = partitionHash(pk)
	}
	size := len(data) + len(pk)
	if size > p.cfg.maxRecordBytes {
		return nil, fmt.Errorf("%w: %d bytes of data and partition key, limit %d", ErrRecordTooLarge, size, p.cfg.maxRecordBytes)
	}
	r := &Result{pk: pk, ehk: ehk, data: data, hash: h, size: size, done: make(chan struct{})}

	p.mu.Lock()
	for {
		if p.closed {
			p.mu.Unlock()
			return nil, ErrClosed
		}
		if p.buffered < p.cfg.maxBufferedCount && (p.bufBytes+size <= p.cfg.maxBufferedBytes || p.buffered == 0) {
			break
		}
		if !p.cfg.blockOnFull {
			p.mu.Unlock()
			return nil, ErrBufferFull
		}
		if p.space == nil {
			p.space = make(chan struct{})
		}
		space := p.space
		p.mu.Unlock()
		select {
		case <-space:
		case <-ctx.Done():
			return nil, ctx.Err()
		}
		p.mu.Lock()
	}
	now := time.Now() // after any wait for room: the deadline counts from acceptance
	r.accepted = now
	if p.cfg.recordTTL > 0 {
		r.deadline = now.Add(p.cfg.recordTTL)
	}
	p.seq++
	r.seq = p.seq
	p.buffered++
	p.unsettled++
	p.bufBytes += size
	wake := p.enqueue(r, now)
	p.mu.Unlock()
	if wake {
		p.signal()
	}
	return r, nil
}

// Buffered returns how many records, and bytes of data and partition keys, Put has accepted that
// are not yet done.
func (p *Producer) Buffered() (records, bytes int) {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.buffered, p.bufBytes
}

// Flush sends every record accepted before it without waiting for WithMaxBufferedTime, and waits
// until they are all done (written or failed; their Results tell which), or the context ends.
func (p *Producer) Flush(ctx context.Context) error {
	p.mu.Lock()
	if p.unsettled == 0 {
		p.mu.Unlock()
		return nil
	}
	w := &flushWaiter{upTo: p.seq, remaining: p.unsettled, done: make(chan struct{})}
	p.flushers = append(p.flushers, w)
	p.mu.Unlock()
	p.signal()
	select {
	case <-w.done:
		return nil
	case <-ctx.Done():
		p.mu.Lock()
		for i, f := range p.flushers {
			if f == w {
				p.flushers = append(p.flushers[:i], p.flushers[i+1:]...)
				break
			}
		}
		p.mu.Unlock()
		return ctx.Err()
	}
}

// Close stops accepting records, sends everything buffered and waits for it. If the context ends
// first, Close gives up: every record not yet written is done with an error wrapping
// ErrUndelivered, and Close returns an *UndeliveredError listing them. Nothing Put accepted is
// dropped silently. Calls after the first return ErrClosed.
func (p *Producer) Close(ctx context.Context) error {
	p.mu.Lock()
	if p.closed {
		p.mu.Unlock()
		return ErrClosed
	}
	p.closed = true
	if p.space != nil {
		close(p.space)
		p.space = nil
	}
	p.mu.Unlock()
	p.signal()

	var err error
	if ferr := p.Flush(ctx); ferr != nil {
		if u := p.abort(ferr); len(u.Results) > 0 {
			err = u
		}
	}
	p.cancelRun()
	close(p.quit)
	p.wg.Wait()
	return err
}

// abort fails every record not yet done with ErrUndelivered. Records of calls in flight, or
// written to a shard not yet checked, are marked ambiguous: they may be in the stream.
func (p *Producer) abort(cause error) *UndeliveredError {
	ev := &events{}
	p.mu.Lock()
	p.aborted = true
	var list []*Result
	for req := range p.inFlight {
		for _, e := range req.entries {
			for _, r := range e.recs {
				r.ambiguous = true
				list = append(list, r)
			}
		}
	}
	for _, u := range p.unverified {
		for _, r := range u.e.recs {
			r.ambiguous = true
			list = append(list, r)
		}
	}
	for _, k := range p.keys {
		for i := 0; i < k.recs.len(); i++ {
			list = append(list, k.recs.at(i))
		}
	}
	undelivered := list[:0]
	for _, r := range list {
		if !r.finished {
			undelivered = append(undelivered, r)
			p.finish(r, fmt.Errorf("%w: %w", ErrUndelivered, cause), ev)
		}
	}
	ev.count(countFailed, "Undelivered", len(undelivered), 0)
	p.keys = make(map[keyID]*keyQueue)
	p.unverified = nil
	p.backoff = nil
	for _, l := range p.lanes {
		l.ready.clear()
		l.bytes = 0
	}
	p.readyBytes, p.readyKeys = 0, 0
	p.mu.Unlock()
	p.emit(ev)
	sortBySeq(undelivered)
	return &UndeliveredError{Results: undelivered, Cause: cause}
}

// signal wakes the dispatch loop.
func (p *Producer) signal() {
	select {
	case p.wake <- struct{}{}:
	default:
	}
}
