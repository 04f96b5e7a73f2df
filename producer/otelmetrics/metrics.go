package otelmetrics

import (
	"context"
	"errors"
	"sync"
	"time"

	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/metric"

	"github.com/pelicanhq/pelican/producer"
)

// Attribute keys, from the OpenTelemetry semantic conventions.
const (
	ShardAttribute = attribute.Key("messaging.destination.partition.id")
	ErrorAttribute = attribute.Key("error.type")
)

// Metrics implements producer.Metrics with OpenTelemetry instruments. It is safe for concurrent
// use.
type Metrics struct {
	base    []attribute.KeyValue
	baseOpt metric.MeasurementOption

	requests       metric.Int64Counter
	requestTime    metric.Float64Histogram
	requestRecords metric.Int64Histogram
	requestUsers   metric.Int64Histogram
	requestBytes   metric.Int64Histogram
	sent           metric.Int64Counter
	sentBytes      metric.Int64Counter
	retried        metric.Int64Counter
	failed         metric.Int64Counter
	throttled      metric.Int64Counter
	latency        metric.Float64Histogram

	sets sync.Map // attribute value -> metric.MeasurementOption, per key
}

var _ producer.Metrics = (*Metrics)(nil)

// Option configures Metrics.
type Option func(*Metrics)

// WithAttributes adds attributes to every measurement, such as the stream's name under
// messaging.destination.name when several producers share a meter.
func WithAttributes(attrs ...attribute.KeyValue) Option {
	return func(m *Metrics) { m.base = append(m.base, attrs...) }
}

// New creates the instruments on meter.
func New(meter metric.Meter, opts ...Option) (*Metrics, error) {
	m := &Metrics{}
	for _, o := range opts {
		o(m)
	}
	var errs []error
	counter := func(name, unit, desc string) metric.Int64Counter {
		c, err := meter.Int64Counter(name, metric.WithUnit(unit), metric.WithDescription(desc))
		errs = append(errs, err)
		return c
	}
	histogram := func(name, unit, desc string, bounds ...float64) metric.Int64Histogram {
		h, err := meter.Int64Histogram(name, metric.WithUnit(unit), metric.WithDescription(desc), metric.WithExplicitBucketBoundaries(bounds...))
		errs = append(errs, err)
		return h
	}
	seconds := func(name, desc string) metric.Float64Histogram {
		h, err := meter.Float64Histogram(name, metric.WithUnit("s"), metric.WithDescription(desc),
			metric.WithExplicitBucketBoundaries(0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30))
		errs = append(errs, err)
		return h
	}
	m.requests = counter("pelican.producer.requests", "{request}", "PutRecords calls, by error code when they failed.")
	m.requestTime = seconds("pelican.producer.request.duration", "Time from sending a PutRecords call to its answer.")
	m.requestRecords = histogram("pelican.producer.request.records", "{record}", "Kinesis records per PutRecords call.",
		1, 5, 10, 25, 50, 100, 250, 500)
	m.requestUsers = histogram("pelican.producer.request.user_records", "{record}", "User records per PutRecords call.",
		1, 10, 100, 500, 1000, 5000, 10000, 50000)
	m.requestBytes = histogram("pelican.producer.request.size", "By", "Data and partition keys per PutRecords call.",
		1<<10, 16<<10, 64<<10, 256<<10, 1<<20, 2<<20, 5<<20, 10<<20)
	m.sent = counter("pelican.producer.records.sent", "{record}", "User records acknowledged by a shard.")
	m.sentBytes = counter("pelican.producer.bytes.sent", "By", "Data bytes of user records acknowledged by a shard.")
	m.retried = counter("pelican.producer.records.retried", "{record}", "User records put back for another attempt, by error code.")
	m.failed = counter("pelican.producer.records.failed", "{record}", "User records that finished with an error, by error code.")
	m.throttled = counter("pelican.producer.throttles", "{record}", "Kinesis records refused for throughput, by shard.")
	m.latency = seconds("pelican.producer.record.latency", "Time from Put to acknowledgement of the oldest user record of a Kinesis record.")
	if err := errors.Join(errs...); err != nil {
		return nil, err
	}
	m.baseOpt = metric.WithAttributeSet(attribute.NewSet(m.base...))
	return m, nil
}

// with returns the measurement option of the base attributes plus key=value, cached per value.
func (m *Metrics) with(key attribute.Key, value string) metric.MeasurementOption {
	id := string(key) + "\x00" + value
	if o, ok := m.sets.Load(id); ok {
		return o.(metric.MeasurementOption)
	}
	attrs := append(append([]attribute.KeyValue(nil), m.base...), key.String(value))
	o, _ := m.sets.LoadOrStore(id, metric.WithAttributeSet(attribute.NewSet(attrs...)))
	return o.(metric.MeasurementOption)
}

func (m *Metrics) plain() metric.MeasurementOption { return m.baseOpt }

// RequestSent records one PutRecords call.
func (m *Metrics) RequestSent(s producer.RequestStats) {
	ctx := context.Background()
	if s.ErrorCode != "" {
		m.requests.Add(ctx, 1, m.with(ErrorAttribute, s.ErrorCode))
	} else {
		m.requests.Add(ctx, 1, m.plain())
	}
	base := m.plain()
	m.requestTime.Record(ctx, s.Duration.Seconds(), base)
	m.requestRecords.Record(ctx, int64(s.KinesisRecords), base)
	m.requestUsers.Record(ctx, int64(s.UserRecords), base)
	m.requestBytes.Record(ctx, int64(s.Bytes), base)
}

// RecordsSent counts acknowledged user records and their bytes, by shard.
func (m *Metrics) RecordsSent(shardID string, records, bytes int) {
	o := m.with(ShardAttribute, shardID)
	m.sent.Add(context.Background(), int64(records), o)
	m.sentBytes.Add(context.Background(), int64(bytes), o)
}

// RecordsRetried counts retried user records, by error code.
func (m *Metrics) RecordsRetried(code string, records int) {
	m.retried.Add(context.Background(), int64(records), m.with(ErrorAttribute, code))
}

// RecordsFailed counts failed user records, by error code.
func (m *Metrics) RecordsFailed(code string, records int) {
	m.failed.Add(context.Background(), int64(records), m.with(ErrorAttribute, code))
}

// Throttled counts throttled Kinesis records, by shard.
func (m *Metrics) Throttled(shardID string, kinesisRecords int) {
	m.throttled.Add(context.Background(), int64(kinesisRecords), m.with(ShardAttribute, shardID))
}

// Latency records the time from Put to acknowledgement.
func (m *Metrics) Latency(d time.Duration) {
	m.latency.Record(context.Background(), d.Seconds(), m.plain())
}
