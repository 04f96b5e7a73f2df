package esm

import (
	"context"
	"time"

	"github.com/aws/aws-lambda-go/events"
	"github.com/aws/aws-lambda-go/lambdacontext"
)

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
	// An invocation in flight finishes when Run stops. Its request id rides in the context as on
	// AWS, so the function, the engine's log and a failure record name the same invocation.
	ictx := lambdacontext.NewContext(context.WithoutCancel(ctx), &lambdacontext.LambdaContext{
		AwsRequestID:       id,
		InvokedFunctionArn: e.cfg.functionARN,
	})
	go func() {
		resp, err := e.fn.Invoke(ictx, payload)
		w.results <- result{lane: l, b: b, fromRetry: fromRetry, out: judge(b.recs, resp, err, reportItems, windowed), requestID: id}
	}()
}
