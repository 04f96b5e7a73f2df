package producer

import "time"

// events gathers what happened under the producer's lock, to be reported to the metrics and the
// result callback after the lock is released.
type events struct {
	finished  []*Result
	counts    []countEvent
	latencies []time.Duration
	request   *RequestStats
}

type countKind uint8

const (
	countSent countKind = iota
	countRetried
	countFailed
	countThrottled
)

type countEvent struct {
	kind  countKind
	key   string // shard id or error code
	n     int
	bytes int
}

func (ev *events) count(kind countKind, key string, n, bytes int) {
	if n > 0 {
		ev.counts = append(ev.counts, countEvent{kind, key, n, bytes})
	}
}

// emit reports ev; it runs without the lock.
func (p *Producer) emit(ev *events) {
	m := p.cfg.metrics
	if ev.request != nil {
		m.RequestSent(*ev.request)
	}
	for _, c := range ev.counts {
		switch c.kind {
		case countSent:
			m.RecordsSent(c.key, c.n, c.bytes)
		case countRetried:
			m.RecordsRetried(c.key, c.n)
		case countFailed:
			m.RecordsFailed(c.key, c.n)
		case countThrottled:
			m.Throttled(c.key, c.n)
		}
	}
	for _, d := range ev.latencies {
		m.Latency(d)
	}
	if len(ev.finished) == 0 {
		return
	}
	fn := p.cfg.onResult
	for _, r := range ev.finished {
		if fn != nil {
			fn(r)
		}
		close(r.done) // after the callback: Wait and Flush return once it has run
	}
	p.mu.Lock()
	p.settle(ev.finished)
	p.mu.Unlock()
}
