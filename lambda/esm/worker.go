package esm

import (
	"context"
	"errors"
	"hash/fnv"
	"time"

	"github.com/aws/aws-lambda-go/events"
	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/kinesis"
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
	payload   []byte
}

// worker reads one shard and invokes the function with its batches. Only its goroutine touches
// its fields; what others see is published in its shardState under Engine.mu.
type worker struct {
	e        *Engine
	st       *shardState
	id       string
	startAt  types.ShardIteratorType
	iterator *string
	lastSeq  string    // last sequence number read
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
	switch {
	case w.cpSeq != "":
		w.startAt = types.ShardIteratorTypeAfterSequenceNumber
	case parentListed:
		w.startAt = types.ShardIteratorTypeTrimHorizon
	default:
		w.startAt = types.ShardIteratorType(e.m.StartingPosition)
	}
	w.lastSeq = w.cpSeq
	return w
}

func (w *worker) run(ctx context.Context) {
	defer w.stopTimer()
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
	if !w.atEnd && (gen > w.polledGen || !now.Before(w.nextPoll) || (w.behind && w.queued() < w.bufferLimit())) {
		w.poll(ctx)
		w.polledGen = gen
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

// poll reads the shard with GetRecords until it is caught up, at its end, or the buffer is full.
func (w *worker) poll(ctx context.Context) {
	e := w.e
	w.behind = false
	for w.queued() < w.bufferLimit() {
		if w.iterator == nil {
			if err := w.openIterator(ctx); err != nil {
				if ctx.Err() == nil {
					e.log.Warn("esm: get shard iterator", "shard", w.id, "err", err)
				}
				return
			}
		}
		out, err := e.client.GetRecords(ctx, &kinesis.GetRecordsInput{ShardIterator: w.iterator, StreamARN: aws.String(e.src.StreamARN), Limit: aws.Int32(10000)})
		if err != nil {
			var expired *types.ExpiredIteratorException
			if errors.As(err, &expired) {
				w.iterator = nil
				continue
			}
			if ctx.Err() == nil {
				e.log.Warn("esm: get records", "shard", w.id, "err", err)
			}
			return
		}
		now := e.cfg.clock.Now()
		for _, kr := range out.Records {
			w.take(kr, now)
		}
		w.iterator = out.NextShardIterator
		if w.iterator == nil {
			w.atEnd = true
			return
		}
		if len(out.Records) == 0 || aws.ToInt64(out.MillisBehindLatest) == 0 {
			return
		}
	}
	w.behind = true
}

func (w *worker) openIterator(ctx context.Context) error {
	e := w.e
	in := &kinesis.GetShardIteratorInput{StreamARN: aws.String(e.src.StreamARN), ShardId: aws.String(w.id), ShardIteratorType: w.startAt}
	switch {
	case w.lastSeq != "":
		in.ShardIteratorType = types.ShardIteratorTypeAfterSequenceNumber
		in.StartingSequenceNumber = aws.String(w.lastSeq)
	case w.startAt == types.ShardIteratorTypeAtTimestamp:
		t := e.m.startTime()
		in.Timestamp = &t
	}
	out, err := e.client.GetShardIterator(ctx, in)
	if err != nil {
		return err
	}
	w.iterator = out.ShardIterator
	if w.startAt == types.ShardIteratorTypeLatest {
		// From here on the position is the iterator's; a new one must not jump to a later tip.
		w.startAt = types.ShardIteratorTypeTrimHorizon
	}
	return nil
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
	w.lastSeq = r.seq
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
	if !w.atEnd && (at.IsZero() || w.nextPoll.Before(at)) {
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

// nextDue is the earliest time a lane has something to invoke (zero when none has).
func (w *worker) nextDue(now time.Time) time.Time {
	var at time.Time
	earlier := func(t time.Time) {
		if at.IsZero() || t.Before(at) {
			at = t
		}
	}
	for _, l := range w.lanes {
		if l.inflight {
			continue
		}
		switch {
		case len(l.retry) > 0:
			earlier(l.retryAt)
		case len(l.queue) > 0:
			earlier(laterOf(l.retryAt, w.readyAt(l)))
		}
	}
	if l := w.lanes[0]; w.win != nil && len(l.retry) == 0 && !l.inflight {
		// The window's final invocation: due at its end once its records are all sent (while
		// some wait in the queue, their batch comes first and says when).
		switch {
		case w.win.earlyFinal:
			earlier(l.retryAt)
		case len(l.queue) == 0:
			earlier(laterOf(l.retryAt, w.win.end))
		}
	}
	return at
}

func laterOf(a, b time.Time) time.Time {
	if a.After(b) {
		return a
	}
	return b
}

// readyAt is when the head of a lane's queue makes a batch: at once when a batch is full (by
// count or by the 6 MB payload limit) or the shard is at its end, else when the batching window
// of the first record ends.
func (w *worker) readyAt(l *lane) time.Time {
	recs, full := w.cut(l.queue)
	if full || w.atEnd {
		return recs[0].readAt
	}
	return recs[0].readAt.Add(time.Duration(*w.e.m.MaximumBatchingWindowInSeconds) * time.Second)
}

// cut takes a batch from the head of queue: up to BatchSize records whose event stays within
// MaxPayload, and, with tumbling windows, all of one window. full reports that the batch cannot
// grow: BatchSize reached, the next record would pass MaxPayload, or belongs to the next window.
func (w *worker) cut(queue []*record) (recs []*record, full bool) {
	bs := int(*w.e.m.BatchSize)
	size := eventOverhead
	if w.e.m.TumblingWindowInSeconds != nil && *w.e.m.TumblingWindowInSeconds > 0 {
		size += windowOverhead
		if w.win != nil {
			size += stateSize(w.win.state)
		}
	}
	var ws time.Time
	for i, r := range queue {
		if i == bs {
			return queue[:i], true
		}
		add := len(r.eventJSON)
		if i > 0 {
			add++
		}
		if i > 0 && size+add > MaxPayload {
			return queue[:i], true
		}
		if s := w.windowStart(r); i == 0 {
			ws = s
		} else if !s.Equal(ws) {
			return queue[:i], true
		}
		size += add
	}
	return queue, len(queue) == bs
}

// windowStart is the start of the tumbling window a record belongs to by its arrival: windows
// are aligned on multiples of their length since the Unix epoch. Zero without windows.
func (w *worker) windowStart(r *record) time.Time {
	tw := *w.e.m.TumblingWindowInSeconds
	if tw == 0 {
		return time.Time{}
	}
	d := time.Duration(tw) * time.Second
	return r.arrival.Truncate(d)
}

// dispatch invokes the function with every batch that is ready, one per lane at most.
func (w *worker) dispatch(ctx context.Context, now time.Time) {
	for _, l := range w.lanes {
		for !l.inflight && !now.Before(l.retryAt) {
			b, fromRetry := w.next(l, now)
			if b == nil {
				break
			}
			if w.expire(l, b, fromRetry, now) {
				continue
			}
			w.invoke(ctx, l, b, fromRetry)
		}
	}
}

// next is the batch a lane invokes now, if any: a batch to retry first, else a tumbling window's
// final invocation that is due, else a batch from the queue that is ready.
func (w *worker) next(l *lane, now time.Time) (*batch, bool) {
	if len(l.retry) > 0 {
		return l.retry[0], true
	}
	if w.win != nil {
		if w.win.earlyFinal {
			return &batch{win: w.windowProps(w.win, true, true)}, false
		}
		headOther := len(l.queue) > 0 && !w.windowStart(l.queue[0]).Equal(w.win.start)
		if (len(l.queue) == 0 && !now.Before(w.win.end) && !w.behind) || headOther {
			return &batch{win: w.windowProps(w.win, true, false)}, false
		}
	}
	if len(l.queue) == 0 {
		return nil, false
	}
	if now.Before(w.readyAt(l)) {
		return nil, false
	}
	recs, _ := w.cut(l.queue)
	l.queue = l.queue[len(recs):]
	b := &batch{recs: recs}
	if *w.e.m.TumblingWindowInSeconds > 0 {
		start := w.windowStart(recs[0])
		if w.win == nil {
			w.win = &window{start: start, end: start.Add(time.Duration(*w.e.m.TumblingWindowInSeconds) * time.Second), state: map[string]string{}}
		}
		final := !now.Before(w.win.end) && !w.behind && (len(l.queue) == 0 || !w.windowStart(l.queue[0]).Equal(start))
		b.win = w.windowProps(w.win, final, false)
	}
	return b, false
}

func (w *worker) windowProps(win *window, final, early bool) *events.TimeWindowProperties {
	return &events.TimeWindowProperties{
		Window:                  events.Window{Start: events.RFC3339EpochTime{Time: win.start}, End: events.RFC3339EpochTime{Time: win.end}},
		State:                   win.state,
		ShardID:                 w.id,
		EventSourceARN:          w.e.src.StreamARN,
		IsFinalInvokeForWindow:  final,
		IsWindowTerminatedEarly: early,
	}
}

// expire discards the records of b older than MaximumRecordAgeInSeconds (they lead the batch:
// arrival times grow along a shard). It reports whether nothing of b is left to invoke.
func (w *worker) expire(l *lane, b *batch, fromRetry bool, now time.Time) bool {
	age := *w.e.m.MaximumRecordAgeInSeconds
	if age < 0 || len(b.recs) == 0 {
		return false
	}
	limit := now.Add(-time.Duration(age) * time.Second)
	n := 0
	for n < len(b.recs) && b.recs[n].arrival.Before(limit) {
		n++
	}
	if n == 0 {
		return false
	}
	old := b.recs[:n]
	b.recs = b.recs[n:]
	w.discard(l, old, RecordAgeExceeded, b.win)
	if len(b.recs) > 0 {
		return false
	}
	if fromRetry {
		l.retry = l.retry[1:]
	}
	return true
}

// invoke starts one invocation in its own goroutine.
func (w *worker) invoke(ctx context.Context, l *lane, b *batch, fromRetry bool) {
	e := w.e
	l.inflight = true
	w.inflight++
	l.invokes++
	id := newRequestID()
	l.lastID = id
	payload := buildEvent(b.recs, b.win)
	reportItems := e.m.reportsItemFailures()
	windowed := b.win != nil
	ictx := context.WithoutCancel(ctx) // an invocation in flight finishes when Run stops
	go func() {
		resp, err := e.fn.Invoke(ictx, payload)
		w.results <- result{lane: l, b: b, fromRetry: fromRetry, out: judge(b.recs, resp, err, reportItems, windowed), requestID: id, payload: payload}
	}()
}

// handle applies an invocation's outcome: checkpoint what succeeded; retry, bisect or discard
// what failed.
func (w *worker) handle(r result) {
	e := w.e
	l, b, out := r.lane, r.b, r.out
	l.inflight = false
	w.inflight--
	n := len(b.recs)
	failed := out.failedFrom < n || out.whole
	e.mu.Lock()
	w.st.stats.Invocations++
	w.st.stats.Records += n
	e.stats.Invocations++
	e.stats.Records += n
	if failed {
		w.st.stats.FunctionErrors++
		e.stats.FunctionErrors++
	}
	e.mu.Unlock()
	first, last := "", ""
	if n > 0 {
		first, last = b.recs[0].seq, b.recs[n-1].seq
	}
	attrs := []any{"shard", w.id, "first", first, "last", last, "batch", n, "request", r.requestID, "outcome", out.reason}
	if b.win != nil {
		attrs = append(attrs, "window", b.win.Window.Start.UTC().Format(time.RFC3339), "final", b.win.IsFinalInvokeForWindow)
	}
	e.log.Info("esm: invoke", attrs...)

	if r.fromRetry {
		l.retry = l.retry[1:]
	}
	if !failed {
		for _, rec := range b.recs {
			rec.done = true
		}
		l.attempts, l.invokes, l.retryAt = 0, 0, time.Time{}
		if b.win != nil {
			w.windowDone(b, out.state)
		}
		return
	}
	if out.functionError != "" {
		l.lastErr = out.functionError
	} else {
		l.lastErr = ""
	}
	if out.whole {
		out.failedFrom = 0
	}
	for _, rec := range b.recs[:out.failedFrom] {
		rec.done = true
	}
	failing := &batch{recs: b.recs[out.failedFrom:], win: b.win}
	bisect := *e.m.BisectBatchOnFunctionError
	now := e.cfg.clock.Now()
	if out.whole && bisect && len(failing.recs) > 1 {
		half := len(failing.recs) / 2
		h1 := &batch{recs: failing.recs[:half], win: b.win}
		h2 := &batch{recs: failing.recs[half:], win: b.win}
		l.retry = append([]*batch{h1, h2}, l.retry...)
		return
	}
	l.attempts++
	if maxRetry := *e.m.MaximumRetryAttempts; maxRetry >= 0 && l.attempts > int(maxRetry) {
		w.discard(l, failing.recs, RetryAttemptsExhausted, b.win)
		if b.win != nil && b.win.IsFinalInvokeForWindow {
			w.windowDone(b, nil)
		}
		return
	}
	l.retryAt = now.Add(retryDelay(l.attempts))
	if out.whole || bisect || b.win != nil || len(l.retry) > 0 {
		l.retry = append([]*batch{failing}, l.retry...)
		return
	}
	// Lambda retries from the checkpoint: the failed records lead the next batch, which may
	// take in records that came after them.
	l.queue = append(append([]*record(nil), failing.recs...), l.queue...)
}

// windowDone carries the state a window's invocation returned, and closes the window after
// its final invocation.
func (w *worker) windowDone(b *batch, state map[string]string) {
	if w.win == nil {
		return
	}
	if b.win.IsFinalInvokeForWindow {
		if b.win.IsWindowTerminatedEarly {
			w.win.earlyFinal = false
			w.win.state = map[string]string{}
			return
		}
		w.win = nil
		return
	}
	if state == nil {
		state = map[string]string{}
	}
	w.win.state = state
	if stateSize(state) > maxState {
		w.win.earlyFinal = true
	}
}

func stateSize(state map[string]string) int {
	n := 2
	for k, v := range state {
		n += len(k) + len(v) + 6
	}
	return n
}

// retryDelay is how long a lane waits before its n-th retry: one second, doubling, at most a
// minute.
func retryDelay(n int) time.Duration {
	d := time.Second
	for i := 1; i < n && d < time.Minute; i++ {
		d *= 2
	}
	return min(d, time.Minute)
}
