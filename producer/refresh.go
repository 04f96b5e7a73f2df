package producer

import (
	"context"
	"time"
)

// markStale records that the shard map is wrong. Nothing more is sent until it is read again.
func (p *Producer) markStale(why, shardID, predicted string) {
	if !p.stale {
		p.log.Info("shard map out of date; reading it again", "why", why, "shard", shardID, "predicted", predicted)
	}
	p.stale = true
	p.staleGen++
}

// refresh reads the shard map, retrying with backoff until it succeeds or the producer stops,
// and installs it. A map read before the latest markStale does not clear the staleness.
func (p *Producer) refresh() {
	defer p.wg.Done()
	delay := defaultMinRefreshBackoff
	for {
		p.mu.Lock()
		gen := p.staleGen
		p.mu.Unlock()
		ctx, cancel := context.WithTimeout(p.runCtx, p.cfg.requestTimeout)
		m, err := listShards(ctx, p.client, p.stream)
		cancel()
		now := time.Now()
		ev := &events{}
		p.mu.Lock()
		if p.aborted || p.runCtx.Err() != nil {
			p.refreshing = false
			p.mu.Unlock()
			return
		}
		if err == nil {
			changed := p.installMap(m, now)
			if !changed && p.mismatch && !p.serviceRouted {
				// Records land off the prediction of a map that is still current: the stream
				// places records itself and ignores hash keys (AUTO record distribution).
				p.serviceRouted = true
				p.log.Warn("the stream does not route records by hash key (AUTO record distribution?): " +
					"records are accepted where they land, and per-key order is the stream's to keep")
			}
			p.mismatch = false
			if p.staleGen == gen {
				p.stale = false
				p.verify(now, ev)
				p.refreshing = false
				p.mu.Unlock()
				p.signal()
				p.emit(ev)
				return
			}
			// Staleness was found while the call was out: the answer may predate it.
			p.mu.Unlock()
			p.emit(ev)
			continue
		}
		p.log.Warn("reading the shard map failed", "err", err, "retry_in", delay)
		if p.stale {
			p.expireWaiting(now, ev) // nothing is sent while stale: deadlines still hold
		}
		p.mu.Unlock()
		p.emit(ev)
		select {
		case <-time.After(delay):
		case <-p.runCtx.Done():
		}
		delay = min(2*delay, p.cfg.backoffMax)
	}
}

// installMap makes m the shard map. When the open shards changed, every key moves to the lane of
// the shard that now owns its hash key; ready keys keep their relative order.
func (p *Producer) installMap(m *shardMap, now time.Time) (changed bool) {
	p.lastMap = now
	if p.smap != nil && p.smap.sameShards(m) {
		p.smap = m
		return false
	}
	p.mapGen++
	old := p.lanes
	byID := make(map[string]*lane, len(old))
	for _, l := range old {
		byID[l.shard.id] = l
	}
	lanes := make([]*lane, len(m.open))
	for i, sh := range m.open {
		if l, ok := byID[sh.id]; ok && l.shard == sh {
			lanes[i] = l
			continue
		}
		lanes[i] = &lane{shard: sh, bucket: newBucket(p.cfg.shardBytesPerSec, p.cfg.shardRecordsPerS, now)}
	}
	var ready []*keyQueue
	for _, l := range old {
		for l.ready.len() > 0 {
			ready = append(ready, l.ready.popFront())
		}
		l.bytes = 0
	}
	p.smap, p.lanes = m, lanes
	for _, k := range p.keys {
		k.lane = lanes[m.find(k.hash)]
	}
	for _, k := range ready {
		k.lane.ready.pushBack(k)
		k.lane.bytes += k.bytes
	}
	if old != nil {
		ids := make([]string, len(m.open))
		for i, sh := range m.open {
			ids[i] = sh.id
		}
		p.log.Info("shard map changed", "open_shards", ids)
	}
	return true
}

// verify settles the aggregates that landed on an unexpected shard, with the map just read: user
// records whose hash key that shard owns are written; the others are in the wrong shard, where
// readers that check hash key ranges drop them, and are sent again to the right one.
func (p *Producer) verify(now time.Time, ev *events) {
	pending := p.unverified
	p.unverified = nil
	for _, u := range pending {
		if p.serviceRouted {
			p.succeed(u.e, u.e.recs, u.shardID, u.seq, now, ev)
			for _, k := range u.e.keys {
				p.release(k)
			}
			continue
		}
		sh, ok := p.smap.byID[u.shardID]
		var good, bad []*Result
		for _, r := range u.e.recs {
			if ok && sh.contains(r.hash) {
				good = append(good, r)
			} else {
				r.ambiguous = true
				bad = append(bad, r)
			}
		}
		p.succeed(u.e, good, u.shardID, u.seq, now, ev)
		if len(bad) > 0 {
			p.log.Warn("records written to a shard that does not own their hash key; sending them again", "shard", u.shardID, "records", len(bad))
		}
		var badKeys, goodKeys []*keyQueue
		for _, k := range u.e.keys {
			if ok && sh.contains(k.hash) {
				goodKeys = append(goodKeys, k)
			} else {
				badKeys = append(badKeys, k)
			}
		}
		for _, k := range goodKeys {
			p.release(k)
		}
		p.retry(bad, badKeys, "WrongShard", now, ev, false)
	}
}

// expireWaiting fails the records, queued anywhere, whose deadline has passed.
func (p *Producer) expireWaiting(now time.Time, ev *events) {
	n := 0
	for _, k := range p.keys {
		for k.recs.len() > 0 && expiredAt(k.recs.front(), now) {
			r := k.popRecord()
			if k.state == keyReady {
				k.lane.bytes -= r.size
				p.readyBytes -= r.size
			}
			p.finish(r, expiredError(r), ev)
			n++
		}
	}
	ev.count(countFailed, "Expired", n, 0)
}
