package pelican

import (
	"fmt"
	"time"

	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/reflect/protoreflect"
	"google.golang.org/protobuf/types/known/timestamppb"

	pelicanv1 "github.com/pelicanhq/pelican/proto/pelican/v1"
)

// EnvelopeVersion is the envelope layout this package writes, and the only one it reads.
const EnvelopeVersion = 1

// Envelope is the wire form of one event; see proto/pelican/v1/envelope.proto.
type Envelope = pelicanv1.Envelope

// envelopeParams are the parts of an envelope that come from the publisher and its options.
type envelopeParams struct {
	eventID    string
	occurredAt time.Time
	producer   string
	trace      TraceContext
}

// wrap builds the envelope of msg.
func wrap(msg proto.Message, p envelopeParams) (*Envelope, error) {
	payload, err := proto.MarshalOptions{Deterministic: true}.Marshal(msg)
	if err != nil {
		return nil, fmt.Errorf("pelican: marshal %s: %w", msg.ProtoReflect().Descriptor().FullName(), err)
	}
	return &Envelope{
		Version:    EnvelopeVersion,
		EventId:    p.eventID,
		EventType:  string(msg.ProtoReflect().Descriptor().FullName()),
		OccurredAt: timestamppb.New(p.occurredAt),
		Producer:   p.producer,
		Trace:      p.trace.proto(),
		Payload:    payload,
	}, nil
}

// MarshalEnvelope returns the record bytes of env.
func MarshalEnvelope(env *Envelope) ([]byte, error) {
	b, err := proto.MarshalOptions{Deterministic: true}.Marshal(env)
	if err != nil {
		return nil, fmt.Errorf("pelican: marshal envelope: %w", err)
	}
	return b, nil
}

// UnmarshalEnvelope parses a record's bytes as an envelope and checks it: the version must be
// EnvelopeVersion (ErrUnsupportedVersion otherwise), and bytes that do not parse, or that lack
// the version, the event id or a valid event type name, are ErrNotEnvelope. The payload is not
// decoded; Unwrap does that.
func UnmarshalEnvelope(data []byte) (*Envelope, error) {
	env := new(Envelope)
	if err := proto.Unmarshal(data, env); err != nil {
		return nil, fmt.Errorf("%w: %w", ErrNotEnvelope, err)
	}
	switch v := env.GetVersion(); {
	case v == 0:
		return nil, fmt.Errorf("%w: no version", ErrNotEnvelope)
	case v != EnvelopeVersion:
		return nil, fmt.Errorf("%w: version %d, this reader knows %d", ErrUnsupportedVersion, v, EnvelopeVersion)
	}
	if env.GetEventId() == "" {
		return nil, fmt.Errorf("%w: no event id", ErrNotEnvelope)
	}
	if !protoreflect.FullName(env.GetEventType()).IsValid() {
		return nil, fmt.Errorf("%w: event type %q is not a protobuf message name", ErrNotEnvelope, env.GetEventType())
	}
	if ts := env.GetOccurredAt(); ts != nil {
		if err := ts.CheckValid(); err != nil {
			return nil, fmt.Errorf("%w: occurred_at: %w", ErrNotEnvelope, err)
		}
	}
	return env, nil
}

// Unwrap decodes env's payload into msg, whose type must be the envelope's event type
// (ErrTypeMismatch otherwise). Fields that msg's schema does not know are kept as unknown fields,
// so re-marshalling msg passes them on. A payload that does not decode is ErrUndecodablePayload.
func Unwrap(env *Envelope, msg proto.Message) error {
	name := msg.ProtoReflect().Descriptor().FullName()
	if string(name) != env.GetEventType() {
		return fmt.Errorf("%w: envelope holds %s, not %s", ErrTypeMismatch, env.GetEventType(), name)
	}
	if err := proto.Unmarshal(env.GetPayload(), msg); err != nil {
		return fmt.Errorf("%w: %s: %w", ErrUndecodablePayload, name, err)
	}
	return nil
}
