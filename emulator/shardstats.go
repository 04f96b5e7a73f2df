package emulator

import (
	"sync"
	"sync/atomic"
	"time"

	"github.com/pelicanhq/pelican/emulator/internal/store"
)

// The emulator's own per-shard counters, which GET /_pelican/shards reports: records and bytes
// in (stored) and out (read by GetRecords or sent to a subscription) and the calls refused with
// ProvisionedThroughputExceededException, per second over the last statsWindow seconds. A
// writer or reader pays one sync.Map load and a few atomic adds; only a shard with a throttle
// (throttle.go) takes that throttle's lock.

// statsWindow is how many seconds of history the counters keep.
const statsWindow = 300

// rateSlot counts one second.
type rateSlot struct {
	sec       atomic.Int64 // the Unix second the counts belong to
	records   atomic.Int64
	bytes     atomic.Int64
	throttled atomic.Int64
}

// rateRing is a shard's counts of one direction, one slot per second of the window.
type rateRing [statsWindow]rateSlot

func (r *rateRing) add(now time.Time, records, bytes, throttled int64) {
	sec := now.Unix()
	sl := &r[uint64(sec)%statsWindow]
	if old := sl.sec.Load(); old != sec && sl.sec.CompareAndSwap(old, sec) {
		// The slot held an older second: start it again. A count racing with the reset may
		// be lost, which a gauge of rates can afford.
		sl.records.Store(0)
		sl.bytes.Store(0)
		sl.throttled.Store(0)
	}
	sl.records.Add(records)
	sl.bytes.Add(bytes)
	sl.throttled.Add(throttled)
}

// series returns the counts of the n seconds up to and including now's, oldest first.
func (r *rateRing) series(now time.Time, n int) (records, bytes, throttled []int64) {
	records, bytes, throttled = make([]int64, n), make([]int64, n), make([]int64, n)
	last := now.Unix()
	for i := range n {
		sec := last - int64(n-1-i)
		sl := &r[uint64(sec)%statsWindow]
		if sl.sec.Load() != sec {
			continue
		}
		records[i], bytes[i], throttled[i] = sl.records.Load(), sl.bytes.Load(), sl.throttled.Load()
	}
	return records, bytes, throttled
}

// shardCounters are one shard's counters and its throttle, if one was set.
type shardCounters struct {
	in, out  rateRing
	throttle atomic.Pointer[shardThrottle]
}

// shardStats holds the counters of every shard that has seen traffic or a throttle.
type shardStats struct {
	shards sync.Map // *store.Shard -> *shardCounters
}

func (s *shardStats) lookup(sh *store.Shard) *shardCounters {
	if c, ok := s.shards.Load(sh); ok {
		return c.(*shardCounters)
	}
	return nil
}

func (s *shardStats) counters(sh *store.Shard) *shardCounters {
	if c := s.lookup(sh); c != nil {
		return c
	}
	c, _ := s.shards.LoadOrStore(sh, new(shardCounters))
	return c.(*shardCounters)
}

// stored counts records appended to a shard.
func (s *shardStats) stored(now time.Time, sh *store.Shard, recs []store.Record) {
	bytes := 0
	for i := range recs {
		bytes += recs[i].Size()
	}
	s.counters(sh).in.add(now, int64(len(recs)), int64(bytes), 0)
}

// read counts records a reader was given.
func (s *shardStats) read(now time.Time, sh *store.Shard, records, bytes int) {
	if records == 0 {
		return
	}
	s.counters(sh).out.add(now, int64(records), int64(bytes), 0)
}

// writeThrottled and readThrottled count a refused call.
func (s *shardStats) writeThrottled(now time.Time, sh *store.Shard) {
	s.counters(sh).in.add(now, 0, 0, 1)
}

func (s *shardStats) readThrottled(now time.Time, sh *store.Shard) {
	s.counters(sh).out.add(now, 0, 0, 1)
}

// forget drops the counters of shards that are no longer in any stream.
func (s *shardStats) forget(live func(*store.Shard) bool) {
	s.shards.Range(func(k, _ any) bool {
		if !live(k.(*store.Shard)) {
			s.shards.Delete(k)
		}
		return true
	})
}
