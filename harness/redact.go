package harness

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"

	"google.golang.org/protobuf/reflect/protoreflect"
)

// redactedPrefix starts every pseudonym, so that a reader of a fixture sees what was replaced.
const redactedPrefix = "redacted:"

// redactor replaces the values of chosen fields. A string (or bytes) value becomes a pseudonym:
// "redacted:" and 16 hex digits of an HMAC-SHA-256 of the value under the recording's key, so
// equal values stay equal (a handler that groups by recipient still groups) without the value
// being readable. A repeated string field has each element replaced; any other field (numbers,
// enums, messages, maps, lists of them) is cleared.
type redactor struct {
	fields map[string]bool
	key    []byte
	// replaced maps each original string replaced in the current entry to its pseudonym, so
	// that a partition key holding the same value is replaced alike.
	replaced map[string]string
}

func (r *redactor) pseudonym(v string) string {
	mac := hmac.New(sha256.New, r.key)
	mac.Write([]byte(v))
	p := redactedPrefix + hex.EncodeToString(mac.Sum(nil))[:16]
	r.replaced[v] = p
	return p
}

// redact replaces the chosen fields of m and reports whether any was set.
func (r *redactor) redact(m protoreflect.Message) bool {
	type field struct {
		fd protoreflect.FieldDescriptor
		v  protoreflect.Value
	}
	var fields []field
	m.Range(func(fd protoreflect.FieldDescriptor, v protoreflect.Value) bool {
		fields = append(fields, field{fd, v})
		return true
	})
	changed := false
	for _, f := range fields {
		fd, v := f.fd, f.v
		if r.fields[string(fd.FullName())] {
			r.replace(m, fd, v)
			changed = true
			continue
		}
		switch {
		case fd.IsMap() && fd.MapValue().Message() != nil:
			v.Map().Range(func(_ protoreflect.MapKey, mv protoreflect.Value) bool {
				changed = r.redact(mv.Message()) || changed
				return true
			})
		case fd.IsList() && fd.Message() != nil:
			l := v.List()
			for i := 0; i < l.Len(); i++ {
				changed = r.redact(l.Get(i).Message()) || changed
			}
		case !fd.IsMap() && !fd.IsList() && fd.Message() != nil:
			changed = r.redact(v.Message()) || changed
		}
	}
	return changed
}

func (r *redactor) replace(m protoreflect.Message, fd protoreflect.FieldDescriptor, v protoreflect.Value) {
	switch {
	case fd.IsList() && (fd.Kind() == protoreflect.StringKind || fd.Kind() == protoreflect.BytesKind):
		l := v.List()
		for i := 0; i < l.Len(); i++ {
			l.Set(i, r.scalar(fd, l.Get(i)))
		}
	case fd.IsList() || fd.IsMap():
		m.Clear(fd)
	case fd.Kind() == protoreflect.StringKind || fd.Kind() == protoreflect.BytesKind:
		m.Set(fd, r.scalar(fd, v))
	default:
		m.Clear(fd)
	}
}

func (r *redactor) scalar(fd protoreflect.FieldDescriptor, v protoreflect.Value) protoreflect.Value {
	if fd.Kind() == protoreflect.BytesKind {
		return protoreflect.ValueOfBytes([]byte(r.pseudonym(string(v.Bytes()))))
	}
	return protoreflect.ValueOfString(r.pseudonym(v.String()))
}
