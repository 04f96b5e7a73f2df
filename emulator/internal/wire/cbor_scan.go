package wire

import (
	"bytes"
	"reflect"
	"unicode/utf8"
)

// A request type decoded often (PutRecords, the busiest request of the Java SDK v2 and the KCL)
// can read its plain CBOR body itself, as it does its JSON (see ScannedJSON): definite-length
// text keys spelled as the model spells them, each at most once, definite strings, values of the
// member's own type, no null, no empty strings or lists. Anything else makes it decline, and the
// body is checked against its shape and decoded the general way.

// ScannedCBOR is a request type that decodes its plain CBOR form itself.
type ScannedCBOR interface {
	// ScanCBOR reads the whole value from s and reports whether it could; on false the value is
	// thrown away.
	ScanCBOR(s *CBORScanner) bool
}

// CBORScanner reads plain CBOR for a ScannedCBOR type.
type CBORScanner struct{ d *decoder }

// scanCBOR lets v read data; it reports false, with v and the arena as they were, when v declined
// or data does not end after the value.
func scanCBOR(d *decoder, v ScannedCBOR) bool {
	mark := 0
	if d.arena != nil {
		mark = len(*d.arena)
	}
	if v.ScanCBOR(&CBORScanner{d: d}) && d.off == len(d.data) {
		return true
	}
	reflect.ValueOf(v).Elem().SetZero()
	if d.arena != nil && mark <= cap(*d.arena) {
		*d.arena = (*d.arena)[:mark]
	}
	return false
}

// container reads the head of a map or array; n is its length, or -1 for an indefinite one.
func (s *CBORScanner) container(want byte) (n int, ok bool) {
	major, ai, arg, err := s.d.head()
	if err != nil || major != want || s.d.enter() != nil {
		return 0, false
	}
	if ai == aiIndefinite {
		return -1, true
	}
	if arg > s.d.remaining() {
		return 0, false
	}
	return int(arg), true
}

// more reports whether another entry follows entry i of a container of length n.
func (s *CBORScanner) more(i, n int) (bool, bool) {
	if n >= 0 {
		return i < n, true
	}
	done, err := s.d.atBreak()
	return !done, err == nil
}

// Map reads a map, calling member for each key; member reads the value and reports whether it
// could. An empty map, or a key seen twice, makes it decline.
func (s *CBORScanner) Map(member func(key []byte) bool) bool {
	n, ok := s.container(majorMap)
	if !ok {
		return false
	}
	var seen [8][]byte
	i := 0
	for ; ; i++ {
		more, ok := s.more(i, n)
		if !ok {
			return false
		}
		if !more {
			break
		}
		key, ok := s.plain(majorText)
		if !ok || i == len(seen) {
			return false
		}
		for _, k := range seen[:i] {
			if bytes.Equal(k, key) {
				return false
			}
		}
		seen[i] = key
		if !member(key) {
			return false
		}
	}
	s.d.leave()
	return i > 0
}

// Array reads a non-empty array, calling elem for each element.
func (s *CBORScanner) Array(elem func() bool) bool {
	n, ok := s.container(majorArray)
	if !ok {
		return false
	}
	i := 0
	for ; ; i++ {
		more, ok := s.more(i, n)
		if !ok {
			return false
		}
		if !more {
			break
		}
		if !elem() {
			return false
		}
	}
	s.d.leave()
	return i > 0
}

// plain reads a definite, non-empty string of the major type, aliasing the body.
func (s *CBORScanner) plain(major byte) ([]byte, bool) {
	m, ai, arg, err := s.d.head()
	if err != nil || m != major || ai == aiIndefinite || arg == 0 || arg > s.d.remaining() {
		return nil, false
	}
	b := s.d.data[s.d.off : s.d.off+int(arg)]
	if major == majorText && !utf8.Valid(b) {
		return nil, false
	}
	s.d.off += int(arg)
	return b, true
}

// String reads a non-empty text string into dst.
func (s *CBORScanner) String(dst *string) bool {
	b, ok := s.plain(majorText)
	if ok {
		*dst = string(b)
	}
	return ok
}

// Blob reads a definite byte string (empty allowed) into dst, copied into the request's arena.
func (s *CBORScanner) Blob(dst *[]byte) bool {
	m, ai, arg, err := s.d.head()
	if err != nil || m != majorBytes || ai == aiIndefinite || arg > s.d.remaining() {
		return false
	}
	b := s.d.data[s.d.off : s.d.off+int(arg)]
	s.d.off += int(arg)
	*dst = s.d.keepBytes(b)
	return true
}

// Bool reads true or false into a new bool at *dst.
func (s *CBORScanner) Bool(dst **bool) bool {
	if s.d.off >= len(s.d.data) {
		return false
	}
	switch s.d.data[s.d.off] {
	case majorSimple<<5 | simpleTrue:
		v := true
		*dst = &v
	case majorSimple<<5 | simpleFalse:
		v := false
		*dst = &v
	default:
		return false
	}
	s.d.off++
	return true
}

// scanCBORBody is Codec.Scan for CBOR.
func scanCBORBody(body []byte, v any, lent *Arena) bool {
	sv, ok := v.(ScannedCBOR)
	if !ok {
		return false
	}
	d := &decoder{data: body, types: typeCache{}}
	if lent != nil {
		arena := lent.buf[:0]
		d.arena = &arena
		defer func() {
			if cap(arena) > cap(lent.buf) {
				lent.buf = arena[:0]
			}
		}()
	}
	return scanCBOR(d, sv)
}
