package wire

import (
	"bytes"
	"encoding/json"
	"errors"
	"reflect"
	"strings"
	"testing"
)

// diffRequest has the shapes of Kinesis requests: strings, blobs, pointers to numbers and bools,
// nested structs and slices of them, string maps and timestamps.
type diffRequest struct {
	StreamName string            `json:"StreamName,omitempty"`
	Records    []diffEntry       `json:"Records"`
	Limit      *int32            `json:"Limit,omitempty"`
	Count      *int              `json:"Count"`
	Flag       *bool             `json:"Flag,omitempty"`
	Tags       map[string]string `json:"Tags,omitempty"`
	Timestamp  *Timestamp        `json:"Timestamp,omitempty"`
	Ratio      float64           `json:"Ratio"`
	Filter     *diffFilter       `json:"Filter,omitempty"`
	Names      []string          `json:"Names"`
	Small      uint8             `json:"Small"`
	Keys       []int64           `json:"Keys"`
}

type diffEntry struct {
	PartitionKey    string `json:"PartitionKey"`
	Data            []byte `json:"Data"`
	ExplicitHashKey string `json:"ExplicitHashKey,omitempty"`
}

type diffFilter struct {
	Type      string    `json:"Type"`
	ShardId   string    `json:"ShardId,omitempty"`
	Timestamp Timestamp `json:"Timestamp"`
}

// compareWithStdlib decodes body both ways and reports any difference.
func compareWithStdlib(t *testing.T, body []byte) {
	t.Helper()
	var fast, std diffRequest
	errFast := decodeJSON(body, &fast, nil)
	if errors.Is(errFast, errJSONDecline) {
		return
	}
	errStd := json.Unmarshal(body, &std)
	if (errFast == nil) != (errStd == nil) {
		t.Fatalf("%q: fast decoder error %v, encoding/json error %v", body, errFast, errStd)
	}
	if errFast != nil {
		var se *SyntaxError
		if !errors.As(errFast, &se) {
			t.Fatalf("%q: error %T is not a *SyntaxError", body, errFast)
		}
		return
	}
	if !reflect.DeepEqual(fast, std) {
		t.Fatalf("%q decodes differently:\nfast %+v\n std %+v", body, fast, std)
	}
	// Into a lent arena that an earlier request filled: the same values.
	arena := &Arena{buf: bytes.Repeat([]byte{0xAA}, 64)}
	var lent diffRequest
	if err := decodeJSON(body, &lent, arena); err != nil || !reflect.DeepEqual(lent, std) {
		t.Fatalf("%q decodes differently into a lent arena (%v):\nlent %+v\n std %+v", body, err, lent, std)
	}
	// Again into the same arena, whose type cache the first decode and one of another type
	// filled: the same values.
	var other struct {
		StreamName string `json:"StreamName"`
	}
	_ = decodeJSON([]byte(`{"StreamName":"x"}`), &other, arena)
	var again diffRequest
	if err := decodeJSON(body, &again, arena); err != nil || !reflect.DeepEqual(again, std) {
		t.Fatalf("%q decodes differently with the arena's type cache warm (%v):\nagain %+v\n  std %+v", body, err, again, std)
	}
}

var jsonSeeds = []string{
	`{"StreamName":"s","Records":[{"PartitionKey":"k","Data":"aGVsbG8="},{"PartitionKey":"k2","Data":"","ExplicitHashKey":"1"}]}`,
	`{"StreamName":"a\u00e9\ud83d\ude00\n\"q\"","Limit":10,"Count":-5,"Flag":true,"Ratio":1.5e3}`,
	`{"Tags":{"a":"b","c":""},"Timestamp":1506440188.749,"Filter":{"Type":"AT_TIMESTAMP","Timestamp":"2017-09-26T15:36:28Z"}}`,
	`{"Names":["x",null,"y"],"Small":255,"Keys":[1,-2,3]}`,
	`{"Records":null,"Names":null,"Tags":null,"Limit":null}`,
	`{"streamname":"case","RECORDS":[]}`,
	`{"Small":256}`, `{"Limit":2147483648}`, `{"Count":1.0}`, `{"Ratio":1e400}`,
	`{"Records":[{"Data":"not base64"}]}`, `{"Records":[{"Data":"aGk"}]}`, `{"StreamName":1}`,
	`{"StreamName":"\ud800"}`, "{\"StreamName\":\"\xff\xfe\"}", `{"StreamName":"x"} trailing`,
	`{"Unknown":{"deep":[1,2,{"x":null}],"n":-0.5e-3},"StreamName":"after"}`,
	`{"Filter":{"Type":"a"},"Filter":{"ShardId":"b"}}`, `{"Records":[{}],"Records":[{"PartitionKey":"z"}]}`,
	`{,}`, `{"a" 1}`, `[1,2]`, `"string"`, `null`, `{"Count":01}`, `{"Count":-}`, `{"Flag":tru}`,
	`{"Timestamp":"not a time"}`, `{"Names":["\u0000"]}`, "{\"StreamName\":\"tab\there\"}",
	// Blobs at the edges of the plain-base64 path: escaped line breaks the base64 decoder skips,
	// a raw one JSON forbids, an escaped slash and quote, padding of every length.
	`{"Records":[{"Data":"aGVs\nbG8="}]}`, `{"Records":[{"Data":"aGVsbG8=\r\n"}]}`, "{\"Records\":[{\"Data\":\"aGVs\nbG8=\"}]}",
	`{"Records":[{"Data":"a\/8="}]}`, `{"Records":[{"Data":"aGk\"="}]}`, `{"Records":[{"Data":"aA=="},{"Data":"aGk="},{"Data":"aGVs"}]}`,
	`{"Records":[{"Data":"===="}]}`, `{"Records":[{"Data":"aGVs\nbG8=aGVs"}]}`, `{"Records":[{"Data":"\u0061GVs"}]}`,
	"{\"Records\":[{\"Data\":\"aGVs\n\n\r\nbG8=\"}]}",
}

func TestJSONDecoderMatchesStdlib(t *testing.T) {
	for _, s := range jsonSeeds {
		compareWithStdlib(t, []byte(s))
	}
}

func FuzzJSONDecoderMatchesStdlib(f *testing.F) {
	for _, s := range jsonSeeds {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, body []byte) {
		compareWithStdlib(t, body)
	})
}

func TestJSONDecoderDeclinesWhatItDoesNotHandle(t *testing.T) {
	var v struct {
		Any  any               `json:"Any"`
		Ints map[int]string    `json:"Ints"`
		Arr  []byte            `json:"Arr"`
		Keep map[string]string `json:"Keep"`
	}
	for _, body := range []string{`{"Any":1}`, `{"Ints":{"1":"a"}}`, `{"Arr":[1,2]}`} {
		if err := decodeJSON([]byte(body), &v, nil); !errors.Is(err, errJSONDecline) {
			t.Errorf("%s: got %v, want a decline", body, err)
		}
		if err := JSON.Decode([]byte(body), &v); err != nil {
			t.Errorf("%s: Decode did not fall back: %v", body, err)
		}
	}
}

func BenchmarkDecodePutRecordsJSON(b *testing.B) {
	var sb strings.Builder
	sb.WriteString(`{"StreamName":"bench","Records":[`)
	data := strings.Repeat("eHh4", 1024/3)
	for i := 0; i < 500; i++ {
		if i > 0 {
			sb.WriteByte(',')
		}
		sb.WriteString(`{"Data":"` + data + `","PartitionKey":"key-` + strings.Repeat("x", i%7) + `"}`)
	}
	sb.WriteString(`]}`)
	benchDecodeJSON[diffRequest](b, []byte(sb.String()))
}

// BenchmarkDecodeControlPlaneJSON decodes the small bodies of control-plane calls, where the
// reflective decoder has to earn its place against encoding/json.
func BenchmarkDecodeControlPlaneJSON(b *testing.B) {
	b.Run("op=GetShardIterator", func(b *testing.B) {
		benchDecodeJSON[testGetShardIteratorInput](b, []byte(`{"StreamName":"orders","ShardId":"shardId-000000000001",`+
			`"ShardIteratorType":"AT_TIMESTAMP","Timestamp":1.700000000123E9}`))
	})
	b.Run("op=AddTagsToStream", func(b *testing.B) {
		benchDecodeJSON[diffRequest](b, []byte(`{"StreamName":"orders","Tags":{"team":"payments","env":"test","cost-center":"42"}}`))
	})
}

// benchDecodeJSON compares the wire decoder, decoding into an arena lent again for each request as
// the server does, with encoding/json on body (testdata/json_decode.benchstat).
func benchDecodeJSON[T any](b *testing.B, body []byte) {
	b.Run("impl=wire", func(b *testing.B) {
		b.SetBytes(int64(len(body)))
		b.ReportAllocs()
		arena := &Arena{} // lent again for every request, as the server's pool does
		for b.Loop() {
			var v T
			if err := JSON.DecodeWith(body, &v, arena); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("impl=encoding-json", func(b *testing.B) {
		b.SetBytes(int64(len(body)))
		b.ReportAllocs()
		for b.Loop() {
			var v T
			if err := json.Unmarshal(body, &v); err != nil {
				b.Fatal(err)
			}
		}
	})
}
