package consumer

import (
	"context"
	"fmt"
	"slices"
	"testing"
	"time"

	"github.com/pelicanhq/pelican/consumer/lease"
)

// listHook is a lease store whose List first calls before: the time a listing takes.
type listHook struct {
	lease.Store
	before func()
}

func (s listHook) List(ctx context.Context) ([]lease.Lease, error) {
	s.before()
	return s.Store.List(ctx)
}

// TestTakeoverTime pins how long a dead worker's lease waits for another worker: at most the
// failover time plus one take interval (plus the lateness and the listing of the pass that finds
// it expired), and never so soon that the dead worker, were it only paused, would still deliver
// on it. Two workers run on clocks of their own: h holds the lease and renews it every renew
// interval until it dies right after a renewal; k runs a take pass every take interval, each a
// little late (its loop was busy), and each listing of the lease table takes a varying time,
// during which h's renewals may land. The test walks k's passes at every phase against h's
// renewals.
func TestTakeoverTime(t *testing.T) {
	const (
		failover = 6 * time.Second
		renew    = 2 * time.Second
		take     = 3 * time.Second
	)
	listings := map[string][]time.Duration{
		"steady 20ms":       {20 * time.Millisecond},
		"slow then fast":    {300 * time.Millisecond, 20 * time.Millisecond, 20 * time.Millisecond},
		"fast then slow":    {20 * time.Millisecond, 300 * time.Millisecond, 150 * time.Millisecond, 5 * time.Millisecond},
		"one slow in seven": {900 * time.Millisecond, 10 * time.Millisecond, 40 * time.Millisecond, 10 * time.Millisecond, 80 * time.Millisecond, 10 * time.Millisecond, 30 * time.Millisecond},
	}
	lateness := map[string][]time.Duration{
		"on time":         {0},
		"late by 0-120ms": {40 * time.Millisecond, 0, 120 * time.Millisecond, 3 * time.Millisecond, 0, 60 * time.Millisecond},
	}
	t0 := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
	worst, best := time.Duration(0), time.Duration(1<<62)
	for name, durations := range listings {
		for lname, late := range lateness {
			limit := failover + take + slices.Max(durations) + slices.Max(late)
			for phase := time.Duration(0); phase < take; phase += 250 * time.Millisecond {
				for renewals := 3; renewals <= 4; renewals++ {
					t.Run(fmt.Sprintf("%s/%s/phase %v/%d renewals", name, lname, phase, renewals), func(t *testing.T) {
						got := runTakeover(t, t0, phase, renewals, durations, late, failover, renew, take)
						if got > limit {
							t.Errorf("lease taken %v after the holder's last renewal, want at most %v", got, limit)
						}
						worst, best = max(worst, got), min(best, got)
					})
				}
			}
		}
	}
	t.Logf("take-over after the holder's last renewal: %v to %v (failover %v, take interval %v)", best, worst, failover, take)
}

// runTakeover returns how long after h's last renewal k takes the lease.
func runTakeover(t *testing.T, t0 time.Time, phase time.Duration, renewals int, listings, late []time.Duration, failover, renew, take time.Duration) time.Duration {
	t.Helper()
	store := lease.NewMemory()
	seedLeases(t, store, "s0")
	hClock, kClock := newTestClock(), newTestClock()
	hClock.Set(t0)
	kClock.Set(t0)
	opts := func(c Clock, id string, s lease.Store) []Option {
		return []Option{WithFailoverTime(failover), WithRenewInterval(renew), WithTakeInterval(take), WithClock(c), WithWorkerID(id), WithLeaseStore(s)}
	}
	newCoord := func(opts []Option) *coordinator {
		cfg := defaults()
		for _, o := range opts {
			o(&cfg)
		}
		if err := cfg.finish(); err != nil {
			t.Fatal(err)
		}
		return newCoordinator(cfg)
	}
	h := newCoord(opts(hClock, "h", store))
	held := pass(t, h)
	if len(held) != 1 {
		t.Fatalf("h took %d leases", len(held))
	}
	hh := held[0]
	// h renews every renew interval; its last renewal is renewals intervals after t0, then it dies.
	next := 1
	death := t0.Add(time.Duration(renewals) * renew)
	renewUntil := func(at time.Time) {
		for ; next <= renewals; next++ {
			r := t0.Add(time.Duration(next) * renew)
			if r.After(at) {
				return
			}
			hClock.Set(r)
			h.renewOne(context.Background(), hh)
			if hh.gone {
				t.Fatalf("h lost its lease at its renewal %d", next)
			}
		}
	}
	var passIdx int
	kStore := listHook{Store: store, before: func() {
		// The listing reads the table at its end, after h's renewals that landed meanwhile.
		end := kClock.Now().Add(listings[passIdx%len(listings)])
		renewUntil(end)
		kClock.Set(end)
	}}
	k := newCoord(opts(kClock, "k", kStore))
	for passIdx = 0; passIdx < 100; passIdx++ {
		kClock.Set(t0.Add(phase + time.Duration(passIdx)*take + late[passIdx%len(late)]))
		if got := pass(t, k); len(got) == 1 {
			at := kClock.Now()
			if at.Before(death) {
				t.Fatalf("k took the lease at %v, before h died", at.Sub(t0))
			}
			// Had h only been paused, it would check its lease before delivering anything more.
			hClock.Set(at)
			if h.current(hh) {
				t.Errorf("k took the lease %v after h's last renewal, while h would still deliver on it", at.Sub(death))
			}
			return at.Sub(death)
		}
	}
	t.Fatal("k never took the lease")
	return 0
}
