package wire

import (
	"bytes"
	"encoding"
	"encoding/binary"
	"encoding/json"
	"fmt"
	"math"
	"reflect"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"
)

// encoder appends CBOR items to buf.
type encoder struct {
	buf   []byte
	types typeCache
	depth int
}

// head appends an initial byte and its argument in the shortest form.
func (e *encoder) head(major byte, n uint64) {
	m := major << 5
	switch {
	case n < aiOneByte:
		e.buf = append(e.buf, m|byte(n))
	case n <= math.MaxUint8:
		e.buf = append(e.buf, m|aiOneByte, byte(n))
	case n <= math.MaxUint16:
		e.buf = binary.BigEndian.AppendUint16(append(e.buf, m|aiTwoBytes), uint16(n))
	case n <= math.MaxUint32:
		e.buf = binary.BigEndian.AppendUint32(append(e.buf, m|aiFourBytes), uint32(n))
	default:
		e.buf = binary.BigEndian.AppendUint64(append(e.buf, m|aiEightBytes), n)
	}
}

func (e *encoder) int(i int64) {
	if i < 0 {
		e.head(majorNegInt, uint64(^i)) // -1 - i
		return
	}
	e.head(majorUint, uint64(i))
}

// reserve makes room for n more bytes, doubling the buffer rather than letting append grow a
// large one by a quarter at a time.
func (e *encoder) reserve(n int) {
	if cap(e.buf)-len(e.buf) < n {
		e.buf = slices.Grow(e.buf, max(n, cap(e.buf)))
	}
}

func (e *encoder) text(s string) {
	if !utf8.ValidString(s) {
		s = strings.ToValidUTF8(s, "\uFFFD") // as encoding/json does
	}
	e.reserve(len(s) + 9)
	e.head(majorText, uint64(len(s)))
	e.buf = append(e.buf, s...)
}

func (e *encoder) bytes(b []byte) {
	e.reserve(len(b) + 9)
	e.head(majorBytes, uint64(len(b)))
	e.buf = append(e.buf, b...)
}

// time appends tag 1 around integer epoch milliseconds.
func (e *encoder) time(t time.Time) {
	e.head(majorTag, tagEpoch)
	e.int(t.UnixMilli())
}

func (e *encoder) value(v reflect.Value) error {
	if !v.IsValid() {
		e.buf = append(e.buf, byteNull)
		return nil
	}
	if e.depth >= maxEncodeDepth {
		return fmt.Errorf("cbor: value of type %s nested more than %d deep (a cycle?)", v.Type(), maxEncodeDepth)
	}
	e.depth++
	err := e.nested(v)
	e.depth--
	return err
}

// nested encodes v one level below its container.
func (e *encoder) nested(v reflect.Value) error {
	// Pointers and interfaces are looked through first, so that *Timestamp is a timestamp too.
	if v.Kind() == reflect.Interface || v.Kind() == reflect.Pointer {
		if v.IsNil() {
			e.buf = append(e.buf, byteNull)
			return nil
		}
		return e.value(v.Elem())
	}
	switch e.types.encodingKind(v.Type()) {
	case timeValue:
		if v.Type() == timestampType {
			e.time(v.Interface().(Timestamp).Time)
		} else {
			e.time(v.Interface().(time.Time))
		}
		return nil
	case jsonCoded:
		return e.fromJSON(v.Interface().(json.Marshaler))
	case addrJSONCoded:
		if v.CanAddr() {
			return e.fromJSON(v.Addr().Interface().(json.Marshaler))
		}
	case textCoded:
		return e.fromText(v.Interface().(encoding.TextMarshaler))
	case addrTextCoded:
		if v.CanAddr() {
			return e.fromText(v.Addr().Interface().(encoding.TextMarshaler))
		}
	}

	switch v.Kind() {
	case reflect.Bool:
		if v.Bool() {
			e.buf = append(e.buf, majorSimple<<5|simpleTrue)
		} else {
			e.buf = append(e.buf, majorSimple<<5|simpleFalse)
		}
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		e.int(v.Int())
	case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64, reflect.Uintptr:
		e.head(majorUint, v.Uint())
	case reflect.Float32:
		e.buf = append(e.buf, majorSimple<<5|aiFourBytes)
		e.buf = binary.BigEndian.AppendUint32(e.buf, math.Float32bits(float32(v.Float())))
	case reflect.Float64:
		e.buf = append(e.buf, majorSimple<<5|aiEightBytes)
		e.buf = binary.BigEndian.AppendUint64(e.buf, math.Float64bits(v.Float()))
	case reflect.String:
		e.text(v.String())
	case reflect.Slice:
		if v.IsNil() {
			e.buf = append(e.buf, byteNull)
			return nil
		}
		if v.Type().Elem().Kind() == reflect.Uint8 {
			e.bytes(v.Bytes())
			return nil
		}
		return e.array(v)
	case reflect.Array:
		return e.array(v)
	case reflect.Map:
		if v.IsNil() {
			e.buf = append(e.buf, byteNull)
			return nil
		}
		return e.mapValue(v)
	case reflect.Struct:
		return e.structValue(v)
	default:
		return fmt.Errorf("cbor: cannot encode a value of type %s", v.Type())
	}
	return nil
}

func (e *encoder) array(v reflect.Value) error {
	e.buf = append(e.buf, majorArray<<5|aiIndefinite)
	for i := range v.Len() {
		if err := e.value(v.Index(i)); err != nil {
			return err
		}
	}
	e.buf = append(e.buf, byteBreak)
	return nil
}

// mapValue writes a map with its keys sorted, as encoding/json orders them.
func (e *encoder) mapValue(v reflect.Value) error {
	type entry struct {
		key string
		val reflect.Value
	}
	entries := make([]entry, 0, v.Len())
	for it := v.MapRange(); it.Next(); {
		k, err := mapKeyString(it.Key())
		if err != nil {
			return err
		}
		entries = append(entries, entry{k, it.Value()})
	}
	slices.SortFunc(entries, func(a, b entry) int { return strings.Compare(a.key, b.key) })
	e.buf = append(e.buf, majorMap<<5|aiIndefinite)
	for _, en := range entries {
		e.text(en.key)
		if err := e.value(en.val); err != nil {
			return err
		}
	}
	e.buf = append(e.buf, byteBreak)
	return nil
}

// mapKeyString renders a map key the way encoding/json does.
func mapKeyString(k reflect.Value) (string, error) {
	if k.Kind() == reflect.String {
		return k.String(), nil
	}
	if tm, ok := k.Interface().(encoding.TextMarshaler); ok {
		if k.Kind() == reflect.Pointer && k.IsNil() {
			return "", nil
		}
		b, err := tm.MarshalText()
		return string(b), err
	}
	switch k.Kind() {
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		return strconv.FormatInt(k.Int(), 10), nil
	case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64, reflect.Uintptr:
		return strconv.FormatUint(k.Uint(), 10), nil
	}
	return "", fmt.Errorf("cbor: cannot encode a map key of type %s", k.Type())
}

func (e *encoder) structValue(v reflect.Value) error {
	info := e.types.structFields(v.Type())
	e.buf = append(e.buf, majorMap<<5|aiIndefinite)
	for i := range info.fields {
		f := &info.fields[i]
		fv, ok := fieldByIndex(v, f.index)
		if !ok || omit(f, fv) {
			continue
		}
		e.text(f.name)
		if err := e.value(fv); err != nil {
			return err
		}
	}
	e.buf = append(e.buf, byteBreak)
	return nil
}

// omit reports whether a member stays out of the map: a nil pointer always, an empty value under
// omitempty and a zero one under omitzero.
func omit(f *field, v reflect.Value) bool {
	if v.Kind() == reflect.Pointer && v.IsNil() {
		return true
	}
	if f.omitEmpty && isEmpty(v) {
		return true
	}
	if f.omitZero {
		if z, ok := v.Interface().(interface{ IsZero() bool }); ok {
			return z.IsZero()
		}
		return v.IsZero()
	}
	return false
}

// isEmpty is encoding/json's notion of empty for omitempty.
func isEmpty(v reflect.Value) bool {
	switch v.Kind() {
	case reflect.Array, reflect.Map, reflect.Slice, reflect.String:
		return v.Len() == 0
	case reflect.Bool:
		return !v.Bool()
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		return v.Int() == 0
	case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64, reflect.Uintptr:
		return v.Uint() == 0
	case reflect.Float32, reflect.Float64:
		return v.Float() == 0
	case reflect.Interface, reflect.Pointer:
		return v.IsNil()
	}
	return false
}

// fromJSON encodes a json.Marshaler by way of its JSON document.
func (e *encoder) fromJSON(m json.Marshaler) error {
	b, err := m.MarshalJSON()
	if err != nil {
		return fmt.Errorf("cbor: %T: %w", m, err)
	}
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.UseNumber()
	var doc any
	if err := dec.Decode(&doc); err != nil {
		return fmt.Errorf("cbor: %T wrote invalid JSON: %w", m, err)
	}
	return e.jsonValue(doc)
}

// jsonValue writes a document decoded by encoding/json with UseNumber.
func (e *encoder) jsonValue(doc any) error {
	switch x := doc.(type) {
	case nil:
		e.buf = append(e.buf, byteNull)
	case bool:
		return e.value(reflect.ValueOf(x))
	case string:
		e.text(x)
	case json.Number:
		if i, err := x.Int64(); err == nil {
			e.int(i)
		} else if u, err := strconv.ParseUint(string(x), 10, 64); err == nil {
			e.head(majorUint, u)
		} else {
			f, err := x.Float64()
			if err != nil {
				return fmt.Errorf("cbor: JSON number %s: %w", x, err)
			}
			return e.value(reflect.ValueOf(f))
		}
	case []any:
		e.buf = append(e.buf, majorArray<<5|aiIndefinite)
		for _, el := range x {
			if err := e.jsonValue(el); err != nil {
				return err
			}
		}
		e.buf = append(e.buf, byteBreak)
	case map[string]any:
		keys := slices.Sorted(func(yield func(string) bool) {
			for k := range x {
				if !yield(k) {
					return
				}
			}
		})
		e.buf = append(e.buf, majorMap<<5|aiIndefinite)
		for _, k := range keys {
			e.text(k)
			if err := e.jsonValue(x[k]); err != nil {
				return err
			}
		}
		e.buf = append(e.buf, byteBreak)
	default:
		return fmt.Errorf("cbor: unexpected JSON value %T", doc)
	}
	return nil
}

func (e *encoder) fromText(m encoding.TextMarshaler) error {
	b, err := m.MarshalText()
	if err != nil {
		return fmt.Errorf("cbor: %T: %w", m, err)
	}
	e.text(string(b))
	return nil
}
