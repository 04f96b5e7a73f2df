package pelican

import (
	"log/slog"
	"time"
)

// PublisherOption configures a Publisher.
type PublisherOption func(*Publisher)

// WithProducerName sets the producer named in every envelope, e.g. "clock-service".
func WithProducerName(name string) PublisherOption {
	return func(p *Publisher) { p.producer = name }
}

// WithClock sets the clock that gives an event's occurred-at time when Publish is not given one.
func WithClock(now func() time.Time) PublisherOption {
	return func(p *Publisher) { p.now = now }
}

// WithEventIDs sets the function that makes event ids; the default is NewEventID.
func WithEventIDs(newID func() string) PublisherOption {
	return func(p *Publisher) { p.newID = newID }
}

// PublishOption configures one Publish or Encode call.
type PublishOption func(*publishSettings)

type publishSettings struct {
	partitionKey *string
	eventID      string
	occurredAt   time.Time
	trace        TraceContext
	traceSet     bool
}

// WithPartitionKey sends the event with key as its partition key, whatever field is marked.
func WithPartitionKey(key string) PublishOption {
	return func(s *publishSettings) { s.partitionKey = &key }
}

// WithEventID gives the event its id, so that publishing it again (after a failure, say) lets
// subscribers see a duplicate rather than a new event.
func WithEventID(id string) PublishOption {
	return func(s *publishSettings) { s.eventID = id }
}

// WithOccurredAt sets when the event happened; the default is the publisher's clock at Publish.
func WithOccurredAt(t time.Time) PublishOption {
	return func(s *publishSettings) { s.occurredAt = t }
}

// WithTrace sets the event's trace context, instead of the one the context carries. A zero
// TraceContext publishes the event without one.
func WithTrace(tc TraceContext) PublishOption {
	return func(s *publishSettings) { s.trace, s.traceSet = tc, true }
}

// SubscriberOption configures a Subscriber.
type SubscriberOption func(*Subscriber)

// WithFallback sends events of types that have no handler to fn instead of skipping them.
func WithFallback(fn FallbackFunc) SubscriberOption {
	return func(s *Subscriber) { s.fallback = fn }
}

// WithDeadLetter sends records that cannot be read to fn instead of logging them.
func WithDeadLetter(fn DeadLetterFunc) SubscriberOption {
	return func(s *Subscriber) { s.deadLetter = fn }
}

// WithLogger sets the logger of a Subscriber. The default is slog.Default(), not a discarding
// logger, so that records dropped as dead letters are seen even where nothing was configured.
func WithLogger(l *slog.Logger) SubscriberOption {
	return func(s *Subscriber) { s.logger = l }
}
