package wire

import (
	"bytes"
	"cmp"
	"encoding"
	"encoding/json"
	"reflect"
	"slices"
	"strings"
	"time"
)

// field is one struct member as the `json` tag describes it.
type field struct {
	name      string
	index     []int // path through embedded structs
	omitEmpty bool
	omitZero  bool
	tagged    bool
}

// structInfo lists a struct type's members in declaration order, with an index by exact name.
type structInfo struct {
	fields []field
	byName map[string]int
}

// lookupBytes finds the member a map key names: the exact name first, then a case-insensitive
// match, the rule encoding/json follows.
func (s *structInfo) lookupBytes(key []byte) (*field, bool) {
	if i, ok := s.byName[string(key)]; ok {
		return &s.fields[i], true
	}
	for i := range s.fields {
		if bytes.EqualFold([]byte(s.fields[i].name), key) {
			return &s.fields[i], true
		}
	}
	return nil, false
}

// special says how a type leaves the plain reflection path.
type special int

const (
	plain         special = iota
	timeValue             // Timestamp or time.Time: tag 1 around milliseconds
	jsonCoded             // a json.Marshaler or json.Unmarshaler other than the time types
	textCoded             // an encoding.TextMarshaler or TextUnmarshaler
	addrJSONCoded         // json.Marshaler/Unmarshaler through a pointer to the type
	addrTextCoded         // TextMarshaler/TextUnmarshaler through a pointer to the type
)

// typeCache remembers what reflection found about each type, so a response of ten thousand records
// reads its struct tags once. It lives as long as one encode or decode, or, for a decode into a
// lent Arena, as long as the arena.
type typeCache struct {
	structs  map[reflect.Type]*structInfo
	encoding map[reflect.Type]special
	decoding map[reflect.Type]special
}

var (
	timestampType     = reflect.TypeFor[Timestamp]()
	timeType          = reflect.TypeFor[time.Time]()
	jsonMarshalerType = reflect.TypeFor[json.Marshaler]()
	jsonUnmarshalType = reflect.TypeFor[json.Unmarshaler]()
	textMarshalerType = reflect.TypeFor[encoding.TextMarshaler]()
	textUnmarshalType = reflect.TypeFor[encoding.TextUnmarshaler]()
)

// encodingKind classifies t for the encoder.
func (c *typeCache) encodingKind(t reflect.Type) special {
	if k, ok := c.encoding[t]; ok {
		return k
	}
	k := plain
	switch {
	case t == timestampType || t == timeType:
		k = timeValue
	case t.Implements(jsonMarshalerType):
		k = jsonCoded
	case t.Kind() != reflect.Pointer && reflect.PointerTo(t).Implements(jsonMarshalerType):
		k = addrJSONCoded
	case t.Implements(textMarshalerType):
		k = textCoded
	case t.Kind() != reflect.Pointer && reflect.PointerTo(t).Implements(textMarshalerType):
		k = addrTextCoded
	}
	if c.encoding == nil {
		c.encoding = map[reflect.Type]special{}
	}
	c.encoding[t] = k
	return k
}

// decodingKind classifies t, a non-pointer type, for the decoder.
func (c *typeCache) decodingKind(t reflect.Type) special {
	if k, ok := c.decoding[t]; ok {
		return k
	}
	k := plain
	switch {
	case t == timestampType || t == timeType:
		k = timeValue
	case reflect.PointerTo(t).Implements(jsonUnmarshalType):
		k = addrJSONCoded
	case reflect.PointerTo(t).Implements(textUnmarshalType):
		k = addrTextCoded
	}
	if c.decoding == nil {
		c.decoding = map[reflect.Type]special{}
	}
	c.decoding[t] = k
	return k
}

// structFields returns the members of struct type t.
func (c *typeCache) structFields(t reflect.Type) *structInfo {
	if s, ok := c.structs[t]; ok {
		return s
	}
	fields := typeFields(t)
	s := &structInfo{fields: fields, byName: make(map[string]int, len(fields))}
	for i, f := range fields {
		s.byName[f.name] = i
	}
	if c.structs == nil {
		c.structs = map[reflect.Type]*structInfo{}
	}
	c.structs[t] = s
	return s
}

// typeFields walks t breadth-first through embedded structs and keeps, for each name, the member
// encoding/json would keep: the shallowest, a tagged one over an untagged one at the same depth,
// and none at all when two remain equal.
func typeFields(t reflect.Type) []field {
	type level struct {
		typ   reflect.Type
		index []int
	}
	var (
		fields    []field
		next      = []level{{typ: t}}
		count     map[reflect.Type]int
		nextCount = map[reflect.Type]int{}
		visited   = map[reflect.Type]bool{}
	)
	for len(next) > 0 {
		current := next
		next = nil
		count, nextCount = nextCount, map[reflect.Type]int{}
		for _, lv := range current {
			if visited[lv.typ] {
				continue
			}
			visited[lv.typ] = true
			for i := range lv.typ.NumField() {
				sf := lv.typ.Field(i)
				ft := sf.Type
				if ft.Name() == "" && ft.Kind() == reflect.Pointer {
					ft = ft.Elem()
				}
				if sf.Anonymous {
					if !sf.IsExported() && ft.Kind() != reflect.Struct {
						continue
					}
				} else if !sf.IsExported() {
					continue
				}
				tag := sf.Tag.Get("json")
				if tag == "-" {
					continue
				}
				name, opts, _ := strings.Cut(tag, ",")
				index := append(slices.Clone(lv.index), i)
				if name != "" || !sf.Anonymous || ft.Kind() != reflect.Struct {
					f := field{name: name, index: index, tagged: name != ""}
					if f.name == "" {
						f.name = sf.Name
					}
					for opt := range strings.SplitSeq(opts, ",") {
						switch opt {
						case "omitempty":
							f.omitEmpty = true
						case "omitzero":
							f.omitZero = true
						}
					}
					fields = append(fields, f)
					if count[lv.typ] > 1 {
						// The same embedded type twice at one depth: its members cancel out.
						fields = append(fields, f)
					}
					continue
				}
				nextCount[ft]++
				if nextCount[ft] == 1 {
					next = append(next, level{typ: ft, index: index})
				}
			}
		}
	}

	slices.SortStableFunc(fields, func(a, b field) int {
		if c := strings.Compare(a.name, b.name); c != 0 {
			return c
		}
		if c := cmp.Compare(len(a.index), len(b.index)); c != 0 {
			return c
		}
		if a.tagged != b.tagged {
			if a.tagged {
				return -1
			}
			return 1
		}
		return slices.Compare(a.index, b.index)
	})
	kept := fields[:0]
	for i := 0; i < len(fields); {
		j := i + 1
		for j < len(fields) && fields[j].name == fields[i].name {
			j++
		}
		group := fields[i:j]
		if len(group) == 1 || len(group[0].index) != len(group[1].index) || group[0].tagged != group[1].tagged {
			kept = append(kept, group[0])
		}
		i = j
	}
	slices.SortFunc(kept, func(a, b field) int { return slices.Compare(a.index, b.index) })
	return kept
}

// fieldByIndex returns the member at index, or false when a nil embedded pointer holds it.
func fieldByIndex(v reflect.Value, index []int) (reflect.Value, bool) {
	for i, x := range index {
		if i > 0 && v.Kind() == reflect.Pointer {
			if v.IsNil() {
				return reflect.Value{}, false
			}
			v = v.Elem()
		}
		v = v.Field(x)
	}
	return v, true
}

// fieldForSet returns the member at index, allocating nil embedded pointers on the way; false
// when an unexported embedded pointer stands in the way.
func fieldForSet(v reflect.Value, index []int) (reflect.Value, bool) {
	for i, x := range index {
		if i > 0 && v.Kind() == reflect.Pointer {
			if v.IsNil() {
				if !v.CanSet() {
					return reflect.Value{}, false
				}
				v.Set(reflect.New(v.Type().Elem()))
			}
			v = v.Elem()
		}
		v = v.Field(x)
	}
	return v, true
}
