package wire

import (
	"errors"
	"testing"
)

// testShape is a structure with a member of every type.
func testShape() *Shape {
	str := &Shape{Type: ShapeString}
	return &Shape{Type: ShapeStructure, Members: []Member{
		{Name: "S", Shape: str},
		{Name: "I", Shape: &Shape{Type: ShapeInteger}},
		{Name: "L", Shape: &Shape{Type: ShapeLong}},
		{Name: "B", Shape: &Shape{Type: ShapeBoolean}},
		{Name: "Blob", Shape: &Shape{Type: ShapeBlob}},
		{Name: "T", Shape: &Shape{Type: ShapeTimestamp}},
		{Name: "List", Shape: &Shape{Type: ShapeList, Elem: str}},
		{Name: "Map", Shape: &Shape{Type: ShapeMap, Key: str, Elem: str}},
		{Name: "Struct", Shape: &Shape{Type: ShapeStructure, Members: []Member{{Name: "S", Shape: str}}}},
	}}
}

func TestCheckTypes(t *testing.T) {
	for _, tc := range []struct{ body, want string }{
		{`{"S":"x","I":1,"L":2,"B":true,"Blob":"AAAA","T":1.5,"List":["a"],"Map":{"k":"v"},"Struct":{"S":"y"},"Other":[1]}`, ""},
		{`{"S":null,"I":null,"List":null}`, ""},
		{`{"S":true}`, "class java.lang.Boolean can not be converted to an String"},
		{`{"S":1.5}`, "class com.amazon.coral.value.json.numbers.TruncatingBigNumber can not be converted to an String"},
		{`{"S":[]}`, "Start of list found where not expected"},
		{`{"S":{}}`, "Start of structure or map found where not expected."},
		{`{"I":"1"}`, "class java.lang.String can not be converted to an Integer"},
		{`{"L":false}`, "class java.lang.Boolean can not be converted to an Long"},
		{`{"B":"yes"}`, ""},
		{`{"B":"maybe"}`, "'maybe' can not be converted to an Boolean"},
		{`{"B":0}`, "class com.amazon.coral.value.json.numbers.TruncatingBigNumber can not be converted to an Boolean"},
		{`{"Blob":"23456"}`, "'23456' can not be converted to a Blob: Base64 encoded length is expected a multiple of 4 bytes but found: 5"},
		{`{"Blob":"=+/="}`, "'=+/=' can not be converted to a Blob: Invalid Base64 character: '='"},
		{`{"Blob":"+/+="}`, "'+/+=' can not be converted to a Blob: Invalid last non-pad Base64 character dectected"},
		{`{"Blob":"AA=="}`, ""},
		{`{"Blob":"AB=="}`, "'AB==' can not be converted to a Blob: Invalid last non-pad Base64 character dectected"},
		{`{"Blob":1}`, "class com.amazon.coral.value.json.numbers.TruncatingBigNumber can not be converted to a Blob"},
		{`{"T":"1"}`, "class java.lang.String can not be converted to milliseconds since epoch"},
		{`{"List":"a"}`, "Expected list or null"},
		{`{"List":[1]}`, "class com.amazon.coral.value.json.numbers.TruncatingBigNumber can not be converted to an String"},
		{`{"Map":1}`, "Expected map or null"},
		{`{"Map":{"k":true}}`, "class java.lang.Boolean can not be converted to an String"},
		{`{"Struct":"x"}`, "Expected null"},
		{`{"Struct":{"S":[]}}`, "Start of list found where not expected"},
	} {
		doc, err := JSON.ReadDocument([]byte(tc.body))
		if err != nil {
			t.Fatalf("%s: %v", tc.body, err)
		}
		err = JSON.CheckTypes(doc, testShape())
		var got string
		var se *SyntaxError
		if errors.As(err, &se) {
			got = se.Msg
		} else if err != nil {
			t.Fatalf("%s: %T %v", tc.body, err, err)
		}
		if got != tc.want {
			t.Errorf("%s:\n got %q\nwant %q", tc.body, got, tc.want)
		}
	}
}

func TestReadDocumentRefusesWhatIsNoObject(t *testing.T) {
	for _, body := range []string{``, ` `, `null`, `1`, `"x"`, `[]`, `{`, `{"a":}`, `{} {}`, `{"a":1,}`, `{"a":1 "b":2}`, `{"a":1;"b":2}`, `{"a":[1 2]}`, `{"a":[1,]}`, `{"a":[1}`} {
		if _, err := JSON.ReadDocument([]byte(body)); err == nil {
			t.Errorf("%q: read as a document", body)
		} else if se, ok := err.(*SyntaxError); !ok || se.Msg != "" {
			t.Errorf("%q: %v, want a SyntaxError without a message", body, err)
		}
	}
	for _, body := range [][]byte{{}, {0xf6}, {0x01}, {0x80}, {0xa1, 0x61}, {0xa0, 0x00}} {
		if _, err := CBOR.ReadDocument(body); err == nil {
			t.Errorf("CBOR %x: read as a document", body)
		}
	}
	doc, err := CBOR.ReadDocument([]byte{0xa1, 0x61, 'a', 0x42, 1, 2})
	if err != nil || BlobLen(doc.Values[0]) != 2 {
		t.Fatalf("CBOR {a: h'0102'}: %v %v", doc, err)
	}
}

func TestClampInt32(t *testing.T) {
	for _, tc := range []struct {
		in   float64
		want int64
	}{{0.5, 0}, {-0.5, -1}, {2147483648, 2147483647}, {1e300, 2147483647}, {-1e300, -2147483648}, {42, 42}} {
		if got := ClampInt32(tc.in); got != tc.want {
			t.Errorf("ClampInt32(%v) = %d, want %d", tc.in, got, tc.want)
		}
	}
}
