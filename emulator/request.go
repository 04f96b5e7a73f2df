package emulator

import (
	"errors"
	"sync"

	"github.com/pelicanhq/pelican/emulator/internal/wire"
)

// kinesisShapes holds the input shape of every operation of the service model, built once: the
// table never changes after it is built.
var kinesisShapes = sync.OnceValue(inputShapes)

// readRequest reads a request body into in as the service reads it. A plain PutRecords body as the
// SDKs write it is scanned straight into its type; any other body is first read as a document and
// checked against the operation's input shape (value types, then every constraint), so that a bad
// request gets the service's SerializationException or ValidationException before any operation
// logic runs. Operations the service model does not have (channels) are only decoded.
func readRequest(c *call, codec wire.Codec, body []byte, in any, arena *wire.Arena) error {
	if codec.Scan(body, in, arena) {
		return nil
	}
	doc, err := codec.ReadDocument(body)
	if err != nil {
		return errSerializationBare()
	}
	if shape := kinesisShapes()[c.op]; shape != nil {
		if err := codec.CheckTypes(doc, shape); err != nil {
			var se *wire.SyntaxError
			if errors.As(err, &se) {
				return errSerialization("%s", se.Msg)
			}
			return errSerializationBare()
		}
		if err := validateDocument(doc, shape); err != nil {
			return err
		}
	}
	if err := codec.DecodeRequest(body, in, arena); err != nil {
		return errSerializationBare()
	}
	return nil
}
