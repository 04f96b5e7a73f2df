package esm_test

import (
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"net/http"
	"net/url"
	"reflect"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/kinesis"
	"github.com/aws/aws-sdk-go-v2/service/kinesis/types"

	"github.com/pelicanhq/pelican/lambda/esm"
	"github.com/pelicanhq/pelican/pelicantest"
)

// registerConsumer registers an enhanced fan-out consumer on the stream and returns its ARN.
func registerConsumer(t *testing.T, e *env, name string) string {
	t.Helper()
	arn := streamARN(t, e)
	out, err := e.client.RegisterStreamConsumer(t.Context(), &kinesis.RegisterStreamConsumerInput{StreamARN: &arn, ConsumerName: aws.String(name)})
	if err != nil {
		t.Fatal(err)
	}
	return aws.ToString(out.Consumer.ConsumerARN)
}

// failGetRecords makes every GetRecords call fail, so that a mapping reading with GetRecords
// delivers nothing.
func failGetRecords(e *env) {
	e.emu.Faults().Inject(pelicantest.Fault{Operation: "GetRecords", Code: "InternalFailure"})
}

// bothSources runs test once on the stream's ARN, read with GetRecords, and once on a
// consumer's ARN, read through SubscribeToShard while every GetRecords call fails (so that only
// the subscriptions can deliver): the semantics are the same whichever reads.
func bothSources(t *testing.T, shards int, test func(t *testing.T, e *env, arn string)) {
	t.Helper()
	for _, source := range []string{"stream", "consumer"} {
		t.Run(source, func(t *testing.T) {
			e := newEnv(t, shards)
			arn := streamARN(t, e)
			if source == "consumer" {
				arn = registerConsumer(t, e, "lambda")
				failGetRecords(e)
			}
			test(t, e, arn)
		})
	}
}

// liveSubscription is a row of the emulator's /_pelican/subscriptions.
type liveSubscription struct {
	ConsumerARN string    `json:"consumer_arn"`
	ShardID     string    `json:"shard_id"`
	Started     time.Time `json:"started"`
}

// subscriptions lists the stream's live SubscribeToShard calls, as the emulator sees them.
func subscriptions(t *testing.T, e *env) []liveSubscription {
	t.Helper()
	resp, err := http.Get(e.emu.URL() + "/_pelican/subscriptions?stream=" + url.QueryEscape(e.stream))
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var out []liveSubscription
	if err := json.NewDecoder(resp.Body).Decode(&out); err != nil || resp.StatusCode != http.StatusOK {
		t.Fatalf("subscriptions: %d %v", resp.StatusCode, err)
	}
	return out
}

// TestFanOutDeliversThroughSubscribeToShard: a mapping on a consumer ARN reads every shard of a
// stream through SubscribeToShard: with every GetRecords call failing it still delivers each
// record once, each key's records in order, the events naming the stream; the emulator shows
// the consumer subscribed to every shard. A mapping on the stream's ARN, which polls, gets
// nothing through the same fault.
func TestFanOutDeliversThroughSubscribeToShard(t *testing.T) {
	e := newEnv(t, 4)
	consumer := registerConsumer(t, e, "lambda")
	failGetRecords(e)
	const keys, perKey = 12, 10
	put := func(from, to int) {
		for i := from; i < to; i++ {
			for k := range keys {
				e.put(t, fmt.Sprintf("key-%d", k), fmt.Sprintf("key-%d/%d", k, i))
			}
		}
	}
	put(0, perKey/2)
	var r, polled recorder
	l := attach(t, e, &r, esm.Mapping{EventSourceArn: consumer, ParallelizationFactor: i32(3), BatchSize: i32(7)})
	lp := attach(t, e, &polled, esm.Mapping{})
	l.WaitIdle(t)
	put(perKey/2, perKey)
	l.WaitIdle(t)
	lp.WaitIdle(t)

	if n := len(polled.invocations()); n != 0 {
		t.Fatalf("the polling mapping was invoked %d times through failing GetRecords: the fault does not hold", n)
	}
	next := map[string]int{}
	stream := streamARN(t, e)
	for _, c := range r.invocations() {
		for _, rec := range c.Event.Records {
			if rec.EventSourceArn != stream {
				t.Fatalf("eventSourceARN = %s, want the stream's %s", rec.EventSourceArn, stream)
			}
			k, n, _ := strings.Cut(string(rec.Kinesis.Data), "/")
			i, _ := strconv.Atoi(n)
			if i != next[k] {
				t.Fatalf("%s: got record %d, want %d (out of order or duplicated)", k, i, next[k])
			}
			next[k]++
		}
	}
	for k := range keys {
		if got := next[fmt.Sprintf("key-%d", k)]; got != perKey {
			t.Fatalf("key-%d: %d records delivered, want %d", k, got, perKey)
		}
	}
	subs := subscriptions(t, e)
	shards := pelicantest.ShardIDs(t, e.client, e.stream)
	if len(subs) != len(shards) {
		t.Fatalf("live subscriptions = %+v, want one per shard of %v", subs, shards)
	}
	for i, s := range subs {
		if s.ConsumerARN != consumer || s.ShardID != shards[i] {
			t.Fatalf("live subscriptions = %+v, want %s on %v", subs, consumer, shards)
		}
	}
}

// TestFanOutRenewsSubscription: a subscription ends after five minutes of the emulator's clock
// and the mapping subscribes again after the last record it got: records written before and
// after the renewal each arrive once, in order.
func TestFanOutRenewsSubscription(t *testing.T) {
	e := newEnv(t, 1)
	consumer := registerConsumer(t, e, "lambda")
	failGetRecords(e)
	var r recorder
	var logs pelicantest.Buffer
	l := attach(t, e, &r, esm.Mapping{EventSourceArn: consumer},
		esm.WithLogger(slog.New(slog.NewJSONHandler(&logs, &slog.HandlerOptions{Level: slog.LevelDebug}))))
	e.put(t, "k", "a", "b")
	l.WaitIdle(t)
	first := subscriptions(t, e)
	if len(first) != 1 {
		t.Fatalf("live subscriptions = %+v, want 1", first)
	}
	for range 9 { // to 4 min 30 s
		e.clock.Advance(30 * time.Second)
		l.WaitQuiet(t)
	}
	seqC := e.put(t, "k", "c")[0]
	l.WaitIdle(t)
	e.clock.Advance(40 * time.Second) // past the five minutes
	l.WaitIdle(t)
	e.put(t, "k", "d")
	l.WaitIdle(t)
	renewed := subscriptions(t, e)
	if len(renewed) != 1 || !renewed[0].Started.After(first[0].Started.Add(5*time.Minute-time.Second)) {
		t.Fatalf("subscriptions before %+v and after %+v five minutes: not renewed", first, renewed)
	}
	if got, want := r.delivered(), []string{"a", "b", "c", "d"}; !reflect.DeepEqual(got, want) {
		t.Fatalf("delivered = %v, want %v", got, want)
	}
	// Two calls, the second after the last record of the first, and neither refused (no call
	// came within a second of another, none met a live subscription).
	var calls []string
	for _, line := range jsonLines(&logs) {
		switch line["msg"] {
		case "esm: subscribed":
			calls = append(calls, fmt.Sprint(line["position"], " ", line["after"]))
		case "esm: subscribe to shard":
			t.Errorf("a subscription failed: %v", line)
		}
	}
	if want := []string{"TRIM_HORIZON ", "AFTER_SEQUENCE_NUMBER " + seqC}; !reflect.DeepEqual(calls, want) {
		t.Fatalf("subscriptions = %q, want %q", calls, want)
	}
}

// TestFanOutWaitsOutSubscriptionInUse: when another reader holds the consumer's subscription to a
// shard, SubscribeToShard answers ResourceInUseException for five seconds; the mapping pauses
// and subscribes again, taking the subscription over.
func TestFanOutWaitsOutSubscriptionInUse(t *testing.T) {
	e := newEnv(t, 1)
	consumer := registerConsumer(t, e, "lambda")
	failGetRecords(e)
	shard := pelicantest.ShardIDs(t, e.client, e.stream)[0]
	e.put(t, "k", "a")
	ctx, cancel := context.WithCancel(t.Context())
	defer cancel()
	other, err := e.client.SubscribeToShard(ctx, &kinesis.SubscribeToShardInput{ConsumerARN: &consumer, ShardId: &shard,
		StartingPosition: &types.StartingPosition{Type: types.ShardIteratorTypeTrimHorizon}})
	if err != nil {
		t.Fatal(err)
	}
	defer other.GetStream().Close()
	e.clock.Advance(time.Second) // past the one-a-second rule: the next call meets the live subscription
	var r recorder
	l := attach(t, e, &r, esm.Mapping{EventSourceArn: consumer})
	l.WaitQuiet(t)
	if n := len(r.invocations()); n != 0 {
		t.Fatalf("invoked %d times while another reader held the subscription", n)
	}
	e.clock.Advance(5 * time.Second)
	l.WaitIdle(t)
	if got, want := r.delivered(), []string{"a"}; !reflect.DeepEqual(got, want) {
		t.Fatalf("delivered = %v, want %v", got, want)
	}
}

// TestFanOutMissingConsumer: Run fails when the mapping's consumer is not registered, as it does
// for a stream that does not exist.
func TestFanOutMissingConsumer(t *testing.T) {
	e := newEnv(t, 1)
	runFailsNotFound(t, e, streamARN(t, e)+"/consumer/nobody:1700000000")
}

// TestFanOutBatchingWindow: records pushed in events of their own are gathered into one batch
// until the batching window of the first ends, as records polled are.
func TestFanOutBatchingWindow(t *testing.T) {
	e := newEnv(t, 1)
	consumer := registerConsumer(t, e, "lambda")
	failGetRecords(e)
	var r recorder
	l := attach(t, e, &r, esm.Mapping{EventSourceArn: consumer, BatchSize: i32(4), MaximumBatchingWindowInSeconds: i32(5)})
	l.WaitQuiet(t)
	for _, d := range []string{"a", "b", "c"} {
		e.put(t, "k", d)
		l.WaitQuiet(t) // each record arrives in an event of its own
	}
	advance(t, e, l, 4*time.Second)
	if n := len(r.invocations()); n != 0 {
		t.Fatalf("invoked %d times within the batching window", n)
	}
	advance(t, e, l, time.Second)
	if got, want := r.batches(), [][]string{{"a", "b", "c"}}; !reflect.DeepEqual(got, want) {
		t.Fatalf("after the window: batches = %v, want %v", got, want)
	}
}

// TestFanOutTumblingWindow: tumbling-window state is carried between invocations of a window and
// handed to its final invocation when records come through a subscription.
func TestFanOutTumblingWindow(t *testing.T) {
	e := newEnv(t, 1)
	consumer := registerConsumer(t, e, "lambda")
	failGetRecords(e)
	e.put(t, "k", "a", "b")
	r := recorder{respond: counter}
	l := attach(t, e, &r, esm.Mapping{EventSourceArn: consumer, TumblingWindowInSeconds: i32(60)})
	l.WaitQuiet(t)
	e.clock.Advance(10 * time.Second)
	l.WaitQuiet(t)
	e.put(t, "k", "c")
	l.WaitQuiet(t)
	for range 5 { // to the window's end
		e.clock.Advance(10 * time.Second)
		l.WaitQuiet(t)
	}
	type seen struct {
		records int
		state   string
		final   bool
	}
	var got []seen
	for _, c := range r.invocations() {
		got = append(got, seen{len(c.Event.Records), c.Event.State["count"], c.Event.IsFinalInvokeForWindow})
	}
	if want := []seen{{2, "", false}, {1, "2", false}, {0, "3", true}}; !reflect.DeepEqual(got, want) {
		t.Fatalf("invocations = %+v, want %+v", got, want)
	}
}
