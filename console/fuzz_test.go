package console

import (
	"net/url"
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
