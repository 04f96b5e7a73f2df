package wire

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"mime"
	"reflect"
	"strings"
)

// Content types of the Kinesis protocols.
const (
	ContentTypeJSON        = "application/x-amz-json-1.1"
	ContentTypeCBOR        = "application/x-amz-cbor-1.1"
	ContentTypeEventStream = "application/vnd.amazon.eventstream"
)

// Codec is one of the two request and response encodings.
type Codec int

// The codecs.
const (
	JSON Codec = iota
	CBOR
)

// CodecFor picks the codec for a request's Content-Type. An absent or unknown type is JSON, as AWS
// treats a body it cannot otherwise place.
func CodecFor(contentType string) Codec {
	mt, _, err := mime.ParseMediaType(contentType)
	if err != nil {
		mt = strings.ToLower(strings.TrimSpace(contentType))
	}
	if mt == ContentTypeCBOR {
		return CBOR
	}
	return JSON
}

// ContentType is the Content-Type a response in this codec carries.
func (c Codec) ContentType() string {
	if c == CBOR {
		return ContentTypeCBOR
	}
	return ContentTypeJSON
}

// Decode reads a request body into v. An empty body decodes as an empty object. Failures are
// *SyntaxError.
func (c Codec) Decode(body []byte, v any) error {
	if len(bytes.TrimSpace(body)) == 0 {
		return nil
	}
	if c == CBOR {
		err := UnmarshalCBOR(body, v)
		var se *SyntaxError
		if err != nil && !errors.As(err, &se) {
			return &SyntaxError{Msg: err.Error()}
		}
		return err
	}
	err := decodeJSON(body, v)
	if !errors.Is(err, errJSONDecline) {
		return err
	}
	// The fast decoder left v partly filled; start again from a zero value with encoding/json.
	if rv := reflect.ValueOf(v); rv.Kind() == reflect.Pointer && !rv.IsNil() {
		rv.Elem().SetZero()
	}
	dec := json.NewDecoder(bytes.NewReader(body))
	if err := dec.Decode(v); err != nil {
		return &SyntaxError{Msg: jsonMessage(err)}
	}
	if dec.More() {
		return &SyntaxError{Msg: "Unexpected content after the end of the JSON document"}
	}
	return nil
}

// Encode writes a response value.
func (c Codec) Encode(v any) ([]byte, error) {
	if c == CBOR {
		return MarshalCBOR(v)
	}
	return json.Marshal(v)
}

// errorBody is the body of every AWS error answer.
type errorBody struct {
	Type    string `json:"__type"`
	Message string `json:"message,omitempty"`
}

// EncodeError writes an AWS error body: {"__type": typ, "message": message}.
func (c Codec) EncodeError(typ, message string) []byte {
	b, err := c.Encode(errorBody{Type: typ, Message: message})
	if err != nil {
		b, _ = json.Marshal(errorBody{Type: typ, Message: message})
	}
	return b
}

func jsonMessage(err error) string {
	var te *json.UnmarshalTypeError
	if errors.As(err, &te) {
		if te.Field != "" {
			return fmt.Sprintf("Unexpected value type in payload: field %s cannot take a %s", te.Field, te.Value)
		}
		return fmt.Sprintf("Unexpected value type in payload: %s", te.Value)
	}
	return "Unable to parse request body: " + err.Error()
}
