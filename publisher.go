package pelican

import (
	"context"
	"fmt"
	"time"

	"google.golang.org/protobuf/proto"
)

// Sender puts one record on a stream and says where it landed. The producer package satisfies
// it through an adapter; a test can use a SenderFunc.
type Sender interface {
	Send(ctx context.Context, partitionKey string, data []byte) (Placement, error)
}

// SenderFunc adapts a function to a Sender.
type SenderFunc func(ctx context.Context, partitionKey string, data []byte) (Placement, error)

// Send calls f.
func (f SenderFunc) Send(ctx context.Context, partitionKey string, data []byte) (Placement, error) {
	return f(ctx, partitionKey, data)
}

// Placement is where Kinesis stored a record.
type Placement struct {
	// ShardID is the shard that took the record.
	ShardID string
	// SequenceNumber is the record's sequence number in that shard.
	SequenceNumber string
	// SubSequenceNumber is the record's index inside an aggregated Kinesis record; 0 when the
	// record was sent on its own.
	SubSequenceNumber int64
}

// Receipt describes a published event.
type Receipt struct {
	// EventID is the envelope's event id.
	EventID string
	// EventType is the event's full protobuf message name.
	EventType string
	// PartitionKey is the key the record was sent with.
	PartitionKey string
	// Placement is where the record landed, as far as the Sender told.
	Placement
}

// Publisher wraps events in envelopes and sends them through a Sender. It is safe for
// concurrent use.
type Publisher struct {
	sender   Sender
	producer string
	now      func() time.Time
	newID    func() string
	keys     keyFields
}

// NewPublisher returns a Publisher that sends through sender. A nil sender makes a Publisher
// that can Encode but not Publish.
func NewPublisher(sender Sender, opts ...PublisherOption) *Publisher {
	p := &Publisher{sender: sender, now: time.Now, newID: NewEventID}
	for _, o := range opts {
		o(p)
	}
	return p
}

// Publish wraps msg in an envelope and sends it as one record. The partition key is the
// WithPartitionKey option, else msg's field marked (pelican.v1.partition_key) = true, else the
// event id. The trace context is the WithTrace option, else the one ctx carries.
func (p *Publisher) Publish(ctx context.Context, msg proto.Message, opts ...PublishOption) (Receipt, error) {
	if p.sender == nil {
		return Receipt{}, ErrNoSender
	}
	rec, env, err := p.encode(ctx, msg, opts)
	if err != nil {
		return Receipt{}, err
	}
	r := Receipt{EventID: env.GetEventId(), EventType: env.GetEventType(), PartitionKey: rec.PartitionKey}
	pl, err := p.sender.Send(ctx, rec.PartitionKey, rec.Data)
	if err != nil {
		return r, fmt.Errorf("pelican: publish %s %s: %w", r.EventType, r.EventID, err)
	}
	r.Placement = pl
	return r, nil
}

// Encode returns the record Publish would send for msg (its Data and PartitionKey), without
// sending it: for tests, fixtures and transports of one's own.
func (p *Publisher) Encode(ctx context.Context, msg proto.Message, opts ...PublishOption) (Record, error) {
	rec, _, err := p.encode(ctx, msg, opts)
	return rec, err
}

func (p *Publisher) encode(ctx context.Context, msg proto.Message, opts []PublishOption) (Record, *Envelope, error) {
	var s publishSettings
	for _, o := range opts {
		o(&s)
	}
	params := envelopeParams{eventID: s.eventID, occurredAt: s.occurredAt, producer: p.producer, trace: s.trace}
	if params.eventID == "" {
		params.eventID = p.newID()
	}
	if params.occurredAt.IsZero() {
		params.occurredAt = p.now()
	}
	if !s.traceSet {
		params.trace, _ = TraceFromContext(ctx)
	}
	key, err := p.keys.partitionKey(msg, s.partitionKey, params.eventID)
	if err != nil {
		return Record{}, nil, err
	}
	env, err := wrap(msg, params)
	if err != nil {
		return Record{}, nil, err
	}
	data, err := MarshalEnvelope(env)
	if err != nil {
		return Record{}, nil, err
	}
	return Record{Data: data, PartitionKey: key}, env, nil
}
