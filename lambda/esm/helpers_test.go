package esm_test

import (
	"context"
	"encoding/json"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/events"
	"github.com/aws/aws-sdk-go-v2/service/kinesis"

	"github.com/pelicanhq/pelican/lambda/esm"
	"github.com/pelicanhq/pelican/pelicantest"
)

var start = time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)

// env is an emulator on a manual clock with one stream.
type env struct {
	clock  *pelicantest.Clock
	emu    *pelicantest.Emulator
	client *kinesis.Client
	stream string
}

func newEnv(t *testing.T, shards int) *env {
	t.Helper()
	clock := pelicantest.NewClock(start)
	emu := pelicantest.NewEmulator(t, pelicantest.WithClock(clock))
	return &env{clock: clock, emu: emu, client: emu.Client(), stream: emu.NewStream(t, shards)}
}

// put writes records with the given partition key and data, and returns their sequence numbers.
func (e *env) put(t *testing.T, key string, data ...string) []string {
	t.Helper()
	var seqs []string
	for _, d := range data {
		_, seq := pelicantest.Put(t, e.client, e.stream, key, []byte(d))
		seqs = append(seqs, seq)
	}
	return seqs
}

// invocation is one call of a recording function, decoded with aws-lambda-go's own types.
type invocation struct {
	Event  events.KinesisTimeWindowEvent
	Failed bool
}

// recorder is a Go handler that records what it was invoked with and answers by its respond
// function (success when nil).
type recorder struct {
	mu      sync.Mutex
	calls   []invocation
	respond func(n int, ev events.KinesisTimeWindowEvent) (*events.KinesisTimeWindowEventResponse, error)
}

func (r *recorder) handler() esm.Function {
	return esm.NewHandler(func(ctx context.Context, ev events.KinesisTimeWindowEvent) (*events.KinesisTimeWindowEventResponse, error) {
		r.mu.Lock()
		n := len(r.calls)
		r.calls = append(r.calls, invocation{Event: ev})
		respond := r.respond
		r.mu.Unlock()
		if respond == nil {
			return nil, nil
		}
		resp, err := respond(n, ev)
		if err != nil || (resp != nil && len(resp.BatchItemFailures) > 0) {
			r.mu.Lock()
			r.calls[n].Failed = true
			r.mu.Unlock()
		}
		return resp, err
	})
}

func (r *recorder) invocations() []invocation {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]invocation(nil), r.calls...)
}

// batches lists the data of each invocation's records.
func (r *recorder) batches() [][]string {
	var out [][]string
	for _, c := range r.invocations() {
		var b []string
		for _, rec := range c.Event.Records {
			b = append(b, string(rec.Kinesis.Data))
		}
		out = append(out, b)
	}
	return out
}

// delivered lists the data of every record delivered in an invocation that did not fail.
func (r *recorder) delivered() []string {
	var out []string
	for _, c := range r.invocations() {
		if c.Failed {
			continue
		}
		for _, rec := range c.Event.Records {
			out = append(out, string(rec.Kinesis.Data))
		}
	}
	return out
}

func attach(t *testing.T, e *env, r *recorder, m esm.Mapping, opts ...esm.Option) *pelicantest.Lambda {
	t.Helper()
	return pelicantest.AttachLambda(t, e.client, e.stream, r.handler(),
		pelicantest.WithMapping(m), pelicantest.WithLambdaClock(e.clock), pelicantest.WithEngineOptions(opts...))
}

func i32(v int32) *int32 { return &v }
func boolp(v bool) *bool { return &v }

func mustJSON(t *testing.T, v any) string {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// advance moves the clock by d in steps of one second, letting the mapping settle after each.
func advance(t *testing.T, e *env, l *pelicantest.Lambda, d time.Duration) {
	t.Helper()
	for d > 0 {
		step := min(d, time.Second)
		e.clock.Advance(step)
		l.WaitQuiet(t)
		d -= step
	}
}

// attachFunc attaches fn itself, where a test needs the invocation's context.
func attachFunc(t *testing.T, e *env, fn esm.Function, m esm.Mapping, opts ...esm.Option) *pelicantest.Lambda {
	t.Helper()
	return pelicantest.AttachLambda(t, e.client, e.stream, fn,
		pelicantest.WithMapping(m), pelicantest.WithLambdaClock(e.clock), pelicantest.WithEngineOptions(opts...))
}
