package aggregation

import (
	"bytes"
	"flag"
	"os"
	"path/filepath"
	"testing"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata")

// TestGolden pins the exact bytes Aggregator writes. The interop test checks the same files
// against the official aws-kinesis-agg aggregator, so a change here that is not a change there
// is a bug.
func TestGolden(t *testing.T) {
	for _, c := range goldenCases() {
		t.Run(c.name, func(t *testing.T) {
			got := Aggregate(c.recs...)
			path := filepath.Join("testdata", c.name+".agg")
			if *update {
				if err := os.WriteFile(path, got, 0o644); err != nil {
					t.Fatal(err)
				}
			}
			want, err := os.ReadFile(path)
			if err != nil {
				t.Fatalf("%v (run go test -update to create the golden file)", err)
			}
			if !bytes.Equal(want, got) {
				t.Fatalf("aggregate differs from %s:\n got %x\nwant %x", path, got, want)
			}
			recs, aggregated, err := Deaggregate(want)
			if err != nil || !aggregated {
				t.Fatalf("Deaggregate(golden) = aggregated %v, err %v", aggregated, err)
			}
			requireSameRecords(t, c.recs, recs)
		})
	}
}

// requireSameRecords compares user records field by field, treating nil and empty data alike.
func requireSameRecords(t testing.TB, want, got []Record) {
	t.Helper()
	if len(got) != len(want) {
		t.Fatalf("got %d records, want %d", len(got), len(want))
	}
	for i := range want {
		w, g := want[i], got[i]
		if w.PartitionKey != g.PartitionKey || w.ExplicitHashKey != g.ExplicitHashKey || !bytes.Equal(w.Data, g.Data) {
			t.Fatalf("record %d = {%q %q %x}, want {%q %q %x}", i, g.PartitionKey, g.ExplicitHashKey, g.Data, w.PartitionKey, w.ExplicitHashKey, w.Data)
		}
	}
}
