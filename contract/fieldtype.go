package contract

import (
	"fmt"
	"math"
	"math/big"
	"strconv"
	"strings"

	"google.golang.org/protobuf/reflect/protoreflect"
	"google.golang.org/protobuf/types/descriptorpb"
)

// Wire compatibility of field kinds, per the protobuf language guide's "Updating A Message Type":
// kinds in one group read each other's bytes. string and bytes sit apart because only
// string -> bytes is always safe; the rule allows that direction by hand.
var wireGroup = map[protoreflect.Kind]int{
	protoreflect.Int32Kind: 1, protoreflect.Int64Kind: 1, protoreflect.Uint32Kind: 1,
	protoreflect.Uint64Kind: 1, protoreflect.BoolKind: 1,
	protoreflect.Sint32Kind: 2, protoreflect.Sint64Kind: 2,
	protoreflect.StringKind:  3,
	protoreflect.BytesKind:   4,
	protoreflect.Fixed32Kind: 5, protoreflect.Sfixed32Kind: 5,
	protoreflect.Fixed64Kind: 6, protoreflect.Sfixed64Kind: 6,
	protoreflect.DoubleKind:  7,
	protoreflect.FloatKind:   8,
	protoreflect.GroupKind:   9,
	protoreflect.MessageKind: 10,
	protoreflect.EnumKind:    11,
}

// Kinds that are compatible both on the wire and in JSON (the intersection of the two).
var wireJSONGroup = map[protoreflect.Kind]int{
	protoreflect.Int32Kind: 1, protoreflect.Uint32Kind: 1,
	protoreflect.Int64Kind: 2, protoreflect.Uint64Kind: 2,
	protoreflect.Fixed32Kind: 3, protoreflect.Sfixed32Kind: 3,
	protoreflect.Fixed64Kind: 4, protoreflect.Sfixed64Kind: 4,
	protoreflect.BoolKind:    5,
	protoreflect.Sint32Kind:  6,
	protoreflect.Sint64Kind:  7,
	protoreflect.StringKind:  8,
	protoreflect.BytesKind:   9,
	protoreflect.DoubleKind:  10,
	protoreflect.FloatKind:   11,
	protoreflect.GroupKind:   12,
	protoreflect.MessageKind: 13,
	protoreflect.EnumKind:    14,
}

type cardinality int

const (
	cardExplicit cardinality = iota + 1
	cardImplicit
	cardRequired
	cardRepeated
	cardMap
)

func (c cardinality) String() string {
	switch c {
	case cardExplicit:
		return "optional with explicit presence"
	case cardImplicit:
		return "optional with implicit presence"
	case cardRequired:
		return "required"
	case cardRepeated:
		return "repeated"
	case cardMap:
		return "map"
	}
	return strconv.Itoa(int(c))
}

// Groups of cardinalities that read each other's data: on the wire, repeated and map are the
// same encoding; in JSON they are not.
var (
	cardWireGroup     = map[cardinality]int{cardExplicit: 1, cardImplicit: 1, cardRequired: 2, cardRepeated: 3, cardMap: 3}
	cardWireJSONGroup = map[cardinality]int{cardExplicit: 1, cardImplicit: 1, cardRequired: 2, cardRepeated: 3, cardMap: 4}
)

func cardinalityOf(fd protoreflect.FieldDescriptor) cardinality {
	switch {
	case fd.IsList():
		return cardRepeated
	case fd.IsMap():
		return cardMap
	case fd.Cardinality() == protoreflect.Required:
		return cardRequired
	case fd.HasPresence():
		return cardExplicit
	}
	return cardImplicit
}

// kindString names a field's kind as buf prints it; a group outside proto2 is an editions
// message with delimited encoding.
func kindString(fd protoreflect.FieldDescriptor) string {
	if fd.Kind() == protoreflect.GroupKind && fd.Syntax() != protoreflect.Proto2 {
		return "message (delimited encoding)"
	}
	return fd.Kind().String()
}

func is64BitInteger(t descriptorpb.FieldDescriptorProto_Type) bool {
	switch t {
	case descriptorpb.FieldDescriptorProto_TYPE_INT64, descriptorpb.FieldDescriptorProto_TYPE_SINT64,
		descriptorpb.FieldDescriptorProto_TYPE_UINT64, descriptorpb.FieldDescriptorProto_TYPE_FIXED64,
		descriptorpb.FieldDescriptorProto_TYPE_SFIXED64:
		return true
	}
	return false
}

// fieldDefault is a field's default value, comparable across kinds, and how buf prints it.
type fieldDefault struct {
	value     any
	printable string
}

func canHaveDefault(fd protoreflect.FieldDescriptor) bool {
	return !fd.IsList() && !fd.IsMap() && fd.Message() == nil
}

func defaultOf(fd protoreflect.FieldDescriptor) fieldDefault {
	d := fd.Default()
	switch fd.Kind() {
	case protoreflect.BytesKind:
		parts := make([]string, len(d.Bytes()))
		for i, b := range d.Bytes() {
			parts[i] = fmt.Sprintf("0x%X", b)
		}
		return fieldDefault{value: string(d.Bytes()), printable: "[" + strings.Join(parts, ",") + "]"}
	case protoreflect.StringKind:
		return fieldDefault{value: d.String(), printable: strconv.Quote(d.String())}
	case protoreflect.EnumKind:
		ed := fd.Enum()
		printable := fmt.Sprintf("%s.%d(?)", ed.Name(), d.Enum())
		if ev := ed.Values().ByNumber(d.Enum()); ev != nil {
			printable = fmt.Sprintf("%s.%s", ed.Name(), ev.Name())
		}
		return fieldDefault{value: int32(d.Enum()), printable: printable}
	}
	v := d.Interface()
	return fieldDefault{value: v, printable: fmt.Sprint(v)}
}

func (d fieldDefault) isZero() bool {
	switch v := d.value.(type) {
	case string:
		return v == ""
	case bool:
		return !v
	case int32:
		return v == 0
	case int64:
		return v == 0
	case uint32:
		return v == 0
	case uint64:
		return v == 0
	case float32:
		return v == 0 && !math.Signbit(float64(v))
	case float64:
		return v == 0 && !math.Signbit(v)
	}
	return d.value == nil
}

// defaultsEqual compares defaults leniently across kinds, leaving type changes to the type
// rules: strings with bytes, numbers (and bools and enums) with numbers.
func defaultsEqual(a, b fieldDefault) bool {
	_, aStr := a.value.(string)
	_, bStr := b.value.(string)
	if aStr || bStr {
		return a.value == b.value
	}
	switch av := a.value.(type) {
	case float32:
		if bv, ok := b.value.(float64); ok {
			return (math.IsNaN(float64(av)) && math.IsNaN(bv)) || av == float32(bv)
		}
	case float64:
		if bv, ok := b.value.(float32); ok {
			return (math.IsNaN(av) && math.IsNaN(float64(bv))) || float32(av) == bv
		}
	}
	af, aNaN := bigFloat(a.value)
	bf, bNaN := bigFloat(b.value)
	if aNaN || bNaN {
		return aNaN && bNaN
	}
	if af == nil || bf == nil {
		return a.value == b.value
	}
	return af.Cmp(bf) == 0
}

func bigFloat(v any) (*big.Float, bool) {
	switch v := v.(type) {
	case bool:
		if v {
			return big.NewFloat(1), false
		}
		return big.NewFloat(0), false
	case int32:
		return new(big.Float).SetInt64(int64(v)), false
	case int64:
		return new(big.Float).SetInt64(v), false
	case uint32:
		return new(big.Float).SetUint64(uint64(v)), false
	case uint64:
		return new(big.Float).SetUint64(v), false
	case float32:
		if math.IsNaN(float64(v)) {
			return nil, true
		}
		return big.NewFloat(float64(v)), false
	case float64:
		if math.IsNaN(v) {
			return nil, true
		}
		return big.NewFloat(v), false
	}
	return nil, false
}

func itoa(n int64) string { return strconv.FormatInt(n, 10) }
