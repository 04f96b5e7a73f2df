package otelmetrics

import (
	"context"
	"fmt"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/metric"
	"go.opentelemetry.io/otel/metric/noop"

	"github.com/pelicanhq/pelican/producer"
)

// recorder is a Meter that keeps every measurement as "name{attrs}" -> sum and count.
type recorder struct {
	noop.Meter
	mu     sync.Mutex
	sums   map[string]float64
	counts map[string]int
	units  map[string]string
}

func newRecorder() *recorder {
	return &recorder{sums: map[string]float64{}, counts: map[string]int{}, units: map[string]string{}}
}

func (r *recorder) add(name string, v float64, opts []metric.MeasurementOption) {
	add := make([]metric.AddOption, len(opts))
	for i, o := range opts {
		add[i] = o
	}
	attrs := metric.NewAddConfig(add).Attributes()
	var parts []string
	for _, kv := range attrs.ToSlice() {
		parts = append(parts, fmt.Sprintf("%s=%s", kv.Key, kv.Value.Emit()))
	}
	sort.Strings(parts)
	key := name + "{" + strings.Join(parts, ",") + "}"
	r.mu.Lock()
	defer r.mu.Unlock()
	r.sums[key] += v
	r.counts[key]++
}

type counter struct {
	noop.Int64Counter
	r    *recorder
	name string
}

func (c counter) Add(_ context.Context, v int64, opts ...metric.AddOption) {
	mo := make([]metric.MeasurementOption, 0, len(opts))
	for _, o := range opts {
		mo = append(mo, o.(metric.MeasurementOption))
	}
	c.r.add(c.name, float64(v), mo)
}

type ihist struct {
	noop.Int64Histogram
	r    *recorder
	name string
}

func (h ihist) Record(_ context.Context, v int64, opts ...metric.RecordOption) {
	mo := make([]metric.MeasurementOption, 0, len(opts))
	for _, o := range opts {
		mo = append(mo, o.(metric.MeasurementOption))
	}
	h.r.add(h.name, float64(v), mo)
}

type fhist struct {
	noop.Float64Histogram
	r    *recorder
	name string
}

func (h fhist) Record(_ context.Context, v float64, opts ...metric.RecordOption) {
	mo := make([]metric.MeasurementOption, 0, len(opts))
	for _, o := range opts {
		mo = append(mo, o.(metric.MeasurementOption))
	}
	h.r.add(h.name, v, mo)
}

func (r *recorder) Int64Counter(name string, opts ...metric.Int64CounterOption) (metric.Int64Counter, error) {
	r.units[name] = metric.NewInt64CounterConfig(opts...).Unit()
	return counter{r: r, name: name}, nil
}

func (r *recorder) Int64Histogram(name string, opts ...metric.Int64HistogramOption) (metric.Int64Histogram, error) {
	r.units[name] = metric.NewInt64HistogramConfig(opts...).Unit()
	return ihist{r: r, name: name}, nil
}

func (r *recorder) Float64Histogram(name string, opts ...metric.Float64HistogramOption) (metric.Float64Histogram, error) {
	r.units[name] = metric.NewFloat64HistogramConfig(opts...).Unit()
	return fhist{r: r, name: name}, nil
}

func TestMetrics(t *testing.T) {
	rec := newRecorder()
	m, err := New(rec, WithAttributes(attribute.String("messaging.destination.name", "orders")))
	if err != nil {
		t.Fatal(err)
	}
	m.RequestSent(producer.RequestStats{KinesisRecords: 3, UserRecords: 40, Bytes: 4096, Duration: 20 * time.Millisecond})
	m.RequestSent(producer.RequestStats{KinesisRecords: 2, UserRecords: 2, Bytes: 10, ErrorCode: "InternalFailure", FailedRecords: 2})
	m.RecordsSent("shardId-000000000001", 30, 3000)
	m.RecordsSent("shardId-000000000001", 10, 1000)
	m.RecordsSent("shardId-000000000002", 1, 7)
	m.RecordsRetried("ProvisionedThroughputExceededException", 5)
	m.RecordsFailed("Expired", 2)
	m.Throttled("shardId-000000000002", 1)
	m.Latency(150 * time.Millisecond)

	const s = "messaging.destination.name=orders"
	want := map[string]float64{
		"pelican.producer.requests{" + s + "}":                                                             1,
		"pelican.producer.requests{error.type=InternalFailure," + s + "}":                                  1,
		"pelican.producer.request.records{" + s + "}":                                                      5,
		"pelican.producer.request.user_records{" + s + "}":                                                 42,
		"pelican.producer.request.size{" + s + "}":                                                         4106,
		"pelican.producer.request.duration{" + s + "}":                                                     0.02,
		"pelican.producer.records.sent{" + s + ",messaging.destination.partition.id=shardId-000000000001}": 40,
		"pelican.producer.bytes.sent{" + s + ",messaging.destination.partition.id=shardId-000000000001}":   4000,
		"pelican.producer.records.sent{" + s + ",messaging.destination.partition.id=shardId-000000000002}": 1,
		"pelican.producer.bytes.sent{" + s + ",messaging.destination.partition.id=shardId-000000000002}":   7,
		"pelican.producer.records.retried{error.type=ProvisionedThroughputExceededException," + s + "}":    5,
		"pelican.producer.records.failed{error.type=Expired," + s + "}":                                    2,
		"pelican.producer.throttles{" + s + ",messaging.destination.partition.id=shardId-000000000002}":    1,
		"pelican.producer.record.latency{" + s + "}":                                                       0.15,
	}
	for k, v := range want {
		if got, ok := rec.sums[k]; !ok || got != v {
			t.Errorf("%s = %v (recorded: %v), want %v", k, got, ok, v)
		}
	}
	if len(rec.sums) != len(want) {
		t.Errorf("recorded %d series, want %d: %v", len(rec.sums), len(want), rec.sums)
	}
	for name, unit := range map[string]string{"pelican.producer.bytes.sent": "By", "pelican.producer.record.latency": "s", "pelican.producer.request.size": "By"} {
		if rec.units[name] != unit {
			t.Errorf("unit of %s = %q, want %q", name, rec.units[name], unit)
		}
	}
}

func TestNoopMeter(t *testing.T) {
	m, err := New(noop.Meter{})
	if err != nil {
		t.Fatal(err)
	}
	m.RecordsSent("s", 1, 1)
}

func ExampleNew() {
	// With a real MeterProvider, pass provider.Meter("github.com/pelicanhq/pelican/producer").
	m, err := New(noop.NewMeterProvider().Meter("github.com/pelicanhq/pelican/producer"),
		WithAttributes(attribute.String("messaging.destination.name", "orders")))
	if err != nil {
		panic(err)
	}
	_ = producer.WithMetrics(m) // pass to producer.New
	fmt.Println("ready")
	// Output: ready
}
