package harness_test

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"testing"
	"time"

	"github.com/pelicanhq/pelican"
	"github.com/pelicanhq/pelican/harness"
	clockv1 "github.com/pelicanhq/pelican/proto/example/clock/v1"
)

// benchFixture is n clock ticks of 100 clocks on 4 shards, with their events as JSON, as a
// recording holds them.
func benchFixture(b *testing.B, n int) (*harness.Fixture, []byte) {
	b.Helper()
	f := &harness.Fixture{Header: harness.Header{Stream: "clock-events"}}
	for i := 0; i < n; i++ {
		clock := fmt.Sprintf("clock-%03d", i%100)
		ev := tick(clock, i/100%24)
		rec := mustEncode(b, ev, fmt.Sprintf("e-%d", i), ev.GetTickedAt().AsTime())
		f.Entries = append(f.Entries, &harness.Entry{
			Stream: "clock-events", ShardID: fmt.Sprintf("shardId-%012d", i%4), SequenceNumber: fmt.Sprintf("%056d", i),
			PartitionKey: clock, ArrivedAt: at(i), Data: rec.Data, EventType: "example.clock.v1.TimeTicked",
			EventID: fmt.Sprintf("e-%d", i), OccurredAt: ev.GetTickedAt().AsTime(),
			Event: []byte(fmt.Sprintf(`{"clock_id":%q,"hour":%d,"ticked_at":%q,"time_zone":"Europe/Zurich"}`,
				clock, i/100%24, ev.GetTickedAt().AsTime().Format(time.RFC3339))),
		})
	}
	var buf bytes.Buffer
	if err := harness.WriteFixture(&buf, f); err != nil {
		b.Fatal(err)
	}
	return f, buf.Bytes()
}

func BenchmarkWrite(b *testing.B) {
	f, text := benchFixture(b, 1000)
	b.SetBytes(int64(len(text)))
	b.ReportAllocs()
	for b.Loop() {
		if err := harness.WriteFixture(io.Discard, f); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(b.N*len(f.Entries))/b.Elapsed().Seconds(), "entries/s")
}

func BenchmarkRead(b *testing.B) {
	f, text := benchFixture(b, 1000)
	b.SetBytes(int64(len(text)))
	b.ReportAllocs()
	for b.Loop() {
		if _, err := harness.Read(bytes.NewReader(text)); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(b.N*len(f.Entries))/b.Elapsed().Seconds(), "entries/s")
}

// BenchmarkReplay delivers a recording to a subscriber whose handler does nothing: the cost of
// replay itself, per event.
func BenchmarkReplay(b *testing.B) {
	f, _ := benchFixture(b, 1000)
	sub := pelican.NewSubscriber()
	pelican.Handle(sub, func(context.Context, *clockv1.TimeTicked) error { return nil })
	clk := harness.NewClock(time.Time{})
	b.ReportAllocs()
	for b.Loop() {
		if _, err := harness.ReplayFixture(context.Background(), f, sub, harness.WithClock(clk)); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(b.N*len(f.Entries))/b.Elapsed().Seconds(), "events/s")
}

func BenchmarkCheck(b *testing.B) {
	f, _ := benchFixture(b, 1000)
	types, err := harness.LoadTypes(context.Background(), "../proto")
	if err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	for b.Loop() {
		if fs := harness.CheckFixture(f, types); len(fs) != 0 {
			b.Fatalf("findings %v", fs)
		}
	}
	b.ReportMetric(float64(b.N*len(f.Entries))/b.Elapsed().Seconds(), "events/s")
}

// BenchmarkRecord records 4,800 events from an emulator's 4 shards: reads, deaggregation,
// decoding, JSON and writing.
func BenchmarkRecord(b *testing.B) {
	em, stream := newEmulator(b, 4)
	clocks := make([]string, 200)
	for i := range clocks {
		clocks[i] = fmt.Sprintf("clock-%03d", i)
	}
	publishTicks(b, em.Client(), stream, clocks, 0, 24)
	const n = 200 * 24
	b.ReportAllocs()
	for b.Loop() {
		stats, err := harness.Record(context.Background(), em.Client(), stream, io.Discard, harness.WithLimit(n))
		if err != nil || stats.Records != n {
			b.Fatalf("recorded %d, %v", stats.Records, err)
		}
	}
	b.ReportMetric(float64(b.N*n)/b.Elapsed().Seconds(), "events/s")
}
