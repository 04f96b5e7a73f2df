package console_test

import (
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/kinesis"
	"github.com/aws/aws-sdk-go-v2/service/kinesis/types"

	"github.com/pelicanhq/pelican/pelicantest"
)

// putBurst writes n small records to the shard that owns hashKey in PutRecords calls of 500 and
// returns how many the emulator refused.
func putBurst(t *testing.T, client *kinesis.Client, stream, hashKey string, n int) int {
	t.Helper()
	refused := 0
	for n > 0 {
		batch := min(n, 500)
		n -= batch
		entries := make([]types.PutRecordsRequestEntry, batch)
		for i := range entries {
			entries[i] = types.PutRecordsRequestEntry{PartitionKey: aws.String("hot-key"), ExplicitHashKey: aws.String(hashKey), Data: []byte(fmt.Sprintf("r%d", i))}
		}
		out, err := client.PutRecords(ctxT(t), &kinesis.PutRecordsInput{StreamName: &stream, Records: entries})
		if err != nil {
			t.Fatal(err)
		}
		refused += int(aws.ToInt32(out.FailedRecordCount))
	}
	return refused
}

// The hash keys that land in each of a three-shard stream's shards.
const (
	shard0Key = "0"
	shard1Key = "170141183460469231731687303715884105728"
	shard2Key = "340282366920938463463374607431768211455"
)

func TestStreamPageMarksTheHotAndTheRefusedShard(t *testing.T) {
	// On a clock that stands still every write falls in one second of the emulator's counters
	// and no write bucket refills, so the counts the page sees are exactly the test's.
	clock := pelicantest.NewClock(time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC))
	emu := pelicantest.NewEmulator(t, pelicantest.WithClock(clock), pelicantest.WithThroughputLimits(true))
	e := newEnvOn(t, emu)
	pelicantest.CreateStream(t, e.client, "h", 3)

	if refused := putBurst(t, e.client, "h", shard0Key, 900); refused != 0 {
		t.Fatalf("900 records in a second: %d refused, want none (the limit is 1,000)", refused)
	}
	if refused := putBurst(t, e.client, "h", shard1Key, 1100); refused != 100 {
		t.Fatalf("1,100 records in a second: %d refused, want 100", refused)
	}
	putBurst(t, e.client, "h", shard2Key, 5)
	clock.Advance(2 * time.Second) // the burst is two seconds old, well within the last ten

	body := e.get(t, "streams/h", http.StatusOK)
	mustContain(t, "stream page", body,
		`<p class="alert hot">Hot (a second of the last ten at 80% of a write limit): shardId-000000000000</p>`,
		`<p class="alert throttled" id="throttled-alert">Throttled: shardId-000000000001</p>`,
		`<tr class="open hot" id="shardId-000000000000">`,
		`<tr class="open throttled" id="shardId-000000000001">`,
		`<tr class="open" id="shardId-000000000002">`,
		`class="shard open hot" data-shard="shardId-000000000000"`,
		`class="shard open throttled" data-shard="shardId-000000000001"`,
		`class="shard open" data-shard="shardId-000000000002"`,
		"100 refused in the last minute", "90.0/s · peak 900/s",
	)
	// A refused shard was hot too, but one mark says it: throttled.
	if n := strings.Count(body, `<span class="badge throttled">`); n != 1 {
		t.Fatalf("%d shards marked throttled, want 1", n)
	}
	if n := strings.Count(body, `<span class="badge hot">`); n != 1 {
		t.Fatalf("%d shards marked hot, want 1", n)
	}

	// Split, the hot shard takes no more writes: it is closed, not hot, and its children are cold.
	if _, err := e.client.SplitShard(ctxT(t), &kinesis.SplitShardInput{StreamName: aws.String("h"),
		ShardToSplit: aws.String("shardId-000000000000"), NewStartingHashKey: aws.String("1000")}); err != nil {
		t.Fatal(err)
	}
	pelicantest.WaitActive(t, e.client, "h")
	body = e.get(t, "streams/h", http.StatusOK)
	mustContain(t, "after the split", body, `<tr class="closed" id="shardId-000000000000">`, `class="shard closed" data-shard="shardId-000000000000"`,
		`<tr class="open" id="shardId-000000000003">`, `<tr class="open" id="shardId-000000000004">`)
	mustNotContain(t, "after the split", body, `class="alert hot"`, `badge hot`)

	// Ten seconds on, the burst no longer makes the shard hot; the refusals count for a minute.
	clock.Advance(10 * time.Second)
	body = e.get(t, "streams/h", http.StatusOK)
	mustNotContain(t, "ten seconds later", body, `class="alert hot"`, `<tr class="open hot"`)
	mustContain(t, "ten seconds later", body, `<tr class="open throttled" id="shardId-000000000001">`)
	clock.Advance(time.Minute)
	mustNotContain(t, "a minute later", e.get(t, "streams/h", http.StatusOK), "THROTTLED", `class="alert hot"`)
}

func TestThrottleRatesMustBeFinite(t *testing.T) {
	e := newEnv(t)
	pelicantest.CreateStream(t, e.client, "r", 1)
	for _, rate := range []string{"NaN", "+Inf", "1e309", "-1", "fast"} {
		status, _, body := e.post(t, "throttle", url.Values{"stream": {"r"}, "shard": {"shardId-000000000000"}, "read_calls_per_second": {rate}})
		if status != http.StatusBadRequest {
			t.Fatalf("rate %q: %d, want 400\n%.1000s", rate, status, body)
		}
		mustContain(t, "rate "+rate, body, "must be a rate of zero or more")
	}
}

func TestCreateStreamRefusesAShardCountBeyond32Bits(t *testing.T) {
	e := newEnv(t)
	// 2³² + 1 would wrap to one shard.
	status, _, body := e.post(t, "streams", url.Values{"name": {"wrap"}, "shards": {"4294967297"}})
	if status != http.StatusBadRequest {
		t.Fatalf("create: %d\n%.1000s", status, body)
	}
	mustContain(t, "create", body, "shards must be a positive whole number")
	e.get(t, "streams/wrap", http.StatusNotFound)
}
