package wire

import (
	"reflect"
	"testing"

	"github.com/fxamacker/cbor/v2"
)

// compareCBORScan decodes body with the PutRecords CBOR scan and with the general decoder: a body
// the scan takes must decode the same both ways. It reports whether the scan took it.
func compareCBORScan(t *testing.T, body []byte) bool {
	t.Helper()
	var general PutRecordsInput
	errGeneral := CBOR.DecodeWith(body, &general, &Arena{})
	var scanned PutRecordsInput
	took := CBOR.Scan(body, &scanned, &Arena{})
	if took && (errGeneral != nil || !reflect.DeepEqual(scanned, general)) {
		t.Fatalf("%x: the scan took it as\n%+v\nthe general decoder (%v)\n%+v", body, scanned, errGeneral, general)
	}
	if !took && !reflect.DeepEqual(scanned, PutRecordsInput{}) {
		t.Fatalf("%x: a declined scan left %+v", body, scanned)
	}
	return took
}

func mustCBOR(t testing.TB, v any) []byte {
	t.Helper()
	b, err := cbor.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func TestPutRecordsCBORScan(t *testing.T) {
	rec := func(kv ...any) map[string]any {
		m := map[string]any{}
		for i := 0; i < len(kv); i += 2 {
			m[kv[i].(string)] = kv[i+1]
		}
		return m
	}
	plain := []any{
		map[string]any{"StreamName": "s", "Records": []any{rec("PartitionKey", "k", "Data", []byte("hello")), rec("PartitionKey", "k2", "Data", []byte{}, "ExplicitHashKey", "12")}},
		map[string]any{"StreamARN": "arn:aws:kinesis:us-east-1:123456789012:stream/s", "DryRun": true, "Records": []any{rec("PartitionKey", "é", "Data", []byte{0})}},
	}
	declined := []any{
		map[string]any{}, map[string]any{"Records": []any{}}, map[string]any{"Records": []any{map[string]any{}}},
		map[string]any{"StreamName": "", "Records": []any{rec("PartitionKey", "k", "Data", []byte{})}},
		map[string]any{"Records": []any{rec("PartitionKey", "", "Data", []byte{})}},
		map[string]any{"Records": []any{rec("PartitionKey", "k")}},
		map[string]any{"Records": []any{rec("PartitionKey", "k", "Data", "AAAA")}},
		map[string]any{"Records": []any{rec("PartitionKey", 1, "Data", []byte{})}},
		map[string]any{"StreamName": nil, "Records": []any{rec("PartitionKey", "k", "Data", []byte{})}},
		map[string]any{"Unknown": 1, "Records": []any{rec("PartitionKey", "k", "Data", []byte{})}},
		map[string]any{"Records": map[string]any{"PartitionKey": "k"}},
		[]any{}, nil, 1,
	}
	for _, v := range plain {
		if !compareCBORScan(t, mustCBOR(t, v)) {
			t.Errorf("the scan declined the plain body %+v", v)
		}
	}
	for _, v := range declined {
		if compareCBORScan(t, mustCBOR(t, v)) {
			t.Errorf("the scan took %+v, which the general reading must check", v)
		}
	}
	// Indefinite-length maps and arrays, as Jackson writes them: {"Records":[{"PartitionKey":"k","Data":h''}]}.
	indefinite := []byte{0xbf, 0x67, 'R', 'e', 'c', 'o', 'r', 'd', 's', 0x9f,
		0xbf, 0x6c, 'P', 'a', 'r', 't', 'i', 't', 'i', 'o', 'n', 'K', 'e', 'y', 0x61, 'k', 0x64, 'D', 'a', 't', 'a', 0x40, 0xff,
		0xff, 0xff}
	if !compareCBORScan(t, indefinite) {
		t.Error("the scan declined indefinite-length containers")
	}
	if compareCBORScan(t, append(indefinite, 0x00)) {
		t.Error("the scan took a body with bytes after the value")
	}
}

func FuzzPutRecordsCBORScan(f *testing.F) {
	f.Add(mustCBOR(f, map[string]any{"StreamName": "s", "Records": []any{map[string]any{"PartitionKey": "k", "Data": []byte("x")}}}))
	f.Add([]byte{0xbf, 0x67, 'R', 'e', 'c', 'o', 'r', 'd', 's', 0x9f, 0xff, 0xff})
	f.Fuzz(func(t *testing.T, body []byte) {
		compareCBORScan(t, body)
	})
}
