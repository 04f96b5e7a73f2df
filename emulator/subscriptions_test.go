package emulator_test

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"fmt"
	"net/http"
	"os"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/kinesis"
	"github.com/aws/aws-sdk-go-v2/service/kinesis/types"

	"github.com/pelicanhq/pelican/emulator"
)

const efoShard0 = "shardId-000000000000"

// efoGuard bounds every wait on a subscription, so that a broken server fails a test instead of
// hanging it. It is a guard, not a measurement: events arrive in milliseconds.
const efoGuard = 20 * time.Second

// subscribe calls SubscribeToShard and returns the event stream, closed when the test ends.
func (f *efoFixture) subscribe(t *testing.T, kc *kinesis.Client, consumerARN, shard string, pos types.StartingPosition) *kinesis.SubscribeToShardEventStream {
	t.Helper()
	out, err := f.trySubscribe(t, kc, consumerARN, shard, pos)
	if err != nil {
		t.Fatalf("SubscribeToShard: %v", err)
	}
	return out
}

func (f *efoFixture) trySubscribe(t *testing.T, kc *kinesis.Client, consumerARN, shard string, pos types.StartingPosition) (*kinesis.SubscribeToShardEventStream, error) {
	t.Helper()
	if kc == nil {
		// One client per subscription: the SDK's clients share one event-stream decoder among
		// their streams, which races when two are open at once (aws/smithy-go#714).
		kc = plainClient(t, f.srv)
	}
	out, err := kc.SubscribeToShard(ctxT(t), &kinesis.SubscribeToShardInput{
		ConsumerARN: aws.String(consumerARN), ShardId: aws.String(shard), StartingPosition: &pos})
	if err != nil {
		return nil, err
	}
	es := out.GetStream()
	t.Cleanup(func() { _ = es.Close() })
	return es, nil
}

// nextEvent returns the next event, or ok false when the stream has ended.
func nextEvent(t *testing.T, es *kinesis.SubscribeToShardEventStream) (ev types.SubscribeToShardEvent, ok bool) {
	t.Helper()
	select {
	case e, open := <-es.Events():
		if !open {
			return ev, false
		}
		m, isEvent := e.(*types.SubscribeToShardEventStreamMemberSubscribeToShardEvent)
		if !isEvent {
			t.Fatalf("unexpected event %T", e)
		}
		return m.Value, true
	case <-time.After(efoGuard):
		t.Fatalf("no event within %v", efoGuard)
	}
	return ev, false
}

// collect reads events until n records have come, and returns them with the last event.
func collect(t *testing.T, es *kinesis.SubscribeToShardEventStream, n int) ([]types.Record, types.SubscribeToShardEvent) {
	t.Helper()
	var recs []types.Record
	var last types.SubscribeToShardEvent
	for len(recs) < n {
		ev, ok := nextEvent(t, es)
		if !ok {
			t.Fatalf("stream ended after %d of %d records (err %v)", len(recs), n, es.Err())
		}
		recs = append(recs, ev.Records...)
		last = ev
	}
	if len(recs) != n {
		t.Fatalf("got %d records, want %d", len(recs), n)
	}
	return recs, last
}

// waitEnd reads the stream to its end, failing on records, and returns the stream's error.
func waitEnd(t *testing.T, es *kinesis.SubscribeToShardEventStream) error {
	t.Helper()
	for {
		ev, ok := nextEvent(t, es)
		if !ok {
			return es.Err()
		}
		if len(ev.Records) > 0 {
			t.Fatalf("unexpected records %v while waiting for the end", sequences(ev.Records))
		}
	}
}

// put writes records to shard 0 (hash key 0) and returns their sequence numbers.
func (f *efoFixture) put(t *testing.T, data ...string) []string {
	t.Helper()
	var seqs []string
	for _, d := range data {
		out, err := f.kc.PutRecord(ctxT(t), &kinesis.PutRecordInput{StreamName: aws.String(f.stream),
			PartitionKey: aws.String("k"), ExplicitHashKey: aws.String("0"), Data: []byte(d)})
		if err != nil {
			t.Fatal(err)
		}
		if *out.ShardId != efoShard0 {
			t.Fatalf("hash key 0 went to %s", *out.ShardId)
		}
		seqs = append(seqs, *out.SequenceNumber)
	}
	return seqs
}

func sequences(recs []types.Record) []string {
	out := make([]string, len(recs))
	for i, r := range recs {
		out[i] = *r.SequenceNumber
	}
	return out
}

func requireRecords(t *testing.T, got []types.Record, seqs []string, data []string) {
	t.Helper()
	if fmt.Sprint(sequences(got)) != fmt.Sprint(seqs) {
		t.Fatalf("records %v, want %v", sequences(got), seqs)
	}
	for i, r := range got {
		if string(r.Data) != data[i] || *r.PartitionKey != "k" || r.ApproximateArrivalTimestamp == nil || r.ApproximateArrivalTimestamp.Year() < 2020 {
			t.Fatalf("record %d: data %q key %q arrival %v", i, r.Data, aws.ToString(r.PartitionKey), r.ApproximateArrivalTimestamp)
		}
	}
}

func trimHorizon() types.StartingPosition {
	return types.StartingPosition{Type: types.ShardIteratorTypeTrimHorizon}
}

func afterSeq(seq string) types.StartingPosition {
	return types.StartingPosition{Type: types.ShardIteratorTypeAfterSequenceNumber, SequenceNumber: aws.String(seq)}
}

// recordingClient is an HTTP client that notes the protocol of every response.
type recordingClient struct {
	c     *http.Client
	mu    sync.Mutex
	proto map[string]bool
}

func (r *recordingClient) Do(req *http.Request) (*http.Response, error) {
	resp, err := r.c.Do(req)
	if err == nil {
		r.mu.Lock()
		r.proto[resp.Proto] = true
		r.mu.Unlock()
	}
	return resp, err
}

func (r *recordingClient) protocols() string {
	r.mu.Lock()
	defer r.mu.Unlock()
	return fmt.Sprint(r.proto)
}

// The same exchange over each way a client can reach the port: HTTP/1.1 with a chunked response
// (the Go SDK's way on http://), h2c with prior knowledge (the JavaScript SDK's way), and TLS with
// h2 negotiated by ALPN.
func TestSubscribeOverEachProtocol(t *testing.T) {
	f := newEFOFixture(t, 1, emulator.WithSelfSignedTLS(t.TempDir()))
	pem, err := os.ReadFile(f.srv.TLSCertFile())
	if err != nil {
		t.Fatal(err)
	}
	roots := x509.NewCertPool()
	if !roots.AppendCertsFromPEM(pem) {
		t.Fatal("the self-signed certificate does not parse")
	}
	plain := "http://" + f.srv.Addr()
	secure := "https://" + f.srv.Addr()
	if f.srv.URL() != secure {
		t.Fatalf("URL %s, want %s when TLS is on", f.srv.URL(), secure)
	}
	h2c := new(http.Protocols)
	h2c.SetUnencryptedHTTP2(true)
	for _, tc := range []struct {
		name, endpoint, proto string
		transport             *http.Transport
	}{
		{"HTTP/1.1", plain, "HTTP/1.1", &http.Transport{}},
		{"h2c", plain, "HTTP/2.0", &http.Transport{Protocols: h2c}},
		{"TLS h2", secure, "HTTP/2.0", &http.Transport{TLSClientConfig: &tls.Config{RootCAs: roots}, ForceAttemptHTTP2: true}},
		{"TLS HTTP/1.1", secure, "HTTP/1.1", &http.Transport{TLSClientConfig: &tls.Config{RootCAs: roots, NextProtos: []string{"http/1.1"}}}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var rt http.RoundTripper = tc.transport
			if tc.proto == "HTTP/1.1" {
				rt = plainBodies{rt} // see plainBodies: the SDK's request bodies can kill an HTTP/1.1 stream
			}
			rc := &recordingClient{c: &http.Client{Transport: rt}, proto: map[string]bool{}}
			t.Cleanup(tc.transport.CloseIdleConnections)
			kc := kinesis.New(kinesis.Options{Region: "us-east-1", HTTPClient: rc, RetryMaxAttempts: 1,
				BaseEndpoint: aws.String(tc.endpoint), Credentials: newClient(t, f.srv).Options().Credentials})
			ctx := ctxT(t)
			if _, err := kc.ListStreams(ctx, &kinesis.ListStreamsInput{}); err != nil {
				t.Fatal(err)
			}
			arn := f.active(t, fmt.Sprintf("proto-%d", len(tc.name)))
			data := []string{tc.name + "/1", tc.name + "/2"}
			seqs := f.put(t, data...)
			es := f.subscribe(t, kc, arn, efoShard0, types.StartingPosition{Type: types.ShardIteratorTypeAtSequenceNumber, SequenceNumber: aws.String(seqs[0])})
			got, _ := collect(t, es, 2)
			requireRecords(t, got, seqs, data)
			more := f.put(t, tc.name+"/3")
			got, last := collect(t, es, 1)
			requireRecords(t, got, more, []string{tc.name + "/3"})
			if aws.ToString(last.ContinuationSequenceNumber) != more[0] || aws.ToInt64(last.MillisBehindLatest) != 0 {
				t.Fatalf("event: continuation %s, millis behind %d", aws.ToString(last.ContinuationSequenceNumber), aws.ToInt64(last.MillisBehindLatest))
			}
			if got := rc.protocols(); got != fmt.Sprint(map[string]bool{tc.proto: true}) {
				t.Fatalf("responses came as %s, want only %s", got, tc.proto)
			}
		})
	}
}

func (f *efoFixture) startingSequence(t *testing.T) string {
	t.Helper()
	out, err := f.kc.ListShards(ctxT(t), &kinesis.ListShardsInput{StreamName: aws.String(f.stream)})
	if err != nil {
		t.Fatal(err)
	}
	for _, sh := range out.Shards {
		if *sh.ShardId == efoShard0 {
			return *sh.SequenceNumberRange.StartingSequenceNumber
		}
	}
	t.Fatal("no shard 0")
	return ""
}

func TestSubscribeStartingPositions(t *testing.T) {
	clock := emulator.NewManualClock(efoStart)
	f := newEFOFixture(t, 1, emulator.WithClock(clock))
	// Records written in the second the shard was created share its starting sequence number;
	// these come later, as in any stream that did not get its first record at once.
	clock.Advance(time.Second)
	data := []string{"r0", "r1", "r2", "r3"}
	var seqs []string
	for _, d := range data {
		seqs = append(seqs, f.put(t, d)...)
		clock.Advance(time.Second)
	}
	for i, tc := range []struct {
		name  string
		pos   types.StartingPosition
		first int // index of the first record delivered; -1 for none written before the call
	}{
		{"TRIM_HORIZON", trimHorizon(), 0},
		{"LATEST", types.StartingPosition{Type: types.ShardIteratorTypeLatest}, -1},
		{"AT_SEQUENCE_NUMBER", types.StartingPosition{Type: types.ShardIteratorTypeAtSequenceNumber, SequenceNumber: aws.String(seqs[2])}, 2},
		{"AFTER_SEQUENCE_NUMBER", afterSeq(seqs[2]), 3},
		{"AFTER the shard's starting sequence number", afterSeq(f.startingSequence(t)), 0},
		{"AT_TIMESTAMP", types.StartingPosition{Type: types.ShardIteratorTypeAtTimestamp, Timestamp: aws.Time(efoStart.Add(2 * time.Second))}, 1},
		{"AT_TIMESTAMP before the oldest", types.StartingPosition{Type: types.ShardIteratorTypeAtTimestamp, Timestamp: aws.Time(efoStart.Add(-time.Hour))}, 0},
	} {
		i, tc := i, tc
		t.Run(tc.name, func(t *testing.T) {
			arn := f.active(t, fmt.Sprintf("pos-%d", i))
			es := f.subscribe(t, nil, arn, efoShard0, tc.pos)
			first, ok := nextEvent(t, es)
			if !ok {
				t.Fatalf("stream ended at once: %v", es.Err())
			}
			from := tc.first
			if from < 0 {
				from = len(seqs)
			}
			got := first.Records
			if want := len(seqs) - from; len(got) < want {
				more, _ := collect(t, es, want-len(got))
				got = append(got, more...)
			}
			requireRecords(t, got, seqs[from:], data[from:])
			// The last event's continuation resumes after the last record, or before the first.
			live := f.put(t, "live")
			tail, _ := collect(t, es, 1)
			requireRecords(t, tail, live, []string{"live"})
			seqs, data = append(seqs, live...), append(data, "live")
		})
	}
}

// A subscription lasts five minutes of the server's clock and then ends cleanly; resubscribing
// after its last ContinuationSequenceNumber goes on with no gap and no duplicate.
func TestSubscriptionLifetimeAndResubscribe(t *testing.T) {
	clock := emulator.NewManualClock(efoStart)
	f := newEFOFixture(t, 1, emulator.WithClock(clock))
	arn := f.active(t, "life")
	var want, wantData []string
	put := func(ds ...string) {
		want = append(want, f.put(t, ds...)...)
		wantData = append(wantData, ds...)
	}
	put("a0", "a1")
	es := f.subscribe(t, nil, arn, efoShard0, trimHorizon())
	got, _ := collect(t, es, 2)
	put("a2")
	more, _ := collect(t, es, 1)
	got = append(got, more...)

	clock.Advance(5*time.Minute - time.Millisecond)
	put("a3")
	more, last := collect(t, es, 1)
	got = append(got, more...)
	clock.Advance(time.Millisecond)
	if err := waitEnd(t, es); err != nil {
		t.Fatalf("a subscription must end cleanly after 5 minutes, got %v", err)
	}
	put("b0", "b1") // written while no one is subscribed

	es2 := f.subscribe(t, nil, arn, efoShard0, afterSeq(aws.ToString(last.ContinuationSequenceNumber)))
	more, _ = collect(t, es2, 2)
	got = append(got, more...)
	put("b2")
	more, _ = collect(t, es2, 1)
	got = append(got, more...)
	requireRecords(t, got, want, wantData)
}

// Within one second a second call for the same consumer and shard is refused with
// LimitExceededException; within five seconds of a successful call with ResourceInUseException;
// at five seconds it takes the subscription over, and the old one ends with the exception event
// ResourceInUseException, as the API reference says ("the previous connection expires or fails
// with a ResourceInUseException").
func TestSubscribeTakeoverRules(t *testing.T) {
	clock := emulator.NewManualClock(efoStart)
	f := newEFOFixture(t, 2, emulator.WithClock(clock))
	arn := f.active(t, "takeover")
	old := f.subscribe(t, nil, arn, efoShard0, trimHorizon())
	if _, ok := nextEvent(t, old); !ok {
		t.Fatal("first subscription ended at once")
	}

	_, err := f.trySubscribe(t, nil, arn, efoShard0, trimHorizon())
	requireCode(t, err, "LimitExceededException")
	// Another shard of the same consumer is another slot.
	other := f.subscribe(t, nil, arn, "shardId-000000000001", trimHorizon())
	clock.Advance(time.Second)
	_, err = f.trySubscribe(t, nil, arn, efoShard0, trimHorizon())
	requireCode(t, err, "ResourceInUseException")
	clock.Advance(3*time.Second + 999*time.Millisecond)
	_, err = f.trySubscribe(t, nil, arn, efoShard0, trimHorizon())
	requireCode(t, err, "ResourceInUseException")
	clock.Advance(time.Second)
	fresh := f.subscribe(t, nil, arn, efoShard0, trimHorizon())

	err = waitEnd(t, old)
	requireCode(t, err, "ResourceInUseException")
	seqs := f.put(t, "after takeover")
	got, _ := collect(t, fresh, 1)
	requireRecords(t, got, seqs, []string{"after takeover"})
	if _, ok := nextEvent(t, other); !ok {
		t.Fatalf("the subscription to shard 1 ended with the takeover on shard 0: %v", other.Err())
	}
}

// With no records the subscription sends an empty event every five seconds of the server's
// clock, carrying the continuation and MillisBehindLatest.
func TestSubscriptionHeartbeat(t *testing.T) {
	clock := emulator.NewManualClock(efoStart)
	f := newEFOFixture(t, 1, emulator.WithClock(clock))
	arn := f.active(t, "beat")
	seqs := f.put(t, "x")
	es := f.subscribe(t, nil, arn, efoShard0, afterSeq(seqs[0]))
	first, ok := nextEvent(t, es)
	if !ok || len(first.Records) != 0 || aws.ToString(first.ContinuationSequenceNumber) != seqs[0] {
		t.Fatalf("first event %+v (ok %v), want empty with continuation %s", first, ok, seqs[0])
	}
	clock.Advance(5 * time.Second)
	beat, ok := nextEvent(t, es)
	if !ok || len(beat.Records) != 0 || aws.ToString(beat.ContinuationSequenceNumber) != seqs[0] || aws.ToInt64(beat.MillisBehindLatest) != 0 {
		t.Fatalf("heartbeat %+v (ok %v)", beat, ok)
	}
}

// Resharding closes the shard: the subscription delivers what is left, then one event with
// ChildShards and no ContinuationSequenceNumber, and ends.
func TestSubscribeReshardDeliversChildShards(t *testing.T) {
	f := newEFOFixture(t, 1)
	arn := f.active(t, "reshard")
	seqs := f.put(t, "before split")
	es := f.subscribe(t, nil, arn, efoShard0, trimHorizon())
	got, _ := collect(t, es, 1)
	requireRecords(t, got, seqs, []string{"before split"})
	if _, err := f.kc.SplitShard(ctxT(t), &kinesis.SplitShardInput{StreamName: aws.String(f.stream), ShardToSplit: aws.String(efoShard0),
		NewStartingHashKey: aws.String("170141183460469231731687303715884105728")}); err != nil {
		t.Fatal(err)
	}
	var end types.SubscribeToShardEvent
	for {
		ev, ok := nextEvent(t, es)
		if !ok {
			t.Fatalf("stream ended without ChildShards: %v", es.Err())
		}
		if len(ev.ChildShards) > 0 {
			end = ev
			break
		}
		if len(ev.Records) > 0 || ev.ContinuationSequenceNumber == nil {
			t.Fatalf("unexpected event before the end: %+v", ev)
		}
	}
	if end.ContinuationSequenceNumber != nil || len(end.Records) != 0 {
		t.Fatalf("end event carries continuation %v and %d records", aws.ToString(end.ContinuationSequenceNumber), len(end.Records))
	}
	if len(end.ChildShards) != 2 {
		t.Fatalf("child shards %+v", end.ChildShards)
	}
	for i, c := range end.ChildShards {
		want := fmt.Sprintf("shardId-%012d", i+1)
		if *c.ShardId != want || fmt.Sprint(c.ParentShards) != fmt.Sprint([]string{efoShard0}) {
			t.Fatalf("child %d: %s of %v, want %s of [%s]", i, *c.ShardId, c.ParentShards, want, efoShard0)
		}
	}
	if _, ok := nextEvent(t, es); ok {
		t.Fatal("an event came after the end of the shard")
	}
	if err := es.Err(); err != nil {
		t.Fatalf("the stream must end cleanly at the shard's end, got %v", err)
	}
}

func TestDeregisterEndsSubscriptions(t *testing.T) {
	f := newEFOFixture(t, 1)
	arn := f.active(t, "gone")
	es := f.subscribe(t, nil, arn, efoShard0, trimHorizon())
	if _, ok := nextEvent(t, es); !ok {
		t.Fatal("subscription ended at once")
	}
	if _, err := f.kc.DeregisterStreamConsumer(ctxT(t), &kinesis.DeregisterStreamConsumerInput{ConsumerARN: aws.String(arn)}); err != nil {
		t.Fatal(err)
	}
	if err := waitEnd(t, es); err != nil {
		t.Fatalf("deregistration must end the subscription cleanly, got %v", err)
	}
	_, err := f.trySubscribe(t, nil, arn, efoShard0, trimHorizon())
	requireCode(t, err, "ResourceNotFoundException")
}

func TestSubscriptionsEndWithTheServer(t *testing.T) {
	f := newEFOFixture(t, 1)
	arn := f.active(t, "shutdown")
	es := f.subscribe(t, nil, arn, efoShard0, trimHorizon())
	if _, ok := nextEvent(t, es); !ok {
		t.Fatal("subscription ended at once")
	}
	ctx, cancel := context.WithTimeout(context.Background(), efoGuard)
	defer cancel()
	if err := f.srv.Shutdown(ctx); err != nil {
		t.Fatalf("shutdown with a live subscription: %v", err)
	}
	if err := waitEnd(t, es); err != nil {
		t.Fatalf("shutdown must end subscriptions cleanly, got %v", err)
	}
}

func TestSubscribeToShardErrors(t *testing.T) {
	clock := emulator.NewManualClock(efoStart)
	f := newEFOFixture(t, 1, emulator.WithClock(clock), emulator.WithDelays(emulator.Delays{RegisterConsumer: time.Minute}))
	creating := f.register(t, "creating")
	seqs := f.put(t, "x")
	ctx := ctxT(t)
	sub := func(arn, shard string, pos types.StartingPosition) error {
		out, err := f.kc.SubscribeToShard(ctx, &kinesis.SubscribeToShardInput{ConsumerARN: aws.String(arn), ShardId: aws.String(shard), StartingPosition: &pos})
		if err == nil {
			_ = out.GetStream().Close()
		}
		return err
	}
	unknown := f.streamARN + "/consumer/nobody:1"
	for _, tc := range []struct {
		name  string
		arn   string
		shard string
		pos   types.StartingPosition
		code  string
	}{
		{"consumer not yet ACTIVE", creating, efoShard0, trimHorizon(), "ResourceInUseException"},
		{"unknown consumer", unknown, efoShard0, trimHorizon(), "ResourceNotFoundException"},
		{"malformed consumer ARN", f.streamARN, efoShard0, trimHorizon(), "ValidationException"},
		{"bad position type", creating, efoShard0, types.StartingPosition{Type: "SOMEWHERE"}, "ValidationException"},
	} {
		t.Run(tc.name, func(t *testing.T) { requireCode(t, sub(tc.arn, tc.shard, tc.pos), tc.code) })
	}
	clock.Advance(time.Minute)
	for _, tc := range []struct {
		name  string
		shard string
		pos   types.StartingPosition
		code  string
	}{
		{"unknown shard", "shardId-000000000009", trimHorizon(), "ResourceNotFoundException"},
		{"AT_SEQUENCE_NUMBER without a number", efoShard0, types.StartingPosition{Type: types.ShardIteratorTypeAtSequenceNumber}, "InvalidArgumentException"},
		{"TRIM_HORIZON with a number", efoShard0, types.StartingPosition{Type: types.ShardIteratorTypeTrimHorizon, SequenceNumber: aws.String(seqs[0])}, "InvalidArgumentException"},
		{"AT_TIMESTAMP without a time", efoShard0, types.StartingPosition{Type: types.ShardIteratorTypeAtTimestamp}, "InvalidArgumentException"},
		{"AT_TIMESTAMP in the future", efoShard0, types.StartingPosition{Type: types.ShardIteratorTypeAtTimestamp, Timestamp: aws.Time(efoStart.Add(time.Hour))}, "InvalidArgumentException"},
		{"sequence number that is not one", efoShard0, afterSeq("49671234567890123456789012345678901234567890123456789012"), "InvalidArgumentException"},
	} {
		t.Run("active/"+tc.name, func(t *testing.T) { requireCode(t, sub(creating, tc.shard, tc.pos), tc.code) })
	}
	if err := sub(creating, efoShard0, trimHorizon()); err != nil {
		t.Fatalf("a good call after the refused ones: %v", err)
	}
}

// Reading a stream through enhanced fan-out with the Go SDK. An HTTP/2 transport (h2c on an
// http:// endpoint) is the way the SDKs talk to Kinesis; the emulator also answers HTTP/1.1.
func Example_subscribeToShard() {
	srv, err := emulator.Run(emulator.WithStream("orders", 1))
	if err != nil {
		panic(err)
	}
	defer srv.Close()
	h2c := new(http.Protocols)
	h2c.SetUnencryptedHTTP2(true)
	kc := kinesis.NewFromConfig(aws.Config{
		Region:      "us-east-1",
		Credentials: credentials.NewStaticCredentialsProvider("AKID", "secret", ""),
		HTTPClient:  &http.Client{Transport: &http.Transport{Protocols: h2c}},
	}, func(o *kinesis.Options) { o.BaseEndpoint = aws.String(srv.URL()) })
	ctx := context.Background()

	sum, err := kc.DescribeStreamSummary(ctx, &kinesis.DescribeStreamSummaryInput{StreamName: aws.String("orders")})
	if err != nil {
		panic(err)
	}
	reg, err := kc.RegisterStreamConsumer(ctx, &kinesis.RegisterStreamConsumerInput{
		StreamARN: sum.StreamDescriptionSummary.StreamARN, ConsumerName: aws.String("billing")})
	if err != nil {
		panic(err)
	}
	// A consumer is CREATING at first; with no registration delay it is ACTIVE at the next call.
	desc, err := kc.DescribeStreamConsumer(ctx, &kinesis.DescribeStreamConsumerInput{ConsumerARN: reg.Consumer.ConsumerARN})
	if err != nil {
		panic(err)
	}
	fmt.Println(reg.Consumer.ConsumerStatus, "then", desc.ConsumerDescription.ConsumerStatus)

	for _, order := range []string{"order-1", "order-2"} {
		if _, err := kc.PutRecord(ctx, &kinesis.PutRecordInput{StreamName: aws.String("orders"),
			PartitionKey: aws.String(order), Data: []byte(order)}); err != nil {
			panic(err)
		}
	}
	out, err := kc.SubscribeToShard(ctx, &kinesis.SubscribeToShardInput{
		ConsumerARN: reg.Consumer.ConsumerARN, ShardId: aws.String("shardId-000000000000"),
		StartingPosition: &types.StartingPosition{Type: types.ShardIteratorTypeTrimHorizon}})
	if err != nil {
		panic(err)
	}
	stream := out.GetStream()
	defer stream.Close()
	seen := 0
	for ev := range stream.Events() {
		batch := ev.(*types.SubscribeToShardEventStreamMemberSubscribeToShardEvent).Value
		for _, r := range batch.Records {
			fmt.Println(string(r.Data))
			seen++
		}
		if seen == 2 {
			break
		}
	}
	// Output:
	// CREATING then ACTIVE
	// order-1
	// order-2
}

func TestDeleteStreamEndsSubscriptions(t *testing.T) {
	f := newEFOFixture(t, 1)
	arn := f.active(t, "doomed")
	es := f.subscribe(t, nil, arn, efoShard0, trimHorizon())
	if _, ok := nextEvent(t, es); !ok {
		t.Fatal("subscription ended at once")
	}
	if _, err := f.kc.DeleteStream(ctxT(t), &kinesis.DeleteStreamInput{StreamName: aws.String(f.stream),
		EnforceConsumerDeletion: aws.Bool(true)}); err != nil {
		t.Fatal(err)
	}
	if err := waitEnd(t, es); err != nil {
		t.Fatalf("deleting the stream must end its subscriptions cleanly, got %v", err)
	}
	_, err := f.trySubscribe(t, nil, arn, efoShard0, trimHorizon())
	requireCode(t, err, "ResourceNotFoundException")
}
