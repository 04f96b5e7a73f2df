package esm_test

import (
	"context"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"reflect"
	"sort"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/events"

	"github.com/pelicanhq/pelican/lambda/esm"
	"github.com/pelicanhq/pelican/pelicantest"
)

var errBoom = errors.New("boom")

// failures collects the on-failure records a mapping hands out.
type failures struct {
	mu   sync.Mutex
	recs []esm.OnFailureRecord
}

func (f *failures) option() esm.Option {
	return esm.WithOnFailure(func(_ context.Context, r esm.OnFailureRecord) {
		f.mu.Lock()
		f.recs = append(f.recs, r)
		f.mu.Unlock()
	})
}

func (f *failures) all() []esm.OnFailureRecord {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]esm.OnFailureRecord(nil), f.recs...)
}

// TestFailedBatchIsRetriedWhole: without ReportBatchItemFailures a failed batch comes back the
// same, and nothing after it is delivered before it succeeds.
func TestFailedBatchIsRetriedWhole(t *testing.T) {
	e := newEnv(t, 1)
	e.put(t, "k", "a", "b", "c")
	r := recorder{respond: func(n int, _ events.KinesisTimeWindowEvent) (*events.KinesisTimeWindowEventResponse, error) {
		if n < 2 {
			return nil, errBoom
		}
		return nil, nil
	}}
	l := attach(t, e, &r, esm.Mapping{BatchSize: i32(3)})
	l.WaitQuiet(t)
	e.put(t, "k", "d")
	l.WaitQuiet(t)
	advance(t, e, l, 10*time.Second)
	l.WaitIdle(t)
	want := [][]string{{"a", "b", "c"}, {"a", "b", "c"}, {"a", "b", "c"}, {"d"}}
	if got := r.batches(); !reflect.DeepEqual(got, want) {
		t.Fatalf("batches = %v, want %v", got, want)
	}
	if s := l.Stats(); s.FunctionErrors != 2 || s.Invocations != 4 {
		t.Fatalf("stats = %+v", s)
	}
}

// TestPartialFailureRetriesFromLowest: the function reports two failed records; Lambda
// checkpoints below the lower one and retries from it: the retried batch starts at the failed
// record and, being read from the checkpoint, takes in the record after the first batch.
func TestPartialFailureRetriesFromLowest(t *testing.T) {
	bothSources(t, 1, func(t *testing.T, e *env, arn string) {
		seqs := e.put(t, "k", "a", "b", "c", "d", "e", "f", "g")
		r := recorder{respond: func(n int, ev events.KinesisTimeWindowEvent) (*events.KinesisTimeWindowEventResponse, error) {
			if n == 0 {
				return &events.KinesisTimeWindowEventResponse{BatchItemFailures: []events.KinesisBatchItemFailure{
					{ItemIdentifier: seqs[3]}, {ItemIdentifier: seqs[1]},
				}}, nil
			}
			return &events.KinesisTimeWindowEventResponse{}, nil
		}}
		l := attach(t, e, &r, esm.Mapping{EventSourceArn: arn, BatchSize: i32(5), FunctionResponseTypes: []string{esm.ReportBatchItemFailures}})
		l.WaitQuiet(t)
		if cp := l.Stats().Shards[pelicantest.ShardIDs(t, e.client, e.stream)[0]].Checkpoint; cp != seqs[0] {
			t.Fatalf("checkpoint after the partial failure = %s, want %s (below the lowest failure)", cp, seqs[0])
		}
		advance(t, e, l, 2*time.Second)
		l.WaitIdle(t)
		want := [][]string{{"a", "b", "c", "d", "e"}, {"b", "c", "d", "e", "f"}, {"g"}}
		if got := r.batches(); !reflect.DeepEqual(got, want) {
			t.Fatalf("batches = %v, want %v", got, want)
		}
	})
}

// TestPartialFailureSuccessAnswers: an absent, null or empty list, an empty object or null is
// success, by the guide's list.
func TestPartialFailureSuccessAnswers(t *testing.T) {
	for _, answer := range []string{`{"batchItemFailures":[]}`, `{"batchItemFailures":null}`, `{}`, `null`, ``} {
		t.Run(answer, func(t *testing.T) {
			e := newEnv(t, 1)
			e.put(t, "k", "a", "b")
			fn := esm.FunctionFunc(func(context.Context, []byte) ([]byte, error) { return []byte(answer), nil })
			l := pelicantest.AttachLambda(t, e.client, e.stream, fn, pelicantest.WithLambdaClock(e.clock),
				pelicantest.WithMapping(esm.Mapping{FunctionResponseTypes: []string{esm.ReportBatchItemFailures}}))
			l.WaitIdle(t)
			if s := l.Stats(); s.Invocations != 1 || s.FunctionErrors != 0 {
				t.Fatalf("stats = %+v, want one successful invocation", s)
			}
		})
	}
}

// TestMalformedItemFailureFailsWholeBatch: an empty or null itemIdentifier, or a wrong key, fails
// the whole batch (the guide's list); so does an identifier that is no record of the batch
// (Pelican's reading: the guide does not say).
func TestMalformedItemFailureFailsWholeBatch(t *testing.T) {
	for name, answer := range map[string]string{
		"empty":        `{"batchItemFailures":[{"itemIdentifier":""}]}`,
		"null":         `{"batchItemFailures":[{"itemIdentifier":null}]}`,
		"wrong key":    `{"batchItemFailures":[{"itemIdentifer":"SEQ"}]}`,
		"not in batch": `{"batchItemFailures":[{"itemIdentifier":"123"}]}`,
	} {
		t.Run(name, func(t *testing.T) {
			e := newEnv(t, 1)
			e.put(t, "k", "a", "b", "c")
			var mu sync.Mutex
			var calls [][]string
			fn := esm.FunctionFunc(func(_ context.Context, p []byte) ([]byte, error) {
				var ev events.KinesisEvent
				if err := json.Unmarshal(p, &ev); err != nil {
					return nil, err
				}
				var b []string
				for _, r := range ev.Records {
					b = append(b, string(r.Kinesis.Data))
				}
				mu.Lock()
				defer mu.Unlock()
				calls = append(calls, b)
				if len(calls) == 1 {
					return []byte(answer), nil
				}
				return nil, nil
			})
			l := pelicantest.AttachLambda(t, e.client, e.stream, fn, pelicantest.WithLambdaClock(e.clock),
				pelicantest.WithMapping(esm.Mapping{FunctionResponseTypes: []string{esm.ReportBatchItemFailures}}))
			l.WaitQuiet(t)
			advance(t, e, l, 2*time.Second)
			l.WaitIdle(t)
			mu.Lock()
			defer mu.Unlock()
			if want := [][]string{{"a", "b", "c"}, {"a", "b", "c"}}; !reflect.DeepEqual(calls, want) {
				t.Fatalf("batches = %v, want %v", calls, want)
			}
		})
	}
}

// TestBisectNarrowsPoisonRecord: a batch of 8 with one poison record is halved until the poison
// is alone; splitting uses no retries; once its retries run out it goes to on-failure alone.
func TestBisectNarrowsPoisonRecord(t *testing.T) {
	bothSources(t, 1, func(t *testing.T, e *env, arn string) {
		seqs := e.put(t, "k", "0", "1", "2", "3", "4", "5", "6", "7")
		r := recorder{respond: func(_ int, ev events.KinesisTimeWindowEvent) (*events.KinesisTimeWindowEventResponse, error) {
			for _, rec := range ev.Records {
				if string(rec.Kinesis.Data) == "5" {
					return nil, errBoom
				}
			}
			return nil, nil
		}}
		var f failures
		l := attach(t, e, &r, esm.Mapping{EventSourceArn: arn, BatchSize: i32(8), BisectBatchOnFunctionError: boolp(true), MaximumRetryAttempts: i32(1)}, f.option())
		l.WaitQuiet(t)
		advance(t, e, l, 10*time.Second)
		l.WaitIdle(t)
		want := [][]string{
			{"0", "1", "2", "3", "4", "5", "6", "7"},
			{"0", "1", "2", "3"},
			{"4", "5", "6", "7"},
			{"4", "5"},
			{"4"},
			{"5"}, // fails: the first retry
			{"5"}, // fails: retries exhausted
			{"6", "7"},
		}
		if got := r.batches(); !reflect.DeepEqual(got, want) {
			t.Fatalf("batches = %v, want %v", got, want)
		}
		fs := f.all()
		if len(fs) != 1 {
			t.Fatalf("on-failure records = %d, want 1", len(fs))
		}
		info := fs[0].KinesisBatchInfo
		if info.BatchSize != 1 || info.StartSequenceNumber != seqs[5] || info.EndSequenceNumber != seqs[5] {
			t.Fatalf("on-failure batch = %+v, want the poison record %s alone", info, seqs[5])
		}
		if c := fs[0].RequestContext; c.Condition != esm.RetryAttemptsExhausted || c.ApproximateInvokeCount != 2 {
			t.Fatalf("request context = %+v", c)
		}
		if got := info.StreamARN; got != streamARN(t, e) {
			t.Fatalf("on-failure streamArn = %s, want the stream's", got)
		}
	})
}

// TestBisectOnPartialFailureSplitsAtReportedRecord: with bisect and ReportBatchItemFailures, the
// batch splits at the reported record and only the rest is retried.
func TestBisectOnPartialFailureSplitsAtReportedRecord(t *testing.T) {
	e := newEnv(t, 1)
	seqs := e.put(t, "k", "a", "b", "c", "d")
	r := recorder{respond: func(n int, _ events.KinesisTimeWindowEvent) (*events.KinesisTimeWindowEventResponse, error) {
		if n == 0 {
			return &events.KinesisTimeWindowEventResponse{BatchItemFailures: []events.KinesisBatchItemFailure{{ItemIdentifier: seqs[2]}}}, nil
		}
		return nil, nil
	}}
	l := attach(t, e, &r, esm.Mapping{BisectBatchOnFunctionError: boolp(true), FunctionResponseTypes: []string{esm.ReportBatchItemFailures}})
	l.WaitQuiet(t)
	advance(t, e, l, 2*time.Second)
	l.WaitIdle(t)
	if got, want := r.batches(), [][]string{{"a", "b", "c", "d"}, {"c", "d"}}; !reflect.DeepEqual(got, want) {
		t.Fatalf("batches = %v, want %v", got, want)
	}
}

// TestRetryAttemptsExhausted: after MaximumRetryAttempts retries the batch goes to the on-failure
// destination, the JSON-lines file of an SQS destination gets Lambda's record, and the shard
// moves on.
func TestRetryAttemptsExhausted(t *testing.T) {
	e := newEnv(t, 1)
	seqs := e.put(t, "k", "a", "b")
	r := recorder{respond: func(_ int, ev events.KinesisTimeWindowEvent) (*events.KinesisTimeWindowEventResponse, error) {
		if string(ev.Records[0].Kinesis.Data) == "a" {
			return nil, errBoom
		}
		return nil, nil
	}}
	var f failures
	dir := t.TempDir()
	dest := "arn:aws:sqs:us-east-1:123456789012:failed-batches"
	l := attach(t, e, &r, esm.Mapping{
		FunctionName:         "my-function",
		MaximumRetryAttempts: i32(2),
		DestinationConfig:    &esm.DestinationConfig{OnFailure: &esm.OnFailure{Destination: dest}},
	}, f.option(), esm.WithOnFailureDir(dir))
	l.WaitQuiet(t)
	advance(t, e, l, 10*time.Second)
	e.put(t, "k", "c")
	l.WaitIdle(t)
	want := [][]string{{"a", "b"}, {"a", "b"}, {"a", "b"}, {"c"}}
	if got := r.batches(); !reflect.DeepEqual(got, want) {
		t.Fatalf("batches = %v, want %v", got, want)
	}
	fs := f.all()
	if len(fs) != 1 {
		t.Fatalf("on-failure records = %d, want 1", len(fs))
	}
	rec := fs[0]
	src, _ := esm.ParseSourceARN(l.StreamARN)
	if rec.RequestContext.Condition != esm.RetryAttemptsExhausted || rec.RequestContext.ApproximateInvokeCount != 3 ||
		rec.RequestContext.FunctionARN != "arn:aws:lambda:"+src.Region+":"+src.Account+":function:my-function" || rec.RequestContext.RequestID == "" {
		t.Errorf("requestContext = %+v", rec.RequestContext)
	}
	if rec.ResponseContext != (esm.ResponseContext{StatusCode: 200, ExecutedVersion: "$LATEST", FunctionError: "Unhandled"}) {
		t.Errorf("responseContext = %+v", rec.ResponseContext)
	}
	wantInfo := esm.KinesisBatchInfo{
		ShardID: pelicantest.ShardIDs(t, e.client, e.stream)[0], StartSequenceNumber: seqs[0], EndSequenceNumber: seqs[1],
		ApproximateArrivalOfFirstRecord: "2026-03-01T12:00:00.000Z", ApproximateArrivalOfLastRecord: "2026-03-01T12:00:00.000Z",
		BatchSize: 2, StreamARN: l.StreamARN,
	}
	if rec.KinesisBatchInfo != wantInfo {
		t.Errorf("KinesisBatchInfo = %+v, want %+v", rec.KinesisBatchInfo, wantInfo)
	}
	if rec.Version != "1.0" {
		t.Errorf("version = %q", rec.Version)
	}
	if _, err := time.Parse("2006-01-02T15:04:05.000Z", rec.Timestamp); err != nil {
		t.Errorf("timestamp %q: %v", rec.Timestamp, err)
	}

	// The file holds the same record in Lambda's member names.
	data, err := os.ReadFile(filepath.Join(dir, "sqs-failed-batches.jsonl"))
	if err != nil {
		t.Fatal(err)
	}
	var top map[string]json.RawMessage
	if err := json.Unmarshal(data, &top); err != nil {
		t.Fatalf("%v: %s", err, data)
	}
	line := map[string]map[string]any{}
	for _, k := range []string{"requestContext", "responseContext", "KinesisBatchInfo"} {
		var m map[string]any
		if err := json.Unmarshal(top[k], &m); err != nil {
			t.Fatalf("%s: %v", k, err)
		}
		line[k] = m
	}
	if got, want := keys(line["requestContext"]), []string{"approximateInvokeCount", "condition", "functionArn", "requestId"}; !reflect.DeepEqual(got, want) {
		t.Errorf("requestContext members = %v, want %v", got, want)
	}
	if got, want := keys(line["responseContext"]), []string{"executedVersion", "functionError", "statusCode"}; !reflect.DeepEqual(got, want) {
		t.Errorf("responseContext members = %v, want %v", got, want)
	}
	if got, want := keys(line["KinesisBatchInfo"]), []string{"approximateArrivalOfFirstRecord", "approximateArrivalOfLastRecord", "batchSize", "endSequenceNumber", "shardId", "startSequenceNumber", "streamArn"}; !reflect.DeepEqual(got, want) {
		t.Errorf("KinesisBatchInfo members = %v, want %v", got, want)
	}
	if got, want := keys(top), []string{"KinesisBatchInfo", "requestContext", "responseContext", "timestamp", "version"}; !reflect.DeepEqual(got, want) {
		t.Errorf("members = %v, want %v (no payload for SQS)", got, want)
	}
}

func keys[V any](m map[string]V) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

// TestS3DestinationCarriesPayload: an S3 destination's record adds the event as payload.
func TestS3DestinationCarriesPayload(t *testing.T) {
	e := newEnv(t, 1)
	e.put(t, "k", "a")
	r := recorder{respond: func(int, events.KinesisTimeWindowEvent) (*events.KinesisTimeWindowEventResponse, error) {
		return nil, errBoom
	}}
	dir := t.TempDir()
	l := attach(t, e, &r, esm.Mapping{
		MaximumRetryAttempts: i32(0),
		DestinationConfig:    &esm.DestinationConfig{OnFailure: &esm.OnFailure{Destination: "arn:aws:s3:::failed-bucket"}},
	}, esm.WithOnFailureDir(dir))
	l.WaitIdle(t)
	data, err := os.ReadFile(filepath.Join(dir, "s3-failed-bucket.jsonl"))
	if err != nil {
		t.Fatal(err)
	}
	var rec struct {
		Payload events.KinesisEvent `json:"payload"`
	}
	if err := json.Unmarshal(data, &rec); err != nil || len(rec.Payload.Records) != 1 || string(rec.Payload.Records[0].Kinesis.Data) != "a" {
		t.Fatalf("payload = %+v (%v): %s", rec.Payload, err, data)
	}
}

// TestRecordAgeExceeded: once the batch's records are older than MaximumRecordAgeInSeconds the
// batch goes to on-failure with RecordAgeExceeded, whatever the retries left.
func TestRecordAgeExceeded(t *testing.T) {
	e := newEnv(t, 1)
	seqs := e.put(t, "k", "a")
	r := recorder{respond: func(int, events.KinesisTimeWindowEvent) (*events.KinesisTimeWindowEventResponse, error) {
		return nil, errBoom
	}}
	var f failures
	l := attach(t, e, &r, esm.Mapping{MaximumRecordAgeInSeconds: i32(60)}, f.option())
	l.WaitQuiet(t)
	advance(t, e, l, 59*time.Second)
	if n := len(f.all()); n != 0 {
		t.Fatalf("discarded before the age limit")
	}
	advance(t, e, l, 3*time.Minute)
	l.WaitIdle(t)
	fs := f.all()
	if len(fs) != 1 || fs[0].RequestContext.Condition != esm.RecordAgeExceeded || fs[0].KinesisBatchInfo.StartSequenceNumber != seqs[0] {
		t.Fatalf("on-failure records = %+v", fs)
	}
	if n := fs[0].RequestContext.ApproximateInvokeCount; n < 2 {
		t.Fatalf("approximateInvokeCount = %d, want the invocations made", n)
	}
}

// TestShardNeverPassesFailingBatch: with infinite retries, nothing after a failing batch is
// delivered and the checkpoint stays below it until it succeeds.
func TestShardNeverPassesFailingBatch(t *testing.T) {
	e := newEnv(t, 1)
	var mu sync.Mutex
	healthy := false
	r := recorder{respond: func(int, events.KinesisTimeWindowEvent) (*events.KinesisTimeWindowEventResponse, error) {
		mu.Lock()
		defer mu.Unlock()
		if !healthy {
			return nil, errBoom
		}
		return nil, nil
	}}
	l := attach(t, e, &r, esm.Mapping{BatchSize: i32(2)})
	l.WaitQuiet(t)
	e.put(t, "k", "a", "b", "c", "d", "e")
	l.WaitQuiet(t)
	advance(t, e, l, 5*time.Minute)
	for _, b := range r.batches() {
		if !reflect.DeepEqual(b, []string{"a", "b"}) {
			t.Fatalf("delivered %v past the failing batch", b)
		}
	}
	if cp := l.Stats().Shards[pelicantest.ShardIDs(t, e.client, e.stream)[0]].Checkpoint; cp != "" {
		t.Fatalf("checkpoint moved to %s past a failing batch", cp)
	}
	mu.Lock()
	healthy = true
	mu.Unlock()
	advance(t, e, l, time.Minute)
	l.WaitIdle(t)
	if got, want := r.delivered(), []string{"a", "b", "c", "d", "e"}; !reflect.DeepEqual(got, want) {
		t.Fatalf("delivered = %v, want %v", got, want)
	}
}
