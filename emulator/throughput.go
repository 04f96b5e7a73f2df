package emulator

import (
	"sync"
	"time"

	"github.com/pelicanhq/pelican/emulator/internal/store"
)

// Per-shard throughput limits, modelled as token buckets (averaged rates with a burst, as Kinesis
// enforces them, not a hard cut at each second): writes 1 MiB/s and 1,000 records/s with a burst
// that lets one 10 MiB record in; reads 2 MiB/s and 5 GetRecords calls/s. And a control-plane rate
// per operation and account.

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
	on      bool
	mu      sync.Mutex
	shards  map[*store.Shard]*shardBuckets
	control map[string]*bucket
}

func newThroughput(on bool) *throughput {
	return &throughput{on: on, shards: map[*store.Shard]*shardBuckets{}, control: map[string]*bucket{}}
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
	if !t.on {
		return nil
	}
	t.mu.Lock()
	defer t.mu.Unlock()
	b := t.buckets(sh)
	b.writeBytes.refill(now)
	b.writeRecords.refill(now)
	if b.writeRecords.tokens < float64(records) || b.writeBytes.tokens < float64(bytes) {
		return ErrProvisionedThroughputExceeded("Rate exceeded for shard %s in stream %s under account %s.", sh.ID, st.Key.Name, st.Key.Account)
	}
	b.writeRecords.tokens -= float64(records)
	b.writeBytes.tokens -= float64(bytes)
	return nil
}

// readCall charges one GetRecords call; it fails when the shard has had its 5 calls this second or
// has read more than its bytes allow.
func (t *throughput) readCall(now time.Time, st *store.Stream, sh *store.Shard) error {
	if !t.on {
		return nil
	}
	t.mu.Lock()
	defer t.mu.Unlock()
	b := t.buckets(sh)
	b.readCalls.refill(now)
	b.readBytes.refill(now)
	if b.readCalls.tokens < 1 || b.readBytes.tokens <= 0 {
		return ErrProvisionedThroughputExceeded("Rate exceeded for shard %s in stream %s under account %s.", sh.ID, st.Key.Name, st.Key.Account)
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

// controlPlane charges one control-plane call of an operation by an account.
func (t *throughput) controlPlane(c *call, perSecond int) error {
	if perSecond <= 0 {
		return nil
	}
	t.mu.Lock()
	defer t.mu.Unlock()
	key := c.account + "/" + c.region + "/" + c.op
	b := t.control[key]
	if b == nil {
		b = newBucket(float64(perSecond), float64(perSecond))
		t.control[key] = b
	}
	b.refill(c.now)
	if b.tokens < 1 {
		return ErrLimitExceeded("Rate exceeded for %s by account %s.", c.op, c.account)
	}
	b.tokens--
	return nil
}
