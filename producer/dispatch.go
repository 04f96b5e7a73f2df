package producer

import (
	"math"
	"time"

	"github.com/pelicanhq/pelican/aggregation"
)

// request is one PutRecords call being built or in flight.
type request struct {
	entries []*entry
	bytes   int
	users   int
}

// entry is one Kinesis record of a request: a plain user record, or an aggregate of user records
// of one shard. Each key with records in it has them as one unbroken run, and no other entry in
// flight holds records of that key: that is what keeps per-key order through partial failures.
type entry struct {
	lane *lane
	gen  int // the shard map generation it was routed with
	recs []*Result
	keys []*keyQueue
	agg  *aggregation.Aggregator // until send encodes it
	size int                     // data and partition key, as Kinesis counts it
}

func (e *entry) aggregated() bool { return len(e.recs) > 1 }

// loop is the dispatch goroutine: it sends what is due, and sleeps until something may be.
func (p *Producer) loop() {
	defer p.wg.Done()
	timer := time.NewTimer(time.Hour)
	defer timer.Stop()
	for {
		now := time.Now()
		ev := &events{}
		p.mu.Lock()
		reqs, next, refresh := p.schedule(now, ev)
		p.mu.Unlock()
		p.emit(ev)
		for _, r := range reqs {
			p.wg.Add(1)
			go p.send(r)
		}
		if refresh {
			p.wg.Add(1)
			go p.refresh()
		}
		var tc <-chan time.Time
		if !next.IsZero() {
			timer.Reset(max(next.Sub(time.Now()), 0))
			tc = timer.C
		}
		select {
		case <-p.wake:
		case <-tc:
		case <-p.quit:
			return
		}
	}
}

// schedule builds the requests that are due, as many as the in-flight limit allows, and returns
// when to look again (zero: when woken) and whether to start reading the shard map.
func (p *Producer) schedule(now time.Time, ev *events) (reqs []*request, next time.Time, refresh bool) {
	if p.aborted {
		return nil, time.Time{}, false
	}
	if !p.refreshing && (p.stale || (p.cfg.shardMapRefresh > 0 && now.Sub(p.lastMap) >= p.cfg.shardMapRefresh)) {
		p.refreshing = true
		refresh = true
	}
	if p.stale {
		return nil, time.Time{}, refresh // the refresh wakes the loop
	}
	p.promoteBackoff(now)
	for len(p.inFlight) < p.cfg.maxInFlight {
		due, wake := p.dueLanes(now, ev)
		next = wake
		if len(due) == 0 {
			break
		}
		req := p.build(now, due, ev)
		if req == nil {
			continue // only expired records were taken; look again
		}
		p.inFlight[req] = struct{}{}
		reqs = append(reqs, req)
		next = time.Time{}
	}
	if len(p.inFlight) >= p.cfg.maxInFlight {
		next = time.Time{} // a finished call wakes the loop
		if len(p.backoff) > 0 {
			next = p.backoff[0].retryAt
		}
	} else if len(p.backoff) > 0 {
		next = earliest(next, p.backoff[0].retryAt)
	}
	if p.cfg.shardMapRefresh > 0 && !p.refreshing {
		next = earliest(next, p.lastMap.Add(p.cfg.shardMapRefresh))
	}
	return reqs, next, refresh
}

func earliest(a, b time.Time) time.Time {
	if a.IsZero() || (!b.IsZero() && b.Before(a)) {
		return b
	}
	return a
}

// front returns the first ready key of l that still has records, forgetting keys whose records
// all expired. It fails expired records at the head of the key it returns.
func (p *Producer) front(l *lane, now time.Time, ev *events) *keyQueue {
	for l.ready.len() > 0 {
		k := l.ready.front()
		expired := 0
		for k.recs.len() > 0 && expiredAt(k.recs.front(), now) {
			r := k.recs.popFront()
			k.bytes -= r.size
			l.bytes -= r.size
			p.readyBytes -= r.size
			p.finish(r, expiredError(r), ev)
			expired++
		}
		ev.count(countFailed, "Expired", expired, 0)
		if k.recs.len() > 0 {
			return k
		}
		p.unready(l)
		p.release(k)
	}
	return nil
}

func expiredAt(r *Result, now time.Time) bool { return !r.deadline.IsZero() && now.After(r.deadline) }

// dueLanes returns the lanes that should send now and may (their rate limiter agrees), and when
// the next other lane becomes due or allowed.
func (p *Producer) dueLanes(now time.Time, ev *events) (due []*lane, next time.Time) {
	flushing := len(p.flushers) > 0 || p.closed
	for _, l := range p.lanes {
		k := p.front(l, now, ev)
		if k == nil {
			continue
		}
		deadline := k.readySince.Add(p.cfg.maxBufferedTime)
		if !flushing && now.Before(deadline) && !p.full(l) {
			next = earliest(next, deadline)
			continue
		}
		if w := l.bucket.wait(k.recs.front().size, now); w > 0 {
			next = earliest(next, now.Add(w))
			continue
		}
		due = append(due, l)
	}
	return due, next
}

// build fills one request: the due lanes first, starting with a different one each time, then
// any other lane with ready records, so that a call that goes anyway carries them too.
func (p *Producer) build(now time.Time, due []*lane, ev *events) *request {
	req := &request{}
	p.turn++
	mark := p.turn
	start := p.turn % len(due)
	for i := range due {
		l := due[(start+i)%len(due)]
		l.mark = mark
		if p.requestFull(req) {
			break
		}
		p.take(req, l, now, ev)
	}
	for _, l := range p.lanes {
		if p.requestFull(req) {
			break
		}
		if l.mark != mark && l.ready.len() > 0 {
			p.take(req, l, now, ev)
		}
	}
	if len(req.entries) == 0 {
		return nil
	}
	for _, e := range req.entries {
		for _, r := range e.recs {
			r.attempts++
		}
		req.users += len(e.recs)
	}
	return req
}

func (p *Producer) requestFull(req *request) bool {
	return len(req.entries) >= p.cfg.maxRecordsPerReq || req.bytes >= p.cfg.maxRequestBytes
}

// take moves records of lane l's ready keys into req, within the request's limits and the lane's
// rate budget. A key gives a run of its oldest records to one entry and is then in flight: its
// later records wait for the outcome.
func (p *Producer) take(req *request, l *lane, now time.Time, ev *events) {
	budget := l.bucket.budget(now)
	var cur *entry
	closeEntry := func() {
		if cur == nil {
			return
		}
		switch {
		case cur.agg == nil:
			cur.size = cur.recs[0].size
		case cur.agg.Len() == 1:
			// One user record goes plain, as the KPL sends it.
			cur.agg.Reset()
			p.aggs.Put(cur.agg)
			cur.agg = nil
			cur.size = cur.recs[0].size
		default:
			cur.size = cur.agg.Size() + len(aggregatePartitionKey)
		}
		req.entries = append(req.entries, cur)
		req.bytes += cur.size
		l.bucket.take(cur.size)
		if budget != math.MaxInt {
			budget -= cur.size
		}
		cur = nil
	}
	for {
		k := p.front(l, now, ev)
		if k == nil {
			break
		}
		head := k.recs.front()
		room := min(p.cfg.maxRequestBytes-req.bytes, budget)
		if cur == nil {
			if len(req.entries) >= p.cfg.maxRecordsPerReq || room < head.size {
				break
			}
			cur = &entry{lane: l, gen: p.mapGen}
			if p.cfg.aggregation {
				cur.agg = p.aggs.Get().(*aggregation.Aggregator)
				cur.agg.SetMaxSize(min(p.cfg.maxRecordBytes, room) - len(aggregatePartitionKey))
			}
		}
		n := 1
		if cur.agg != nil {
			n = 0
			for i := 0; i < k.recs.len(); i++ {
				r := k.recs.at(i)
				if cur.agg.Add(aggregation.Record{PartitionKey: r.pk, ExplicitHashKey: r.ehk, Data: r.data}) != nil {
					break
				}
				n++
			}
			if n == 0 && cur.agg.Len() > 0 {
				closeEntry() // full: the key starts the next entry
				continue
			}
			if n == 0 {
				// Too large to aggregate even alone (the aggregate's overhead): plain, alone.
				cur.agg.Reset()
				p.aggs.Put(cur.agg)
				cur.agg = nil
				n = 1
			}
		}
		p.unready(l)
		k.state = keyInFlight
		for range n {
			r := k.popRecord()
			r.subSeq = len(cur.recs) // its index in the aggregate, if the entry is one
			cur.recs = append(cur.recs, r)
		}
		cur.keys = append(cur.keys, k)
		if cur.agg == nil || k.recs.len() > 0 {
			closeEntry()
		}
	}
	closeEntry()
}
