package console_test

import (
	"bufio"
	"context"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"html"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/kinesis"
	"github.com/aws/aws-sdk-go-v2/service/kinesis/types"
	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/types/descriptorpb"
	"google.golang.org/protobuf/types/known/timestamppb"

	"github.com/pelicanhq/pelican"
	"github.com/pelicanhq/pelican/aggregation"
	"github.com/pelicanhq/pelican/console"
	"github.com/pelicanhq/pelican/consumer/lease"
	"github.com/pelicanhq/pelican/contract"
	"github.com/pelicanhq/pelican/pelicantest"
	clockv1 "github.com/pelicanhq/pelican/proto/example/clock/v1"
	pelicanv1 "github.com/pelicanhq/pelican/proto/pelican/v1"
)

func envelope(t *testing.T, eventType string, payload []byte) []byte {
	t.Helper()
	return envelopeTB(t, eventType, payload)
}

func envelopeTB(t testing.TB, eventType string, payload []byte) []byte {
	t.Helper()
	b, err := pelican.MarshalEnvelope(&pelican.Envelope{Version: pelican.EnvelopeVersion, EventId: pelican.NewEventID(),
		EventType: eventType, OccurredAt: timestamppb.New(time.Date(2026, 5, 1, 10, 0, 0, 0, time.UTC)), Producer: "test-producer", Payload: payload})
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func TestStreamsPageListsFiltersPagesCreatesAndDeletes(t *testing.T) {
	e := newEnv(t)
	for i := range 22 {
		pelicantest.CreateStream(t, e.client, fmt.Sprintf("orders-%02d", i), 1)
	}
	pelicantest.CreateStream(t, e.client, "payments", 2)
	if _, err := e.client.AddTagsToStream(ctxT(t), &kinesis.AddTagsToStreamInput{StreamName: aws.String("payments"), Tags: map[string]string{"team": "billing"}}); err != nil {
		t.Fatal(err)
	}
	page1 := e.get(t, "", http.StatusOK)
	mustContain(t, "page 1", page1, "orders-00", "orders-19", "PROVISIONED", "ACTIVE", `rel="next"`)
	mustNotContain(t, "page 1", page1, "orders-20", "payments")
	page2 := e.get(t, "?page=2", http.StatusOK)
	mustContain(t, "page 2", page2, "orders-20", "orders-21", "payments", "team=billing", "2 / 0", `rel="prev"`)
	filtered := e.get(t, "?q=PAY", http.StatusOK)
	mustContain(t, "filtered", filtered, "payments")
	mustNotContain(t, "filtered", filtered, "orders-00")

	status, loc, body := e.post(t, "streams", url.Values{"name": {"fresh"}, "shards": {"3"}})
	if status != http.StatusSeeOther || loc != console.DefaultPrefix+"streams/fresh" {
		t.Fatalf("create: %d %q %s", status, loc, body)
	}
	if got := pelicantest.ShardIDs(t, e.client, "fresh"); len(got) != 3 {
		t.Fatalf("fresh has %d shards", len(got))
	}
	if status, _, body = e.post(t, "streams", url.Values{"name": {"fresh"}, "shards": {"1"}}); status != http.StatusBadRequest || !strings.Contains(body, "ResourceInUseException") {
		t.Fatalf("duplicate create: %d %s", status, body)
	}
	if status, _, body = e.post(t, "streams", url.Values{"name": {"x"}, "shards": {"zero"}}); status != http.StatusBadRequest || !strings.Contains(body, "positive whole number") {
		t.Fatalf("bad shard count: %d %s", status, body)
	}
	if status, _, _ = e.post(t, "streams/fresh/delete", url.Values{"confirm": {"wrong"}}); status != http.StatusBadRequest {
		t.Fatalf("unconfirmed delete: %d", status)
	}
	if status, _, body = e.post(t, "streams/fresh/delete", url.Values{"confirm": {"fresh"}}); status != http.StatusSeeOther {
		t.Fatalf("delete: %d %s", status, body)
	}
	e.get(t, "streams/nope", http.StatusNotFound)
	e.get(t, "no/such/page", http.StatusNotFound)
}

func TestStreamPageShardMapLineageRatesAndThrottle(t *testing.T) {
	e := newEnv(t)
	pelicantest.CreateStream(t, e.client, "s", 2)
	pelicantest.Put(t, e.client, "s", "k", []byte("hello"))
	body := e.get(t, "streams/s", http.StatusOK)
	mustContain(t, "stream page", body, `class="hashbar"`, `class="lineage"`, "shardId-000000000000", "shardId-000000000001",
		`class="spark in"`, `class="limit"`, "2 open / 0 closed")
	mustNotContain(t, "stream page", body, "shard closed", "THROTTLED")

	status, _, resp := e.post(t, "streams/s/split", url.Values{"shard": {"shardId-000000000000"}})
	if status != http.StatusSeeOther {
		t.Fatalf("split: %d %s", status, resp)
	}
	pelicantest.WaitActive(t, e.client, "s")
	body = e.get(t, "streams/s", http.StatusOK)
	mustContain(t, "after split", body, `class="shard closed" data-shard="shardId-000000000000"`,
		`data-shard="shardId-000000000002"`, `data-shard="shardId-000000000003"`, `class="edge"`, "3 open / 1 closed")
	// Two edges: the parent to each child.
	if n := strings.Count(body, `class="edge"`); n != 2 {
		t.Fatalf("%d edges, want 2", n)
	}

	status, loc, resp := e.post(t, "throttle", url.Values{"stream": {"s"}, "shard": {"shardId-000000000001"}, "write_records_per_second": {"0"}})
	if status != http.StatusSeeOther || loc != console.DefaultPrefix+"streams/s" {
		t.Fatalf("throttle: %d %s %s", status, loc, resp)
	}
	body = e.get(t, "streams/s", http.StatusOK)
	mustContain(t, "throttled", body, `id="throttled-alert"`, "Throttled: shardId-000000000001", `class="shard open throttled" data-shard="shardId-000000000001"`, "writes 0/s")
	faults := e.get(t, "faults", http.StatusOK)
	mustContain(t, "faults page", faults, "shardId-000000000001", "writes 0/s")
	if status, _, _ = e.post(t, "throttle", url.Values{"stream": {"s"}, "shard": {"shardId-000000000001"}, "lift": {"1"}}); status != http.StatusSeeOther {
		t.Fatalf("lift: %d", status)
	}
	mustNotContain(t, "lifted", e.get(t, "streams/s", http.StatusOK), "THROTTLED")
	if status, _, _ = e.post(t, "throttle", url.Values{"stream": {"s"}, "shard": {"shardId-000000000001"}, "write_records_per_second": {"-3"}}); status != http.StatusBadRequest {
		t.Fatalf("negative rate: %d", status)
	}
	if status, _, _ = e.post(t, "throttle", url.Values{"stream": {"s"}, "shard": {"shardId-000000000009"}, "write_records_per_second": {"1"}}); status != http.StatusBadGateway {
		t.Fatalf("unknown shard: %d", status)
	}
}

// putMixed writes one record of every shape the records view decodes, and returns the sequence
// number of the first.
func putMixed(t *testing.T, client *kinesis.Client, stream string) string {
	t.Helper()
	_, first := pelicantest.Put(t, client, stream, "order-1", envelope(t, "shop.v1.OrderPlaced", orderPayload(t)))
	traced, err := pelican.MarshalEnvelope(&pelican.Envelope{Version: pelican.EnvelopeVersion, EventId: "tick-1", EventType: "example.clock.v1.TimeTicked",
		Payload: mustMarshal(t, &clockv1.TimeTicked{ClockId: "zurich", Hour: 7}),
		Trace:   &pelicanv1.TraceContext{Traceparent: "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01", Tracestate: "vendor=x"}})
	if err != nil {
		t.Fatal(err)
	}
	pelicantest.Put(t, client, stream, "tick", traced)
	pelicantest.Put(t, client, stream, "mystery", envelope(t, "shop.v1.Unheard", []byte{0x08, 0x01}))
	pelicantest.Put(t, client, stream, "agg", aggregation.Aggregate(
		aggregation.Record{PartitionKey: "kpl-a", Data: []byte(`{"n":1}`)},
		aggregation.Record{PartitionKey: "kpl-b", Data: []byte("plain words")}))
	pelicantest.Put(t, client, stream, "json", []byte(`{"hello":"world","n":[1,2]}`))
	pelicantest.Put(t, client, stream, "bin", []byte{0x00, 0xff, 0x10, 0x80})
	return first
}

func TestRecordsViewDecodesEveryShape(t *testing.T) {
	e := newEnv(t)
	pelicantest.CreateStream(t, e.client, "mixed", 1)
	putMixed(t, e.client, "mixed")
	body := html.UnescapeString(e.get(t, "streams/mixed/records", http.StatusOK))
	mustContain(t, "records", body,
		// an envelope of a type known only from --proto
		"shop.v1.OrderPlaced", `"order_id": "o-42"`, `"amount_cents": "1999"`, "test-producer", "2026-05-01 10:00:00.000Z",
		// an envelope of a type linked into the program
		"example.clock.v1.TimeTicked", `"clock_id": "zurich"`, "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01 vendor=x",
		// an envelope of an unknown type
		"unknown event type shop.v1.Unheard",
		// a KPL aggregate's two user records
		"kpl-a", "kpl-b", `<span class="sub" title="sub-sequence number in a KPL aggregate">/1</span>`, "plain words",
		// JSON, text and binary
		`"hello": "world"`, `<span class="badge">json</span>`, `<span class="badge">text</span>`, `<span class="badge">binary</span>`, "00 ff 10 80")
	if n := strings.Count(body, `<tr class="rec `); n != 7 {
		t.Fatalf("%d rows, want 7 (6 records, one an aggregate of 2)", n)
	}
}

func orderPayload(testing.TB) []byte {
	// shop.v1.OrderPlaced{order_id: "o-42", amount_cents: 1999, items: ["tea"]}, by hand: the
	// type is not linked into this program.
	b := []byte{0x0a, 4, 'o', '-', '4', '2', 0x10}
	b = append(b, 0xcf, 0x0f) // 1999 as a varint
	return append(b, 0x1a, 3, 't', 'e', 'a')
}

func TestRecordsFiltersAndPaging(t *testing.T) {
	e := newEnv(t, console.WithPageSize(2))
	pelicantest.CreateStream(t, e.client, "f", 2)
	putMixed(t, e.client, "f")
	all := func(q string) string { return html.UnescapeString(e.get(t, "streams/f/records?"+q, http.StatusOK)) }
	rows := func(body string) int { return strings.Count(body, `<tr class="rec `) }

	byType := all("type=shop.v1.OrderPlaced")
	if rows(byType) != 1 || !strings.Contains(byType, "o-42") {
		t.Fatalf("type filter: %d rows", rows(byType))
	}
	if body := all("key=kpl-b"); rows(body) != 1 || !strings.Contains(body, "plain words") {
		t.Fatalf("key filter: %d rows", rows(body))
	}
	if body := all("q=ZURICH"); rows(body) != 1 || !strings.Contains(body, "TimeTicked") {
		t.Fatalf("text search: %d rows", rows(body))
	}
	if body := all("to=2000-01-01T00:00:00Z"); rows(body) != 0 {
		t.Fatalf("time range before every record: %d rows", rows(body))
	}
	if body := all("from=2000-01-01T00:00:00Z&type=example.clock.v1.TimeTicked"); rows(body) != 1 {
		t.Fatalf("time range after: %d rows", rows(body))
	}
	if body := all("start=latest"); rows(body) != 0 {
		t.Fatalf("latest: %d rows", rows(body))
	}
	if body := all("start=at_timestamp&at=" + url.QueryEscape(time.Now().Add(-time.Hour).UTC().Format(time.RFC3339))); rows(body) != 2 {
		t.Fatalf("a time before every record: %d rows, want a page of 2", rows(body))
	}

	// Paging: seven user records, two a page, each shown once, in four pages.
	seen := map[string]bool{}
	next := "streams/f/records"
	for page := 1; ; page++ {
		body := e.get(t, next, http.StatusOK)
		n := rows(body)
		for _, k := range []string{"order-1", "tick", "mystery", "kpl-a", "kpl-b", ">json<", ">bin<"} {
			if strings.Contains(body, `<code class="pk">`+strings.Trim(k, "<>")+`</code>`) {
				if seen[k] {
					t.Fatalf("page %d shows %s again", page, k)
				}
				seen[k] = true
			}
		}
		if n == 0 {
			break
		}
		if page > 6 {
			t.Fatal("too many pages")
		}
		i := strings.Index(body, `id="next"`)
		if i < 0 {
			break
		}
		href := body[strings.LastIndex(body[:i], `href="`)+6:]
		href = html.UnescapeString(href[:strings.IndexByte(href, '"')])
		next = strings.TrimPrefix(href, console.DefaultPrefix)
	}
	if len(seen) != 7 {
		t.Fatalf("paging showed %d of 7 user records: %v", len(seen), seen)
	}

	// One shard only.
	ids := pelicantest.ShardIDs(t, e.client, "f")
	total := 0
	for _, id := range ids {
		fixture := e.get(t, "streams/f/export?limit=100&shard="+id, http.StatusOK)
		lines := strings.Split(strings.TrimSpace(fixture), "\n")[1:]
		for _, l := range lines {
			if !strings.Contains(l, `"shard_id":"`+id+`"`) {
				t.Fatalf("the view of %s holds %s", id, l)
			}
		}
		total += len(lines)
	}
	if total != 7 {
		t.Fatalf("the two shards' views hold %d user records, want 7", total)
	}
	for _, bad := range []string{"start=nowhere", "start=at_timestamp&at=yesterday", "start=at_sequence&seq=abc", "cursor=junk", "from=soon"} {
		e.get(t, "streams/f/records?"+bad, http.StatusBadRequest)
	}
	e.get(t, "streams/f/records?shard=shardId-000000000099", http.StatusBadGateway)
}

func TestRecordsStartAtSequence(t *testing.T) {
	e := newEnv(t)
	pelicantest.CreateStream(t, e.client, "seq", 1)
	putMixed(t, e.client, "seq")
	shard, seq := pelicantest.Put(t, e.client, "seq", "last-one", []byte("the last"))
	body := e.get(t, "streams/seq/records?start=at_sequence&shard="+shard+"&seq="+seq, http.StatusOK)
	if n := strings.Count(body, `<tr class="rec `); n != 1 || !strings.Contains(body, "the last") {
		t.Fatalf("at sequence: %d rows", n)
	}
}

func TestPublishFormValidatesAndPublishes(t *testing.T) {
	e := newEnv(t)
	pelicantest.CreateStream(t, e.client, "p", 1)
	form := e.get(t, "streams/p/publish", http.StatusOK)
	mustContain(t, "publish form", form, "<option>shop.v1.OrderPlaced</option>")

	status, _, body := e.post(t, "streams/p/publish", url.Values{"mode": {"event"}, "type": {"shop.v1.OrderPlaced"}, "key": {"k"}, "json": {`{"order_id": 7}`}})
	if status != http.StatusBadRequest || !strings.Contains(body, "not a valid shop.v1.OrderPlaced") {
		t.Fatalf("invalid event: %d\n%s", status, body)
	}
	status, _, body = e.post(t, "streams/p/publish", url.Values{"mode": {"event"}, "type": {"shop.v1.Nope"}, "key": {"k"}, "json": {`{}`}})
	if status != http.StatusBadRequest || !strings.Contains(body, "unknown event type") {
		t.Fatalf("unknown type: %d", status)
	}
	if status, _, _ = e.post(t, "streams/p/publish", url.Values{"mode": {"event"}, "type": {"shop.v1.OrderPlaced"}, "json": {`{}`}}); status != http.StatusBadRequest {
		t.Fatalf("no partition key: %d", status)
	}
	if n := len(pelicantest.ReadAll(t, e.client, "p")); n != 0 {
		t.Fatalf("invalid forms wrote %d records", n)
	}

	status, loc, body := e.post(t, "streams/p/publish", url.Values{"mode": {"event"}, "type": {"shop.v1.OrderPlaced"}, "key": {"cust-9"},
		"json": {`{"order_id": "o-1", "amount_cents": "250", "items": ["a", "b"]}`}})
	if status != http.StatusSeeOther {
		t.Fatalf("publish: %d %s", status, body)
	}
	shown := html.UnescapeString(e.get(t, strings.TrimPrefix(loc, console.DefaultPrefix), http.StatusOK))
	mustContain(t, "published event", shown, "shop.v1.OrderPlaced", `"order_id": "o-1"`, `"amount_cents": "250"`, "pelican-console", "cust-9")

	status, _, _ = e.post(t, "streams/p/publish", url.Values{"mode": {"raw"}, "key": {"r"}, "encoding": {"base64"}, "raw": {base64.StdEncoding.EncodeToString([]byte{1, 2, 3})}})
	if status != http.StatusSeeOther {
		t.Fatalf("raw publish: %d", status)
	}
	recs := pelicantest.ReadAll(t, e.client, "p")
	if len(recs) != 2 || string(recs[1].Data) != "\x01\x02\x03" {
		t.Fatalf("records: %+v", recs)
	}
	if status, _, _ = e.post(t, "streams/p/publish", url.Values{"mode": {"raw"}, "key": {"r"}, "encoding": {"base64"}, "raw": {"%%%"}}); status != http.StatusBadRequest {
		t.Fatalf("bad base64: %d", status)
	}
}

func TestExportWritesAFixture(t *testing.T) {
	e := newEnv(t)
	pelicantest.CreateStream(t, e.client, "x", 1)
	putMixed(t, e.client, "x")
	resp, err := http.Get(e.base + "streams/x/export?type=shop.v1.OrderPlaced")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if cd := resp.Header.Get("Content-Disposition"); cd != `attachment; filename="x.jsonl"` {
		t.Fatalf("Content-Disposition %q", cd)
	}
	sc := bufio.NewScanner(resp.Body)
	var lines []string
	for sc.Scan() {
		lines = append(lines, sc.Text())
	}
	if len(lines) != 2 || lines[0] != `{"pelican_fixture":1,"stream":"x"}` {
		t.Fatalf("fixture: %q", lines)
	}
	var rec map[string]json.RawMessage
	if err := json.Unmarshal([]byte(lines[1]), &rec); err != nil {
		t.Fatal(err)
	}
	if string(rec["event"]) != `{"amount_cents":"1999","items":["tea"],"order_id":"o-42"}` || string(rec["event_type"]) != `"shop.v1.OrderPlaced"` {
		t.Fatalf("record line: %s", lines[1])
	}
	// The keys in the order of docs/fixtures.md.
	order := []string{"stream", "shard_id", "sequence_number", "partition_key", "arrived_at", "data", "event_type", "event_id", "occurred_at", "event"}
	last := -1
	for _, k := range order {
		i := strings.Index(lines[1], `"`+k+`":`)
		if i < last {
			t.Fatalf("key %s out of order in %s", k, lines[1])
		}
		last = i
	}
	// An aggregate's user records carry their sub-sequence numbers.
	agg := e.get(t, "streams/x/export?q=kpl-b", http.StatusOK)
	mustContain(t, "aggregate export", agg, `"sub_sequence_number":1`, `"partition_key":"kpl-b"`)
}

func TestLiveTailSendsNewRecords(t *testing.T) {
	e := newEnv(t)
	pelicantest.CreateStream(t, e.client, "t", 2)
	page := e.get(t, "streams/t/tail", http.StatusOK)
	mustContain(t, "tail page", page, `static/tail.js`, "tail/events")
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	req, _ := http.NewRequestWithContext(ctx, http.MethodGet, e.base+"streams/t/tail/events?type=shop.v1.OrderPlaced", nil)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if ct := resp.Header.Get("Content-Type"); ct != "text/event-stream" {
		t.Fatalf("Content-Type %q", ct)
	}
	sc := bufio.NewScanner(resp.Body)
	for sc.Scan() && sc.Text() != "event: ready" { // the iterators at LATEST are taken
	}
	pelicantest.Put(t, e.client, "t", "skip-me", []byte("not an event"))
	pelicantest.Put(t, e.client, "t", "order-1", envelope(t, "shop.v1.OrderPlaced", orderPayload(t)))
	var event strings.Builder
	for sc.Scan() {
		line := sc.Text()
		if strings.HasPrefix(line, "data: ") && event.Len() > 0 || line == "event: records" {
			event.WriteString(line + "\n")
		}
		if line == "" && event.Len() > 0 {
			break
		}
	}
	got := html.UnescapeString(event.String())
	mustContain(t, "tail event", got, "shop.v1.OrderPlaced", `"order_id": "o-42"`, "order-1")
	mustNotContain(t, "tail event", got, "skip-me")
}

func TestConsumersPageShowsFanOutAndLeaseLag(t *testing.T) {
	leases := lease.NewMemory()
	e := newEnv(t, console.WithLeases("orders-app", leases))
	pelicantest.CreateStream(t, e.client, "c", 1)
	var seqs []string
	for i := range 5 {
		_, seq := pelicantest.Put(t, e.client, "c", "k", []byte(fmt.Sprint(i)))
		seqs = append(seqs, seq)
	}
	sum, err := e.client.DescribeStreamSummary(ctxT(t), &kinesis.DescribeStreamSummaryInput{StreamName: aws.String("c")})
	if err != nil {
		t.Fatal(err)
	}
	reg, err := e.client.RegisterStreamConsumer(ctxT(t), &kinesis.RegisterStreamConsumerInput{StreamARN: sum.StreamDescriptionSummary.StreamARN, ConsumerName: aws.String("fan-out-app")})
	if err != nil {
		t.Fatal(err)
	}
	mustContain(t, "before subscribing", e.get(t, "streams/c/consumers", http.StatusOK), "fan-out-app", `<span class="note">none</span>`)
	sub, err := e.emu.NewClient().SubscribeToShard(ctxT(t), &kinesis.SubscribeToShardInput{ConsumerARN: reg.Consumer.ConsumerARN,
		ShardId: aws.String("shardId-000000000000"), StartingPosition: &types.StartingPosition{Type: types.ShardIteratorTypeLatest}})
	if err != nil {
		t.Fatal(err)
	}
	defer sub.GetStream().Close()
	if _, err := leases.Create(ctxT(t), lease.Lease{Key: "shardId-000000000000", Owner: "worker-1", Checkpoint: lease.Checkpoint{SequenceNumber: seqs[1]}}); err != nil {
		t.Fatal(err)
	}
	body := e.get(t, "streams/c/consumers", http.StatusOK)
	mustContain(t, "consumers", body, "fan-out-app", "shardId-000000000000 since ", "orders-app", "worker-1", seqs[1], "<td>3</td>")
	for i := 1; i <= 60; i++ {
		if _, err := leases.Create(ctxT(t), lease.Lease{Key: fmt.Sprintf("shardId-9%011d", i), Owner: fmt.Sprintf("worker-%d", 2+i%2), Checkpoint: lease.Checkpoint{SequenceNumber: lease.ShardEnd}}); err != nil {
			t.Fatal(err)
		}
	}
	body = e.get(t, "streams/c/consumers?owner=worker-2", http.StatusOK)
	if n := strings.Count(body, "<td>worker-2</td>"); n != 30 || strings.Contains(body, "worker-3") {
		t.Fatalf("owner filter: %d rows of worker-2", n)
	}
	body = e.get(t, "streams/c/consumers", http.StatusOK)
	mustContain(t, "first page of leases", body, "61 leases", `rel="next"`)
	body = e.get(t, "streams/c/consumers?page=2", http.StatusOK)
	if n := strings.Count(body, "<td>worker-"); n != 11 {
		t.Fatalf("the second page has %d leases, want 11", n)
	}
}

func TestFaultsPage(t *testing.T) {
	e := newEnv(t)
	if status, _, body := e.post(t, "faults", url.Values{"operation": {"PutRecords"}, "code": {"InternalFailure"}, "times": {"2"}, "latency": {"50ms"}}); status != http.StatusSeeOther {
		t.Fatalf("inject: %d %s", status, body)
	}
	body := e.get(t, "faults", http.StatusOK)
	mustContain(t, "faults", body, "PutRecords", "InternalFailure", "<td>2</td>", "50ms")
	if got := e.emu.Faults().List(); len(got) != 1 {
		t.Fatalf("emulator has %d faults", len(got))
	}
	if status, _, _ := e.post(t, "faults", url.Values{"operation": {"PutRecords"}}); status != http.StatusBadRequest {
		t.Fatalf("empty fault: %d", status)
	}
	if status, _, _ := e.post(t, "faults", url.Values{"operation": {"PutRecords"}, "latency": {"soon"}}); status != http.StatusBadRequest {
		t.Fatalf("bad latency: %d", status)
	}
	if status, _, _ := e.post(t, "faults/clear", nil); status != http.StatusSeeOther {
		t.Fatalf("clear: %d", status)
	}
	if got := e.emu.Faults().List(); len(got) != 0 {
		t.Fatalf("emulator has %d faults after clear", len(got))
	}
}

func TestFaultsPageNeedsAnEmulator(t *testing.T) {
	emu := pelicantest.NewEmulator(t)
	c, err := console.New(emu.Client())
	if err != nil {
		t.Fatal(err)
	}
	e := &env{emu: emu, client: emu.Client()}
	srv := newServer(t, c)
	e.base = srv + console.DefaultPrefix
	mustContain(t, "faults without admin", e.get(t, "faults", http.StatusNotFound), "emulator")
	pelicantest.CreateStream(t, e.client, "n", 1)
	mustContain(t, "stream without rates", e.get(t, "streams/n", http.StatusOK), "this endpoint has none")
}

func TestReadOnlyRefusesEveryWrite(t *testing.T) {
	e := newEnv(t, console.WithReadOnly(true))
	pelicantest.CreateStream(t, e.client, "ro", 1)
	page := e.get(t, "", http.StatusOK)
	mustContain(t, "read-only streams page", page, "read-only")
	mustNotContain(t, "read-only streams page", page, "Create a stream")
	for _, path := range []string{"streams", "streams/ro/delete", "streams/ro/split", "streams/ro/publish", "faults", "faults/clear", "throttle"} {
		if status, _, body := e.post(t, path, url.Values{"name": {"x"}, "shards": {"1"}, "confirm": {"ro"}, "shard": {"shardId-000000000000"},
			"key": {"k"}, "mode": {"raw"}, "raw": {"x"}, "stream": {"ro"}, "write_records_per_second": {"0"}, "code": {"InternalFailure"}}); status != http.StatusForbidden {
			t.Errorf("POST %s: %d, want 403\n%s", path, status, body)
		}
	}
	if n := len(pelicantest.ReadAll(t, e.client, "ro")); n != 0 {
		t.Fatalf("read-only console wrote %d records", n)
	}
	if got := pelicantest.ShardIDs(t, e.client, "ro"); len(got) != 1 {
		t.Fatalf("read-only console resharded: %v", got)
	}
}

func TestBadProtoIsAnErrorPage(t *testing.T) {
	for _, dir := range []string{"testdata/badproto", "testdata/does-not-exist"} {
		emu := pelicantest.NewEmulator(t)
		c, err := console.New(emu.Client(), console.WithProto(dir))
		if err != nil {
			t.Fatalf("%s: New: %v", dir, err)
		}
		base := newServer(t, c) + console.DefaultPrefix
		for _, path := range []string{"", "streams/x/records"} {
			resp, err := http.Get(base + path)
			if err != nil {
				t.Fatal(err)
			}
			var b strings.Builder
			_, _ = bufio.NewReader(resp.Body).WriteTo(&b)
			resp.Body.Close()
			if resp.StatusCode != http.StatusInternalServerError || !strings.Contains(b.String(), "the schemas in "+dir+" do not load") {
				t.Fatalf("%s %q: %d\n%s", dir, path, resp.StatusCode, b.String())
			}
		}
	}
	if !strings.Contains(badProtoMessage(t), "broken.proto:7") {
		t.Fatalf("the error does not name the line: %s", badProtoMessage(t))
	}
}

func badProtoMessage(t *testing.T) string {
	emu := pelicantest.NewEmulator(t)
	c, _ := console.New(emu.Client(), console.WithProto("testdata/badproto"))
	resp, err := http.Get(newServer(t, c) + console.DefaultPrefix)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var b strings.Builder
	_, _ = bufio.NewReader(resp.Body).WriteTo(&b)
	return html.UnescapeString(b.String())
}

func TestNewRejectsBadOptions(t *testing.T) {
	emu := pelicantest.NewEmulator(t)
	for _, opts := range [][]console.Option{{console.WithPrefix("nope")}, {console.WithPageSize(0)}, {console.WithPageSize(1001)}} {
		if _, err := console.New(emu.Client(), opts...); err == nil {
			t.Errorf("New accepted %d bad options", len(opts))
		}
	}
	if _, err := console.New(nil); err == nil {
		t.Error("New accepted a nil client")
	}
}

func TestCrossOriginFormsAreRefused(t *testing.T) {
	e := newEnv(t)
	pelicantest.CreateStream(t, e.client, "victim", 1)
	req, _ := http.NewRequest(http.MethodPost, e.base+"streams/victim/delete", strings.NewReader("confirm=victim"))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Origin", "https://evil.example")
	req.Header.Set("Sec-Fetch-Site", "cross-site")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusForbidden {
		t.Fatalf("a cross-site form post answered %d", resp.StatusCode)
	}
	if ids := pelicantest.ShardIDs(t, e.client, "victim"); len(ids) != 1 {
		t.Fatal("the stream is gone")
	}
}

func TestProtoAsDescriptorSet(t *testing.T) {
	schema, err := contract.LoadDir(ctxT(t), "testdata/proto", nil)
	if err != nil {
		t.Fatal(err)
	}
	set := &descriptorpb.FileDescriptorSet{}
	for _, f := range schema.Files() {
		set.File = append(set.File, f.Proto())
	}
	b, err := proto.Marshal(set)
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), "schemas.binpb")
	if err := os.WriteFile(path, b, 0o644); err != nil {
		t.Fatal(err)
	}
	e := newEnv(t, console.WithProto(path))
	pelicantest.CreateStream(t, e.client, "d", 1)
	pelicantest.Put(t, e.client, "d", "k", envelope(t, "shop.v1.OrderPlaced", orderPayload(t)))
	mustContain(t, "decoded with a descriptor set", html.UnescapeString(e.get(t, "streams/d/records", http.StatusOK)), `"order_id": "o-42"`)
}

func TestLineageOfAMerge(t *testing.T) {
	e := newEnv(t)
	pelicantest.CreateStream(t, e.client, "m", 2)
	if _, err := e.client.MergeShards(ctxT(t), &kinesis.MergeShardsInput{StreamName: aws.String("m"),
		ShardToMerge: aws.String("shardId-000000000000"), AdjacentShardToMerge: aws.String("shardId-000000000001")}); err != nil {
		t.Fatal(err)
	}
	pelicantest.WaitActive(t, e.client, "m")
	body := e.get(t, "streams/m", http.StatusOK)
	mustContain(t, "after a merge", body, `class="shard closed" data-shard="shardId-000000000000"`, `class="shard closed" data-shard="shardId-000000000001"`,
		`class="shard open" data-shard="shardId-000000000002"`, "shardId-000000000000, shardId-000000000001", "1 open / 2 closed")
	if n := strings.Count(body, `class="edge"`); n != 2 {
		t.Fatalf("%d edges, want one from each parent", n)
	}
}

func TestLatestPagesOnFromWhereItWas(t *testing.T) {
	e := newEnv(t)
	pelicantest.CreateStream(t, e.client, "l", 1)
	pelicantest.Put(t, e.client, "l", "old", []byte("before the page"))
	body := e.get(t, "streams/l/records?start=latest", http.StatusOK)
	if strings.Count(body, `<tr class="rec `) != 0 {
		t.Fatal("latest shows an old record")
	}
	i := strings.Index(body, `id="next"`)
	if i < 0 {
		t.Fatal("no next page from latest")
	}
	href := body[strings.LastIndex(body[:i], `href="`)+6:]
	href = html.UnescapeString(href[:strings.IndexByte(href, '"')])
	time.Sleep(5 * time.Millisecond)
	pelicantest.Put(t, e.client, "l", "new", []byte("after the page"))
	next := e.get(t, strings.TrimPrefix(href, console.DefaultPrefix), http.StatusOK)
	mustContain(t, "the page after latest", next, "after the page")
	mustNotContain(t, "the page after latest", next, "before the page")
}

func TestExportLimit(t *testing.T) {
	e := newEnv(t)
	pelicantest.CreateStream(t, e.client, "x", 1)
	putMixed(t, e.client, "x")
	if got := strings.Count(e.get(t, "streams/x/export?limit=2", http.StatusOK), "\n"); got != 3 {
		t.Fatalf("limit=2 wrote %d lines, want a header and 2", got)
	}
	for _, bad := range []string{"0", "10001", "many"} {
		mustContain(t, "bad limit", e.get(t, "streams/x/export?limit="+bad, http.StatusBadRequest), "limit must be a whole number")
	}
}
