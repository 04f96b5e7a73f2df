package esm

import (
	"context"
	"hash/fnv"
	"time"

	"github.com/aws/aws-lambda-go/events"
	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/kinesis/types"
)

// batch is a run of records of one lane invoked together, with its tumbling window when windows
// are on.
type batch struct {
	recs []*record
	win  *events.TimeWindowProperties // nil without tumbling windows
}

// lane is one of a shard's ParallelizationFactor concurrent lines: records of one partition key
// always fall in the same lane, which has at most one batch in flight, so their order holds.
type lane struct {
	queue    []*record // read and not yet in a batch, in order
	retry    []*batch  // batches to invoke again before anything in queue
	inflight bool
	attempts int       // counted retries since the last success or discard
	invokes  int       // invocations since the last success or discard
	retryAt  time.Time // no invocation before this
	lastErr  string    // functionError of the last failed invocation
	lastID   string    // request id of the last invocation
}

// result is an invocation's end, sent from its goroutine to the shard's worker.
type result struct {
	lane      *lane
	b         *batch
	fromRetry bool
	out       outcome
	requestID string
}

// worker reads one shard and invokes the function with its batches. Only its goroutine touches
// its fields; what others see is published in its shardState under Engine.mu.
type worker struct {
	e        *Engine
	st       *shardState
	id       string
	rd       reader    // GetRecords, or SubscribeToShard for a consumer ARN
	records  []*record // read and not yet behind the checkpoint, in order
	lanes    []*lane
	inflight int
	results  chan result

	nextPoll  time.Time
	polledGen uint64
	behind    bool // the last poll stopped at the buffer's limit with more to read
	atEnd     bool // the shard is closed and read to its end
	cpSeq     string

	timerAt   time.Time
	timerStop func() bool

	win *window // the open tumbling window
}

// window is the open tumbling window of a shard and its state.
type window struct {
	start, end time.Time
	state      map[string]string
	// earlyFinal is set when the state outgrew 1 MB: the next invocation closes the window early.
	earlyFinal bool
}

// maxState is the largest tumbling window state Lambda keeps per shard before it ends the window early.
const maxState = 1 << 20

func newWorker(e *Engine, st *shardState, parentListed bool) *worker {
	n := int(*e.m.ParallelizationFactor)
	if *e.m.TumblingWindowInSeconds > 0 {
		n = 1 // the window's state is per shard: one line keeps it whole
	}
	w := &worker{e: e, st: st, id: st.id, results: make(chan result, n)}
	for range n {
		w.lanes = append(w.lanes, &lane{})
	}
	w.cpSeq = st.stats.Checkpoint
	start := startPosition{typ: types.ShardIteratorType(e.m.StartingPosition), ts: e.m.startTime(), seq: w.cpSeq}
	if parentListed {
		start.typ = types.ShardIteratorTypeTrimHorizon // a child is read whole once its parents are done
	}
	if e.src.Consumer != "" {
		w.rd = newSubscriber(e, st.id, start, st.wake)
	} else {
		w.rd = newPoller(e, st.id, start)
	}
	return w
}

func (w *worker) run(ctx context.Context) {
	defer w.stopTimer()
	defer w.rd.close()
	for {
		w.step(ctx)
		if w.finished() {
			w.finish()
			return
		}
		select {
		case <-ctx.Done():
			for w.inflight > 0 {
				w.handle(<-w.results)
			}
			w.advance()
			return
		case r := <-w.results:
			w.handle(r)
		case <-w.st.wake:
		}
	}
}

// step does what is due: a poll, the batches that are ready, the checkpoint; then it publishes
// the worker's state and sets its timer for the next thing that will be due.
func (w *worker) step(ctx context.Context) {
	e := w.e
	for {
		select {
		case r := <-w.results:
			w.handle(r)
			continue
		default:
		}
		break
	}
	e.mu.Lock()
	gen := e.gen
	e.mu.Unlock()
	now := e.cfg.clock.Now()
	due := gen > w.polledGen || !now.Before(w.nextPoll) || (w.behind && w.queued() < w.bufferLimit())
	if w.rd.pushed() {
		due = true // what a subscription pushed waits in the reader: take it at every wake
	}
	if !w.atEnd && due {
		w.poll(ctx)
		if w.behind || w.rd.caughtUp(gen) {
			w.polledGen = gen
		}
		now = e.cfg.clock.Now()
		w.nextPoll = now.Add(e.cfg.pollInterval)
	}
	if w.atEnd {
		w.polledGen = gen
	}
	w.dispatch(ctx, now)
	w.advance()
	w.publish(gen)
	w.arm(now)
}

func (w *worker) bufferLimit() int {
	return max(10000, 2*int(*w.e.m.BatchSize)*len(w.lanes))
}

func (w *worker) queued() int {
	n := 0
	for _, l := range w.lanes {
		n += len(l.queue)
		for _, b := range l.retry {
			n += len(b.recs)
		}
	}
	return n
}

// poll reads the shard until it is caught up, at its end, or the buffer is full.
func (w *worker) poll(ctx context.Context) {
	w.behind = false
	for w.queued() < w.bufferLimit() {
		f, err := w.rd.next(ctx)
		if err != nil {
			return
		}
		now := w.e.cfg.clock.Now()
		for _, kr := range f.records {
			w.take(kr, now)
		}
		if f.end {
			w.atEnd = true
			return
		}
		if !f.more {
			return
		}
	}
	w.behind = true
}

// take adds one record just read: filtered out, or queued on its lane.
func (w *worker) take(kr types.Record, now time.Time) {
	e := w.e
	r := &record{
		seq:          aws.ToString(kr.SequenceNumber),
		partitionKey: aws.ToString(kr.PartitionKey),
		data:         kr.Data,
		arrival:      aws.ToTime(kr.ApproximateArrivalTimestamp),
		readAt:       now,
	}
	w.records = append(w.records, r)
	if e.filters != nil && !e.filters.match(r.data) {
		r.done = true
		w.count(func(s *ShardStats) { s.Filtered++ }, func(s *Stats) { s.Filtered++ })
		return
	}
	r.eventJSON, _ = e.eventRecord(w.id, r) // strings, bytes and a time: cannot fail
	if len(w.lanes) > 1 {
		h := fnv.New32a()
		h.Write([]byte(r.partitionKey))
		r.lane = int(h.Sum32() % uint32(len(w.lanes)))
	}
	l := w.lanes[r.lane]
	l.queue = append(l.queue, r)
}

// count updates the shard's and the engine's counters.
func (w *worker) count(shard func(*ShardStats), all func(*Stats)) {
	w.e.mu.Lock()
	shard(&w.st.stats)
	all(&w.e.stats)
	w.e.mu.Unlock()
}

func (w *worker) finished() bool {
	return w.atEnd && len(w.records) == 0 && w.inflight == 0 && w.win == nil
}

// finish marks the shard finished, in the checkpoints too, and lets its children start.
func (w *worker) finish() {
	e := w.e
	if err := e.cps.set(w.id, checkpoint{SequenceNumber: w.cpSeq, Finished: true}); err != nil {
		e.log.Error("esm: checkpoint", "shard", w.id, "err", err)
	}
	e.log.Info("esm: shard finished", "shard", w.id)
	e.mu.Lock()
	w.st.finished = true
	w.st.stats.Finished = true
	e.relistDue = true
	e.notifyLocked()
	e.mu.Unlock()
	signal(e.relist)
}

// advance moves the checkpoint past every record that is done, in order.
func (w *worker) advance() {
	i := 0
	for i < len(w.records) && w.records[i].done {
		i++
	}
	if i == 0 {
		return
	}
	w.cpSeq = w.records[i-1].seq
	clear(w.records[:i])
	w.records = w.records[i:]
	if err := w.e.cps.set(w.id, checkpoint{SequenceNumber: w.cpSeq}); err != nil {
		w.e.log.Error("esm: checkpoint", "shard", w.id, "err", err)
	}
	w.e.mu.Lock()
	w.st.stats.Checkpoint = w.cpSeq
	w.e.mu.Unlock()
}

// publish tells WaitIdle and WaitQuiet where the worker stands.
func (w *worker) publish(gen uint64) {
	quiet := w.inflight == 0 && w.polledGen >= gen && !(w.behind && w.queued() < w.bufferLimit()) && !w.dueNow()
	idle := quiet && w.queued() == 0 && w.win == nil
	e := w.e
	e.mu.Lock()
	defer e.mu.Unlock()
	var q, i uint64
	if quiet {
		q = gen
	}
	if idle {
		i = gen
	}
	if q != w.st.quietGen || i != w.st.idleGen {
		w.st.quietGen, w.st.idleGen = q, i
		e.notifyLocked()
	}
}

// dueNow reports whether some lane could invoke now (it will, at the next step).
func (w *worker) dueNow() bool {
	now := w.e.cfg.clock.Now()
	at := w.nextDue(now)
	return !at.IsZero() && !at.After(now)
}

// arm sets the worker's one timer for the next time something is due.
func (w *worker) arm(now time.Time) {
	at := w.nextDue(now)
	if !w.atEnd && !w.rd.pushed() && (at.IsZero() || w.nextPoll.Before(at)) {
		at = w.nextPoll
	}
	if at.IsZero() || (w.timerStop != nil && at.Equal(w.timerAt)) {
		return
	}
	w.stopTimer()
	w.timerAt = at
	wake := w.st.wake
	w.timerStop = w.e.cfg.clock.AfterFunc(max(at.Sub(now), 0), func() { signal(wake) })
}

func (w *worker) stopTimer() {
	if w.timerStop != nil {
		w.timerStop()
		w.timerStop = nil
	}
}
