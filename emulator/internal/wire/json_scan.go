package wire

import (
	"bytes"
	"reflect"
	"unicode/utf8"
)

// A request type that is decoded often (PutRecords) can read its own body through a Scanner,
// without reflection. The Scanner only accepts the plain JSON an SDK writes: keys spelled as the
// model spells them, each at most once, strings without escapes, values of the member's own type,
// no null. Anything else makes it decline, and the body goes to the general decoder from the
// start, so that the result is always encoding/json's.

// ScannedJSON is a request type that decodes its plain JSON form itself.
type ScannedJSON interface {
	// ScanJSON reads the whole value from s and reports whether it could; on false the value is
	// thrown away.
	ScanJSON(s *Scanner) bool
}

// Scanner reads plain JSON for a ScannedJSON type.
type Scanner struct{ d *jsonDecoder }

// scanJSON lets v read data through a Scanner. It reports false, with v and the arena as they
// were, when v declined or data does not end after the value.
func scanJSON(d *jsonDecoder, v ScannedJSON) bool {
	mark := len(d.arena)
	if v.ScanJSON(&Scanner{d: d}) {
		d.skipSpace()
		if d.pos == len(d.data) {
			return true
		}
	}
	reflect.ValueOf(v).Elem().SetZero()
	d.pos, d.depth = 0, 0
	if mark <= cap(d.arena) {
		d.arena = d.arena[:mark]
	}
	return false
}

// Object reads an object, calling member for each key; member reads the value and reports whether
// it could. A key seen twice makes Object decline: member sees each key once.
func (s *Scanner) Object(member func(key []byte) bool) bool {
	d := s.d
	if c, err := d.peek(); err != nil || c != '{' || d.enter() != nil {
		return false
	}
	d.pos++
	var seen [8][]byte
	n := 0
	for first := true; ; first = false {
		c, err := d.peek()
		if err != nil {
			return false
		}
		if c == '}' && first {
			d.pos++
			break
		}
		key, ok := s.plain()
		if !ok || d.expect(':') != nil {
			return false
		}
		for _, k := range seen[:n] {
			if bytes.Equal(k, key) {
				return false
			}
		}
		if n == len(seen) || !member(key) {
			return false
		}
		seen[n] = key
		n++
		c, err = d.peek()
		if err != nil {
			return false
		}
		d.pos++
		if c == '}' {
			break
		}
		if c != ',' {
			return false
		}
	}
	d.depth--
	return true
}

// Array reads an array, calling elem for each element; elem reads it and reports whether it could.
func (s *Scanner) Array(elem func() bool) bool {
	d := s.d
	if c, err := d.peek(); err != nil || c != '[' || d.enter() != nil {
		return false
	}
	d.pos++
	for first := true; ; first = false {
		c, err := d.peek()
		if err != nil {
			return false
		}
		if c == ']' && first {
			return false // an empty list fails its length constraint: the general reading reports it
		}
		if !elem() {
			return false
		}
		c, err = d.peek()
		if err != nil {
			return false
		}
		d.pos++
		if c == ']' {
			break
		}
		if c != ',' {
			return false
		}
	}
	d.depth--
	return true
}

// String reads a non-empty string without escapes into dst. An empty string is a present value
// that fails the member's constraints, which the general reading reports.
func (s *Scanner) String(dst *string) bool {
	b, ok := s.plain()
	if ok && len(b) == 0 {
		return false
	}
	if ok {
		*dst = string(b)
	}
	return ok
}

// Blob reads a string of plain padded base64 into dst, decoded into the request's arena.
func (s *Scanner) Blob(dst *[]byte) bool {
	d := s.d
	if c, err := d.peek(); err != nil || c != '"' {
		return false
	}
	start := d.pos + 1
	end := bytes.IndexByte(d.data[start:], '"')
	if end < 0 {
		return false
	}
	text := d.data[start : start+end]
	if !strictBase64End(text) {
		return false
	}
	b, ok := d.plainBase64(text)
	if !ok {
		return false
	}
	d.pos = start + end + 1
	*dst = b
	return true
}

// Bool reads true or false into a new bool at *dst.
func (s *Scanner) Bool(dst **bool) bool {
	d := s.d
	if _, err := d.peek(); err != nil {
		return false
	}
	for _, lit := range [...]struct {
		word string
		val  bool
	}{{"true", true}, {"false", false}} {
		if bytes.HasPrefix(d.data[d.pos:], []byte(lit.word)) {
			d.pos += len(lit.word)
			v := lit.val
			*dst = &v
			return true
		}
	}
	return false
}

// plain reads a string token without escapes or control characters, in valid UTF-8, and returns
// its bytes (aliasing the body).
func (s *Scanner) plain() ([]byte, bool) {
	d := s.d
	if c, err := d.peek(); err != nil || c != '"' {
		return nil, false
	}
	start := d.pos + 1
	end := bytes.IndexByte(d.data[start:], '"')
	if end < 0 {
		return nil, false
	}
	b := d.data[start : start+end]
	ascii := true
	for _, c := range b {
		if c < 0x20 || c == '\\' {
			return nil, false
		}
		if c >= utf8.RuneSelf {
			ascii = false
		}
	}
	if !ascii && !utf8.Valid(b) {
		return nil, false // encoding/json would replace the bad bytes
	}
	d.pos = start + end + 1
	return b, true
}

// strictBase64End reports whether padded base64 text leaves no bits set that its padding drops,
// which the service refuses and the standard decoder ignores.
func strictBase64End(s []byte) bool {
	n := len(s)
	switch {
	case n >= 2 && s[n-1] == '=' && s[n-2] == '=':
		return n < 3 || base64Value(s[n-3])&0xF == 0
	case n >= 1 && s[n-1] == '=':
		return n < 2 || base64Value(s[n-2])&0x3 == 0
	}
	return true
}
