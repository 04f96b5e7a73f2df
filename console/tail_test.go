package console_test

import (
	"bufio"
	"context"
	"html"
	"net/http"
	"net/url"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/kinesis"

	"github.com/pelicanhq/pelican/pelicantest"
)

// sseEvent is one server-sent event.
type sseEvent struct{ name, data string }

// openTail opens the live tail's event stream of a stream and reads its events in the
// background until the test ends.
func openTail(t *testing.T, e *env, stream, query string) <-chan sseEvent {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	t.Cleanup(cancel)
	req, _ := http.NewRequestWithContext(ctx, http.MethodGet, e.base+"streams/"+stream+"/tail/events?"+query, nil)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("tail: %s", resp.Status)
	}
	events := make(chan sseEvent, 256)
	go func() {
		defer resp.Body.Close()
		defer close(events)
		sc := bufio.NewScanner(resp.Body)
		sc.Buffer(nil, 1<<20)
		ev := sseEvent{name: "message"}
		var data []string
		for sc.Scan() {
			line := sc.Text()
			switch {
			case line == "":
				if len(data) > 0 {
					ev.data = strings.Join(data, "\n")
					select {
					case events <- ev:
					case <-ctx.Done():
						return
					}
				}
				ev, data = sseEvent{name: "message"}, nil
			case strings.HasPrefix(line, "event: "):
				ev.name = strings.TrimPrefix(line, "event: ")
			case strings.HasPrefix(line, "data: "):
				data = append(data, strings.TrimPrefix(line, "data: "))
			}
		}
	}()
	return events
}

// waitReady waits for the tail's ready event, which says how many shards it follows.
func waitReady(t *testing.T, events <-chan sseEvent, want string) {
	t.Helper()
	timeout := time.After(10 * time.Second)
	for {
		select {
		case ev, ok := <-events:
			if !ok {
				t.Fatalf("the tail ended before it was ready (%q)", want)
			}
			if ev.name == "ready" && ev.data == want {
				return
			}
		case <-timeout:
			t.Fatalf("not ready (%q)", want)
		}
	}
}

var partitionKeyCell = regexp.MustCompile(`<code class="pk">([^<]*)</code>`)

// tailKeys collects the partition keys of the records the tail sends, in order: until every key
// of until arrived and then for another settle (to catch a record sent twice), or, with until
// empty, for settle.
func tailKeys(t *testing.T, events <-chan sseEvent, until []string, settle time.Duration) []string {
	t.Helper()
	var keys []string
	done := func() bool {
		for _, k := range until {
			if !slices.Contains(keys, k) {
				return false
			}
		}
		return true
	}
	deadline := time.After(20 * time.Second)
	var settled <-chan time.Time
	if len(until) == 0 {
		settled = time.After(settle)
	}
	for {
		select {
		case ev, ok := <-events:
			if !ok {
				t.Fatalf("the tail ended; keys so far %v", keys)
			}
			if ev.name != "records" {
				continue
			}
			for _, m := range partitionKeyCell.FindAllStringSubmatch(ev.data, -1) {
				keys = append(keys, html.UnescapeString(m[1]))
			}
			if settled == nil && done() {
				settled = time.After(settle)
			}
		case <-settled:
			return keys
		case <-deadline:
			t.Fatalf("records %v did not all arrive; keys so far %v", until, keys)
		}
	}
}

// putAt writes one record with partition key key to the shard that owns hashKey.
func putAt(t *testing.T, client *kinesis.Client, stream, hashKey, key string) {
	t.Helper()
	if _, err := client.PutRecord(ctxT(t), &kinesis.PutRecordInput{StreamName: &stream, PartitionKey: &key,
		ExplicitHashKey: aws.String(hashKey), Data: []byte("record " + key)}); err != nil {
		t.Fatal(err)
	}
}

// throttleReads makes a shard refuse every GetRecords call (on), or lifts that (off), through
// the console's faults form.
func throttleReads(t *testing.T, e *env, stream, shard string, on bool) {
	t.Helper()
	form := url.Values{"stream": {stream}, "shard": {shard}, "read_calls_per_second": {"0"}}
	if !on {
		form = url.Values{"stream": {stream}, "shard": {shard}, "lift": {"1"}}
	}
	if status, _, body := e.post(t, "throttle", form); status != http.StatusSeeOther {
		t.Fatalf("throttle %s: %d %s", shard, status, body)
	}
}

func mustOrder(t *testing.T, what string, got, want []string) {
	t.Helper()
	if !slices.Equal(got, want) {
		t.Fatalf("%s: records %v, want %v", what, got, want)
	}
}

// sameSet compares keys whose order among themselves does not matter.
func sameSet(got, want []string) bool {
	return slices.Equal(slices.Sorted(slices.Values(got)), slices.Sorted(slices.Values(want)))
}

func TestLiveTailFollowsMergesAndSplits(t *testing.T) {
	e := newEnv(t)
	const s = "lineage"
	pelicantest.CreateStream(t, e.client, s, 2)
	events := openTail(t, e, s, "")
	waitReady(t, events, "following 2 shards")

	// A merge: while one parent cannot be read to its end, the child waits, though the other
	// parent ended and the child has a record.
	throttleReads(t, e, s, "shardId-000000000001", true)
	putAt(t, e.client, s, shard0Key, "a1")
	putAt(t, e.client, s, shard2Key, "b1")
	merge(t, e.client, s, "shardId-000000000000", "shardId-000000000001")
	putAt(t, e.client, s, shard0Key, "c1") // shardId-000000000002, the merged child
	mustOrder(t, "one parent drained", tailKeys(t, events, []string{"a1"}, time.Second), []string{"a1"})
	throttleReads(t, e, s, "shardId-000000000001", false)
	mustOrder(t, "both parents drained", tailKeys(t, events, []string{"c1"}, 300*time.Millisecond), []string{"b1", "c1"})

	// A split: the parent's records come before either child's.
	throttleReads(t, e, s, "shardId-000000000002", true)
	putAt(t, e.client, s, shard0Key, "c2")
	split(t, e.client, s, "shardId-000000000002", shard1Key)
	putAt(t, e.client, s, shard0Key, "d1") // shardId-000000000003
	putAt(t, e.client, s, shard2Key, "e1") // shardId-000000000004
	mustOrder(t, "parent not drained", tailKeys(t, events, nil, time.Second), nil)
	throttleReads(t, e, s, "shardId-000000000002", false)
	got := tailKeys(t, events, []string{"d1", "e1"}, 300*time.Millisecond)
	if len(got) != 3 || got[0] != "c2" || !sameSet(got[1:], []string{"d1", "e1"}) {
		t.Fatalf("after a split: records %v, want c2 and then d1 and e1", got)
	}

	// The split's children merge again: their child is read once, though both parents end.
	merge(t, e.client, s, "shardId-000000000003", "shardId-000000000004")
	putAt(t, e.client, s, shard0Key, "f1")
	putAt(t, e.client, s, shard2Key, "f2")
	mustOrder(t, "merged again", tailKeys(t, events, []string{"f1", "f2"}, time.Second), []string{"f1", "f2"})
}

func merge(t *testing.T, client *kinesis.Client, stream, a, b string) {
	t.Helper()
	if _, err := client.MergeShards(ctxT(t), &kinesis.MergeShardsInput{StreamName: &stream, ShardToMerge: &a, AdjacentShardToMerge: &b}); err != nil {
		t.Fatal(err)
	}
	pelicantest.WaitActive(t, client, stream)
}

func split(t *testing.T, client *kinesis.Client, stream, shard, at string) {
	t.Helper()
	if _, err := client.SplitShard(ctxT(t), &kinesis.SplitShardInput{StreamName: &stream, ShardToSplit: &shard, NewStartingHashKey: &at}); err != nil {
		t.Fatal(err)
	}
	pelicantest.WaitActive(t, client, stream)
}

func TestLiveTailOfOneShardFollowsItsMergeWithAnother(t *testing.T) {
	e := newEnv(t)
	const s = "one"
	pelicantest.CreateStream(t, e.client, s, 2)
	events := openTail(t, e, s, "shard=shardId-000000000000")
	waitReady(t, events, "following 1 shard")
	putAt(t, e.client, s, shard0Key, "a1")
	putAt(t, e.client, s, shard2Key, "b1") // the other shard, outside the view
	merge(t, e.client, s, "shardId-000000000000", "shardId-000000000001")
	putAt(t, e.client, s, shard2Key, "c1") // the merged child, which the tail follows
	// The child does not wait for a parent the tail never reads.
	mustOrder(t, "a merge with a shard outside the view", tailKeys(t, events, []string{"c1"}, 300*time.Millisecond), []string{"a1", "c1"})
}

func TestLiveTailOfAShardTheStreamLacks(t *testing.T) {
	e := newEnv(t)
	pelicantest.CreateStream(t, e.client, "n", 1)
	mustContain(t, "tail page", e.get(t, "streams/n/tail?shard=shardId-000000000007", http.StatusNotFound), "has no shard")
	e.get(t, "streams/n/tail/events?shard=shardId-000000000007", http.StatusNotFound)
}
