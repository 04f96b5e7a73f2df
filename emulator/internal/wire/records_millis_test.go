package wire

import (
	"math/rand/v2"
	"testing"
	"time"
)

// TestAppendMillisJSONMatchesFloat holds the hand-written arrival of GetRecords records to the
// float formatting Timestamp.AppendJSON does, over every millisecond of a second, the edges of the
// fast path and random arrivals.
func TestAppendMillisJSONMatchesFloat(t *testing.T) {
	check := func(ms int64) {
		ts := NewTimestamp(time.UnixMilli(ms))
		if got, want := string(appendMillisJSON(nil, ts)), string(ts.AppendJSON(nil)); got != want {
			t.Fatalf("arrival %d ms: got %s, want %s", ms, got, want)
		}
	}
	for ms := int64(1764000000000); ms < 1764000001000; ms++ {
		check(ms)
	}
	for _, ms := range []int64{0, 1, 10, 100, 999, 1000, 1001, -1, -1500, maxDecimalMillis - 1, maxDecimalMillis, maxDecimalMillis + 1} {
		check(ms)
	}
	r := rand.New(rand.NewPCG(1, 2))
	for range 200000 {
		check(r.Int64N(maxDecimalMillis))
	}
}
