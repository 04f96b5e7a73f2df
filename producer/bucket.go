package producer

import (
	"math"
	"time"
)

// bucket is a token bucket for one shard's write throughput, in bytes and records. It holds at
// most one second of each rate, and refills continuously. A record larger than the byte capacity
// (a stream may allow records up to 10 MiB) passes when the bucket is full, leaving it in debt.
type bucket struct {
	byteRate, recordRate float64 // per second; 0 turns the bucket off
	bytes, records       float64 // tokens
	last                 time.Time
}

func newBucket(byteRate, recordRate float64, now time.Time) *bucket {
	return &bucket{byteRate: byteRate, recordRate: recordRate, bytes: byteRate, records: recordRate, last: now}
}

func (b *bucket) off() bool { return b.byteRate <= 0 || b.recordRate <= 0 }

func (b *bucket) refill(now time.Time) {
	if b.off() {
		return
	}
	if dt := now.Sub(b.last).Seconds(); dt > 0 {
		b.bytes = math.Min(b.byteRate, b.bytes+dt*b.byteRate)
		b.records = math.Min(b.recordRate, b.records+dt*b.recordRate)
	}
	b.last = now
}

// budget returns how many bytes a Kinesis record may take now, 0 when none may be sent.
func (b *bucket) budget(now time.Time) int {
	if b.off() {
		return math.MaxInt
	}
	b.refill(now)
	if b.records < 1 || b.bytes < 1 {
		return 0
	}
	if b.bytes >= b.byteRate {
		return math.MaxInt // a full bucket lets one record of any size through
	}
	return int(b.bytes)
}

// take spends the tokens of one Kinesis record of n bytes.
func (b *bucket) take(n int) {
	if b.off() {
		return
	}
	b.bytes -= float64(n)
	b.records--
}

// wait returns how long until a Kinesis record of n bytes may be sent.
func (b *bucket) wait(n int, now time.Time) time.Duration {
	if b.off() {
		return 0
	}
	b.refill(now)
	need := math.Min(float64(n), b.byteRate)
	var d float64
	if b.bytes < need {
		d = (need - b.bytes) / b.byteRate
	}
	if b.records < 1 {
		d = math.Max(d, (1-b.records)/b.recordRate)
	}
	return time.Duration(math.Ceil(d * float64(time.Second)))
}

// drain empties the bucket after the shard refused a write, so that the next one waits for a
// refill instead of joining a throttling storm.
func (b *bucket) drain(now time.Time) {
	if b.off() {
		return
	}
	b.refill(now)
	b.bytes = math.Min(b.bytes, 0)
	b.records = math.Min(b.records, 0)
}
