//go:build interop

package aggregation

import (
	"bytes"
	"cmp"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"testing"

	"github.com/pelicanhq/pelican/internal/interop"
)

type jsRecord struct {
	PartitionKey    string `json:"partitionKey"`
	ExplicitHashKey string `json:"explicitHashKey,omitempty"`
	Data            string `json:"data"`
}

type jsUserRecord struct {
	PartitionKey      string  `json:"partitionKey"`
	ExplicitHashKey   *string `json:"explicitHashKey"`
	SubSequenceNumber *int    `json:"subSequenceNumber"`
	Data              string  `json:"data"`
}

type jsAggregate struct {
	PartitionKey    string `json:"partitionKey"`
	ExplicitHashKey string `json:"explicitHashKey"`
	Data            string `json:"data"`
}

type jsRequest struct {
	Aggregate   [][]jsRecord `json:"aggregate"`
	Deaggregate []string     `json:"deaggregate"`
}

type jsResponse struct {
	Aggregated   []jsAggregate    `json:"aggregated"`
	Deaggregated [][]jsUserRecord `json:"deaggregated"`
}

// runAggJS sends req to testdata/agg.js, which drives the npm package aws-kinesis-agg.
func runAggJS(t *testing.T, req jsRequest) jsResponse {
	t.Helper()
	node := interop.Node(t)
	modules := interop.NodeModules(t, "aws-kinesis-agg")
	in, err := json.Marshal(req)
	if err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(node, filepath.Join("testdata", "agg.js"))
	cmd.Env = append(os.Environ(), "NODE_PATH="+modules)
	cmd.Stdin = bytes.NewReader(in)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("node agg.js: %v\n%s", err, stderr.String())
	}
	var resp jsResponse
	if err := json.Unmarshal(out, &resp); err != nil {
		t.Fatalf("node agg.js output: %v\n%s", err, out)
	}
	return resp
}

func toJS(recs []Record) []jsRecord {
	out := make([]jsRecord, len(recs))
	for i, r := range recs {
		out[i] = jsRecord{r.PartitionKey, r.ExplicitHashKey, base64.StdEncoding.EncodeToString(r.Data)}
	}
	return out
}

// randomCases are lists of user records with keys that repeat, explicit hash keys on some, and
// data of every size from empty to a few KiB.
func randomCases(n int) [][]Record {
	rng := rand.New(rand.NewPCG(1, 2))
	cases := make([][]Record, n)
	for c := range cases {
		recs := make([]Record, 1+rng.IntN(200))
		keys := 1 + rng.IntN(50)
		for i := range recs {
			data := make([]byte, rng.IntN(4096))
			for j := range data {
				data[j] = byte(rng.Uint32())
			}
			recs[i] = Record{PartitionKey: fmt.Sprintf("pk-%d-é", rng.IntN(keys)), Data: data}
			if c%2 == 1 && rng.IntN(3) > 0 {
				recs[i].ExplicitHashKey = fmt.Sprint(rng.Uint64())
			}
		}
		cases[c] = recs
	}
	return cases
}

// TestInteropAggregateMatchesAwsKinesisAgg checks that aws-kinesis-agg's RecordAggregator writes
// byte for byte what Aggregator writes (the golden files and random lists), and that Deaggregate
// reads every field of what it wrote back.
func TestInteropAggregateMatchesAwsKinesisAgg(t *testing.T) {
	var lists [][]Record
	var names []string
	for _, c := range goldenCases() {
		lists = append(lists, c.recs)
		names = append(names, "golden "+c.name)
	}
	for i, recs := range randomCases(20) {
		lists = append(lists, recs)
		names = append(names, fmt.Sprintf("random %d", i))
	}
	req := jsRequest{}
	for _, recs := range lists {
		req.Aggregate = append(req.Aggregate, toJS(recs))
	}
	resp := runAggJS(t, req)
	if len(resp.Aggregated) != len(lists) {
		t.Fatalf("node aggregated %d lists, want %d", len(resp.Aggregated), len(lists))
	}
	for i, recs := range lists {
		js, err := base64.StdEncoding.DecodeString(resp.Aggregated[i].Data)
		if err != nil {
			t.Fatal(err)
		}
		got, aggregated, err := Deaggregate(js)
		if err != nil || !aggregated {
			t.Fatalf("%s: Deaggregate = aggregated %v, err %v", names[i], aggregated, err)
		}
		ours := Aggregate(recs...)
		if jsReordersTables(recs) {
			// Pinned disagreement, see jsReordersTables: the tables come out in another order
			// than the records' indexes assume, so records read back with the wrong keys.
			if bytes.Equal(js, ours) || sameRecords(recs, got) {
				t.Errorf("%s: expected aws-kinesis-agg to reorder integer-like keys; it no longer does", names[i])
			}
			continue
		}
		if !bytes.Equal(js, ours) {
			t.Errorf("%s: aws-kinesis-agg wrote %d bytes that differ from ours (%d bytes)", names[i], len(js), len(ours))
			continue
		}
		requireSameRecords(t, recs, got)
	}
}

// TestInteropAwsKinesisAggIntegerKeys pins a fault of aws-kinesis-agg's aggregator: it lists a key
// table with Object.keys, and JavaScript lists keys that look like array indexes ("7", "123")
// first and in numeric order, while the records' indexes follow first use. Aggregates of records
// whose partition or explicit hash keys are small decimal numbers then carry the wrong key for
// some records. Aggregator writes tables in order of first use, as the KPL does.
func TestInteropAwsKinesisAggIntegerKeys(t *testing.T) {
	recs := []Record{
		{PartitionKey: "user-b", Data: []byte("1")},
		{PartitionKey: "42", Data: []byte("2")},
		{PartitionKey: "7", ExplicitHashKey: "123", Data: []byte("3")},
		{PartitionKey: "user-b", ExplicitHashKey: "5", Data: []byte("4")},
	}
	if !jsReordersTables(recs) {
		t.Fatal("the case does not exercise the reordering")
	}
	resp := runAggJS(t, jsRequest{
		Aggregate:   [][]jsRecord{toJS(recs)},
		Deaggregate: []string{base64.StdEncoding.EncodeToString(Aggregate(recs...))},
	})
	js, err := base64.StdEncoding.DecodeString(resp.Aggregated[0].Data)
	if err != nil {
		t.Fatal(err)
	}
	got, aggregated, err := Deaggregate(js)
	if err != nil || !aggregated {
		t.Fatalf("Deaggregate = aggregated %v, err %v", aggregated, err)
	}
	// What the fault predicts: each record's index, taken in order of first use, read in the
	// table as Object.keys lists it.
	want := []Record{
		{PartitionKey: "7", Data: []byte("1")},
		{PartitionKey: "42", Data: []byte("2")},
		{PartitionKey: "user-b", ExplicitHashKey: "5", Data: []byte("3")},
		{PartitionKey: "7", ExplicitHashKey: "123", Data: []byte("4")},
	}
	if !sameRecords(want, got) {
		t.Fatalf("aws-kinesis-agg's aggregate reads back as %+v, want %+v; the pinned fault has changed", got, want)
	}
	// aws-kinesis-agg reads our aggregate of the same records correctly.
	for j, u := range resp.Deaggregated[0] {
		if u.PartitionKey != recs[j].PartitionKey {
			t.Fatalf("record %d: aws-kinesis-agg read partition key %q from our aggregate, want %q", j, u.PartitionKey, recs[j].PartitionKey)
		}
	}
}

// jsReordersTables reports whether Object.keys lists a key table of recs in another order than
// first use: keys that are canonical array indexes (0 .. 2^32-2) come first, ascending.
func jsReordersTables(recs []Record) bool {
	var pks, ehks []string
	seenPK, seenEHK := map[string]bool{}, map[string]bool{}
	for _, r := range recs {
		if !seenPK[r.PartitionKey] {
			seenPK[r.PartitionKey] = true
			pks = append(pks, r.PartitionKey)
		}
		if r.ExplicitHashKey != "" && !seenEHK[r.ExplicitHashKey] {
			seenEHK[r.ExplicitHashKey] = true
			ehks = append(ehks, r.ExplicitHashKey)
		}
	}
	return !slices.Equal(pks, objectKeysOrder(pks)) || !slices.Equal(ehks, objectKeysOrder(ehks))
}

func objectKeysOrder(keys []string) []string {
	var idx, rest []string
	for _, k := range keys {
		if n, err := strconv.ParseUint(k, 10, 32); err == nil && n < 1<<32-1 && strconv.FormatUint(n, 10) == k {
			idx = append(idx, k)
		} else {
			rest = append(rest, k)
		}
	}
	slices.SortFunc(idx, func(a, b string) int {
		x, _ := strconv.ParseUint(a, 10, 32)
		y, _ := strconv.ParseUint(b, 10, 32)
		return cmp.Compare(x, y)
	})
	return append(idx, rest...)
}

func sameRecords(want, got []Record) bool {
	return slices.EqualFunc(want, got, func(a, b Record) bool {
		return a.PartitionKey == b.PartitionKey && a.ExplicitHashKey == b.ExplicitHashKey && bytes.Equal(a.Data, b.Data)
	})
}

// TestInteropAwsKinesisAggReadsAggregator has aws-kinesis-agg deaggregate, checksums on, what
// Aggregator wrote, and compares every field and sub-sequence number.
//
// One field differs by design: aws-kinesis-agg reads a record without explicit_hash_key_index as
// index 0 (protobufjs hands out the field's default), so when the aggregate's table is not empty
// it reports the table's first key for such records. The KPL's own readers (the KCL) check
// whether the field is present, as Deaggregate does, and report none; the test pins both.
func TestInteropAwsKinesisAggReadsAggregator(t *testing.T) {
	var lists [][]Record
	for _, c := range goldenCases() {
		lists = append(lists, c.recs)
	}
	lists = append(lists, randomCases(20)...)
	req := jsRequest{}
	for _, recs := range lists {
		req.Deaggregate = append(req.Deaggregate, base64.StdEncoding.EncodeToString(Aggregate(recs...)))
	}
	resp := runAggJS(t, req)
	if len(resp.Deaggregated) != len(lists) {
		t.Fatalf("node deaggregated %d records, want %d", len(resp.Deaggregated), len(lists))
	}
	quirks := 0
	for i, recs := range lists {
		got := resp.Deaggregated[i]
		if len(got) != len(recs) {
			t.Fatalf("list %d: aws-kinesis-agg read %d user records, want %d", i, len(got), len(recs))
		}
		firstEHK := ""
		for _, r := range recs {
			if r.ExplicitHashKey != "" {
				firstEHK = r.ExplicitHashKey
				break
			}
		}
		for j, want := range recs {
			u := got[j]
			data, err := base64.StdEncoding.DecodeString(u.Data)
			if err != nil {
				t.Fatal(err)
			}
			if u.PartitionKey != want.PartitionKey || !bytes.Equal(data, want.Data) {
				t.Fatalf("list %d record %d: aws-kinesis-agg read {%q %x}, want {%q %x}", i, j, u.PartitionKey, data, want.PartitionKey, want.Data)
			}
			if u.SubSequenceNumber == nil || *u.SubSequenceNumber != j {
				t.Fatalf("list %d record %d: sub-sequence number %v, want %d", i, j, u.SubSequenceNumber, j)
			}
			wantEHK := want.ExplicitHashKey
			if wantEHK == "" && firstEHK != "" {
				wantEHK = firstEHK // the protobufjs default described above
				quirks++
			}
			gotEHK := ""
			if u.ExplicitHashKey != nil {
				gotEHK = *u.ExplicitHashKey
			}
			if gotEHK != wantEHK {
				t.Fatalf("list %d record %d: explicit hash key %q, want %q", i, j, gotEHK, wantEHK)
			}
		}
	}
	if quirks == 0 {
		t.Fatal("no case exercised records without an explicit hash key beside records with one")
	}
}
