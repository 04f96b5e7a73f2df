package esm_test

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/events"
	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/kinesis"
	"github.com/aws/aws-sdk-go-v2/service/kinesis/types"

	"github.com/pelicanhq/pelican/lambda/esm"
	"github.com/pelicanhq/pelican/pelicantest"
)

func TestStartingPositionLatest(t *testing.T) {
	e := newEnv(t, 1)
	e.put(t, "k", "old")
	var r recorder
	l := attach(t, e, &r, esm.Mapping{StartingPosition: esm.Latest})
	l.WaitIdle(t)
	e.put(t, "k", "new")
	l.WaitIdle(t)
	if got, want := r.delivered(), []string{"new"}; !reflect.DeepEqual(got, want) {
		t.Fatalf("delivered = %v, want %v", got, want)
	}
}

func TestStartingPositionTrimHorizon(t *testing.T) {
	e := newEnv(t, 1)
	e.put(t, "k", "old")
	var r recorder
	l := attach(t, e, &r, esm.Mapping{StartingPosition: esm.TrimHorizon})
	l.WaitIdle(t)
	e.put(t, "k", "new")
	l.WaitIdle(t)
	if got, want := r.delivered(), []string{"old", "new"}; !reflect.DeepEqual(got, want) {
		t.Fatalf("delivered = %v, want %v", got, want)
	}
}

func TestStartingPositionAtTimestamp(t *testing.T) {
	e := newEnv(t, 1)
	e.put(t, "k", "before")
	e.clock.Advance(10 * time.Second)
	e.put(t, "k", "after")
	ts := float64(start.Add(5 * time.Second).Unix())
	var r recorder
	l := attach(t, e, &r, esm.Mapping{StartingPosition: esm.AtTimestamp, StartingPositionTimestamp: &ts})
	l.WaitIdle(t)
	if got, want := r.delivered(), []string{"after"}; !reflect.DeepEqual(got, want) {
		t.Fatalf("delivered = %v, want %v", got, want)
	}
}

// TestRestartFromCheckpointFile: a new engine on the same checkpoint file carries on where the
// last one stopped: nothing checkpointed comes again, nothing written meanwhile is lost.
func TestRestartFromCheckpointFile(t *testing.T) {
	bothSources(t, 2, func(t *testing.T, e *env, arn string) {
		file := filepath.Join(t.TempDir(), "checkpoints.json")
		m := esm.Mapping{EventSourceArn: arn, FunctionName: "f", StartingPosition: esm.TrimHorizon}
		run := func(r *recorder, drive func(*esm.Engine)) {
			t.Helper()
			eng, err := esm.New(e.client, m, r.handler(), esm.WithClock(e.clock), esm.WithCheckpointFile(file))
			if err != nil {
				t.Fatal(err)
			}
			ctx, cancel := context.WithCancel(context.Background())
			done := make(chan error, 1)
			go func() { done <- eng.Run(ctx) }()
			drive(eng)
			cancel()
			if err := <-done; err != nil {
				t.Fatal(err)
			}
		}
		idle := func(eng *esm.Engine) {
			ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
			defer cancel()
			if err := eng.WaitIdle(ctx); err != nil {
				t.Fatal(err)
			}
		}
		var first recorder
		for _, k := range []string{"a", "b", "c", "d"} {
			e.put(t, k, "1-"+k)
		}
		run(&first, idle)
		for _, k := range []string{"a", "b", "c", "d"} {
			e.put(t, k, "2-"+k)
		}
		e.clock.Advance(6 * time.Second) // past the one-a-second and five-second rules of a consumer's last subscriptions
		var second recorder
		run(&second, idle)
		if got := sorted(first.delivered()); !reflect.DeepEqual(got, []string{"1-a", "1-b", "1-c", "1-d"}) {
			t.Fatalf("first run delivered %v", got)
		}
		if got := sorted(second.delivered()); !reflect.DeepEqual(got, []string{"2-a", "2-b", "2-c", "2-d"}) {
			t.Fatalf("second run delivered %v, want only what came after the first run's checkpoints", got)
		}
		// A file of another stream is refused.
		other := m
		other.EventSourceArn = streamARN(t, e) + "-other"
		if _, err := esm.New(e.client, other, first.handler(), esm.WithCheckpointFile(file)); err == nil {
			t.Fatal("a checkpoint file of another stream was accepted")
		}
	})
}

func sorted(s []string) []string {
	out := append([]string(nil), s...)
	for i := range out {
		for j := i + 1; j < len(out); j++ {
			if out[j] < out[i] {
				out[i], out[j] = out[j], out[i]
			}
		}
	}
	return out
}

func streamARN(t *testing.T, e *env) string {
	t.Helper()
	out, err := e.client.DescribeStreamSummary(t.Context(), &kinesis.DescribeStreamSummaryInput{StreamName: &e.stream})
	if err != nil {
		t.Fatal(err)
	}
	return aws.ToString(out.StreamDescriptionSummary.StreamARN)
}

// TestResharding: the stream is split while the mapping runs and its parent's batch is still
// failing; the children's records are delivered only after all of the parent's.
func TestResharding(t *testing.T) {
	bothSources(t, 1, func(t *testing.T, e *env, arn string) {
		parentShard := pelicantest.ShardIDs(t, e.client, e.stream)[0]
		failParent := true
		var mu sync.Mutex
		r := recorder{respond: func(_ int, ev events.KinesisTimeWindowEvent) (*events.KinesisTimeWindowEventResponse, error) {
			mu.Lock()
			defer mu.Unlock()
			if failParent && strings.HasPrefix(ev.Records[0].EventID, parentShard+":") {
				return nil, errBoom
			}
			return nil, nil
		}}
		l := attach(t, e, &r, esm.Mapping{EventSourceArn: arn})
		l.WaitQuiet(t)
		for i := range 6 {
			e.put(t, fmt.Sprintf("key-%d", i), fmt.Sprintf("parent-%d", i))
		}
		l.WaitQuiet(t)
		if _, err := e.client.UpdateShardCount(t.Context(), &kinesis.UpdateShardCountInput{
			StreamName: &e.stream, TargetShardCount: aws.Int32(2), ScalingType: types.ScalingTypeUniformScaling,
		}); err != nil {
			t.Fatal(err)
		}
		pelicantest.WaitActive(t, e.client, e.stream)
		for i := range 6 {
			e.put(t, fmt.Sprintf("key-%d", i), fmt.Sprintf("child-%d", i))
		}
		advance(t, e, l, 3*time.Second)
		for _, d := range r.delivered() {
			if strings.HasPrefix(d, "child") {
				t.Fatalf("child record %s delivered while the parent's batch fails", d)
			}
		}
		mu.Lock()
		failParent = false
		mu.Unlock()
		advance(t, e, l, 5*time.Second)
		l.WaitIdle(t)
		got := r.delivered()
		if len(got) != 12 {
			t.Fatalf("delivered %d records, want 12: %v", len(got), got)
		}
		for i, d := range got {
			if (i < 6) != strings.HasPrefix(d, "parent") {
				t.Fatalf("delivery order %v: children before the parent's end", got)
			}
		}
		s := l.Stats()
		if !s.Shards[parentShard].Finished || len(s.Shards) != 3 {
			t.Fatalf("shards = %+v, want the parent finished and two children", s.Shards)
		}
	})
}

// TestStopFinishesInFlightInvocation: Run returns only after the invocation in flight ends, and
// its success is in the checkpoint file.
func TestStopFinishesInFlightInvocation(t *testing.T) {
	e := newEnv(t, 1)
	seqs := e.put(t, "k", "a")
	file := filepath.Join(t.TempDir(), "checkpoints.json")
	entered, release := make(chan struct{}), make(chan struct{})
	fn := esm.FunctionFunc(func(context.Context, []byte) ([]byte, error) {
		close(entered)
		<-release
		return nil, nil
	})
	eng, err := esm.New(e.client, esm.Mapping{EventSourceArn: streamARN(t, e), FunctionName: "f", StartingPosition: esm.TrimHorizon},
		fn, esm.WithClock(e.clock), esm.WithCheckpointFile(file))
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- eng.Run(ctx) }()
	go func() {
		wctx, wcancel := context.WithTimeout(context.Background(), time.Minute)
		defer wcancel()
		_ = eng.WaitIdle(wctx) // makes the shard poll now
	}()
	<-entered
	cancel()
	select {
	case <-done:
		t.Fatal("Run returned while an invocation was in flight")
	case <-time.After(50 * time.Millisecond):
	}
	close(release)
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	shard := pelicantest.ShardIDs(t, e.client, e.stream)[0]
	if cp := eng.Stats().Shards[shard].Checkpoint; cp != seqs[0] {
		t.Fatalf("checkpoint = %q, want %s", cp, seqs[0])
	}
	data, err := os.ReadFile(file)
	if err != nil || !strings.Contains(string(data), seqs[0]) {
		t.Fatalf("checkpoint file %s (%v) lacks %s", data, err, seqs[0])
	}
}

// TestConsumerARN: a mapping on a registered consumer's ARN reads its stream; the events name
// the stream.
func TestConsumerARN(t *testing.T) {
	e := newEnv(t, 1)
	arn := streamARN(t, e)
	out, err := e.client.RegisterStreamConsumer(t.Context(), &kinesis.RegisterStreamConsumerInput{StreamARN: &arn, ConsumerName: aws.String("lambda")})
	if err != nil {
		t.Fatal(err)
	}
	e.put(t, "k", "a")
	var r recorder
	l := attach(t, e, &r, esm.Mapping{EventSourceArn: aws.ToString(out.Consumer.ConsumerARN)})
	l.WaitIdle(t)
	calls := r.invocations()
	if len(calls) != 1 || calls[0].Event.Records[0].EventSourceArn != arn {
		t.Fatalf("invocations = %+v", calls)
	}
}

// TestLatestSurvivesExpiredIterator: with LATEST, an iterator that expires before any record is
// read is replaced by one that starts where the first one did: records written meanwhile come,
// older ones do not.
func TestLatestSurvivesExpiredIterator(t *testing.T) {
	e := newEnv(t, 1)
	e.put(t, "k", "old")
	var r recorder
	l := attach(t, e, &r, esm.Mapping{StartingPosition: esm.Latest})
	l.WaitQuiet(t)
	e.clock.Advance(10 * time.Minute) // past the iterator's five minutes, in one step
	e.put(t, "k", "new")
	l.WaitIdle(t)
	if got, want := r.delivered(), []string{"new"}; !reflect.DeepEqual(got, want) {
		t.Fatalf("delivered = %v, want %v", got, want)
	}
}

// TestMissingStream: Run fails when the mapping's stream does not exist.
func TestMissingStream(t *testing.T) {
	e := newEnv(t, 1)
	runFailsNotFound(t, e, streamARN(t, e)+"-missing")
}

// runFailsNotFound checks that a mapping of source, which does not exist, makes Run fail with
// ResourceNotFoundException.
func runFailsNotFound(t *testing.T, e *env, source string) {
	t.Helper()
	m := esm.Mapping{EventSourceArn: source, FunctionName: "f", StartingPosition: esm.Latest}
	var r recorder
	eng, err := esm.New(e.client, m, r.handler(), esm.WithClock(e.clock))
	if err != nil {
		t.Fatal(err)
	}
	var missing *types.ResourceNotFoundException
	if err := eng.Run(t.Context()); !errors.As(err, &missing) {
		t.Fatalf("Run = %v, want ResourceNotFoundException", err)
	}
}
