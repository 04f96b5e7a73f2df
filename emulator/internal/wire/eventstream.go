package wire

import (
	"bytes"
	"encoding/binary"
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

// ReadMessage reads one event-stream message from r with the SDK's decoder. It returns io.EOF
// when r ends cleanly between messages. Lengths are checked before anything is allocated, and
// exactly one message is consumed, so that it can be called again for the next.
func ReadMessage(r io.Reader) (eventstream.Message, error) {
	var prelude [preludeSize]byte
	if _, err := io.ReadFull(r, prelude[:]); err != nil {
		if errors.Is(err, io.EOF) {
			return eventstream.Message{}, io.EOF
		}
		return eventstream.Message{}, fmt.Errorf("eventstream: reading the prelude: %w", err)
	}
	total := binary.BigEndian.Uint32(prelude[0:4])
	headers := binary.BigEndian.Uint32(prelude[4:8])
	switch {
	case total < preludeSize+messageCRCSize:
		return eventstream.Message{}, fmt.Errorf("eventstream: message length %d is below the minimum %d", total, preludeSize+messageCRCSize)
	case headers > total-preludeSize-messageCRCSize:
		return eventstream.Message{}, fmt.Errorf("eventstream: headers length %d does not fit a message of %d bytes", headers, total)
	case headers > MaxEventHeaders:
		return eventstream.Message{}, fmt.Errorf("eventstream: headers length %d exceeds %d", headers, MaxEventHeaders)
	case total-preludeSize-messageCRCSize-headers > MaxEventPayload:
		return eventstream.Message{}, fmt.Errorf("eventstream: payload length %d exceeds %d", total-preludeSize-messageCRCSize-headers, MaxEventPayload)
	}
	frame := make([]byte, total)
	copy(frame, prelude[:])
	if _, err := io.ReadFull(r, frame[preludeSize:]); err != nil {
		if errors.Is(err, io.EOF) {
			err = io.ErrUnexpectedEOF
		}
		return eventstream.Message{}, fmt.Errorf("eventstream: reading a message of %d bytes: %w", total, err)
	}
	rd := bytes.NewReader(frame)
	msg, err := eventstream.NewDecoder().Decode(rd, nil)
	if errors.Is(err, io.EOF) {
		// The whole frame is in memory: running out inside it means its lengths lie, and a
		// caller must not mistake that for the clean end of the stream.
		return eventstream.Message{}, fmt.Errorf("eventstream: malformed message: %w", io.ErrUnexpectedEOF)
	}
	if err != nil {
		return eventstream.Message{}, fmt.Errorf("eventstream: %w", err)
	}
	if rd.Len() != 0 {
		return eventstream.Message{}, fmt.Errorf("eventstream: %d bytes of the message left undecoded", rd.Len())
	}
	return msg, nil
}
