package pelican

import (
	"context"
	"fmt"
	"log/slog"
	"runtime/debug"
	"slices"
	"sync"

	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/reflect/protoreflect"
)

// FallbackFunc handles an event of a type that has no handler. The payload is left undecoded in
// env; the event's Metadata is in ctx.
type FallbackFunc func(ctx context.Context, env *Envelope) error

// DeadLetter is a record a Subscriber could not read.
type DeadLetter struct {
	// Record is the record as it was delivered.
	Record Record
	// Envelope is the record's envelope, or nil when the record is not a readable envelope.
	Envelope *Envelope
	// Err says why: it matches ErrNotEnvelope, ErrUnsupportedVersion or ErrUndecodablePayload.
	Err error
}

// DeadLetterFunc handles a record that cannot be read. When it returns nil the record is done;
// an error is returned from Deliver, so the record will be delivered again.
type DeadLetterFunc func(ctx context.Context, dl DeadLetter) error

// Subscriber routes records to the handler registered for their event type. Register handlers
// with Handle before records arrive; Deliver is safe for concurrent use, one call per shard.
type Subscriber struct {
	mu         sync.RWMutex
	routes     map[protoreflect.FullName]route
	fallback   FallbackFunc
	deadLetter DeadLetterFunc
	logger     *slog.Logger
}

type route struct {
	mt     protoreflect.MessageType
	handle func(ctx context.Context, msg proto.Message) error
}

// NewSubscriber returns a Subscriber with no handlers. Without WithFallback, events of unknown
// types are skipped; without WithDeadLetter, unreadable records are logged at error level and
// skipped.
func NewSubscriber(opts ...SubscriberOption) *Subscriber {
	s := &Subscriber{routes: make(map[protoreflect.FullName]route)}
	for _, o := range opts {
		o(s)
	}
	if s.logger == nil {
		s.logger = slog.Default()
	}
	return s
}

// Handle registers h for the events of type T, a generated message type such as
// *clockv1.TimeTicked. The subscriber decodes each such event's payload into a new T and calls h
// with it; the event's Metadata and trace context are in ctx. Registering a second handler for
// one type panics, as a mistake in the program's wiring.
func Handle[T proto.Message](s *Subscriber, h func(ctx context.Context, event T) error) {
	HandleType(s, generatedType[T](), func(ctx context.Context, msg proto.Message) error {
		return h(ctx, msg.(T))
	})
}

// generatedType returns the message type of T. The nil value of a generated message type
// still knows its type; that of a dynamic message does not, and would otherwise fail with a nil
// dereference far from the cause.
func generatedType[T proto.Message]() (mt protoreflect.MessageType) {
	defer func() {
		if recover() != nil {
			var zero T
			panic(fmt.Sprintf("pelican: Handle needs a generated message type, not %T; use HandleType for dynamic messages", zero))
		}
	}()
	var zero T
	return zero.ProtoReflect().Type()
}

// HandleType registers h for the events of message type mt. It serves message types known only
// at run time (dynamicpb); Handle is the typed form.
func HandleType(s *Subscriber, mt protoreflect.MessageType, h func(ctx context.Context, event proto.Message) error) {
	name := mt.Descriptor().FullName()
	s.mu.Lock()
	defer s.mu.Unlock()
	if _, dup := s.routes[name]; dup {
		panic(fmt.Sprintf("pelican: a handler for %s is already registered", name))
	}
	s.routes[name] = route{mt: mt, handle: h}
}

// EventTypes returns the full names of the event types that have handlers, sorted.
func (s *Subscriber) EventTypes() []string {
	s.mu.RLock()
	defer s.mu.RUnlock()
	names := make([]string, 0, len(s.routes))
	for n := range s.routes {
		names = append(names, string(n))
	}
	slices.Sort(names)
	return names
}

// Deliver reads one record: it unmarshals the envelope, and calls the handler of its event type
// with the decoded payload, or the fallback when the type has no handler. A record that is not
// an envelope, or whose payload does not decode, goes to the dead-letter handler. Deliver
// returns the error of the handler, fallback or dead-letter handler it called, so that the
// transport delivers the record again; a panic in one of them is recovered and returned as
// ErrHandlerPanic.
func (s *Subscriber) Deliver(ctx context.Context, rec Record) error {
	env, err := UnmarshalEnvelope(rec.Data)
	if err != nil {
		return s.dead(ctx, DeadLetter{Record: rec, Err: err})
	}
	meta := metadataOf(env, rec)
	ctx = ContextWithTrace(context.WithValue(ctx, metadataKey{}, meta), meta.Trace)

	s.mu.RLock()
	r, ok := s.routes[protoreflect.FullName(env.GetEventType())]
	s.mu.RUnlock()
	if !ok {
		if s.fallback == nil {
			s.logger.DebugContext(ctx, "pelican: no handler for event type; skipped",
				"event_type", meta.EventType, "event_id", meta.EventID)
			return nil
		}
		return s.call(ctx, "fallback", meta, func() error { return s.fallback(ctx, env) })
	}

	msg := r.mt.New().Interface()
	if err := Unwrap(env, msg); err != nil {
		return s.dead(ctx, DeadLetter{Record: rec, Envelope: env, Err: err})
	}
	return s.call(ctx, "handler", meta, func() error { return r.handle(ctx, msg) })
}

func (s *Subscriber) dead(ctx context.Context, dl DeadLetter) error {
	if s.deadLetter == nil {
		s.logger.ErrorContext(ctx, "pelican: dead letter; record skipped",
			"error", dl.Err,
			"event_type", dl.Envelope.GetEventType(),
			"event_id", dl.Envelope.GetEventId(),
			"shard_id", dl.Record.ShardID,
			"sequence_number", dl.Record.SequenceNumber,
			"partition_key", dl.Record.PartitionKey,
			"bytes", len(dl.Record.Data))
		return nil
	}
	meta := Metadata{Record: dl.Record}
	if dl.Envelope != nil {
		meta = metadataOf(dl.Envelope, dl.Record)
		ctx = context.WithValue(ctx, metadataKey{}, meta)
	}
	return s.call(ctx, "dead-letter handler", meta, func() error { return s.deadLetter(ctx, dl) })
}

// call runs one of the user's functions, turning a panic into an error so that one bad event
// cannot take the worker down.
func (s *Subscriber) call(ctx context.Context, what string, meta Metadata, fn func() error) (err error) {
	defer func() {
		if v := recover(); v != nil {
			s.logger.ErrorContext(ctx, "pelican: "+what+" panicked",
				"panic", fmt.Sprint(v), "event_type", meta.EventType, "event_id", meta.EventID,
				"stack", string(debug.Stack()))
			err = fmt.Errorf("%w: %s for %s: %v", ErrHandlerPanic, what, describe(meta), v)
		}
	}()
	if err := fn(); err != nil {
		return fmt.Errorf("pelican: %s for %s: %w", what, describe(meta), err)
	}
	return nil
}

// describe names an event for errors: its type and id, or where its record was read.
func describe(meta Metadata) string {
	if meta.EventType != "" {
		return meta.EventType + " " + meta.EventID
	}
	return fmt.Sprintf("record %s/%s", meta.Record.ShardID, meta.Record.SequenceNumber)
}
