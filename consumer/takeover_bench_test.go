package consumer

import (
	"context"
	"slices"
	"testing"
	"time"

	"github.com/pelicanhq/pelican/consumer/lease"
)

// BenchmarkTakeover measures, on the system clock, how long after a worker dies the other worker
// holds its lease, with a 6s failover time, 2s renew interval and 3s take interval. The worker
// dies once the two hold one lease each, with no handoff under way. Each
// iteration takes about 15s; run it with -benchtime=8x or so. It reports the shortest, mean and
// longest take-over in seconds.
func BenchmarkTakeover(b *testing.B) {
	var times []float64
	for range b.N {
		times = append(times, takeoverOnce(b).Seconds())
	}
	slices.Sort(times)
	sum := 0.0
	for _, x := range times {
		sum += x
	}
	b.ReportMetric(times[0], "min-s")
	b.ReportMetric(sum/float64(len(times)), "mean-s")
	b.ReportMetric(times[len(times)-1], "max-s")
	b.ReportMetric(0, "ns/op")
}

func takeoverOnce(b *testing.B) time.Duration {
	b.Helper()
	f := newFakeKinesis(2)
	store := lease.NewMemory()
	nop := HandlerFunc(func(context.Context, Batch) error { return nil })
	timing := []Option{WithFailoverTime(6 * time.Second), WithRenewInterval(2 * time.Second), WithTakeInterval(3 * time.Second)}
	owned := func() map[string]int {
		leases, err := store.List(context.Background())
		if err != nil {
			b.Fatal(err)
		}
		o := map[string]int{}
		for _, l := range leases {
			o[l.Owner]++
			if l.CheckpointOwner != "" {
				o["handoff"]++
			}
		}
		return o
	}
	start := func(id string) (*Consumer, func()) {
		c, err := New(f, "stream", nop, append(append(fast(), timing...), WithWorkerID(id), WithLeaseStore(store))...)
		if err != nil {
			b.Fatal(err)
		}
		ctx, cancel := context.WithCancel(context.Background())
		done := make(chan struct{})
		go func() {
			defer close(done)
			_ = c.Run(ctx)
		}()
		return c, func() { cancel(); <-done }
	}
	ca, stopA := start("a")
	_, stopB := start("b")
	defer stopB()
	for deadline := time.Now().Add(60 * time.Second); ; {
		o := owned()
		// One lease each and no handoff under way: a handoff that completed after a's death would
		// move the lease then, and the take-over would be timed from that move.
		if o["a"] == 1 && o["b"] == 1 && o["handoff"] == 0 {
			break
		}
		if time.Now().After(deadline) {
			b.Fatalf("no fair split: %v", o)
		}
		time.Sleep(10 * time.Millisecond)
	}
	ca.die()
	died := time.Now()
	stopA()
	for owned()["b"] != 2 {
		if time.Since(died) > 60*time.Second {
			b.Fatal("the dead worker's lease was never taken")
		}
		time.Sleep(5 * time.Millisecond)
	}
	return time.Since(died)
}
