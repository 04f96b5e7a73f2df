package wire

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"io"

	"github.com/aws/aws-sdk-go-v2/aws/protocol/eventstream"
)

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
