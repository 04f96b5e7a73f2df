package pelican_test

import (
	"context"
	"fmt"
	"sort"
	"sync"
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
//   - raw: producer.Put of the same envelope bytes, many records in flight from one goroutine;
//   - typed: Publisher.PublishAsync, many events in flight from one goroutine;
//   - wait32: Publisher.Publish from 32 goroutines, each waiting for its acknowledgement.
//
// It reports each rate, and the typed path's cost over raw Puts (the median of the per-slice
// raw/typed ratios, less one: 0.2 is 20% more time per event).
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
	raw := func() float64 {
		start := time.Now()
		var results []*producer.Result
		for i := 0; time.Since(start) < slice; i++ {
			res, err := prod.Put(ctx, clocks[i%len(clocks)], rec.Data)
			if err != nil {
				b.Fatal(err)
			}
			results = append(results, res)
		}
		for _, res := range results {
			if err := res.Wait(ctx); err != nil {
				b.Fatal(err)
			}
		}
		return float64(len(results)) / time.Since(start).Seconds()
	}
	typed := func() float64 {
		start := time.Now()
		var pending []*pelican.Publication
		for i := 0; time.Since(start) < slice; i++ {
			pb, err := pub.PublishAsync(ctx, tick(i))
			if err != nil {
				b.Fatal(err)
			}
			pending = append(pending, pb)
		}
		for _, pb := range pending {
			if _, err := pb.Wait(ctx); err != nil {
				b.Fatal(err)
			}
		}
		return float64(len(pending)) / time.Since(start).Seconds()
	}
	wait32 := func() float64 {
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

	_, _, _ = raw(), typed(), wait32() // warm-up, not counted
	const rounds = 8 // whatever b.N is: `make bench` runs this once
	var rawSum, typedSum, waitSum float64
	var costs []float64
	b.ResetTimer()
	for range rounds {
		r, t, w := raw(), typed(), wait32()
		rawSum, typedSum, waitSum = rawSum+r, typedSum+t, waitSum+w
		costs = append(costs, r/t-1)
	}
	b.StopTimer()
	sort.Float64s(costs)
	n := float64(rounds)
	b.ReportMetric(rawSum/n, "raw-events/s")
	b.ReportMetric(typedSum/n, "typed-events/s")
	b.ReportMetric(waitSum/n, "wait32-events/s")
	b.ReportMetric(costs[len(costs)/2], "typed-cost-over-raw")
}
