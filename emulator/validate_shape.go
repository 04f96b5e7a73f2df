package emulator

import (
	"fmt"
	"strconv"
	"strings"
	"unicode/utf16"

	"github.com/pelicanhq/pelican/emulator/internal/wire"
)

// Checking a request against its input shape, as the service does before any operation logic:
// every member in the model's order, a present value (empty strings, lists and maps included)
// against each of its constraints, an absent required member as null. Values are shown as the
// service's Java shows them: lists as [a, b], maps as {k=v}, blobs as the buffer they were read
// into.

// validateDocument returns the ValidationException listing every violated constraint of doc, or nil.
func validateDocument(doc *wire.Object, s *wire.Shape) error {
	v := &validator{}
	v.structure(doc, s, "")
	return v.err()
}

// memberPath is a member's name in messages: its first letter in lower case.
func memberPath(prefix, name string) string {
	if name == "" {
		return prefix
	}
	return prefix + strings.ToLower(name[:1]) + name[1:]
}

func (v *validator) structure(o *wire.Object, s *wire.Shape, prefix string) {
	for _, m := range s.Members {
		val, present := o.Get(m.Name)
		path := memberPath(prefix, m.Name)
		if !present {
			if m.Required {
				v.addShown("null", path, "Member must not be null")
			}
			continue
		}
		v.value(val, m.Shape, path)
	}
}

func (v *validator) value(val any, s *wire.Shape, path string) {
	switch s.Type {
	case wire.ShapeStructure:
		if o, ok := val.(*wire.Object); ok {
			v.structure(o, s, path+".")
		}
		return
	case wire.ShapeList:
		list, _ := val.([]any)
		for _, c := range lengthViolations(int64(len(list)), s) {
			v.addShown(quote(showValue(val, s)), path, "Member "+c)
		}
		if s.Elem.Type == wire.ShapeStructure {
			for i, e := range list {
				if o, ok := e.(*wire.Object); ok {
					v.structure(o, s.Elem, fmt.Sprintf("%s.%d.member.", path, i+1))
				}
			}
			return
		}
		for _, e := range list {
			if len(violations(e, s.Elem)) > 0 {
				v.addShown(quote(showValue(val, s)), path, "Member must satisfy constraint: ["+strings.Join(constraints(s.Elem), ", ")+"]")
				break
			}
		}
		return
	case wire.ShapeMap:
		o, _ := val.(*wire.Object)
		if o == nil {
			return
		}
		for _, c := range lengthViolations(int64(len(o.Keys)), s) {
			v.addShown(quote(showValue(val, s)), path, "Member "+c)
		}
		for _, k := range o.Keys {
			if len(violations(k, s.Key)) > 0 {
				v.addShown(quote(showValue(val, s)), path, "Map keys must satisfy constraint: ["+strings.Join(constraints(s.Key), ", ")+"]")
				break
			}
		}
		for _, e := range o.Values {
			if e != nil && len(violations(e, s.Elem)) > 0 {
				v.addShown(quote(showValue(val, s)), path, "Map value must satisfy constraint: ["+strings.Join(constraints(s.Elem), ", ")+"]")
				break
			}
		}
		return
	}
	for _, c := range violations(val, s) {
		v.addShown(quote(showValue(val, s)), path, "Member "+c)
	}
}

func quote(s string) string { return "'" + s + "'" }

// violations lists the constraints of a scalar shape that val fails, in the service's words
// (without the leading "Member ").
func violations(val any, s *wire.Shape) []string {
	var out []string
	switch s.Type {
	case wire.ShapeString:
		str, _ := val.(string)
		if len(s.Enum) > 0 && !containsString(s.Enum, str) {
			out = append(out, "must satisfy enum value set: ["+strings.Join(s.Enum, ", ")+"]")
		}
		if s.Pattern != nil && !s.Pattern.MatchString(str) {
			out = append(out, "must satisfy regular expression pattern: "+s.Pattern.Text)
		}
		out = append(out, lengthViolations(javaLength(str), s)...)
	case wire.ShapeInteger, wire.ShapeLong:
		n := integerValue(val)
		if s.Min != nil && n < *s.Min {
			out = append(out, fmt.Sprintf("must have value greater than or equal to %d", *s.Min))
		}
		if s.Max != nil && n > *s.Max {
			out = append(out, fmt.Sprintf("must have value less than or equal to %d", *s.Max))
		}
	case wire.ShapeBlob:
		out = append(out, lengthViolations(int64(wire.BlobLen(val)), s)...)
	}
	return out
}

// lengthViolations lists the length bounds of s that n breaks.
func lengthViolations(n int64, s *wire.Shape) []string {
	var out []string
	if s.Min != nil && n < *s.Min {
		out = append(out, fmt.Sprintf("must have length greater than or equal to %d", *s.Min))
	}
	if s.Max != nil && n > *s.Max {
		out = append(out, fmt.Sprintf("must have length less than or equal to %d", *s.Max))
	}
	return out
}

// constraints lists every constraint of a member shape of a list or map, as the service lists them
// when one member fails: the upper bound first.
func constraints(s *wire.Shape) []string {
	var out []string
	word := "length"
	if s.Type == wire.ShapeInteger || s.Type == wire.ShapeLong {
		word = "value"
	}
	if s.Max != nil {
		out = append(out, fmt.Sprintf("Member must have %s less than or equal to %d", word, *s.Max))
	}
	if s.Min != nil {
		out = append(out, fmt.Sprintf("Member must have %s greater than or equal to %d", word, *s.Min))
	}
	if s.Pattern != nil {
		out = append(out, "Member must satisfy regular expression pattern: "+s.Pattern.Text)
	}
	if len(s.Enum) > 0 {
		out = append(out, "Member must satisfy enum value set: ["+strings.Join(s.Enum, ", ")+"]")
	}
	return out
}

func containsString(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

// javaLength is a string's length as Java counts it, in UTF-16 units.
func javaLength(s string) int64 {
	n := 0
	for _, r := range s {
		n += utf16.RuneLen(r)
	}
	return int64(n)
}

// integerValue is the value the service reads from a number into an Integer member.
func integerValue(val any) int64 {
	if n, ok := val.(wire.Number); ok {
		return wire.ClampInt32(n.Value)
	}
	return 0
}

// showValue shows a value as the service does in a validation message.
func showValue(val any, s *wire.Shape) string {
	switch x := val.(type) {
	case nil:
		return "null"
	case string:
		if s != nil && s.Type == wire.ShapeBlob {
			n := wire.BlobLen(x)
			return fmt.Sprintf("java.nio.HeapByteBuffer[pos=0 lim=%d cap=%d]", n, n)
		}
		return x
	case []byte:
		return fmt.Sprintf("java.nio.HeapByteBuffer[pos=0 lim=%d cap=%d]", len(x), len(x))
	case bool:
		return strconv.FormatBool(x)
	case wire.Number:
		if s != nil && (s.Type == wire.ShapeInteger || s.Type == wire.ShapeLong) {
			return strconv.FormatInt(integerValue(x), 10)
		}
		return x.Text
	case wire.Timestamp:
		return x.Time.String()
	case []any:
		var elem *wire.Shape
		if s != nil {
			elem = s.Elem
		}
		parts := make([]string, len(x))
		for i, e := range x {
			parts[i] = showValue(e, elem)
		}
		return "[" + strings.Join(parts, ", ") + "]"
	case *wire.Object:
		var elem *wire.Shape
		if s != nil && s.Type == wire.ShapeMap {
			elem = s.Elem
		}
		parts := make([]string, len(x.Keys))
		for i, k := range x.Keys {
			var ms *wire.Shape = elem
			if s != nil && s.Type == wire.ShapeStructure {
				if m := s.Member(k); m != nil {
					ms = m.Shape
				}
			}
			parts[i] = k + "=" + showValue(x.Values[i], ms)
		}
		return "{" + strings.Join(parts, ", ") + "}"
	}
	return fmt.Sprint(val)
}
