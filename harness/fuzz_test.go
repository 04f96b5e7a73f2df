package harness_test

import (
	"bytes"
	"os"
	"path/filepath"
	"reflect"
	"testing"

	"github.com/pelicanhq/pelican/harness"
)

// FuzzRead holds Read to two promises on any input: it never panics, and what it reads, written
// and read again, is the same fixture.
func FuzzRead(f *testing.F) {
	golden, err := os.ReadFile(filepath.Join("testdata", "format.jsonl"))
	if err != nil {
		f.Fatal(err)
	}
	f.Add(golden)
	f.Add([]byte(`{"pelican_fixture":1,"stream":"s"}`))
	f.Add([]byte("{\"pelican_fixture\":1}\n\n{\"shard_id\":\"a\",\"sequence_number\":\"01\",\"partition_key\":\"\\u00e9\",\"arrived_at\":\"2025-11-25T07:00:00-05:00\",\"data\":\"\",\"event\":{\"b\":[1,2.50,{\"z\":null,\"a\":\"x\"}],\"a\":1e400}}\n"))
	f.Add([]byte("{\"pelican_fixture\":1}\n{\"shard_id\":\"a\",\"sequence_number\":\"1\",\"sub_sequence_number\":0,\"partition_key\":\"k\",\"arrived_at\":\"2025-11-25T07:00:00Z\",\"data\":\"AA==\",\"event\":null}\r\n"))
	f.Add([]byte(`{"pelican_fixture":3}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		fx, err := harness.Read(bytes.NewReader(data))
		if err != nil {
			return
		}
		var buf bytes.Buffer
		if err := harness.WriteFixture(&buf, fx); err != nil {
			t.Fatalf("write what was read: %v", err)
		}
		back, err := harness.Read(bytes.NewReader(buf.Bytes()))
		if err != nil {
			t.Fatalf("read what was written: %v\n%s", err, buf.Bytes())
		}
		if len(back.Entries) != len(fx.Entries) {
			t.Fatalf("%d entries, then %d", len(fx.Entries), len(back.Entries))
		}
		for i := range fx.Entries {
			a, b := *fx.Entries[i], *back.Entries[i]
			a.Line, b.Line = 0, 0
			if !a.ArrivedAt.Equal(b.ArrivedAt) || !a.OccurredAt.Equal(b.OccurredAt) {
				t.Fatalf("entry %d: times changed: %v %v, then %v %v", i, a.ArrivedAt, a.OccurredAt, b.ArrivedAt, b.OccurredAt)
			}
			a.ArrivedAt, a.OccurredAt = b.ArrivedAt, b.OccurredAt
			if !reflect.DeepEqual(a, b) {
				t.Fatalf("entry %d changed:\n%+v\n%+v", i, a, b)
			}
		}
	})
}
