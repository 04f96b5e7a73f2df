package pelican

import "errors"

// Errors that callers branch on with errors.Is. Dead letters carry ErrNotEnvelope,
// ErrUnsupportedVersion or ErrUndecodablePayload.
var (
	// ErrNotEnvelope means a record's bytes are not a Pelican envelope.
	ErrNotEnvelope = errors.New("pelican: record is not an envelope")
	// ErrUnsupportedVersion means a record is an envelope of a layout this package cannot read.
	ErrUnsupportedVersion = errors.New("pelican: unsupported envelope version")
	// ErrUndecodablePayload means an envelope's payload does not decode as its event type.
	ErrUndecodablePayload = errors.New("pelican: payload does not decode")
	// ErrTypeMismatch means an envelope holds another event type than the message asked for.
	ErrTypeMismatch = errors.New("pelican: event type mismatch")
	// ErrPartitionKey means no valid partition key could be chosen for an event.
	ErrPartitionKey = errors.New("pelican: invalid partition key")
	// ErrNoSender means a Publisher was made without a Sender and cannot publish.
	ErrNoSender = errors.New("pelican: publisher has no sender")
	// ErrHandlerPanic means a handler panicked; the panic was recovered and turned into an error.
	ErrHandlerPanic = errors.New("pelican: handler panicked")
)
