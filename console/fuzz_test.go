package console

import (
	"encoding/json"
	"math"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/kinesis/types"
	"google.golang.org/protobuf/reflect/protoregistry"

	"github.com/pelicanhq/pelican/aggregation"
)

// FuzzParseView feeds the records view's query parser: it answers with a view or an error, and
// a view's cursor survives a round trip through its URL form.
func FuzzParseView(f *testing.F) {
	for _, seed := range []string{
		"", "start=latest", "start=at_timestamp&at=2026-01-02T15:04:05Z", "start=at_sequence&seq=4960",
		"shard=all&shard=shardId-000000000001&type=a.B&key=k&from=2026-01-02T15:04&to=2026-01-03T00:00:00Z&q=x",
		"cursor=shardId-000000000000=49.3,shardId-000000000001=50", "cursor=a=b", "cursor==1", "start=nowhere",
	} {
		f.Add(seed)
	}
	f.Fuzz(func(t *testing.T, raw string) {
		q, err := url.ParseQuery(raw)
		if err != nil {
			return
		}
		v, err := parseView("s", q)
		if err != nil {
			return
		}
		again, err := parseCursor(formatCursor(v.cursor))
		if err != nil {
			t.Fatalf("the cursor of %q does not read back: %v", raw, err)
		}
		if len(again) != len(v.cursor) {
			t.Fatalf("cursor %v read back as %v", v.cursor, again)
		}
		for k, p := range v.cursor {
			if again[k] != p {
				t.Fatalf("cursor %v read back as %v", v.cursor, again)
			}
		}
		if _, err := parseView("s", v.query()); err != nil {
			t.Fatalf("the view of %q does not read back from its URL %q: %v", raw, v.query().Encode(), err)
		}
	})
}

// FuzzDecodeRecord decodes any bytes as a record: it never fails, and every user record has a
// kind.
func FuzzDecodeRecord(f *testing.F) {
	f.Add([]byte(`{"a":1}`))
	f.Add([]byte("text"))
	f.Add([]byte{0, 1, 2, 0xff})
	f.Add(aggregation.Aggregate(aggregation.Record{PartitionKey: "k", Data: []byte("x")}))
	f.Add([]byte{0x08, 0x01, 0x12, 0x01, 'i', 0x1a, 0x03, 'a', '.', 'B'})
	f.Fuzz(func(t *testing.T, data []byte) {
		r := types.Record{SequenceNumber: aws.String("1"), PartitionKey: aws.String("k"), Data: data,
			ApproximateArrivalTimestamp: aws.Time(time.Unix(0, 0))}
		for _, u := range decodeRecord("s", "shardId-000000000000", r, &schemas{extra: protoregistry.GlobalTypes}) {
			if u.Kind == "" {
				t.Fatalf("no kind for %x", data)
			}
		}
	})
}

// FuzzPageRange pages a list by any ?page= value: the range is always within the list and at
// most a page long.
func FuzzPageRange(f *testing.F) {
	for _, seed := range []string{"", "1", "2", "0", "-7", "x", "4611686018427387904", "9223372036854775807", "461168601842738790"} {
		f.Add(seed, 20, 45)
	}
	f.Fuzz(func(t *testing.T, raw string, perPage, total int) {
		if perPage < 1 || perPage > 1000 || total < 0 || total > 1<<20 {
			return
		}
		page, from, to := pageRange(raw, perPage, total)
		if page < 1 || from < 0 || from > to || to > total || to-from > perPage {
			t.Fatalf("pageRange(%q, %d, %d) = %d, %d, %d", raw, perPage, total, page, from, to)
		}
	})
}

// FuzzParseRate reads a throttle's rate: none, or a finite rate of zero or more, which the
// emulator's JSON can carry.
func FuzzParseRate(f *testing.F) {
	for _, seed := range []string{"", "0", " 2.5 ", "-1", "NaN", "nan", "+Inf", "-Inf", "Infinity", "1e309", "0x1p-2", "1_000", "abc"} {
		f.Add(seed)
	}
	f.Fuzz(func(t *testing.T, raw string) {
		v, err := parseRate("rate", raw)
		if err != nil {
			return
		}
		if v == nil {
			if strings.TrimSpace(raw) != "" {
				t.Fatalf("%q: no rate and no error", raw)
			}
			return
		}
		if *v < 0 || math.IsNaN(*v) || math.IsInf(*v, 0) {
			t.Fatalf("%q read as rate %v", raw, *v)
		}
		if _, err := json.Marshal(throttleSpec{WriteRecordsPerSecond: v}); err != nil {
			t.Fatalf("%q: %v", raw, err)
		}
	})
}
