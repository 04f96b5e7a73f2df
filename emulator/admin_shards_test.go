package emulator_test

import (
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/kinesis"
	"github.com/aws/aws-sdk-go-v2/service/kinesis/types"

	"github.com/pelicanhq/pelican/emulator"
)

type adminShards struct {
	Stream         string `json:"stream"`
	Now            int64  `json:"now"`
	Seconds        int    `json:"seconds"`
	LimitsEnforced bool   `json:"limits_enforced"`
	Shards         []struct {
		ShardID         string  `json:"shard_id"`
		Open            bool    `json:"open"`
		InRecords       []int64 `json:"in_records"`
		InBytes         []int64 `json:"in_bytes"`
		OutRecords      []int64 `json:"out_records"`
		OutBytes        []int64 `json:"out_bytes"`
		WriteThrottled  []int64 `json:"write_throttled"`
		ThrottledRecent int64   `json:"throttled_last_minute"`
		Limits          struct {
			WriteRecordsPerSecond float64 `json:"write_records_per_second"`
		} `json:"limits"`
		Throttle *emulator.ShardThrottle `json:"throttle"`
	} `json:"shards"`
}

func sum(xs []int64) (n int64) {
	for _, x := range xs {
		n += x
	}
	return n
}

func adminDo(t *testing.T, method, url, body string) (int, string) {
	t.Helper()
	req, err := http.NewRequest(method, url, strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b)
}

func TestAdminShardsCountsAndThrottle(t *testing.T) {
	clock := emulator.NewManualClock(time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC))
	srv := emulator.RunT(t, emulator.WithClock(clock), emulator.WithStream("hot", 2))
	client := newClient(t, srv)
	ctx := ctxT(t)
	for i := range 10 {
		if _, err := client.PutRecord(ctx, &kinesis.PutRecordInput{StreamName: aws.String("hot"),
			PartitionKey: aws.String("k"), Data: []byte("0123456789"), ExplicitHashKey: aws.String("0")}); err != nil {
			t.Fatalf("put %d: %v", i, err)
		}
	}
	it, err := client.GetShardIterator(ctx, &kinesis.GetShardIteratorInput{StreamName: aws.String("hot"),
		ShardId: aws.String("shardId-000000000000"), ShardIteratorType: "TRIM_HORIZON"})
	if err != nil {
		t.Fatal(err)
	}
	got, err := client.GetRecords(ctx, &kinesis.GetRecordsInput{ShardIterator: it.ShardIterator})
	if err != nil || len(got.Records) != 10 {
		t.Fatalf("GetRecords: %d records, %v", len(got.Records), err)
	}

	status, body := adminDo(t, http.MethodGet, srv.URL()+"/_pelican/shards?stream=hot&seconds=60", "")
	if status != http.StatusOK {
		t.Fatalf("GET shards: %d %s", status, body)
	}
	var rep adminShards
	if err := json.Unmarshal([]byte(body), &rep); err != nil {
		t.Fatal(err)
	}
	if rep.Stream != "hot" || rep.Seconds != 60 || len(rep.Shards) != 2 || rep.Now != clock.Now().Unix() {
		t.Fatalf("report: %+v", rep)
	}
	sh := rep.Shards[0]
	if sh.ShardID != "shardId-000000000000" || len(sh.InRecords) != 60 {
		t.Fatalf("shard 0: %+v", sh)
	}
	if last := sh.InRecords[59]; last != 10 || sh.InBytes[59] != 110 || sh.OutRecords[59] != 10 || sh.OutBytes[59] != 110 {
		t.Fatalf("this second: in %d records %d bytes, out %d records %d bytes; want 10/110 each",
			last, sh.InBytes[59], sh.OutRecords[59], sh.OutBytes[59])
	}
	if sum(rep.Shards[1].InRecords) != 0 || sh.Limits.WriteRecordsPerSecond != 1000 {
		t.Fatalf("shard 1 counted %d records; limit %v", sum(rep.Shards[1].InRecords), sh.Limits.WriteRecordsPerSecond)
	}

	// Ten seconds on, the records are ten slots back.
	clock.Advance(10 * time.Second)
	_, body = adminDo(t, http.MethodGet, srv.URL()+"/_pelican/shards?stream=hot&seconds=60", "")
	rep = adminShards{}
	_ = json.Unmarshal([]byte(body), &rep)
	if rep.Shards[0].InRecords[49] != 10 || rep.Shards[0].InRecords[59] != 0 {
		t.Fatalf("after 10s: %v", rep.Shards[0].InRecords[45:])
	}

	// Throttle shard 0 to nothing: writes fail as Kinesis's do and are counted.
	status, body = adminDo(t, http.MethodPost, srv.URL()+"/_pelican/throttle",
		`{"stream":"hot","shard":"shardId-000000000000","write_records_per_second":0}`)
	if status != http.StatusNoContent {
		t.Fatalf("POST throttle: %d %s", status, body)
	}
	_, err = client.PutRecord(ctx, &kinesis.PutRecordInput{StreamName: aws.String("hot"),
		PartitionKey: aws.String("k"), Data: []byte("x"), ExplicitHashKey: aws.String("0")})
	requireCode(t, err, "ProvisionedThroughputExceededException")
	// The other shard still takes writes.
	if _, err := client.PutRecord(ctx, &kinesis.PutRecordInput{StreamName: aws.String("hot"),
		PartitionKey: aws.String("k"), Data: []byte("x"), ExplicitHashKey: aws.String("340282366920938463463374607431768211455")}); err != nil {
		t.Fatalf("put to the other shard: %v", err)
	}
	_, body = adminDo(t, http.MethodGet, srv.URL()+"/_pelican/shards?stream=hot", "")
	rep = adminShards{}
	_ = json.Unmarshal([]byte(body), &rep)
	if s0 := rep.Shards[0]; s0.Throttle == nil || s0.ThrottledRecent != 1 || sum(s0.WriteThrottled) != 1 {
		t.Fatalf("throttled shard: %+v", s0)
	}
	if rep.Shards[1].Throttle != nil || rep.Shards[1].ThrottledRecent != 0 {
		t.Fatalf("shard 1 marked throttled: %+v", rep.Shards[1])
	}
	if _, body = adminDo(t, http.MethodGet, srv.URL()+"/_pelican/throttle", ""); !strings.Contains(body, `"shard":"shardId-000000000000"`) {
		t.Fatalf("GET throttle: %s", body)
	}

	// Lifted, writes go through again.
	if status, body = adminDo(t, http.MethodDelete, srv.URL()+"/_pelican/throttle?stream=hot&shard=shardId-000000000000", ""); status != http.StatusNoContent {
		t.Fatalf("DELETE throttle: %d %s", status, body)
	}
	if _, err := client.PutRecord(ctx, &kinesis.PutRecordInput{StreamName: aws.String("hot"),
		PartitionKey: aws.String("k"), Data: []byte("x"), ExplicitHashKey: aws.String("0")}); err != nil {
		t.Fatalf("put after lifting: %v", err)
	}
}

func TestAdminShardsBadRequests(t *testing.T) {
	srv := emulator.RunT(t, emulator.WithStream("s", 1))
	for _, tc := range []struct {
		method, path, body string
		status             int
	}{
		{"GET", "/_pelican/shards", "", 400},
		{"GET", "/_pelican/shards?stream=nope", "", 404},
		{"GET", "/_pelican/shards?stream=s&seconds=0", "", 400},
		{"GET", "/_pelican/shards?stream=s&seconds=301", "", 400},
		{"POST", "/_pelican/shards?stream=s", "", 405},
		{"POST", "/_pelican/throttle", `{`, 400},
		{"POST", "/_pelican/throttle", `{"stream":"s"}`, 400},
		{"POST", "/_pelican/throttle", `{"stream":"s","shard":"shardId-000000000000","write_records_per_second":-1}`, 400},
		{"POST", "/_pelican/throttle", `{"stream":"s","shard":"shardId-000000000009","read_calls_per_second":1}`, 404},
		{"POST", "/_pelican/throttle", `{"stream":"s","shard":"shardId-000000000000","bogus":1}`, 400},
		{"DELETE", "/_pelican/throttle", "", 400},
		{"PUT", "/_pelican/throttle", "", 405},
	} {
		if status, body := adminDo(t, tc.method, srv.URL()+tc.path, tc.body); status != tc.status {
			t.Errorf("%s %s %s: %d %s, want %d", tc.method, tc.path, tc.body, status, body, tc.status)
		}
	}
}

func TestWithHandlerMountsBesideTheAPI(t *testing.T) {
	h := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { _, _ = io.WriteString(w, "mounted "+r.URL.Path) })
	srv := emulator.RunT(t, emulator.WithHandler("/ui/", h), emulator.WithStream("s", 1))
	if _, body := adminDo(t, http.MethodGet, srv.URL()+"/ui/a/b", ""); body != "mounted /ui/a/b" {
		t.Fatalf("mounted handler answered %q", body)
	}
	// The Kinesis API and the other admin endpoints still answer.
	if _, err := newClient(t, srv).ListStreams(ctxT(t), &kinesis.ListStreamsInput{}); err != nil {
		t.Fatalf("ListStreams: %v", err)
	}
	if status, _ := adminDo(t, http.MethodGet, srv.URL()+"/_pelican/faults", ""); status != http.StatusOK {
		t.Fatalf("faults: %d", status)
	}
}

func TestAdminSubscriptionsAndFanOutCounters(t *testing.T) {
	srv := emulator.RunT(t, emulator.WithStream("efo", 1))
	client := newClient(t, srv)
	ctx := ctxT(t)
	desc, err := client.DescribeStreamSummary(ctx, &kinesis.DescribeStreamSummaryInput{StreamName: aws.String("efo")})
	if err != nil {
		t.Fatal(err)
	}
	reg, err := client.RegisterStreamConsumer(ctx, &kinesis.RegisterStreamConsumerInput{StreamARN: desc.StreamDescriptionSummary.StreamARN, ConsumerName: aws.String("app")})
	if err != nil {
		t.Fatal(err)
	}
	arn := aws.ToString(reg.Consumer.ConsumerARN)
	if _, body := adminDo(t, http.MethodGet, srv.URL()+"/_pelican/subscriptions?stream=efo", ""); strings.TrimSpace(body) != "[]" {
		t.Fatalf("before subscribing: %s", body)
	}
	if _, err := client.PutRecord(ctx, &kinesis.PutRecordInput{StreamName: aws.String("efo"), PartitionKey: aws.String("k"), Data: []byte("abcd")}); err != nil {
		t.Fatal(err)
	}
	out, err := client.SubscribeToShard(ctx, &kinesis.SubscribeToShardInput{ConsumerARN: aws.String(arn), ShardId: aws.String("shardId-000000000000"),
		StartingPosition: &types.StartingPosition{Type: types.ShardIteratorTypeTrimHorizon}})
	if err != nil {
		t.Fatal(err)
	}
	es := out.GetStream()
	defer es.Close()
	for ev := range es.Events() {
		if e, ok := ev.(*types.SubscribeToShardEventStreamMemberSubscribeToShardEvent); ok && len(e.Value.Records) > 0 {
			break
		}
	}
	status, body := adminDo(t, http.MethodGet, srv.URL()+"/_pelican/subscriptions?stream=efo", "")
	if status != http.StatusOK || !strings.Contains(body, `"consumer_arn":"`+arn+`"`) || !strings.Contains(body, `"shard_id":"shardId-000000000000"`) {
		t.Fatalf("subscriptions: %d %s", status, body)
	}
	_, body = adminDo(t, http.MethodGet, srv.URL()+"/_pelican/shards?stream=efo&seconds=5", "")
	var rep adminShards
	_ = json.Unmarshal([]byte(body), &rep)
	if got := sum(rep.Shards[0].OutRecords); got != 1 || sum(rep.Shards[0].OutBytes) != 5 {
		t.Fatalf("fan-out counted %d records, %d bytes; want 1 and 5", got, sum(rep.Shards[0].OutBytes))
	}
	if status, _ = adminDo(t, http.MethodGet, srv.URL()+"/_pelican/subscriptions", ""); status != http.StatusBadRequest {
		t.Fatalf("no stream: %d", status)
	}
}

func TestSetShardThrottle(t *testing.T) {
	srv := emulator.RunT(t, emulator.WithStream("s", 1))
	client := newClient(t, srv, func(o *kinesis.Options) { o.RetryMaxAttempts = 1 })
	ctx := ctxT(t)
	two := 2.0
	if err := srv.SetShardThrottle("s", "shardId-000000000000", emulator.ShardThrottle{WriteRecordsPerSecond: &two}); err != nil {
		t.Fatal(err)
	}
	put := func() error {
		_, err := client.PutRecord(ctx, &kinesis.PutRecordInput{StreamName: aws.String("s"), PartitionKey: aws.String("k"), Data: []byte("x")})
		return err
	}
	for i := range 2 {
		if err := put(); err != nil {
			t.Fatalf("write %d within the throttle: %v", i, err)
		}
	}
	requireCode(t, put(), "ProvisionedThroughputExceededException")
	if err := srv.SetShardThrottle("s", "shardId-000000000000", emulator.ShardThrottle{}); err != nil {
		t.Fatal(err)
	}
	if err := put(); err != nil {
		t.Fatalf("write after lifting: %v", err)
	}
	for _, err := range []error{srv.SetShardThrottle("nope", "shardId-000000000000", emulator.ShardThrottle{}),
		srv.SetShardThrottle("s", "shardId-000000000007", emulator.ShardThrottle{})} {
		var e *emulator.Error
		if !errors.As(err, &e) || e.Code != "ResourceNotFoundException" {
			t.Errorf("throttle of a missing stream or shard: %v", err)
		}
	}
}
