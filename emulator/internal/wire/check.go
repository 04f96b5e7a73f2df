package wire

import (
	"strconv"
	"strings"
)

// The service's texts for a value of the wrong type (SerializationException), by member type and
// the value's type, as its answers word them (docs/fidelity-evidence.md, behaviour 1).
const (
	javaBoolean = "class java.lang.Boolean"
	javaString  = "class java.lang.String"
	javaNumber  = "class com.amazon.coral.value.json.numbers.TruncatingBigNumber"
	// A CBOR byte string or tag 1 where neither is expected: no answer of the service's shows these;
	// the names are the Java types the service reads them into.
	javaBytes = "class [B"
	javaDate  = "class java.util.Date"

	startOfList   = "Start of list found where not expected"
	startOfObject = "Start of structure or map found where not expected."
)

// CheckTypes checks that every member of doc the shape knows holds a value of its type, and
// returns the first that does not as a *SyntaxError in the service's words. Members the shape does
// not know are ignored, as the service ignores them.
func (c Codec) CheckTypes(doc *Object, s *Shape) error {
	if msg := c.checkStruct(doc, s); msg != "" {
		return &SyntaxError{Msg: msg}
	}
	return nil
}

func (c Codec) checkStruct(o *Object, s *Shape) string {
	for i, key := range o.Keys {
		m := s.Member(key)
		if m == nil {
			continue
		}
		if msg := c.check(o.Values[i], m.Shape); msg != "" {
			return msg
		}
	}
	return ""
}

// javaClass names the Java class the service reads a scalar into.
func javaClass(v any) string {
	switch v.(type) {
	case bool:
		return javaBoolean
	case string:
		return javaString
	case Number:
		return javaNumber
	case []byte:
		return javaBytes
	case Timestamp:
		return javaDate
	}
	return ""
}

func (c Codec) check(v any, s *Shape) string {
	if v == nil {
		return ""
	}
	switch x := v.(type) {
	case []any:
		if s.Type != ShapeList {
			return startOfList
		}
		for _, e := range x {
			if msg := c.check(e, s.Elem); msg != "" {
				return msg
			}
		}
		return ""
	case *Object:
		switch s.Type {
		case ShapeStructure:
			return c.checkStruct(x, s)
		case ShapeMap:
			for _, e := range x.Values {
				if msg := c.check(e, s.Elem); msg != "" {
					return msg
				}
			}
			return ""
		}
		return startOfObject
	}
	switch s.Type {
	case ShapeList:
		return "Expected list or null"
	case ShapeMap:
		return "Expected map or null"
	case ShapeStructure:
		return "Expected null"
	case ShapeString:
		if _, ok := v.(string); !ok {
			return javaClass(v) + " can not be converted to an String"
		}
	case ShapeInteger, ShapeLong:
		if _, ok := v.(Number); !ok {
			name := "Integer"
			if s.Type == ShapeLong {
				name = "Long"
			}
			return javaClass(v) + " can not be converted to an " + name
		}
	case ShapeBoolean:
		switch x := v.(type) {
		case bool:
		case string:
			if _, ok := BooleanText(x); !ok {
				return "'" + x + "' can not be converted to an Boolean"
			}
		default:
			return javaClass(v) + " can not be converted to an Boolean"
		}
	case ShapeBlob:
		switch x := v.(type) {
		case []byte:
		case string:
			if msg := base64Problem(x); msg != "" {
				return "'" + x + "' can not be converted to a Blob: " + msg
			}
		default:
			return javaClass(v) + " can not be converted to a Blob"
		}
	case ShapeTimestamp:
		switch v.(type) {
		case Number, Timestamp:
		default:
			return javaClass(v) + " can not be converted to milliseconds since epoch"
		}
	}
	return ""
}

// BooleanText reads the strings the service accepts for a Boolean member.
func BooleanText(s string) (value, ok bool) {
	switch strings.ToLower(s) {
	case "true", "1", "yes":
		return true, true
	case "false", "0", "no":
		return false, true
	}
	return false, false
}

// base64Problem says why s is not strict padded base64, in the service's words, or "".
func base64Problem(s string) string {
	if len(s)%4 != 0 {
		return "Base64 encoded length is expected a multiple of 4 bytes but found: " + strconv.Itoa(len(s))
	}
	pad := 0
	if strings.HasSuffix(s, "==") {
		pad = 2
	} else if strings.HasSuffix(s, "=") {
		pad = 1
	}
	body := s[:len(s)-pad]
	for i := 0; i < len(body); i++ {
		if base64Value(body[i]) < 0 {
			r := []rune(body[i:])[0]
			return "Invalid Base64 character: '" + string(r) + "'"
		}
	}
	if pad > 0 {
		last := base64Value(body[len(body)-1])
		if (pad == 1 && last&0x3 != 0) || (pad == 2 && last&0xF != 0) {
			return "Invalid last non-pad Base64 character dectected"
		}
	}
	return ""
}

func base64Value(c byte) int {
	switch {
	case c >= 'A' && c <= 'Z':
		return int(c - 'A')
	case c >= 'a' && c <= 'z':
		return int(c-'a') + 26
	case c >= '0' && c <= '9':
		return int(c-'0') + 52
	case c == '+':
		return 62
	case c == '/':
		return 63
	}
	return -1
}
