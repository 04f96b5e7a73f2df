package wire

import (
	"errors"
	"math"
	"sort"
	"strconv"
)

// A request body read without its model: the document the service checks against the operation's
// input shape before it reads the body into the operation's types. Its values are nil (null),
// bool, Number, string, []byte (a CBOR byte string), []any, *Object and Timestamp (a CBOR tag 1).

// Number is a number of a request body: its text as sent (JSON) or written out (CBOR), and its value.
type Number struct {
	Text  string
	Value float64
}

// Object is a JSON object or CBOR map of a request body, its members in the body's order.
type Object struct {
	Keys   []string
	Values []any
}

// Get returns the value of the member named key and whether the object has it (a null member is
// absent).
func (o *Object) Get(key string) (any, bool) {
	for i := len(o.Keys) - 1; i >= 0; i-- { // the last of duplicate keys wins, as when decoding
		if o.Keys[i] == key {
			return o.Values[i], o.Values[i] != nil
		}
	}
	return nil, false
}

// errUnreadable is a body that is not one JSON object or CBOR map: the service answers
// SerializationException without a message.
var errUnreadable = &SyntaxError{}

// ReadDocument reads a request body as a document; it must be one object (map). A body that is
// not gets a *SyntaxError with no message, as the service gives no reason.
func (c Codec) ReadDocument(body []byte) (*Object, error) {
	var v any
	var err error
	if c == CBOR {
		d := decoder{data: body, types: typeCache{}}
		v, err = d.generic()
		if err == nil && d.off != len(d.data) {
			err = errUnreadable
		}
		if err == nil {
			v = fromGeneric(v)
		}
	} else {
		d := &jsonDecoder{data: body}
		d.skipSpace()
		v, err = d.document()
		d.skipSpace()
		if err == nil && d.pos != len(d.data) {
			err = errUnreadable
		}
	}
	obj, ok := v.(*Object)
	if err != nil || !ok {
		return nil, errUnreadable
	}
	return obj, nil
}

// fromGeneric turns the CBOR decoder's generic values into a document's.
func fromGeneric(v any) any {
	switch x := v.(type) {
	case map[string]any:
		keys := make([]string, 0, len(x))
		for k := range x {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		o := &Object{Keys: keys, Values: make([]any, len(keys))}
		for i, k := range keys {
			o.Values[i] = fromGeneric(x[k])
		}
		return o
	case []any:
		for i := range x {
			x[i] = fromGeneric(x[i])
		}
		return x
	case int64:
		return Number{Text: strconv.FormatInt(x, 10), Value: float64(x)}
	case uint64:
		return Number{Text: strconv.FormatUint(x, 10), Value: float64(x)}
	case float64:
		return Number{Text: strconv.FormatFloat(x, 'g', -1, 64), Value: x}
	}
	return v
}

// afterItem reads what follows an item of an object or array that last ends: true at the end,
// false after a comma.
func (d *jsonDecoder) afterItem(last byte) (end bool, err error) {
	c, err := d.peek()
	if err != nil {
		return false, err
	}
	d.pos++
	switch c {
	case last:
		return true, nil
	case ',':
		return false, nil
	}
	return false, errUnreadable
}

// document reads the next JSON value as a document value.
func (d *jsonDecoder) document() (any, error) {
	c, err := d.peek()
	if err != nil {
		return nil, err
	}
	switch {
	case c == '{':
		if err := d.enter(); err != nil {
			return nil, err
		}
		o := &Object{}
		d.pos++
		for first := true; ; first = false {
			c, err := d.peek()
			if err != nil {
				return nil, err
			}
			if c == '}' && first {
				d.pos++
				break
			}
			if c != '"' {
				return nil, errUnreadable
			}
			key, err := d.str()
			if err != nil {
				return nil, err
			}
			if err := d.expect(':'); err != nil {
				return nil, err
			}
			v, err := d.document()
			if err != nil {
				return nil, err
			}
			o.Keys = append(o.Keys, key)
			o.Values = append(o.Values, v)
			if end, err := d.afterItem('}'); err != nil {
				return nil, err
			} else if end {
				break
			}
		}
		d.depth--
		return o, nil
	case c == '[':
		if err := d.enter(); err != nil {
			return nil, err
		}
		list := []any{}
		d.pos++
		for first := true; ; first = false {
			c, err := d.peek()
			if err != nil {
				return nil, err
			}
			if c == ']' && first {
				d.pos++
				break
			}
			v, err := d.document()
			if err != nil {
				return nil, err
			}
			list = append(list, v)
			if end, err := d.afterItem(']'); err != nil {
				return nil, err
			} else if end {
				break
			}
		}
		d.depth--
		return list, nil
	case c == '"':
		return d.str()
	case c == 't':
		return true, d.literal("true")
	case c == 'f':
		return false, d.literal("false")
	case c == 'n':
		return nil, d.literal("null")
	case c == '-' || (c >= '0' && c <= '9'):
		text, err := d.number(c, nil)
		if err != nil {
			return nil, err
		}
		f, perr := strconv.ParseFloat(text, 64)
		if perr != nil && !errors.Is(perr, strconv.ErrRange) {
			return nil, errUnreadable
		}
		return Number{Text: text, Value: f}, nil
	}
	return nil, errUnreadable
}

// ClampInt32 is how the service reads a number into an Integer member: the fraction cut off
// (towards negative infinity) and values past the type's range held at its ends.
func ClampInt32(f float64) int64 {
	switch {
	case math.IsNaN(f):
		return 0
	case f >= math.MaxInt32:
		return math.MaxInt32
	case f <= math.MinInt32:
		return math.MinInt32
	}
	return int64(math.Floor(f))
}

// BlobLen is the length of the bytes a document value holds for a Blob member: a CBOR byte string,
// or JSON base64 text (already checked by CheckTypes).
func BlobLen(v any) int {
	switch b := v.(type) {
	case []byte:
		return len(b)
	case string:
		n := len(b) / 4 * 3
		if len(b) >= 2 && b[len(b)-2:] == "==" {
			n -= 2
		} else if len(b) >= 1 && b[len(b)-1] == '=' {
			n--
		}
		return n
	}
	return 0
}
