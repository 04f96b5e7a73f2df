package emulator

import (
	"sync"
	"time"

	"github.com/pelicanhq/pelican/emulator/internal/store"
)

// ShardThrottle limits one shard below Kinesis's limits, whether or not WithThroughputLimits is
// on, so that a test or a person at the console can reproduce an overloaded shard: calls beyond a
// rate fail with ProvisionedThroughputExceededException, as they do in Kinesis. A nil rate does
// not limit; a rate of zero refuses every call.
type ShardThrottle struct {
	WriteRecordsPerSecond *float64 `json:"write_records_per_second,omitempty"`
	WriteBytesPerSecond   *float64 `json:"write_bytes_per_second,omitempty"`
	ReadCallsPerSecond    *float64 `json:"read_calls_per_second,omitempty"`
}

// shardThrottle is a ShardThrottle in force: its buckets hold up to one second of its rates.
type shardThrottle struct {
	spec ShardThrottle

	mu                                  sync.Mutex
	writeRecords, writeBytes, readCalls *bucket
}

func newShardThrottle(spec ShardThrottle) *shardThrottle {
	b := func(rate *float64) *bucket {
		if rate == nil {
			return nil
		}
		return newBucket(*rate, *rate)
	}
	return &shardThrottle{spec: spec, writeRecords: b(spec.WriteRecordsPerSecond),
		writeBytes: b(spec.WriteBytesPerSecond), readCalls: b(spec.ReadCallsPerSecond)}
}

// admitWrite charges a write of records and bytes to the shard's throttle, if it has one.
func (s *shardStats) admitWrite(now time.Time, st *store.Stream, sh *store.Shard, records, bytes int) error {
	c := s.lookup(sh)
	if c == nil {
		return nil
	}
	t := c.throttle.Load()
	if t == nil {
		return nil
	}
	t.mu.Lock()
	ok := has(t.writeRecords, now, float64(records)) && has(t.writeBytes, now, float64(bytes))
	if ok {
		charge(t.writeRecords, float64(records))
		charge(t.writeBytes, float64(bytes))
	}
	t.mu.Unlock()
	if !ok {
		c.in.add(now, 0, 0, 1)
		return errShardRateExceeded(sh.ID, st.Key.Name, st.Key.Account)
	}
	return nil
}

// admitRead charges one GetRecords call to the shard's throttle, if it has one.
func (s *shardStats) admitRead(now time.Time, st *store.Stream, sh *store.Shard) error {
	c := s.lookup(sh)
	if c == nil {
		return nil
	}
	t := c.throttle.Load()
	if t == nil {
		return nil
	}
	t.mu.Lock()
	ok := has(t.readCalls, now, 1)
	if ok {
		charge(t.readCalls, 1)
	}
	t.mu.Unlock()
	if !ok {
		c.out.add(now, 0, 0, 1)
		return errShardRateExceeded(sh.ID, st.Key.Name, st.Key.Account)
	}
	return nil
}

// has refills b and reports whether it holds n tokens; a nil bucket (no limit) always does.
func has(b *bucket, now time.Time, n float64) bool {
	if b == nil {
		return true
	}
	b.refill(now)
	return b.tokens >= n
}

func charge(b *bucket, n float64) {
	if b != nil {
		b.tokens -= n
	}
}

// SetShardThrottle limits one shard of a stream of the default account and region; a zero
// ShardThrottle (every rate nil) lifts the limit. It fails with ResourceNotFoundException when
// the stream or shard does not exist.
func (s *Server) SetShardThrottle(stream, shard string, t ShardThrottle) error {
	return s.setShardThrottle(s.cfg.account, s.cfg.region, stream, shard, t)
}

func (s *Server) setShardThrottle(account, region, stream, shard string, t ShardThrottle) error {
	st := s.store.Get(store.Key{Account: account, Region: region, Name: stream})
	if st == nil {
		return errResourceNotFound("Stream %s under account %s not found.", stream, account)
	}
	var sh *store.Shard
	st.View(func() { sh = st.Shard(shard) })
	if sh == nil {
		return errShardNotFound(shard, stream, account)
	}
	c := s.limits.stats.counters(sh)
	if t.WriteRecordsPerSecond == nil && t.WriteBytesPerSecond == nil && t.ReadCallsPerSecond == nil {
		c.throttle.Store(nil)
		return nil
	}
	c.throttle.Store(newShardThrottle(t))
	return nil
}
