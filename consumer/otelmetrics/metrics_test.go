package otelmetrics

import (
	"context"
	"fmt"
	"sort"
	"strings"
	"sync"
	"testing"

	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/metric"
	"go.opentelemetry.io/otel/metric/embedded"
	"go.opentelemetry.io/otel/metric/noop"

	"github.com/pelicanhq/pelican/consumer"
)

// meter is a Meter that keeps the last value of every series, "name{attrs}" -> value, summing
// counters.
type meter struct {
	noop.Meter
	mu     sync.Mutex
	series map[string]int64
}

func key(name string, attrs attribute.Set) string {
	var parts []string
	for _, kv := range attrs.ToSlice() {
		parts = append(parts, fmt.Sprintf("%s=%s", kv.Key, kv.Value.Emit()))
	}
	sort.Strings(parts)
	return name + "{" + strings.Join(parts, ",") + "}"
}

type counter struct {
	embedded.Int64Counter
	m    *meter
	name string
}

func (c counter) Add(_ context.Context, v int64, opts ...metric.AddOption) {
	attrs := metric.NewAddConfig(opts).Attributes()
	c.m.mu.Lock()
	defer c.m.mu.Unlock()
	c.m.series[key(c.name, attrs)] += v
}

func (c counter) Enabled(context.Context) bool { return true }

type gauge struct {
	embedded.Int64Gauge
	m    *meter
	name string
}

func (g gauge) Record(_ context.Context, v int64, opts ...metric.RecordOption) {
	attrs := metric.NewRecordConfig(opts).Attributes()
	g.m.mu.Lock()
	defer g.m.mu.Unlock()
	g.m.series[key(g.name, attrs)] = v
}

func (g gauge) Enabled(context.Context) bool { return true }

func (m *meter) Int64Counter(name string, _ ...metric.Int64CounterOption) (metric.Int64Counter, error) {
	return counter{m: m, name: name}, nil
}

func (m *meter) Int64Gauge(name string, _ ...metric.Int64GaugeOption) (metric.Int64Gauge, error) {
	return gauge{m: m, name: name}, nil
}

func TestMetrics(t *testing.T) {
	mt := &meter{series: map[string]int64{}}
	m, err := New(mt, WithAttributes(attribute.String("messaging.destination.name", "orders")))
	if err != nil {
		t.Fatal(err)
	}
	var wg sync.WaitGroup
	for range 4 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			m.RecordsProcessed("shardId-000000000000", 10)
			m.RecordsProcessed("shardId-000000000001", 1)
			m.Error("shardId-000000000000", consumer.ErrorHandler)
		}()
	}
	wg.Wait()
	m.MillisBehindLatest("shardId-000000000000", 1500)
	m.MillisBehindLatest("shardId-000000000000", 250)
	m.LeaseChanged("shardId-000000000001", consumer.LeaseStolen)
	const (
		s0 = "messaging.destination.name=orders,messaging.destination.partition.id=shardId-000000000000"
		s1 = "messaging.destination.name=orders,messaging.destination.partition.id=shardId-000000000001"
	)
	want := map[string]int64{
		"pelican.consumer.records.processed{" + s0 + "}":                         40,
		"pelican.consumer.records.processed{" + s1 + "}":                         4,
		"pelican.consumer.errors{error.type=handler," + s0 + "}":                 4,
		"pelican.consumer.millis_behind_latest{" + s0 + "}":                      250,
		"pelican.consumer.lease.changes{" + s1 + ",pelican.lease.change=stolen}": 1,
	}
	mt.mu.Lock()
	defer mt.mu.Unlock()
	if len(mt.series) != len(want) {
		t.Fatalf("series %v, want %v", mt.series, want)
	}
	for k, v := range want {
		if mt.series[k] != v {
			t.Errorf("%s = %d, want %d (all: %v)", k, mt.series[k], v, mt.series)
		}
	}
}
