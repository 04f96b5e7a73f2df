package wire

import (
	"bytes"
	"encoding"
	"encoding/binary"
	"encoding/json"
	"fmt"
	"math"
	"reflect"
	"strconv"
	"time"
	"unicode/utf8"
)

// decoder reads one CBOR data item from data into Go values. Every length is checked against
// what remains of data before anything is allocated for it.
type decoder struct {
	data  []byte
	off   int
	depth int
	types typeCache
	// service reads integers as the service does (see Codec.DecodeRequest).
	service bool
	// arena, when lent, holds the decoded byte strings of one request in one buffer (see Arena).
	arena *[]byte
}

// keepBytes returns a copy of b that outlives the body: in the lent arena, or on its own.
func (d *decoder) keepBytes(b []byte) []byte {
	if len(b) == 0 {
		return []byte{} // present but empty, never absent (an indefinite-length string may be nil)
	}
	if d.arena == nil {
		return bytes.Clone(b)
	}
	a := *d.arena
	if cap(a)-len(a) < len(b) {
		// Size the arena for the rest of the body, which in a PutRecords request is mostly data.
		a = make([]byte, 0, max(len(b), len(d.data)-d.off))
	}
	start := len(a)
	a = append(a, b...)
	*d.arena = a
	return a[start:len(a):len(a)]
}

func (d *decoder) errorf(format string, args ...any) error {
	return &SyntaxError{Msg: fmt.Sprintf("cbor: "+format+" (offset %d)", append(args, d.off)...)}
}

func (d *decoder) remaining() uint64 { return uint64(len(d.data) - d.off) }

// enter counts one level of nesting; leave undoes it.
func (d *decoder) enter() error {
	d.depth++
	if d.depth > maxDecodeDepth {
		return d.errorf("data nested more than %d levels deep", maxDecodeDepth)
	}
	return nil
}

func (d *decoder) leave() { d.depth-- }

// head reads an initial byte and its argument. For ai == aiIndefinite, arg is zero.
func (d *decoder) head() (major, ai byte, arg uint64, err error) {
	if d.off >= len(d.data) {
		return 0, 0, 0, d.errorf("unexpected end of data")
	}
	ib := d.data[d.off]
	d.off++
	major, ai = ib>>5, ib&0x1f
	switch {
	case ai < aiOneByte:
		arg = uint64(ai)
	case ai <= aiEightBytes:
		n := 1 << (ai - aiOneByte)
		if len(d.data)-d.off < n {
			return 0, 0, 0, d.errorf("unexpected end of data in an item head")
		}
		b := d.data[d.off : d.off+n]
		d.off += n
		switch n {
		case 1:
			arg = uint64(b[0])
		case 2:
			arg = uint64(binary.BigEndian.Uint16(b))
		case 4:
			arg = uint64(binary.BigEndian.Uint32(b))
		default:
			arg = binary.BigEndian.Uint64(b)
		}
	case ai == aiIndefinite:
		if major == majorUint || major == majorNegInt || major == majorTag {
			return 0, 0, 0, d.errorf("indefinite length is not allowed for major type %d", major)
		}
	default:
		return 0, 0, 0, d.errorf("reserved additional information %d", ai)
	}
	if major == majorSimple && ai == aiOneByte && arg < 32 {
		return 0, 0, 0, d.errorf("simple value %d in two-byte form is not well-formed", arg)
	}
	return major, ai, arg, nil
}

// atBreak consumes a break byte if one is next; at the end of data it fails.
func (d *decoder) atBreak() (bool, error) {
	if d.off >= len(d.data) {
		return false, d.errorf("unexpected end of data before a break")
	}
	if d.data[d.off] == byteBreak {
		d.off++
		return true, nil
	}
	return false, nil
}

// stringBody reads the content of a byte or text string whose head has been read. A definite
// string is returned as a slice of data: callers copy it.
func (d *decoder) stringBody(major, ai byte, arg uint64) ([]byte, error) {
	if ai != aiIndefinite {
		if arg > d.remaining() {
			return nil, d.errorf("string length %d exceeds the %d bytes left", arg, d.remaining())
		}
		b := d.data[d.off : d.off+int(arg)]
		if major == majorText && !utf8.Valid(b) {
			return nil, d.errorf("text string is not valid UTF-8")
		}
		d.off += int(arg)
		return b, nil
	}
	out := []byte{}
	for {
		done, err := d.atBreak()
		if err != nil {
			return nil, err
		}
		if done {
			return out, nil
		}
		m, cai, carg, err := d.head()
		if err != nil {
			return nil, err
		}
		if m != major || cai == aiIndefinite {
			return nil, d.errorf("a chunk of an indefinite-length string must be a definite string of the same type")
		}
		chunk, err := d.stringBody(m, cai, carg)
		if err != nil {
			return nil, err
		}
		out = append(out, chunk...)
	}
}

// itemName describes a data item by its major type, for error messages.
func itemName(major byte) string {
	switch major {
	case majorUint, majorNegInt:
		return "an integer"
	case majorBytes:
		return "a byte string"
	case majorText:
		return "a text string"
	case majorArray:
		return "an array"
	case majorMap:
		return "a map"
	case majorTag:
		return "a tag"
	}
	return "a simple value"
}

func (d *decoder) mismatch(major byte, t reflect.Type) error {
	return d.errorf("cannot decode %s into a value of type %s", itemName(major), t)
}

// value decodes the next item into v, which is settable.
func (d *decoder) value(v reflect.Value) error {
	if d.off < len(d.data) && (d.data[d.off] == byteNull || d.data[d.off] == byteUndef) {
		d.off++
		switch v.Kind() {
		case reflect.Pointer, reflect.Interface, reflect.Map, reflect.Slice:
			v.SetZero()
		}
		return nil
	}
	for v.Kind() == reflect.Pointer {
		if v.IsNil() {
			v.Set(reflect.New(v.Type().Elem()))
		}
		v = v.Elem()
	}
	if v.Kind() == reflect.Interface {
		if v.NumMethod() != 0 {
			return d.errorf("cannot decode into a value of interface type %s", v.Type())
		}
		x, err := d.generic()
		if err != nil {
			return err
		}
		if x == nil {
			v.SetZero()
		} else {
			v.Set(reflect.ValueOf(x))
		}
		return nil
	}

	switch d.types.decodingKind(v.Type()) {
	case timeValue:
		t, err := d.timeItem()
		if err != nil {
			return err
		}
		if v.Type() == timestampType {
			v.Set(reflect.ValueOf(Timestamp{t}))
		} else {
			v.Set(reflect.ValueOf(t))
		}
		return nil
	case addrJSONCoded:
		return d.viaJSON(v)
	case addrTextCoded:
		if d.off < len(d.data) && d.data[d.off]>>5 == majorText {
			return d.viaText(v)
		}
	}

	major, ai, arg, err := d.head()
	if err != nil {
		return err
	}
	switch major {
	case majorUint, majorNegInt:
		return d.setInt(v, major, arg)
	case majorBytes:
		b, err := d.stringBody(major, ai, arg)
		if err != nil {
			return err
		}
		if v.Kind() != reflect.Slice || v.Type().Elem().Kind() != reflect.Uint8 {
			return d.mismatch(major, v.Type())
		}
		v.SetBytes(d.keepBytes(b))
		return nil
	case majorText:
		b, err := d.stringBody(major, ai, arg)
		if err != nil {
			return err
		}
		if v.Kind() != reflect.String {
			return d.mismatch(major, v.Type())
		}
		v.SetString(string(b))
		return nil
	case majorArray:
		return d.array(v, ai, arg)
	case majorMap:
		return d.mapValue(v, ai, arg)
	case majorTag:
		if arg != tagEpoch {
			return d.errorf("unsupported tag %d", arg)
		}
		if err := d.enter(); err != nil {
			return err
		}
		defer d.leave()
		return d.value(v)
	}
	return d.simple(v, ai, arg)
}

func (d *decoder) setInt(v reflect.Value, major byte, arg uint64) error {
	switch v.Kind() {
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		if k := v.Kind(); d.service && (k == reflect.Int || k == reflect.Int32) {
			// An Integer member: the service holds a value past the type's range at its ends.
			f := float64(arg)
			if major == majorNegInt {
				f = -1 - f
			}
			v.SetInt(ClampInt32(f))
			return nil
		}
		if arg > math.MaxInt64 {
			return d.errorf("integer overflows %s", v.Type())
		}
		n := int64(arg)
		if major == majorNegInt {
			n = -1 - n
		}
		if v.OverflowInt(n) {
			return d.errorf("integer %d overflows %s", n, v.Type())
		}
		v.SetInt(n)
	case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64, reflect.Uintptr:
		if major == majorNegInt {
			return d.errorf("negative integer cannot decode into %s", v.Type())
		}
		if v.OverflowUint(arg) {
			return d.errorf("integer %d overflows %s", arg, v.Type())
		}
		v.SetUint(arg)
	case reflect.Float32, reflect.Float64:
		f := float64(arg)
		if major == majorNegInt {
			f = -1 - f
		}
		v.SetFloat(f)
	default:
		return d.mismatch(major, v.Type())
	}
	return nil
}

// simple handles major type 7: booleans, null, floats and the break code.
func (d *decoder) simple(v reflect.Value, ai byte, arg uint64) error {
	switch ai {
	case simpleFalse, simpleTrue:
		if v.Kind() != reflect.Bool {
			return d.errorf("cannot decode a boolean into a value of type %s", v.Type())
		}
		v.SetBool(ai == simpleTrue)
		return nil
	case simpleNull, simpleUndefined:
		switch v.Kind() {
		case reflect.Pointer, reflect.Interface, reflect.Map, reflect.Slice:
			v.SetZero()
		}
		return nil
	case aiTwoBytes, aiFourBytes, aiEightBytes:
		f := floatOf(ai, arg)
		switch v.Kind() {
		case reflect.Int, reflect.Int32:
			if d.service {
				v.SetInt(ClampInt32(f)) // an Integer member: the fraction cut, the value held in range
				return nil
			}
		case reflect.Float32, reflect.Float64:
			if v.OverflowFloat(f) {
				return d.errorf("float %g overflows %s", f, v.Type())
			}
			v.SetFloat(f)
			return nil
		}
		return d.errorf("cannot decode a float into a value of type %s", v.Type())
	case aiIndefinite:
		return d.errorf("unexpected break")
	}
	return d.errorf("unsupported simple value %d", arg)
}

// floatOf converts the argument of a half, single or double float.
func floatOf(ai byte, arg uint64) float64 {
	switch ai {
	case aiTwoBytes:
		return halfToFloat(uint16(arg))
	case aiFourBytes:
		return float64(math.Float32frombits(uint32(arg)))
	}
	return math.Float64frombits(arg)
}

// halfToFloat widens an IEEE 754 half-precision float (RFC 8949, appendix D).
func halfToFloat(h uint16) float64 {
	exp := int(h>>10) & 0x1f
	mant := float64(h & 0x3ff)
	var f float64
	switch exp {
	case 0:
		f = math.Ldexp(mant, -24)
	case 31:
		if mant == 0 {
			f = math.Inf(1)
		} else {
			f = math.NaN()
		}
	default:
		f = math.Ldexp(mant+1024, exp-25)
	}
	if h&0x8000 != 0 {
		return -f
	}
	return f
}

// timeItem reads a timestamp: tag 1 around epoch milliseconds (integer or float), or the bare
// number.
func (d *decoder) timeItem() (time.Time, error) {
	if d.off < len(d.data) && d.data[d.off]>>5 == majorTag {
		_, _, tag, err := d.head()
		if err != nil {
			return time.Time{}, err
		}
		if tag != tagEpoch {
			return time.Time{}, d.errorf("tag %d cannot hold a timestamp", tag)
		}
		if err := d.enter(); err != nil {
			return time.Time{}, err
		}
		defer d.leave()
	}
	return d.millis()
}

// millis reads a number of epoch milliseconds.
func (d *decoder) millis() (time.Time, error) {
	major, ai, arg, err := d.head()
	if err != nil {
		return time.Time{}, err
	}
	switch {
	case major == majorUint || major == majorNegInt:
		if arg > math.MaxInt64 {
			return time.Time{}, d.errorf("timestamp %d ms is out of range", arg)
		}
		ms := int64(arg)
		if major == majorNegInt {
			ms = -1 - ms
		}
		return time.UnixMilli(ms).UTC(), nil
	case major == majorSimple && ai >= aiTwoBytes && ai <= aiEightBytes:
		f := floatOf(ai, arg)
		if math.IsNaN(f) || math.IsInf(f, 0) || math.Abs(f) >= 1<<63 {
			return time.Time{}, d.errorf("timestamp %g ms is out of range", f)
		}
		sec := math.Floor(f / 1000)
		nsec := math.Round((f - sec*1000) * 1e6)
		return time.Unix(int64(sec), int64(nsec)).UTC(), nil
	}
	return time.Time{}, d.errorf("a timestamp must be a number of epoch milliseconds, not %s", itemName(major))
}

// array decodes an array into a slice or array.
func (d *decoder) array(v reflect.Value, ai byte, arg uint64) error {
	indefinite := ai == aiIndefinite
	if !indefinite && arg > d.remaining() {
		return d.errorf("array of %d items exceeds the %d bytes left", arg, d.remaining())
	}
	if v.Kind() != reflect.Slice && v.Kind() != reflect.Array {
		return d.mismatch(majorArray, v.Type())
	}
	if err := d.enter(); err != nil {
		return err
	}
	defer d.leave()

	if v.Kind() == reflect.Slice {
		capacity := 0
		if !indefinite {
			// Grow as items arrive rather than trusting the count for large element types.
			capacity = int(min(arg, uint64(max(1, (64<<10)/max(1, int(v.Type().Elem().Size()))))))
		}
		v.Set(reflect.MakeSlice(v.Type(), 0, capacity))
	}
	i := 0
	for ; indefinite || uint64(i) < arg; i++ {
		if indefinite {
			done, err := d.atBreak()
			if err != nil {
				return err
			}
			if done {
				break
			}
		}
		switch {
		case v.Kind() == reflect.Slice:
			if v.Len() == v.Cap() {
				v.Grow(1)
			}
			v.SetLen(i + 1)
			if err := d.value(v.Index(i)); err != nil {
				return err
			}
		case i < v.Len():
			if err := d.value(v.Index(i)); err != nil {
				return err
			}
		default:
			if err := d.skip(); err != nil {
				return err
			}
		}
	}
	if v.Kind() == reflect.Array {
		for ; i < v.Len(); i++ {
			v.Index(i).SetZero()
		}
	}
	return nil
}

// key reads a map key, which must be a text string.
func (d *decoder) key() ([]byte, error) {
	major, ai, arg, err := d.head()
	if err != nil {
		return nil, err
	}
	if major != majorText {
		return nil, d.errorf("map key must be a text string, not %s", itemName(major))
	}
	return d.stringBody(major, ai, arg)
}

// mapValue decodes a map into a struct or a map with string or integer keys.
func (d *decoder) mapValue(v reflect.Value, ai byte, arg uint64) error {
	indefinite := ai == aiIndefinite
	if !indefinite && arg > d.remaining()/2 {
		return d.errorf("map of %d pairs exceeds the %d bytes left", arg, d.remaining())
	}
	var info *structInfo
	switch v.Kind() {
	case reflect.Struct:
		info = d.types.structFields(v.Type())
	case reflect.Map:
		switch v.Type().Key().Kind() {
		case reflect.String,
			reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64,
			reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64, reflect.Uintptr:
		default:
			return d.errorf("cannot decode a map into a map with %s keys", v.Type().Key())
		}
		if v.IsNil() {
			v.Set(reflect.MakeMapWithSize(v.Type(), int(min(arg, 64))))
		}
	default:
		return d.mismatch(majorMap, v.Type())
	}
	if err := d.enter(); err != nil {
		return err
	}
	defer d.leave()

	for i := uint64(0); indefinite || i < arg; i++ {
		if indefinite {
			done, err := d.atBreak()
			if err != nil {
				return err
			}
			if done {
				break
			}
		}
		k, err := d.key()
		if err != nil {
			return err
		}
		if info != nil {
			if err := d.member(v, info, k); err != nil {
				return err
			}
			continue
		}
		kv, err := d.mapKey(v.Type().Key(), k)
		if err != nil {
			return err
		}
		ev := reflect.New(v.Type().Elem()).Elem()
		if err := d.value(ev); err != nil {
			return err
		}
		v.SetMapIndex(kv, ev)
	}
	return nil
}

// member decodes the value of struct member k, or skips it when the struct has no such member.
func (d *decoder) member(v reflect.Value, info *structInfo, k []byte) error {
	f, ok := info.lookupBytes(k)
	if !ok {
		return d.skip()
	}
	fv, ok := fieldForSet(v, f.index)
	if !ok {
		return d.skip()
	}
	return d.value(fv)
}

func (d *decoder) mapKey(t reflect.Type, k []byte) (reflect.Value, error) {
	switch t.Kind() {
	case reflect.String:
		return reflect.ValueOf(string(k)).Convert(t), nil
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		n, err := strconv.ParseInt(string(k), 10, 64)
		if err != nil || reflect.Zero(t).OverflowInt(n) {
			return reflect.Value{}, d.errorf("map key %q is not a %s", k, t)
		}
		return reflect.ValueOf(n).Convert(t), nil
	default:
		n, err := strconv.ParseUint(string(k), 10, 64)
		if err != nil || reflect.Zero(t).OverflowUint(n) {
			return reflect.Value{}, d.errorf("map key %q is not a %s", k, t)
		}
		return reflect.ValueOf(n).Convert(t), nil
	}
}

// skip reads past one well-formed data item.
func (d *decoder) skip() error {
	major, ai, arg, err := d.head()
	if err != nil {
		return err
	}
	switch major {
	case majorBytes, majorText:
		_, err := d.stringBody(major, ai, arg)
		return err
	case majorArray, majorMap:
		per := uint64(1)
		if major == majorMap {
			per = 2
		}
		if ai != aiIndefinite && arg > d.remaining()/per {
			return d.errorf("%s of %d entries exceeds the %d bytes left", itemName(major), arg, d.remaining())
		}
		if err := d.enter(); err != nil {
			return err
		}
		defer d.leave()
		for i := uint64(0); ai == aiIndefinite || i < arg; i++ {
			if ai == aiIndefinite {
				done, err := d.atBreak()
				if err != nil {
					return err
				}
				if done {
					break
				}
			}
			for range per {
				if err := d.skip(); err != nil {
					return err
				}
			}
		}
	case majorTag:
		if err := d.enter(); err != nil {
			return err
		}
		defer d.leave()
		return d.skip()
	case majorSimple:
		if ai == aiIndefinite {
			return d.errorf("unexpected break")
		}
	}
	return nil
}

// generic decodes the next item into the values an `any` holds: map[string]any, []any, string,
// []byte, int64 (uint64 above its range), float64, bool, Timestamp or nil.
func (d *decoder) generic() (any, error) {
	if d.off < len(d.data) && (d.data[d.off] == byteNull || d.data[d.off] == byteUndef) {
		d.off++
		return nil, nil
	}
	major, ai, arg, err := d.head()
	if err != nil {
		return nil, err
	}
	switch major {
	case majorUint:
		if arg > math.MaxInt64 {
			return arg, nil
		}
		return int64(arg), nil
	case majorNegInt:
		if arg > math.MaxInt64 {
			return nil, d.errorf("negative integer overflows int64")
		}
		return -1 - int64(arg), nil
	case majorBytes:
		b, err := d.stringBody(major, ai, arg)
		return bytes.Clone(b), err
	case majorText:
		b, err := d.stringBody(major, ai, arg)
		return string(b), err
	case majorArray:
		var s []any
		err := d.array(reflect.ValueOf(&s).Elem(), ai, arg)
		return s, err
	case majorMap:
		m := map[string]any{}
		err := d.mapValue(reflect.ValueOf(&m).Elem(), ai, arg)
		return m, err
	case majorTag:
		if arg != tagEpoch {
			return nil, d.errorf("unsupported tag %d", arg)
		}
		if err := d.enter(); err != nil {
			return nil, err
		}
		defer d.leave()
		t, err := d.millis()
		return Timestamp{t}, err
	}
	switch ai {
	case simpleFalse, simpleTrue:
		return ai == simpleTrue, nil
	case aiTwoBytes, aiFourBytes, aiEightBytes:
		return floatOf(ai, arg), nil
	case aiIndefinite:
		return nil, d.errorf("unexpected break")
	}
	return nil, d.errorf("unsupported simple value %d", arg)
}

// viaJSON decodes the item generically and hands its JSON form to the type's UnmarshalJSON.
func (d *decoder) viaJSON(v reflect.Value) error {
	x, err := d.generic()
	if err != nil {
		return err
	}
	b, err := json.Marshal(x)
	if err != nil {
		return d.errorf("value for %s has no JSON form: %v", v.Type(), err)
	}
	if err := v.Addr().Interface().(json.Unmarshaler).UnmarshalJSON(b); err != nil {
		return d.errorf("value for %s: %v", v.Type(), err)
	}
	return nil
}

func (d *decoder) viaText(v reflect.Value) error {
	major, ai, arg, err := d.head()
	if err != nil {
		return err
	}
	b, err := d.stringBody(major, ai, arg)
	if err != nil {
		return err
	}
	if err := v.Addr().Interface().(encoding.TextUnmarshaler).UnmarshalText(b); err != nil {
		return d.errorf("value for %s: %v", v.Type(), err)
	}
	return nil
}
