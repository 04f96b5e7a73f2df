package harness

import (
	"errors"
	"fmt"
	"time"

	"google.golang.org/protobuf/encoding/protojson"
	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/reflect/protoreflect"
	"google.golang.org/protobuf/reflect/protoregistry"

	"github.com/pelicanhq/pelican"
)

// describe reads e.Data as an envelope and fills e's event fields from it: the type, id and
// occurred-at time of any envelope, and the event as protojson when types knows its type. It
// returns the envelope (nil when Data is not one) and the decoded event (nil when its type is
// unknown or its payload does not decode; err says which).
func describe(e *Entry, types TypeResolver) (env *pelican.Envelope, msg proto.Message, err error) {
	e.EventType, e.EventID, e.Event = "", "", nil
	e.OccurredAt = time.Time{}
	env, uerr := pelican.UnmarshalEnvelope(e.Data)
	if uerr != nil {
		return nil, nil, nil
	}
	e.EventType, e.EventID = env.GetEventType(), env.GetEventId()
	if ts := env.GetOccurredAt(); ts != nil {
		e.OccurredAt = ts.AsTime()
	}
	msg, err = decodePayload(env, types)
	if err != nil {
		return env, nil, err
	}
	if e.Event, err = eventJSON(msg, types); err != nil {
		return env, nil, err
	}
	return env, msg, nil
}

// errUnknownType means the resolver has no message of an envelope's event type.
var errUnknownType = errors.New("unknown event type")

// decodePayload decodes env's payload as its event type, keeping unknown fields.
func decodePayload(env *pelican.Envelope, types TypeResolver) (proto.Message, error) {
	name := protoreflect.FullName(env.GetEventType())
	mt, err := types.FindMessageByName(name)
	if errors.Is(err, protoregistry.NotFound) {
		return nil, fmt.Errorf("%w %s", errUnknownType, name)
	}
	if err != nil {
		return nil, err
	}
	msg := mt.New().Interface()
	if err := (proto.UnmarshalOptions{Resolver: types}).Unmarshal(env.GetPayload(), msg); err != nil {
		return nil, fmt.Errorf("%s: %w", name, err)
	}
	return msg, nil
}

// eventJSON is an event's form in a fixture: protojson with proto field names, keys sorted.
func eventJSON(msg proto.Message, types TypeResolver) ([]byte, error) {
	b, err := protojson.MarshalOptions{UseProtoNames: true, Resolver: types}.Marshal(msg)
	if err != nil {
		return nil, fmt.Errorf("%s as JSON: %w", msg.ProtoReflect().Descriptor().FullName(), err)
	}
	return canonicalJSON(b)
}

// marshalPayload is how an edited event goes back into its envelope.
func marshalPayload(msg proto.Message) ([]byte, error) {
	return proto.MarshalOptions{Deterministic: true}.Marshal(msg)
}
