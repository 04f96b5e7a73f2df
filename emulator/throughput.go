package emulator

import (
	"sync"
	"time"

	"github.com/pelicanhq/pelican/emulator/internal/store"
)

// Per-shard throughput limits, modelled as token buckets (averaged rates with a burst, as Kinesis
// enforces them, not a hard cut at each second): writes 1 MiB/s and 1,000 records/s with a burst
// that lets one 10 MiB record in; reads 2 MiB/s and 5 GetRecords calls/s; GetShardIterator 5 calls/s
// per open shard. And the documented rate of each control-plane operation, and ten UpdateShardCount
// calls per stream in a rolling 24 hours.

const (
	writeBytesPerSec   = 1 << 20
	writeRecordsPerSec = 1000
	writeBurstBytes    = 10 << 20
	readBytesPerSec    = 2 << 20
	readCallsPerSec    = 5
	readBurstBytes     = 10 << 20
)

// bucket is a token bucket: rate tokens a second up to burst.
type bucket struct {
	tokens float64
	last   time.Time
	rate   float64
	burst  float64
}

func newBucket(rate, burst float64) *bucket { return &bucket{tokens: burst, rate: rate, burst: burst} }

func (b *bucket) refill(now time.Time) {
	if !b.last.IsZero() && now.After(b.last) {
		b.tokens += now.Sub(b.last).Seconds() * b.rate
		if b.tokens > b.burst {
			b.tokens = b.burst
		}
	}
	if b.last.IsZero() || now.After(b.last) {
		b.last = now
	}
}

type shardBuckets struct {
	writeBytes, writeRecords, readBytes, readCalls *bucket
}

type throughput struct {
	on       bool
	mu       sync.Mutex
	shards   map[*store.Shard]*shardBuckets
	control  map[string]*bucket
	scalings map[string][]time.Time // UpdateShardCount calls of each stream, by ARN
	stats    shardStats             // per-shard counters and throttles, on or off (shardstats.go)
}

func newThroughput(on bool) *throughput {
	return &throughput{on: on, shards: map[*store.Shard]*shardBuckets{}, control: map[string]*bucket{}, scalings: map[string][]time.Time{}}
}

func (t *throughput) buckets(sh *store.Shard) *shardBuckets {
	b := t.shards[sh]
	if b == nil {
		b = &shardBuckets{
			writeBytes:   newBucket(writeBytesPerSec, writeBurstBytes),
			writeRecords: newBucket(writeRecordsPerSec, writeRecordsPerSec),
			readBytes:    newBucket(readBytesPerSec, readBurstBytes),
			readCalls:    newBucket(readCallsPerSec, readCallsPerSec),
		}
		t.shards[sh] = b
	}
	return b
}

// write charges a write of records and bytes to a shard, or answers as Kinesis does when the
// shard is over its rate.
func (t *throughput) write(now time.Time, st *store.Stream, sh *store.Shard, records, bytes int) error {
	if err := t.stats.admitWrite(now, st, sh, records, bytes); err != nil {
		return err
	}
	if !t.on {
		return nil
	}
	t.mu.Lock()
	defer t.mu.Unlock()
	b := t.buckets(sh)
	b.writeBytes.refill(now)
	b.writeRecords.refill(now)
	if b.writeRecords.tokens < float64(records) || b.writeBytes.tokens < float64(bytes) {
		t.stats.writeThrottled(now, sh)
		return errShardRateExceeded(sh.ID, st.Key.Name, st.Key.Account)
	}
	b.writeRecords.tokens -= float64(records)
	b.writeBytes.tokens -= float64(bytes)
	return nil
}

// readCall charges one GetRecords call; it fails when the shard has had its 5 calls this second or
// has read more than its bytes allow.
func (t *throughput) readCall(now time.Time, st *store.Stream, sh *store.Shard) error {
	if err := t.stats.admitRead(now, st, sh); err != nil {
		return err
	}
	if !t.on {
		return nil
	}
	t.mu.Lock()
	defer t.mu.Unlock()
	b := t.buckets(sh)
	b.readCalls.refill(now)
	b.readBytes.refill(now)
	if b.readCalls.tokens < 1 || b.readBytes.tokens <= 0 {
		t.stats.readThrottled(now, sh)
		return errShardRateExceeded(sh.ID, st.Key.Name, st.Key.Account)
	}
	b.readCalls.tokens--
	return nil
}

// readBytes charges the bytes a GetRecords call returned; the debt delays the next calls.
func (t *throughput) readBytes(now time.Time, st *store.Stream, sh *store.Shard, bytes int) {
	if !t.on {
		return
	}
	t.mu.Lock()
	defer t.mu.Unlock()
	t.buckets(sh).readBytes.tokens -= float64(bytes)
}

// controlPlane charges one control-plane call. uniform, when positive, is one rate for every
// operation (Limits.ControlPlaneRatePerS); otherwise, with throughput limits on, the operation has
// its documented rate (documented, from its row), per account or per stream (stream names the
// stream the call addresses).
func (t *throughput) controlPlane(c *call, uniform int, documented opRate, stream string) error {
	r := opRate{perSecond: uniform}
	if uniform <= 0 {
		if !t.on || documented.perSecond == 0 {
			return nil
		}
		r = documented
	}
	key := c.account + "/" + c.region + "/" + c.op
	if r.perStream {
		key += "/" + stream
	}
	t.mu.Lock()
	defer t.mu.Unlock()
	b := t.control[key]
	if b == nil {
		b = newBucket(float64(r.perSecond), float64(r.perSecond))
		t.control[key] = b
	}
	b.refill(c.now)
	if b.tokens < 1 {
		return errLimitExceeded("Rate exceeded for %s by account %s.", c.op, c.account)
	}
	b.tokens--
	return nil
}

// shardIterators charges one GetShardIterator call: five a second per account per open shard.
func (t *throughput) shardIterators(c *call, st *store.Stream, sh *store.Shard) error {
	if !t.on {
		return nil
	}
	key := c.account + "/" + st.ARN + "/" + sh.ID + "/GetShardIterator"
	t.mu.Lock()
	defer t.mu.Unlock()
	b := t.control[key]
	if b == nil {
		b = newBucket(readCallsPerSec, readCallsPerSec)
		t.control[key] = b
	}
	b.refill(c.now)
	if b.tokens < 1 {
		return errShardRateExceeded(sh.ID, st.Key.Name, st.Key.Account)
	}
	b.tokens--
	return nil
}

// scalingsPerDay is how many UpdateShardCount calls a stream takes in a rolling 24 hours.
const scalingsPerDay = 10

// scaling records one UpdateShardCount of a stream, or refuses it when the stream has had ten in
// the last 24 hours.
func (t *throughput) scaling(c *call, st *store.Stream) error {
	if !t.on {
		return nil
	}
	t.mu.Lock()
	defer t.mu.Unlock()
	var recent []time.Time
	for _, at := range t.scalings[st.ARN] {
		if c.now.Sub(at) < 24*time.Hour {
			recent = append(recent, at)
		}
	}
	if len(recent) >= scalingsPerDay {
		t.scalings[st.ARN] = recent
		return errLimitExceeded("UpdateShardCount cannot scale stream %s under account %s more than %d times in a rolling 24-hour period.", st.Key.Name, st.Key.Account, scalingsPerDay)
	}
	t.scalings[st.ARN] = append(recent, c.now)
	return nil
}

// fanOutRate is what enhanced fan-out delivers to one consumer from one shard: 2 MiB/s.
const fanOutRate = readBytesPerSec

// fanOutWait says how long a subscription must wait before its next event, with throughput limits
// on: the bytes it sent beyond 2 MiB/s must be paid back first. key names the consumer and shard.
func (t *throughput) fanOutWait(now time.Time, key string) time.Duration {
	if !t.on {
		return 0
	}
	t.mu.Lock()
	defer t.mu.Unlock()
	b := t.fanOutBucket(key)
	b.refill(now)
	if b.tokens >= 0 {
		return 0
	}
	return time.Duration(-b.tokens / b.rate * float64(time.Second))
}

// fanOutCharge counts an event's bytes against the consumer and shard; the debt delays the next.
func (t *throughput) fanOutCharge(now time.Time, key string, bytes int) {
	if !t.on {
		return
	}
	t.mu.Lock()
	defer t.mu.Unlock()
	b := t.fanOutBucket(key)
	b.refill(now)
	b.tokens -= float64(bytes)
}

func (t *throughput) fanOutBucket(key string) *bucket {
	b := t.control["fanout/"+key]
	if b == nil {
		b = newBucket(fanOutRate, fanOutRate)
		t.control["fanout/"+key] = b
	}
	return b
}
