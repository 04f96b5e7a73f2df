package otelmetrics

import (
	"context"
	"errors"
	"sync"

	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/metric"

	"github.com/pelicanhq/pelican/consumer"
)

// Attribute keys: the first two from the OpenTelemetry semantic conventions.
const (
	ShardAttribute       = attribute.Key("messaging.destination.partition.id")
	ErrorAttribute       = attribute.Key("error.type")
	LeaseChangeAttribute = attribute.Key("pelican.lease.change")
)

// Metrics implements consumer.Metrics with OpenTelemetry instruments. It is safe for concurrent
// use.
type Metrics struct {
	base []attribute.KeyValue

	processed metric.Int64Counter
	lag       metric.Int64Gauge
	errs      metric.Int64Counter
	leases    metric.Int64Counter

	sets sync.Map // attribute values -> metric.MeasurementOption
}

var _ consumer.Metrics = (*Metrics)(nil)

// Option configures Metrics.
type Option func(*Metrics)

// WithAttributes adds attributes to every measurement, such as the stream's name under
// messaging.destination.name and the application's under messaging.consumer.group.name.
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
	m.processed = counter("pelican.consumer.records.processed", "{record}", "User records in batches the handler finished successfully, by shard.")
	m.errs = counter("pelican.consumer.errors", "{error}", "Failures by kind: handler, read, throttled, checkpoint, lease.")
	m.leases = counter("pelican.consumer.lease.changes", "{change}", "Leases taken, stolen, handed off, lost and released by this worker.")
	lag, err := meter.Int64Gauge("pelican.consumer.millis_behind_latest", metric.WithUnit("ms"),
		metric.WithDescription("How far the last read of a shard was behind its tip (MillisBehindLatest)."))
	errs = append(errs, err)
	m.lag = lag
	if err := errors.Join(errs...); err != nil {
		return nil, err
	}
	return m, nil
}

// with returns the measurement option of the base attributes plus the given ones, cached.
func (m *Metrics) with(kvs ...attribute.KeyValue) metric.MeasurementOption {
	id := ""
	for _, kv := range kvs {
		id += string(kv.Key) + "\x00" + kv.Value.Emit() + "\x00"
	}
	if o, ok := m.sets.Load(id); ok {
		return o.(metric.MeasurementOption)
	}
	attrs := append(append([]attribute.KeyValue(nil), m.base...), kvs...)
	o, _ := m.sets.LoadOrStore(id, metric.WithAttributeSet(attribute.NewSet(attrs...)))
	return o.(metric.MeasurementOption)
}

// RecordsProcessed counts handled user records, by shard.
func (m *Metrics) RecordsProcessed(shardID string, n int) {
	m.processed.Add(context.Background(), int64(n), m.with(ShardAttribute.String(shardID)))
}

// MillisBehindLatest records a shard's lag.
func (m *Metrics) MillisBehindLatest(shardID string, millis int64) {
	m.lag.Record(context.Background(), millis, m.with(ShardAttribute.String(shardID)))
}

// Error counts a failure, by shard and kind.
func (m *Metrics) Error(shardID string, kind consumer.ErrorKind) {
	m.errs.Add(context.Background(), 1, m.with(ShardAttribute.String(shardID), ErrorAttribute.String(string(kind))))
}

// LeaseChanged counts a lease change, by shard and change.
func (m *Metrics) LeaseChanged(shardID string, change consumer.LeaseChange) {
	m.leases.Add(context.Background(), 1, m.with(ShardAttribute.String(shardID), LeaseChangeAttribute.String(string(change))))
}
