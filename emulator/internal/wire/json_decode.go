package wire

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"

	"reflect"
	"strconv"
	"unicode/utf16"
	"unicode/utf8"
)

// The JSON request decoder. encoding/json reads a body twice (a validating scan, then the decode)
// and decodes base64 through an extra copy; for PutRecords bodies of megabytes that is most of a
// request's cost. jsonDecoder reads once, straight into the typed request, with the results
// encoding/json gives (a differential fuzz test holds it to that). Types it does not handle make
// it decline, and Decode falls back to encoding/json. testdata/json_decode.benchstat has the
// figures: decoding into a lent arena (which keeps its type cache), as the server does, it is
// several times faster than encoding/json on PutRecords bodies and faster on small control-plane
// bodies too. It also writes the SerializationException texts, which encoding/json would word
// differently.

// errJSONDecline says the fast decoder does not handle a type; the caller uses encoding/json.
var errJSONDecline = errors.New("wire: fast JSON decoder declines")

// maxJSONDepth is encoding/json's nesting limit.
const maxJSONDepth = 10000

type jsonDecoder struct {
	data  []byte
	pos   int
	depth int
	cache typeCache
	// service reads numbers and booleans as the service does (see Codec.DecodeRequest) rather than
	// as encoding/json does.
	service bool
	// arena holds the decoded blobs of one request, so that five hundred records cost one
	// allocation rather than five hundred. Blobs are never written after decoding, so records
	// may share it.
	arena []byte
}

// decodeJSON decodes one JSON document into v, which must be a non-nil pointer.
func decodeJSON(data []byte, v any, lent *Arena) error { return decodeJSONAs(data, v, lent, false) }

// decodeJSONAs is decodeJSON, reading as the service does when service is set.
func decodeJSONAs(data []byte, v any, lent *Arena, service bool) error {
	rv := reflect.ValueOf(v)
	if rv.Kind() != reflect.Pointer || rv.IsNil() {
		return errJSONDecline
	}
	d := &jsonDecoder{data: data, service: service}
	if lent != nil {
		d.arena, d.cache = lent.buf[:0], lent.types
		defer func() {
			lent.types = d.cache
			if cap(d.arena) > cap(lent.buf) {
				lent.buf = d.arena[:0] // keep the larger buffer the request needed
			}
		}()
	}
	if sv, ok := v.(ScannedJSON); ok && scanJSON(d, sv) {
		return nil
	}
	d.skipSpace()
	if err := d.value(rv.Elem()); err != nil {
		return err
	}
	d.skipSpace()
	if d.pos != len(d.data) {
		return &SyntaxError{Msg: "Unexpected content after the end of the JSON document"}
	}
	return nil
}

// Scan reads a body into v through v's own scanner (see ScannedJSON and ScannedCBOR) and reports
// whether it could: the body is in the plain form an SDK writes. On false v is as it was, and the caller reads
// the body the general way.
func (c Codec) Scan(body []byte, v any, lent *Arena) bool {
	if c == CBOR {
		return scanCBORBody(body, v, lent)
	}
	sv, ok := v.(ScannedJSON)
	if !ok {
		return false
	}
	d := &jsonDecoder{data: body}
	if lent != nil {
		d.arena = lent.buf[:0]
		defer func() {
			if cap(d.arena) > cap(lent.buf) {
				lent.buf = d.arena[:0]
			}
		}()
	}
	return scanJSON(d, sv)
}

func (d *jsonDecoder) syntax(format string, args ...any) error {
	return &SyntaxError{Msg: fmt.Sprintf("Unable to parse request body: "+format+" at offset %d", append(args, d.pos)...)}
}

func (d *jsonDecoder) typeError(what string, t reflect.Type) error {
	return &SyntaxError{Msg: fmt.Sprintf("Unexpected value type in payload: a %s cannot be read into %s", what, t)}
}

func (d *jsonDecoder) skipSpace() {
	for d.pos < len(d.data) {
		switch d.data[d.pos] {
		case ' ', '\t', '\n', '\r':
			d.pos++
		default:
			return
		}
	}
}

func (d *jsonDecoder) peek() (byte, error) {
	d.skipSpace()
	if d.pos >= len(d.data) {
		return 0, d.syntax("unexpected end of input")
	}
	return d.data[d.pos], nil
}

func (d *jsonDecoder) expect(c byte) error {
	b, err := d.peek()
	if err != nil {
		return err
	}
	if b != c {
		return d.syntax("want %q, found %q", c, b)
	}
	d.pos++
	return nil
}

func (d *jsonDecoder) literal(word string) error {
	if len(d.data)-d.pos < len(word) || string(d.data[d.pos:d.pos+len(word)]) != word {
		return d.syntax("invalid literal")
	}
	d.pos += len(word)
	return nil
}

// value decodes the next JSON value into v.
func (d *jsonDecoder) value(v reflect.Value) error {
	c, err := d.peek()
	if err != nil {
		return err
	}
	if c == 'n' {
		if err := d.literal("null"); err != nil {
			return err
		}
		switch v.Kind() {
		case reflect.Pointer, reflect.Map, reflect.Slice, reflect.Interface:
			v.SetZero()
		}
		return nil
	}
	if v.Kind() == reflect.Pointer {
		if v.IsNil() {
			v.Set(reflect.New(v.Type().Elem()))
		}
		return d.value(v.Elem())
	}
	switch d.cache.decodingKind(v.Type()) {
	case timeValue:
		if v.Type() != timestampType {
			return errJSONDecline
		}
		return d.unmarshaler(v)
	case addrJSONCoded:
		return d.unmarshaler(v)
	case addrTextCoded:
		return errJSONDecline
	}
	switch v.Kind() {
	case reflect.Struct:
		return d.object(v)
	case reflect.Map:
		return d.mapValue(v)
	case reflect.Slice:
		if v.Type().Elem().Kind() == reflect.Uint8 {
			return d.blob(v)
		}
		return d.array(v)
	case reflect.String:
		if c != '"' {
			return d.mismatch(c, v.Type())
		}
		s, err := d.str()
		if err != nil {
			return err
		}
		v.SetString(s)
		return nil
	case reflect.Bool:
		switch c {
		case 't':
			v.SetBool(true)
			return d.literal("true")
		case 'f':
			v.SetBool(false)
			return d.literal("false")
		case '"':
			if !d.service {
				break
			}
			// The service reads "true", "1", "yes" (and their opposites) into a Boolean member.
			s, err := d.str()
			if err != nil {
				return err
			}
			b, ok := BooleanText(s)
			if !ok {
				return d.typeError("string", v.Type())
			}
			v.SetBool(b)
			return nil
		}
		return d.mismatch(c, v.Type())
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		num, err := d.number(c, v.Type())
		if err != nil {
			return err
		}
		n, perr := strconv.ParseInt(num, 10, 64)
		if k := v.Kind(); d.service && (perr != nil || v.OverflowInt(n) || n != int64(int32(n))) && (k == reflect.Int || k == reflect.Int32) {
			// An Integer member: the service cuts the fraction and holds the value in range.
			f, ferr := strconv.ParseFloat(num, 64)
			if ferr != nil && !errors.Is(ferr, strconv.ErrRange) {
				return d.typeError("number "+num, v.Type())
			}
			n, perr = ClampInt32(f), nil
		}
		if perr != nil || v.OverflowInt(n) {
			return d.typeError("number "+num, v.Type())
		}
		v.SetInt(n)
		return nil
	case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		num, err := d.number(c, v.Type())
		if err != nil {
			return err
		}
		n, perr := strconv.ParseUint(num, 10, 64)
		if perr != nil || v.OverflowUint(n) {
			return d.typeError("number "+num, v.Type())
		}
		v.SetUint(n)
		return nil
	case reflect.Float32, reflect.Float64:
		num, err := d.number(c, v.Type())
		if err != nil {
			return err
		}
		f, perr := strconv.ParseFloat(num, v.Type().Bits())
		if perr != nil || v.OverflowFloat(f) {
			return d.typeError("number "+num, v.Type())
		}
		v.SetFloat(f)
		return nil
	}
	return errJSONDecline
}

// mismatch reports a value of the wrong JSON type for t, after checking that it is valid JSON (a
// syntax error wins over a type error, as in encoding/json).
func (d *jsonDecoder) mismatch(c byte, t reflect.Type) error {
	if err := d.skip(); err != nil {
		return err
	}
	what := map[byte]string{'"': "string", '{': "object", '[': "array", 't': "bool", 'f': "bool"}[c]
	if what == "" {
		what = "number"
	}
	return d.typeError(what, t)
}

// unmarshaler hands the raw next value to the type's own UnmarshalJSON.
func (d *jsonDecoder) unmarshaler(v reflect.Value) error {
	d.skipSpace()
	start := d.pos
	if err := d.skip(); err != nil {
		return err
	}
	u := v.Addr().Interface().(json.Unmarshaler)
	if err := u.UnmarshalJSON(d.data[start:d.pos]); err != nil {
		return &SyntaxError{Msg: "Unexpected value in payload: " + err.Error()}
	}
	return nil
}

func (d *jsonDecoder) enter() error {
	d.depth++
	if d.depth > maxJSONDepth {
		return d.syntax("nesting too deep")
	}
	return nil
}

func (d *jsonDecoder) object(v reflect.Value) error {
	c, _ := d.peek()
	if c != '{' {
		return d.mismatch(c, v.Type())
	}
	info := d.cache.structFields(v.Type())
	return d.members(func(key []byte) error {
		f, ok := info.lookupBytes(key)
		if !ok {
			return d.skip()
		}
		fv, ok := fieldForSet(v, f.index)
		if !ok {
			return errJSONDecline
		}
		return d.value(fv)
	})
}

func (d *jsonDecoder) mapValue(v reflect.Value) error {
	t := v.Type()
	if t.Key() != reflect.TypeFor[string]() {
		return errJSONDecline
	}
	c, _ := d.peek()
	if c != '{' {
		return d.mismatch(c, t)
	}
	if v.IsNil() {
		v.Set(reflect.MakeMap(t))
	}
	return d.members(func(key []byte) error {
		elem := reflect.New(t.Elem()).Elem()
		if err := d.value(elem); err != nil {
			return err
		}
		v.SetMapIndex(reflect.ValueOf(string(key)), elem)
		return nil
	})
}

// members reads an object whose '{' is next, calling member for each key with the decoder at the
// key's value; member must consume the value.
func (d *jsonDecoder) members(member func(key []byte) error) error {
	if err := d.enter(); err != nil {
		return err
	}
	d.pos++
	first := true
	for {
		c, err := d.peek()
		if err != nil {
			return err
		}
		if c == '}' && first {
			d.pos++
			break
		}
		if c != '"' {
			return d.syntax("want an object key")
		}
		key, err := d.strBytes()
		if err != nil {
			return err
		}
		if err := d.expect(':'); err != nil {
			return err
		}
		if err := member(key); err != nil {
			return err
		}
		first = false
		c, err = d.peek()
		if err != nil {
			return err
		}
		d.pos++
		if c == '}' {
			break
		}
		if c != ',' {
			return d.syntax("want ',' or '}' in an object")
		}
	}
	d.depth--
	return nil
}

func (d *jsonDecoder) array(v reflect.Value) error {
	c, _ := d.peek()
	if c != '[' {
		return d.mismatch(c, v.Type())
	}
	if err := d.enter(); err != nil {
		return err
	}
	d.pos++
	if v.IsNil() {
		v.Set(reflect.MakeSlice(v.Type(), 0, 0))
	}
	v.SetLen(0)
	i := 0
	for {
		c, err := d.peek()
		if err != nil {
			return err
		}
		if c == ']' && i == 0 {
			d.pos++
			break
		}
		if i >= v.Cap() {
			v.Grow(1)
		}
		v.SetLen(i + 1)
		v.Index(i).SetZero()
		if err := d.value(v.Index(i)); err != nil {
			return err
		}
		i++
		c, err = d.peek()
		if err != nil {
			return err
		}
		d.pos++
		if c == ']' {
			break
		}
		if c != ',' {
			return d.syntax("want ',' or ']' in an array")
		}
	}
	d.depth--
	return nil
}

// blob decodes a base64 string into a []byte, as encoding/json does.
func (d *jsonDecoder) blob(v reflect.Value) error {
	c, _ := d.peek()
	if c != '"' {
		if c == '[' {
			return errJSONDecline // encoding/json reads a byte array too; rare enough to hand over
		}
		return d.mismatch(c, v.Type())
	}
	// The common case: the text up to the next quote is plain base64, decoded straight from the body.
	start := d.pos + 1
	if end := bytes.IndexByte(d.data[start:], '"'); end >= 0 {
		if b, ok := d.plainBase64(d.data[start : start+end]); ok {
			d.pos = start + end + 1
			v.SetBytes(b)
			return nil
		}
	}
	// Escapes, line breaks or bad text: read the whole JSON string, then decode it.
	s, err := d.strBytes()
	if err != nil {
		return err
	}
	b, err := d.base64(s)
	if err != nil {
		return &SyntaxError{Msg: "Unexpected value in payload: a blob is not valid base64: " + err.Error()}
	}
	v.SetBytes(b)
	return nil
}

// plainBase64 decodes s when it is padded base64 and nothing else. The standard decoder also
// refuses a backslash (so an escape or an escaped quote fails here), but it skips line breaks,
// which JSON forbids raw in a string: text with any decodes to fewer bytes than its length
// promises, so the length check rules them out without another pass over the text.
func (d *jsonDecoder) plainBase64(s []byte) ([]byte, bool) {
	if len(s)%4 != 0 {
		return nil, false
	}
	pad := 0
	if len(s) > 0 && s[len(s)-1] == '=' {
		pad++
		if s[len(s)-2] == '=' {
			pad++
		}
	}
	b, err := d.base64(s)
	if err != nil {
		return nil, false
	}
	if len(b) != len(s)/4*3-pad {
		d.arena = d.arena[:len(d.arena)-len(b)] // give the bytes back to the arena
		return nil, false
	}
	return b, true
}

// base64 decodes s into the request's arena, one buffer that holds every blob of the body.
func (d *jsonDecoder) base64(s []byte) ([]byte, error) {
	if len(s) == 0 {
		return []byte{}, nil
	}
	need := base64.StdEncoding.DecodedLen(len(s))
	if cap(d.arena)-len(d.arena) < need {
		// Size the arena for the rest of the body, which in a PutRecords request is mostly blobs.
		d.arena = make([]byte, 0, max(need, (len(d.data)-d.pos)*3/4))
	}
	start := len(d.arena)
	b := d.arena[start : start+need]
	n, err := decodeBase64(b, s)
	if err != nil {
		return nil, err
	}
	d.arena = d.arena[:start+n]
	return b[:n:n], nil
}

// number reads a JSON number token; c is its first byte.
func (d *jsonDecoder) number(c byte, t reflect.Type) (string, error) {
	if c != '-' && (c < '0' || c > '9') {
		return "", d.mismatch(c, t)
	}
	start := d.pos
	i := d.pos
	if i < len(d.data) && d.data[i] == '-' {
		i++
	}
	digits := func() int {
		n := 0
		for i < len(d.data) && d.data[i] >= '0' && d.data[i] <= '9' {
			i++
			n++
		}
		return n
	}
	if i < len(d.data) && d.data[i] == '0' {
		i++
	} else if digits() == 0 {
		return "", d.syntax("invalid number")
	}
	if i < len(d.data) && d.data[i] == '.' {
		i++
		if digits() == 0 {
			return "", d.syntax("invalid number")
		}
	}
	if i < len(d.data) && (d.data[i] == 'e' || d.data[i] == 'E') {
		i++
		if i < len(d.data) && (d.data[i] == '+' || d.data[i] == '-') {
			i++
		}
		if digits() == 0 {
			return "", d.syntax("invalid number")
		}
	}
	d.pos = i
	return string(d.data[start:i]), nil
}

// str reads a string token.
func (d *jsonDecoder) str() (string, error) {
	b, err := d.strBytes()
	return string(b), err
}

// strBytes reads a string token and returns its unescaped bytes (valid UTF-8: invalid bytes become
// U+FFFD, as encoding/json does). The result may alias the input.
func (d *jsonDecoder) strBytes() ([]byte, error) {
	d.pos++ // the opening quote
	start := d.pos
	end := bytes.IndexByte(d.data[start:], '"')
	if end < 0 {
		return d.strSlow(start)
	}
	s := d.data[start : start+end]
	if bytes.IndexByte(s, '\\') >= 0 {
		return d.strSlow(start)
	}
	for _, c := range s {
		if c < 0x20 {
			return d.strSlow(start)
		}
	}
	d.pos = start + end + 1
	if !utf8.Valid(s) {
		return []byte(string([]rune(string(s)))), nil
	}
	return s, nil
}

func (d *jsonDecoder) strSlow(start int) ([]byte, error) {
	out := make([]byte, 0, 2*(len(d.data)-start)/3+8)
	i := start
	for {
		if i >= len(d.data) {
			d.pos = i
			return nil, d.syntax("unterminated string")
		}
		c := d.data[i]
		switch {
		case c == '"':
			d.pos = i + 1
			return out, nil
		case c < 0x20:
			d.pos = i
			return nil, d.syntax("control character in string")
		case c == '\\':
			if i+1 >= len(d.data) {
				d.pos = i
				return nil, d.syntax("unterminated escape")
			}
			e := d.data[i+1]
			i += 2
			switch e {
			case '"', '\\', '/':
				out = append(out, e)
			case 'b':
				out = append(out, '\b')
			case 'f':
				out = append(out, '\f')
			case 'n':
				out = append(out, '\n')
			case 'r':
				out = append(out, '\r')
			case 't':
				out = append(out, '\t')
			case 'u':
				r, ok := hex4(d.data[i:])
				if !ok {
					d.pos = i
					return nil, d.syntax("invalid \\u escape")
				}
				i += 4
				if utf16.IsSurrogate(r) {
					r2, ok2 := rune(-1), false
					if i+6 <= len(d.data) && d.data[i] == '\\' && d.data[i+1] == 'u' {
						r2, ok2 = hex4(d.data[i+2:])
					}
					if dec := utf16.DecodeRune(r, r2); ok2 && dec != utf8.RuneError {
						i += 6
						r = dec
					} else {
						r = utf8.RuneError
					}
				}
				out = utf8.AppendRune(out, r)
			default:
				d.pos = i - 1
				return nil, d.syntax("invalid escape")
			}
		case c < utf8.RuneSelf:
			out = append(out, c)
			i++
		default:
			r, size := utf8.DecodeRune(d.data[i:])
			i += size
			out = utf8.AppendRune(out, r)
		}
	}
}

func hex4(b []byte) (rune, bool) {
	if len(b) < 4 {
		return 0, false
	}
	var r rune
	for _, c := range b[:4] {
		switch {
		case c >= '0' && c <= '9':
			c -= '0'
		case c >= 'a' && c <= 'f':
			c = c - 'a' + 10
		case c >= 'A' && c <= 'F':
			c = c - 'A' + 10
		default:
			return 0, false
		}
		r = r<<4 | rune(c)
	}
	return r, true
}

// skip reads past the next value, checking its syntax.
func (d *jsonDecoder) skip() error {
	c, err := d.peek()
	if err != nil {
		return err
	}
	switch {
	case c == '"':
		_, err := d.strBytes()
		return err
	case c == '{' || c == '[':
		if err := d.enter(); err != nil {
			return err
		}
		d.pos++
		end := byte('}')
		if c == '[' {
			end = ']'
		}
		first := true
		for {
			n, err := d.peek()
			if err != nil {
				return err
			}
			if n == end && first {
				d.pos++
				break
			}
			if c == '{' {
				if n != '"' {
					return d.syntax("want an object key")
				}
				if _, err := d.strBytes(); err != nil {
					return err
				}
				if err := d.expect(':'); err != nil {
					return err
				}
			}
			if err := d.skip(); err != nil {
				return err
			}
			first = false
			n, err = d.peek()
			if err != nil {
				return err
			}
			d.pos++
			if n == end {
				break
			}
			if n != ',' {
				return d.syntax("want ',' or %q", end)
			}
		}
		d.depth--
		return nil
	case c == 't':
		return d.literal("true")
	case c == 'f':
		return d.literal("false")
	case c == 'n':
		return d.literal("null")
	case c == '-' || (c >= '0' && c <= '9'):
		_, err := d.number(c, reflect.TypeFor[float64]())
		return err
	}
	return d.syntax("invalid character %q", c)
}
