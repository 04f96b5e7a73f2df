package esm

import "time"

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
	l.lastErr = out.functionError
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
