package wire

import (
	"fmt"
	"reflect"
)

// The CBOR of application/x-amz-cbor-1.1 is the JSON document model written in RFC 8949 items:
// objects are maps with text keys, blobs are byte strings, and timestamps are tag 1 around epoch
// milliseconds (not the seconds RFC 8949 defines), as AWS and the Java SDK v2 write them.

// Major types of RFC 8949, section 3.1.
const (
	majorUint   = 0
	majorNegInt = 1
	majorBytes  = 2
	majorText   = 3
	majorArray  = 4
	majorMap    = 5
	majorTag    = 6
	majorSimple = 7
)

// Initial bytes and additional-information values with a fixed meaning.
const (
	aiOneByte    = 24
	aiTwoBytes   = 25
	aiFourBytes  = 26
	aiEightBytes = 27
	aiIndefinite = 31

	simpleFalse     = 20
	simpleTrue      = 21
	simpleNull      = 22
	simpleUndefined = 23

	byteNull  = majorSimple<<5 | simpleNull
	byteUndef = majorSimple<<5 | simpleUndefined
	byteBreak = majorSimple<<5 | aiIndefinite

	// tagEpoch is tag 1, epoch-based date/time; its content here counts milliseconds.
	tagEpoch = 1
)

// maxDecodeDepth caps the nesting of arrays, maps and tags a request may use, so that a hostile
// body cannot exhaust the stack.
const maxDecodeDepth = 64

// maxEncodeDepth stops the encoder on values nested beyond any real response, which in practice
// means a pointer cycle.
const maxEncodeDepth = 1000

// SyntaxError reports a request body that cannot be decoded; the caller answers SerializationException.
type SyntaxError struct{ Msg string }

// Error returns the message.
func (e *SyntaxError) Error() string { return e.Msg }

// MarshalCBOR encodes v as CBOR, reading the same `json` struct tags as encoding/json: field names,
// omitempty and omitzero. Structs and maps become indefinite-length maps and slices
// indefinite-length arrays, the shapes AWS's own CBOR writer produces; a nil pointer field is left
// out; []byte is a byte string; Timestamp and time.Time are tag 1 around integer epoch
// milliseconds. Other types that implement json.Marshaler are encoded from their JSON form.
// Into a reused buffer, as the server writes answers, it is level with fxamacker/cbor on GetRecords
// answers and several times slower on small ones (testdata/cbor_encode.benchstat); fxamacker's
// Marshal writes definite lengths, so the answers would no longer be AWS's bytes.
func MarshalCBOR(v any) ([]byte, error) { return appendCBOR(nil, v) }

// appendCBOR appends the encoding of v to dst, as MarshalCBOR encodes it.
func appendCBOR(dst []byte, v any) ([]byte, error) {
	if dst == nil {
		dst = make([]byte, 0, 256)
	}
	e := encoder{buf: dst, types: typeCache{}}
	if err := e.value(reflect.ValueOf(v)); err != nil {
		return nil, err
	}
	return e.buf, nil
}

// unmarshalCBOR decodes one CBOR data item into v, which must be a non-nil pointer, with blobs in
// lent when it is not nil. It matches map keys to the `json` names of struct fields (exact match
// first, then case-insensitive), skips unknown keys, and reads definite and indefinite lengths and
// half, single and double floats. A byte string never decodes into a string, nor a text string
// into []byte. Every failure in the data is a *SyntaxError; bytes after the item are one too. Into
// a lent arena, as the server decodes, it is faster than fxamacker/cbor on PutRecords bodies and a
// little slower on small ones (testdata/cbor_decode.benchstat); it also writes the
// SerializationException texts and reads millisecond timestamps.
func unmarshalCBOR(data []byte, v any, lent *Arena) error {
	return unmarshalCBORAs(data, v, lent, false)
}

// unmarshalCBORAs is unmarshalCBOR, reading integers as the service does when service is set.
func unmarshalCBORAs(data []byte, v any, lent *Arena, service bool) error {
	rv := reflect.ValueOf(v)
	if !rv.IsValid() || rv.Kind() != reflect.Pointer || rv.IsNil() {
		return fmt.Errorf("cbor: UnmarshalCBOR needs a non-nil pointer, not %T", v)
	}
	d := decoder{data: data, types: typeCache{}, service: service}
	if lent != nil {
		arena := lent.buf[:0]
		d.arena, d.types = &arena, lent.types
		defer func() {
			lent.types = d.types
			if cap(arena) > cap(lent.buf) {
				lent.buf = arena[:0] // keep the larger buffer the request needed
			}
		}()
	}
	if err := d.value(rv.Elem()); err != nil {
		return err
	}
	if d.off != len(d.data) {
		return d.errorf("%d unexpected bytes after the data item", len(d.data)-d.off)
	}
	return nil
}
