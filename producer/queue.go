package producer

import (
	"container/heap"
	"math/rand/v2"
	"slices"
	"time"
)

// enqueue adds an accepted record behind the others of its key and reports whether the dispatch
// loop must look again: a lane got its first ready key, or filled up.
func (p *Producer) enqueue(r *Result, now time.Time) bool {
	id := keyID{r.pk, r.ehk}
	k := p.keys[id]
	if k == nil {
		k = &keyQueue{id: id, hash: r.hash, heapIndex: -1}
		k.lane = p.lanes[p.smap.find(r.hash)]
		p.keys[id] = k
		k.recs.pushBack(r)
		k.bytes = r.size
		first := k.lane.ready.len() == 0
		before := p.full(k.lane)
		p.makeReady(k, now, false)
		return first || (!before && p.full(k.lane))
	}
	k.recs.pushBack(r)
	k.bytes += r.size
	if k.state != keyReady {
		return false // it goes after the records ahead of it are done
	}
	before := p.full(k.lane)
	k.lane.bytes += r.size
	p.readyBytes += r.size
	return !before && p.full(k.lane)
}

// full reports whether lane l, or the producer as a whole, has enough ready to fill a Kinesis
// record (aggregating) or a request, so that waiting longer gains nothing.
func (p *Producer) full(l *lane) bool {
	if p.readyBytes >= p.cfg.maxRequestBytes {
		return true
	}
	if p.cfg.aggregation {
		return l.bytes >= p.cfg.maxRecordBytes
	}
	return p.readyKeys >= p.cfg.maxRecordsPerReq
}

// makeReady puts k in its lane's ready list: at the back when it has just come, at the front when
// it comes back after a call or a backoff, since its records have waited already.
func (p *Producer) makeReady(k *keyQueue, since time.Time, front bool) {
	k.state = keyReady
	k.readySince = since
	if front {
		k.lane.ready.pushFront(k)
	} else {
		k.lane.ready.pushBack(k)
	}
	k.lane.bytes += k.bytes
	p.readyBytes += k.bytes
	p.readyKeys++
}

// unready takes the front key out of its lane's ready list.
func (p *Producer) unready(l *lane) *keyQueue {
	k := l.ready.popFront()
	l.bytes -= k.bytes
	p.readyBytes -= k.bytes
	p.readyKeys--
	k.state = 0
	return k
}

// popRecord takes the oldest record of a key that is not in a ready list.
func (k *keyQueue) popRecord() *Result {
	r := k.recs.popFront()
	k.bytes -= r.size
	return r
}

// requeue puts records back in front of their key, oldest first, for another attempt.
func (k *keyQueue) requeue(recs []*Result) {
	for i := len(recs) - 1; i >= 0; i-- {
		k.recs.pushFront(recs[i])
		k.bytes += recs[i].size
	}
}

// release ends a key's call: it is ready again if records are waiting, and forgotten if not.
func (p *Producer) release(k *keyQueue) {
	if k.recs.len() == 0 {
		delete(p.keys, k.id)
		k.state = 0
		return
	}
	p.makeReady(k, k.recs.front().accepted, true)
}

// backoffKey parks a key whose records failed until its retry time.
func (p *Producer) backoffKey(k *keyQueue, at time.Time) {
	k.state = keyBackoff
	k.retryAt = at
	heap.Push(&p.backoff, k)
}

// promoteBackoff makes ready the keys whose retry time has come.
func (p *Producer) promoteBackoff(now time.Time) {
	for len(p.backoff) > 0 && !p.backoff[0].retryAt.After(now) {
		k := heap.Pop(&p.backoff).(*keyQueue)
		p.release(k)
	}
}

// backoffDelay is the wait before attempt n+1: base doubling per attempt up to max, with "equal
// jitter" (half fixed, half random) so that retries of many records spread out.
func (p *Producer) backoffDelay(attempts int) time.Duration {
	d := p.cfg.backoffBase
	for i := 1; i < attempts && d < p.cfg.backoffMax; i++ {
		d *= 2
	}
	d = min(d, p.cfg.backoffMax)
	return d/2 + rand.N(d/2+1)
}

// finish records the outcome of a record and frees its room in the buffer. The Result becomes
// done in emit, after the callback, once the lock is released.
func (p *Producer) finish(r *Result, err error, ev *events) {
	if r.finished {
		return
	}
	r.finished = true
	r.err = err
	p.buffered--
	p.bufBytes -= r.size
	if p.space != nil {
		close(p.space)
		p.space = nil
	}
	ev.finished = append(ev.finished, r)
}

// settle counts finished records, now done, against the Flush calls waiting for them.
func (p *Producer) settle(rs []*Result) {
	p.unsettled -= len(rs)
	for i := 0; i < len(p.flushers); {
		w := p.flushers[i]
		for _, r := range rs {
			if r.seq <= w.upTo {
				w.remaining--
			}
		}
		if w.remaining == 0 {
			close(w.done)
			p.flushers = append(p.flushers[:i], p.flushers[i+1:]...)
			continue
		}
		i++
	}
}

// keyHeap orders keys in backoff by retry time.
type keyHeap []*keyQueue

func (h keyHeap) Len() int           { return len(h) }
func (h keyHeap) Less(i, j int) bool { return h[i].retryAt.Before(h[j].retryAt) }
func (h keyHeap) Swap(i, j int) {
	h[i], h[j] = h[j], h[i]
	h[i].heapIndex, h[j].heapIndex = i, j
}
func (h *keyHeap) Push(x any) {
	k := x.(*keyQueue)
	k.heapIndex = len(*h)
	*h = append(*h, k)
}
func (h *keyHeap) Pop() any {
	old := *h
	k := old[len(old)-1]
	old[len(old)-1] = nil
	*h = old[:len(old)-1]
	k.heapIndex = -1
	return k
}

func sortBySeq(rs []*Result) {
	slices.SortFunc(rs, func(a, b *Result) int {
		switch {
		case a.seq < b.seq:
			return -1
		case a.seq > b.seq:
			return 1
		}
		return 0
	})
}
