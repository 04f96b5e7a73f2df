package wire

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
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
func (c Codec) Decode(body []byte, v any) error { return c.DecodeWith(body, v, nil) }

// Arena is a buffer a caller lends the decoder for the blobs of one request, to use again for the
// next request once nothing reads the decoded value any more. It also keeps what the decoders
// learnt about the request types by reflection, so that a lent arena decodes its next request
// without reading struct tags again. An Arena serves one decode at a time.
type Arena struct {
	buf   []byte
	types typeCache
}

// Cap returns the arena's size.
func (a *Arena) Cap() int { return cap(a.buf) }

// DecodeWith is Decode with the decoded blobs in arena (when it is not nil): they alias it, and are
// only valid until the arena is lent again.
func (c Codec) DecodeWith(body []byte, v any, arena *Arena) error {
	return c.decode(body, v, arena, false)
}

// DecodeRequest is DecodeWith reading values as the service reads them into its model's types:
// a number for an Integer member has its fraction cut and is held within the 32-bit range, and a
// string such as "true" or "0" is read into a Boolean member. It is for bodies already checked
// against their input shape.
func (c Codec) DecodeRequest(body []byte, v any, arena *Arena) error {
	return c.decode(body, v, arena, true)
}

func (c Codec) decode(body []byte, v any, arena *Arena, service bool) error {
	if len(bytes.TrimSpace(body)) == 0 {
		return nil
	}
	if c == CBOR {
		err := unmarshalCBORAs(body, v, arena, service)
		var se *SyntaxError
		if err != nil && !errors.As(err, &se) {
			return &SyntaxError{Msg: err.Error()}
		}
		return err
	}
	err := decodeJSONAs(body, v, arena, service)
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
func (c Codec) Encode(v any) ([]byte, error) { return c.AppendEncode(nil, v) }

// NoOutput is the answer of an operation without an output shape, which the service sends as an
// empty body in either codec.
type NoOutput struct{}

// AppendEncode appends the encoding of v to dst, so that a caller can reuse its buffer.
func (c Codec) AppendEncode(dst []byte, v any) ([]byte, error) {
	if _, ok := v.(*NoOutput); ok {
		return dst, nil
	}
	if a, ok := v.(JSONAppender); ok && c == JSON {
		return a.AppendJSON(dst), nil
	}
	if c == CBOR {
		return appendCBOR(dst, v) // into dst's room, which a reused buffer has
	}
	// Copied into dst even when dst is empty: dst is a pooled buffer (as large as the largest
	// answer), which the caller can give back only when it gets it back.
	b, err := json.Marshal(v)
	return append(dst, b...), err
}

// JSONAppender is a value that writes its own JSON, byte for byte what encoding/json writes for it,
// for the answers that are written often enough to matter (PutRecords).
type JSONAppender interface {
	AppendJSON(b []byte) []byte
}

// JSONWriter is an answer written in pieces rather than whole (GetRecords, up to 15 MB): its
// exact length first, for the Content-Length, then its bytes through a buffer of the caller's.
type JSONWriter interface {
	JSONLen() int
	WriteJSON(w io.Writer, buf []byte) error
}

// AppendJSONArray appends items as encoding/json writes a slice (null when nil), each written by
// item.
func AppendJSONArray[T any](b []byte, items []T, item func(v *T, b []byte) []byte) []byte {
	if items == nil {
		return append(b, "null"...)
	}
	b = append(b, '[')
	for i := range items {
		if i > 0 {
			b = append(b, ',')
		}
		b = item(&items[i], b)
	}
	return append(b, ']')
}

// jsonStringLen is the length of what AppendJSONString appends for s.
func jsonStringLen(s string) int {
	if !jsonPlain(s) {
		q, _ := json.Marshal(s)
		return len(q)
	}
	return len(s) + 2
}

// AppendJSONString appends s as encoding/json writes a string: quoted, with its escapes (HTML
// characters included) and invalid UTF-8 replaced.
func AppendJSONString(b []byte, s string) []byte {
	if !jsonPlain(s) {
		q, _ := json.Marshal(s) // rare: let encoding/json escape it
		return append(b, q...)
	}
	b = append(b, '"')
	b = append(b, s...)
	return append(b, '"')
}

// jsonPlain reports whether encoding/json writes s as it is, in quotes: ASCII without control
// characters, quotes, backslashes or the HTML characters < > &. It tests eight bytes at a time
// (every string of a GetRecords answer is tested twice: once for its length, once to write it).
func jsonPlain(s string) bool {
	const ones, highs = 0x0101010101010101, 0x8080808080808080
	// zero has a high bit set in some byte exactly when some byte of v is zero.
	zero := func(v uint64) uint64 { return (v - ones) & ^v & highs }
	for ; len(s) >= 8; s = s[8:] {
		// Highest index first: one bounds check, and the compiler makes it one load.
		x := uint64(s[7])<<56 | uint64(s[6])<<48 | uint64(s[5])<<40 | uint64(s[4])<<32 |
			uint64(s[3])<<24 | uint64(s[2])<<16 | uint64(s[1])<<8 | uint64(s[0])
		// Bytes below 0x20 (for bytes below 0x80, which the first term tests), then each of
		// " \ < > & by a zero byte of x XOR that character.
		bad := x&highs | (x-0x20*ones)&^x&highs |
			zero(x^'"'*ones) | zero(x^'\\'*ones) | zero(x^'<'*ones) | zero(x^'>'*ones) | zero(x^'&'*ones)
		if bad != 0 {
			return false
		}
	}
	for i := 0; i < len(s); i++ {
		if c := s[i]; c < 0x20 || c >= 0x80 || c == '"' || c == '\\' || c == '<' || c == '>' || c == '&' {
			return false
		}
	}
	return true
}

// errorBody is the body of every AWS error answer.
type errorBody struct {
	Type    string `json:"__type"`
	Message string `json:"message,omitempty"`
}

// serializationErrorBody is the body of a SerializationException, whose message key the service
// spells with a capital M.
type serializationErrorBody struct {
	Type    string `json:"__type"`
	Message string `json:"Message,omitempty"`
}

// EncodeError writes an AWS error body: {"__type": typ, "message": message}, with the key
// "Message" for a SerializationException and no message when it is empty.
func (c Codec) EncodeError(typ, message string) []byte {
	var body any = errorBody{Type: typ, Message: message}
	if typ == "SerializationException" {
		body = serializationErrorBody{Type: typ, Message: message}
	}
	b, err := c.Encode(body)
	if err != nil {
		b, _ = json.Marshal(body)
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
