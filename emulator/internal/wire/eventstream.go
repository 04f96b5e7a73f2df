package wire

import (
	"errors"
	"fmt"
	"io"
	"sync"

	"github.com/aws/aws-sdk-go-v2/aws/protocol/eventstream"
	"github.com/aws/aws-sdk-go-v2/aws/protocol/eventstream/eventstreamapi"
)

// Limits of the event-stream encoding that a service enforces on what it sends and reads.
const (
	MaxEventPayload = 24 << 20  // 25,165,824 bytes
	MaxEventHeaders = 128 << 10 // 131,072 bytes of encoded headers

	// preludeSize is the total length, headers length and prelude CRC; the message CRC follows
	// the payload.
	preludeSize    = 12
	messageCRCSize = 4
)

// Event types of SubscribeToShard.
const (
	EventInitialResponse       = "initial-response"
	EventSubscribeToShardEvent = "SubscribeToShardEvent"
)

// EventWriter writes event-stream messages to an HTTP response body, flushing after each so that
// the client sees every event as it happens. It is safe for concurrent use.
type EventWriter struct {
	mu    sync.Mutex
	w     io.Writer
	flush func()
	enc   *eventstream.Encoder
}

// NewEventWriter wraps w (the HTTP response body, flushed after each message).
func NewEventWriter(w io.Writer, flush func()) *EventWriter {
	return &EventWriter{w: w, flush: flush, enc: eventstream.NewEncoder()}
}

// WriteEvent writes a message of type event: `:message-type` event, `:event-type` eventType and
// `:content-type` contentType, with payload as its body.
func (w *EventWriter) WriteEvent(eventType string, payload []byte, contentType string) error {
	if eventType == "" {
		return errors.New("eventstream: an event needs an event type")
	}
	return w.write(eventstream.Headers{
		{Name: eventstreamapi.MessageTypeHeader, Value: eventstream.StringValue(eventstreamapi.EventMessageType)},
		{Name: eventstreamapi.EventTypeHeader, Value: eventstream.StringValue(eventType)},
		{Name: eventstreamapi.ContentTypeHeader, Value: eventstream.StringValue(contentType)},
	}, payload)
}

// WriteException writes a message of type exception: `:message-type` exception,
// `:exception-type` exceptionType and `:content-type` contentType, with payload (the error
// document, {"message": ...}) as its body.
func (w *EventWriter) WriteException(exceptionType string, payload []byte, contentType string) error {
	if exceptionType == "" {
		return errors.New("eventstream: an exception needs an exception type")
	}
	return w.write(eventstream.Headers{
		{Name: eventstreamapi.MessageTypeHeader, Value: eventstream.StringValue(eventstreamapi.ExceptionMessageType)},
		{Name: eventstreamapi.ExceptionTypeHeader, Value: eventstream.StringValue(exceptionType)},
		{Name: eventstreamapi.ContentTypeHeader, Value: eventstream.StringValue(contentType)},
	}, payload)
}

// WriteInitialResponse writes the initial-response event that opens every SubscribeToShard
// stream: an empty object in codec c. The SDKs read it before they hand out the stream and fail
// without it.
func (w *EventWriter) WriteInitialResponse(c Codec) error {
	payload, err := c.Encode(struct{}{})
	if err != nil {
		return err
	}
	return w.WriteEvent(EventInitialResponse, payload, c.ContentType())
}

func (w *EventWriter) write(headers eventstream.Headers, payload []byte) error {
	if len(payload) > MaxEventPayload {
		return fmt.Errorf("eventstream: payload of %d bytes exceeds %d", len(payload), MaxEventPayload)
	}
	w.mu.Lock()
	defer w.mu.Unlock()
	// The encoder assembles the whole message before one write, so a failed write never leaves
	// half a frame behind a good one.
	if err := w.enc.Encode(w.w, eventstream.Message{Headers: headers, Payload: payload}); err != nil {
		return fmt.Errorf("eventstream: %w", err)
	}
	if w.flush != nil {
		w.flush()
	}
	return nil
}
