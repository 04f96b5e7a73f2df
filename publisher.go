package pelican

import (
	"context"
	"encoding/binary"
	"fmt"
	"math/rand/v2"
	"time"
	"unicode/utf8"

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
	// clockIDs says both the clock and the event ids are the defaults, so that one reading of
	// the clock serves the occurred-at time and the id's timestamp.
	clockIDs bool
	// producerUTF8 says the producer name is valid UTF-8, checked once.
	producerUTF8 bool
	// producerField is the envelope's producer field, the same in every record.
	producerField []byte
}

// NewPublisher returns a Publisher that sends through sender. A nil sender makes a Publisher
// that can Encode but not Publish.
func NewPublisher(sender Sender, opts ...PublisherOption) *Publisher {
	p := &Publisher{sender: sender}
	for _, o := range opts {
		o(p)
	}
	p.clockIDs = p.now == nil && p.newID == nil
	if p.now == nil {
		p.now = time.Now
	}
	if p.newID == nil {
		p.newID = NewEventID
	}
	p.producerUTF8 = utf8.ValidString(p.producer)
	p.producerField = fieldBytes(envProducer, p.producer)
	return p
}

// Publish wraps msg in an envelope and sends it as one record. The partition key is the
// WithPartitionKey option, else msg's field marked (pelican.v1.partition_key) = true, else the
// event id. The trace context is the WithTrace option, else the one ctx carries.
func (p *Publisher) Publish(ctx context.Context, msg proto.Message, opts ...PublishOption) (Receipt, error) {
	if p.sender == nil {
		return Receipt{}, ErrNoSender
	}
	var meta eventMeta
	data, key, err := p.encode(ctx, msg, opts, &meta)
	if err != nil {
		return Receipt{}, err
	}
	r := Receipt{EventID: meta.id(), EventType: meta.ti.name, PartitionKey: key}
	pl, err := p.sender.Send(ctx, key, data)
	if err != nil {
		return r, fmt.Errorf("pelican: publish %s %s: %w", r.EventType, r.EventID, err)
	}
	r.Placement = pl
	return r, nil
}

// Encode returns the record Publish would send for msg (its Data and PartitionKey), without
// sending it: for tests, fixtures and transports of one's own.
func (p *Publisher) Encode(ctx context.Context, msg proto.Message, opts ...PublishOption) (Record, error) {
	var meta eventMeta
	data, key, err := p.encode(ctx, msg, opts, &meta)
	if err != nil {
		return Record{}, err
	}
	return Record{Data: data, PartitionKey: key}, nil
}

// encode returns the record of msg and its partition key, and fills meta.
func (p *Publisher) encode(ctx context.Context, msg proto.Message, opts []PublishOption, meta *eventMeta) (data []byte, key string, err error) {
	var s publishSettings
	if len(opts) > 0 {
		s = settingsOf(opts) // out of line: the options' target goes to the heap
	}
	params := envelopeParams{eventID: s.eventID, occurredAt: s.occurredAt, producer: p.producer, trace: s.trace}
	userID := params.eventID != ""
	var id *[16]byte // the default id, written into the record as text without becoming a string
	switch {
	case params.eventID == "" && params.occurredAt.IsZero() && p.clockIDs:
		params.occurredAt = time.Now()
		meta.uuid = uuidV7(params.occurredAt, randomBits())
		id = &meta.uuid
	case params.eventID == "":
		params.eventID = p.newID()
		userID = !p.clockIDs // ids of WithEventIDs are checked like given ones
	}
	if params.occurredAt.IsZero() {
		params.occurredAt = p.now()
	}
	if !s.traceSet {
		params.trace, _ = TraceFromContext(ctx)
	}
	m := msg.ProtoReflect()
	ti := p.keys.typeInfo(m.Descriptor())
	meta.ti = ti
	if id != nil && s.partitionKey == nil && ti.err == nil && ti.fd == nil {
		params.eventID, id = meta.id(), nil // the id is the key
	}
	meta.eventID = params.eventID
	if key, err = partitionKey(m, ti, s.partitionKey, params.eventID); err != nil {
		return nil, "", err
	}
	// The record is allocated once at its size and the payload marshalled into its end: Size
	// caches the sizes of msg and its submessages, which the marshal then reuses.
	size := proto.MarshalOptions{Deterministic: true}.Size(msg)
	// Type names are proto identifiers and default ids are hexadecimal: only strings that come
	// from the caller need checking for UTF-8. Where one is not valid, the general path below
	// says which.
	if p.producerUTF8 && (!userID || utf8.ValidString(params.eventID)) &&
		utf8.ValidString(params.trace.TraceParent) && utf8.ValidString(params.trace.TraceState) {
		n := envelopeSize(ti.typeField, p.producerField, id, size, params)
		data = appendEnvelope(make([]byte, 0, n), ti.typeField, p.producerField, id, size, params)
		// Also when size is 0: the marshal checks required fields.
		data, err = proto.MarshalOptions{Deterministic: true, UseCachedSize: true}.MarshalAppend(data, msg)
		if err == nil && len(data) == n {
			return data, key, nil
		}
	}
	// The general path, which reports what the hand-written one cannot write.
	params.eventID = meta.id()
	env, err := wrap(msg, params)
	if err != nil {
		return nil, "", err
	}
	if data, err = MarshalEnvelope(env); err != nil {
		return nil, "", err
	}
	return data, key, nil
}

// randomBits returns the 74 random bits of a default event id (and 6 more, which the version
// and variant overwrite), from the runtime's ChaCha8 generator, seeded by the operating system:
// no lock and no system call per event.
func randomBits() (r [10]byte) {
	binary.LittleEndian.PutUint64(r[:8], rand.Uint64())
	binary.LittleEndian.PutUint16(r[8:], uint16(rand.Uint32()))
	return r
}

// settingsOf applies opts to new settings.
func settingsOf(opts []PublishOption) publishSettings {
	s := new(publishSettings)
	for _, o := range opts {
		o(s)
	}
	return *s
}

// eventMeta is what a receipt tells of an encoded event.
type eventMeta struct {
	eventID string   // empty when the id is uuid
	uuid    [16]byte // a default event id, made text only when a receipt is asked for
	ti      *eventTypeInfo
}

// id returns the event id.
func (m *eventMeta) id() string {
	if m.eventID != "" {
		return m.eventID
	}
	var s [uuidTextLen]byte
	putUUIDText(s[:], &m.uuid)
	return string(s[:])
}

// Enqueuer is a Sender that can also queue a record and tell where it landed later, as the
// producer does (ProducerSender's Sender is one). PublishAsync uses it to keep many events in
// flight, so that the producer's batching fills its PutRecords calls.
type Enqueuer interface {
	Enqueue(ctx context.Context, partitionKey string, data []byte) (Pending, error)
}

// Pending is a record an Enqueuer has queued.
type Pending interface {
	// Wait blocks until the record is written or has failed, or ctx is done.
	Wait(ctx context.Context) (Placement, error)
}

// Publication is an event PublishAsync has handed on; Wait says how it went.
type Publication struct {
	meta         eventMeta
	partitionKey string
	pending      Pending
}

// Receipt returns the event's receipt without its placement, known before the event is written.
func (pb *Publication) Receipt() Receipt {
	return Receipt{EventID: pb.meta.id(), EventType: pb.meta.ti.name, PartitionKey: pb.partitionKey}
}

// Wait blocks until the event is written (or has failed, or ctx is done) and returns its receipt.
func (pb *Publication) Wait(ctx context.Context) (Receipt, error) {
	pl, err := pb.pending.Wait(ctx)
	r := pb.Receipt()
	if err != nil {
		return r, fmt.Errorf("pelican: publish %s %s: %w", r.EventType, r.EventID, err)
	}
	r.Placement = pl
	return r, nil
}

// PublishAsync is Publish without waiting for the record to be written: it wraps msg, hands the
// record on and returns; the Publication's Wait reports the outcome. With a Sender that is an
// Enqueuer (the producer's), many events are in flight at once from one goroutine; with any other
// Sender the record is sent from a goroutine of its own.
func (p *Publisher) PublishAsync(ctx context.Context, msg proto.Message, opts ...PublishOption) (*Publication, error) {
	if p.sender == nil {
		return nil, ErrNoSender
	}
	pb := new(Publication)
	data, key, err := p.encode(ctx, msg, opts, &pb.meta)
	if err != nil {
		return nil, err
	}
	pb.partitionKey = key
	if q, ok := p.sender.(Enqueuer); ok {
		pb.pending, err = q.Enqueue(ctx, key, data)
		if err != nil {
			return nil, fmt.Errorf("pelican: publish %s %s: %w", pb.meta.ti.name, pb.meta.id(), err)
		}
		return pb, nil
	}
	s := &sentInBackground{done: make(chan struct{})}
	go func() {
		s.placement, s.err = p.sender.Send(context.WithoutCancel(ctx), key, data)
		close(s.done)
	}()
	pb.pending = s
	return pb, nil
}

// sentInBackground is the Pending of a record sent by a plain Sender from its own goroutine.
type sentInBackground struct {
	done      chan struct{}
	placement Placement
	err       error
}

func (s *sentInBackground) Wait(ctx context.Context) (Placement, error) {
	select {
	case <-s.done:
		return s.placement, s.err
	case <-ctx.Done():
		return Placement{}, ctx.Err()
	}
}
