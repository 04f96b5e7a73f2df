package pelican

import (
	"context"
	"time"
)

// Record is one Kinesis record: what a Publisher encodes (Data and PartitionKey), and what a
// Subscriber is delivered (with where and when it was stored).
type Record struct {
	// Data is the record's bytes: a marshalled envelope, when a Pelican publisher wrote it.
	Data []byte
	// PartitionKey is the record's partition key.
	PartitionKey string
	// ShardID is the shard the record was read from; empty before it is sent.
	ShardID string
	// SequenceNumber is the record's sequence number in its shard; empty before it is sent.
	SequenceNumber string
	// SubSequenceNumber tells apart the user records of one aggregated Kinesis record.
	SubSequenceNumber int64
	// ArrivedAt is when Kinesis stored the record (ApproximateArrivalTimestamp).
	ArrivedAt time.Time
}

// Metadata describes the event a handler is called with: the envelope's fields, and the record
// it came in.
type Metadata struct {
	// EventID is the envelope's event id; a redelivered event has the same one.
	EventID string
	// EventType is the event's full protobuf message name.
	EventType string
	// OccurredAt is when the event happened, as its producer saw it; zero when not set.
	OccurredAt time.Time
	// Producer names the service that published the event.
	Producer string
	// Trace is the trace context the event was published with.
	Trace TraceContext
	// Record is the Kinesis record that carried the event.
	Record Record
}

type metadataKey struct{}

// MetadataFromContext returns the metadata of the event being handled; a Subscriber puts it in
// the context of every handler, fallback and dead-letter call that has an envelope.
func MetadataFromContext(ctx context.Context) (Metadata, bool) {
	m, ok := ctx.Value(metadataKey{}).(Metadata)
	return m, ok
}

func metadataOf(env *Envelope, rec Record) Metadata {
	m := Metadata{
		EventID:   env.GetEventId(),
		EventType: env.GetEventType(),
		Producer:  env.GetProducer(),
		Trace:     traceOf(env.GetTrace()),
		Record:    rec,
	}
	if ts := env.GetOccurredAt(); ts != nil {
		m.OccurredAt = ts.AsTime()
	}
	return m
}
