package aggregation

import (
	"bytes"
	"errors"
	"os"
	"path/filepath"
	"testing"
)

// FuzzDeaggregate feeds Deaggregate arbitrary data, framed as given and with a correct magic
// prefix and MD5 trailer added, so the protobuf decoder sees the mutations. Whatever decodes must
// survive a round trip through Aggregator; whatever does not must fail with ErrMalformed.
func FuzzDeaggregate(f *testing.F) {
	files, _ := filepath.Glob(filepath.Join("testdata", "*.agg"))
	for _, p := range files {
		b, err := os.ReadFile(p)
		if err != nil {
			f.Fatal(err)
		}
		if len(b) < 4096 {
			f.Add(b)
			f.Add(b[len(Magic) : len(b)-DigestSize])
		}
	}
	f.Add([]byte{})
	f.Add([]byte("plain record"))
	f.Add(msg(1, "k", 3, msg(1, uint64(0), 3, []byte("d"), 4, msg(1, "t"))))
	f.Add(msg(3, msg(1, uint64(9), 3, []byte("d"))))
	f.Fuzz(func(t *testing.T, data []byte) {
		for _, in := range [][]byte{data, wrap(data)} {
			recs, aggregated, err := Deaggregate(in)
			switch {
			case !aggregated:
				if recs != nil || err != nil {
					t.Fatalf("plain record returned %v, %v", recs, err)
				}
			case err != nil:
				if !errors.Is(err, ErrMalformed) || recs != nil {
					t.Fatalf("error %v does not wrap ErrMalformed (recs %v)", err, recs)
				}
			default:
				again, ok, err := Deaggregate(Aggregate(recs...))
				if err != nil || !ok || len(again) != len(recs) {
					t.Fatalf("round trip: %d records, aggregated %v, err %v; want %d", len(again), ok, err, len(recs))
				}
				for i := range recs {
					if again[i].PartitionKey != recs[i].PartitionKey || again[i].ExplicitHashKey != recs[i].ExplicitHashKey || !bytes.Equal(again[i].Data, recs[i].Data) {
						t.Fatalf("round trip changed record %d", i)
					}
				}
			}
		}
	})
}
