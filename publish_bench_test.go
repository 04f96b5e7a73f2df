//go:build unix

package pelican_test

import (
	"context"
	"fmt"
	"runtime"
	"sort"
	"sync"
	"syscall"
	"testing"
	"time"

	"google.golang.org/protobuf/types/known/timestamppb"

	"github.com/pelicanhq/pelican"
	"github.com/pelicanhq/pelican/pelicantest"
	"github.com/pelicanhq/pelican/producer"
	clockv1 "github.com/pelicanhq/pelican/proto/example/clock/v1"
)

// BenchmarkPublishRate publishes typed events through the producer into the in-process emulator
// (4 shards, throughput limits off) three ways, interleaved in slices of 250 ms so that all see the
// same machine load:
//   - raw: producer.Put of a copy of one event's envelope bytes from 4 goroutines, many records
//     in flight;
//   - typed: Publisher.PublishAsync from 4 goroutines, many events in flight;
//   - wait32: Publisher.Publish from 32 goroutines, each waiting for its acknowledgement.
//
// raw and typed run in two shapes: burst, each goroutine keeping every event of its slice in
// flight until the slice ends, and steady, each keeping at most 8192 in flight (it waits for its
// oldest before putting another), as a service publishing without pause does. In a burst the
// acknowledged events stay on the heap to the end of the slice, and raw's CPU per event grows
// with the collector's work on them; steady, the heap stays small and each event costs closer to
// its own work.
//
// Each slice starts from a collected heap: otherwise the slice after raw's pays for sweeping and
// marking raw's garbage (and raw for wait32's, far less), which made typed look 0.1 to 0.4 dearer.
//
// It reports each rate and the process's CPU time per event, and the typed path's cost over raw
// Puts both ways, as medians of per-round ratios less one (0.2 is 20% more): typed-cost-over-raw
// from the rates, typed-cpu-over-raw from the CPU time per event; steady- names the steady shape.
func BenchmarkPublishRate(b *testing.B) {
	e := pelicantest.NewEmulator(b)
	stream := e.NewStream(b, 4)
	ctx := context.Background()
	prod, err := producer.New(ctx, e.Client(), stream, producer.WithShardRateLimit(0, 0), producer.WithMaxBufferedTime(5*time.Millisecond))
	if err != nil {
		b.Fatal(err)
	}
	defer func() { _ = prod.Close(ctx) }()
	pub := pelican.NewPublisher(pelican.ProducerSender(prod), pelican.WithProducerName("clock-service"))
	clocks := make([]string, 1000)
	for i := range clocks {
		clocks[i] = fmt.Sprintf("clock-%d", i)
	}
	at := timestamppb.New(time.Date(2026, 12, 7, 12, 0, 0, 0, time.UTC))
	tick := func(i int) *clockv1.TimeTicked {
		return &clockv1.TimeTicked{ClockId: clocks[i%len(clocks)], Hour: uint32(i % 24), TickedAt: at, TimeZone: "Europe/Zurich"}
	}
	rec, err := pub.Encode(ctx, tick(0))
	if err != nil {
		b.Fatal(err)
	}

	const slice = 250 * time.Millisecond
	// Events are put from publishers goroutines, as a service publishes from the goroutines of
	// its requests: the typed path's encoding then costs what it costs in CPU, beside the
	// producer's and the emulator's work, rather than as one goroutine's latency.
	const publishers = 4
	// steadyWindow is how many events a goroutine keeps in flight in the steady shape: 32,768 in
	// all, some 65 full PutRecords calls.
	const steadyWindow = 8192
	// inFlight runs put from publishers goroutines for a slice, each keeping up to window events
	// in flight (every one when window is 0) until the end of the slice, then waits for all and
	// returns events per second and CPU time per event.
	inFlight := func(window int, put func(i int) (func() error, error)) (rate, cpu float64) {
		runtime.GC() // each slice starts from a collected heap, rather than paying for the garbage of the one before
		start, cpuStart := time.Now(), processCPU()
		var wg sync.WaitGroup
		counts := make([]int, publishers)
		for g := range counts {
			wg.Add(1)
			go func() {
				defer wg.Done()
				var waits []func() error // the events in flight; a ring of window once full
				n := 0
				for i := g; time.Since(start) < slice; i += publishers {
					full := window > 0 && len(waits) == window
					if full {
						if err := waits[n%window](); err != nil {
							b.Error(err)
							return
						}
					}
					wait, err := put(i)
					if err != nil {
						b.Error(err)
						return
					}
					if full {
						waits[n%window] = wait
					} else {
						waits = append(waits, wait)
					}
					n++
				}
				for _, wait := range waits {
					if err := wait(); err != nil {
						b.Error(err)
						return
					}
				}
				counts[g] = n
			}()
		}
		wg.Wait()
		n := 0
		for _, c := range counts {
			n += c
		}
		return float64(n) / time.Since(start).Seconds(), float64(processCPU()-cpuStart) / float64(n)
	}
	raw := func(window int) (float64, float64) {
		return inFlight(window, func(i int) (func() error, error) {
			// Each event's own bytes, as a caller putting distinct events has them (the producer
			// keeps them until they are sent); the typed path makes them as it encodes.
			data := append(make([]byte, 0, len(rec.Data)), rec.Data...)
			res, err := prod.Put(ctx, clocks[i%len(clocks)], data)
			if err != nil {
				return nil, err
			}
			return func() error { return res.Wait(ctx) }, nil
		})
	}
	typed := func(window int) (float64, float64) {
		return inFlight(window, func(i int) (func() error, error) {
			pb, err := pub.PublishAsync(ctx, tick(i))
			if err != nil {
				return nil, err
			}
			return func() error { _, err := pb.Wait(ctx); return err }, nil
		})
	}
	wait32 := func() float64 {
		runtime.GC()
		start := time.Now()
		var wg sync.WaitGroup
		counts := make([]int, 32)
		for g := range counts {
			wg.Add(1)
			go func() {
				defer wg.Done()
				for i := g; time.Since(start) < slice; i += len(counts) {
					if _, err := pub.Publish(ctx, tick(i)); err != nil {
						b.Error(err)
						return
					}
					counts[g]++
				}
			}()
		}
		wg.Wait()
		n := 0
		for _, c := range counts {
			n += c
		}
		return float64(n) / time.Since(start).Seconds()
	}

	// warm-up, not counted
	raw(0)
	typed(0)
	wait32()
	// shape measures raw and typed in 16 rounds, whatever b.N is (`make bench` runs this once),
	// in the order raw typed, typed raw, so that each follows the other as often as it goes
	// first: a slice costs more after some neighbours than after others (after wait32's 32
	// waiting goroutines, typed cost about 0.5 us more per event and raw about 0.3 less), which a
	// fixed order turns into a bias.
	const rounds = 16
	type shapeResult struct{ raw, typed, rawCPU, typedCPU, cost, cpuCost float64 }
	shape := func(window int) shapeResult {
		var res shapeResult
		var costs, cpuCosts []float64
		for round := range rounds {
			var r, rc, t, tc float64
			if round%2 == 0 {
				r, rc = raw(window)
				t, tc = typed(window)
			} else {
				t, tc = typed(window)
				r, rc = raw(window)
			}
			res.raw, res.typed, res.rawCPU, res.typedCPU = res.raw+r/rounds, res.typed+t/rounds, res.rawCPU+rc/rounds, res.typedCPU+tc/rounds
			costs, cpuCosts = append(costs, r/t-1), append(cpuCosts, tc/rc-1)
		}
		res.cost, res.cpuCost = medianOf(costs), medianOf(cpuCosts)
		return res
	}
	b.ResetTimer()
	burst := shape(0)
	steady := shape(steadyWindow)
	// wait32 has rounds of its own afterwards.
	const waitRounds = 4
	var waitSum float64
	for range waitRounds {
		waitSum += wait32()
	}
	b.StopTimer()
	for _, m := range []struct {
		prefix string
		res    shapeResult
	}{{"", burst}, {"steady-", steady}} {
		b.ReportMetric(m.res.raw, m.prefix+"raw-events/s")
		b.ReportMetric(m.res.typed, m.prefix+"typed-events/s")
		b.ReportMetric(m.res.rawCPU, m.prefix+"raw-cpu-ns/event")
		b.ReportMetric(m.res.typedCPU, m.prefix+"typed-cpu-ns/event")
		b.ReportMetric(m.res.cost, m.prefix+"typed-cost-over-raw")
		b.ReportMetric(m.res.cpuCost, m.prefix+"typed-cpu-over-raw")
	}
	b.ReportMetric(waitSum/waitRounds, "wait32-events/s")
}

// processCPU is the CPU time this process has used (user and system), in nanoseconds: what an
// event costs, which other work on a shared machine moves less than it moves rates.
func processCPU() int64 {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return ru.Utime.Nano() + ru.Stime.Nano()
}

func medianOf(v []float64) float64 {
	sort.Float64s(v)
	mid := len(v) / 2
	if len(v)%2 == 0 {
		return (v[mid-1] + v[mid]) / 2
	}
	return v[mid]
}
