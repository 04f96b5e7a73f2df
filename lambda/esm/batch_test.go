package esm_test

import (
	"context"
	"encoding/json"
	"fmt"
	"reflect"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/events"

	"github.com/pelicanhq/pelican/lambda/esm"
	"github.com/pelicanhq/pelican/pelicantest"
)

func TestBatchSize(t *testing.T) {
	e := newEnv(t, 1)
	e.put(t, "k", "a", "b", "c", "d", "e", "f", "g")
	var r recorder
	l := attach(t, e, &r, esm.Mapping{BatchSize: i32(3)})
	l.WaitIdle(t)
	want := [][]string{{"a", "b", "c"}, {"d", "e", "f"}, {"g"}}
	if got := r.batches(); !reflect.DeepEqual(got, want) {
		t.Fatalf("batches = %v, want %v", got, want)
	}
}

// TestBatchingWindow shows a batch that is not full waiting for its window, and a full one not.
func TestBatchingWindow(t *testing.T) {
	e := newEnv(t, 1)
	var r recorder
	l := attach(t, e, &r, esm.Mapping{BatchSize: i32(4), MaximumBatchingWindowInSeconds: i32(5)})
	l.WaitQuiet(t)
	e.put(t, "k", "a", "b", "c")
	l.WaitQuiet(t)
	advance(t, e, l, 4*time.Second)
	if n := len(r.invocations()); n != 0 {
		t.Fatalf("invoked %d times within the batching window", n)
	}
	advance(t, e, l, time.Second)
	if got, want := r.batches(), [][]string{{"a", "b", "c"}}; !reflect.DeepEqual(got, want) {
		t.Fatalf("after the window: batches = %v, want %v", got, want)
	}
	e.put(t, "k", "d", "e", "f", "g", "h")
	l.WaitQuiet(t)
	if got, want := r.batches(), [][]string{{"a", "b", "c"}, {"d", "e", "f", "g"}}; !reflect.DeepEqual(got, want) {
		t.Fatalf("a full batch must not wait: batches = %v, want %v", got, want)
	}
	advance(t, e, l, 5*time.Second)
	l.WaitIdle(t)
	if got := len(r.batches()); got != 3 {
		t.Fatalf("batches = %d, want 3", got)
	}
}

// TestPayloadLimit shows a batch cut before the record that would take its event over 6 MB.
func TestPayloadLimit(t *testing.T) {
	e := newEnv(t, 1)
	big := strings.Repeat("x", 1_000_000) // 1,333,336 bytes of base64 in the event
	for i := range 10 {
		e.put(t, "k", fmt.Sprintf("%d%s", i, big[1:]))
	}
	var mu sync.Mutex
	var sizes []int
	var counts []int
	fn := esm.FunctionFunc(func(_ context.Context, p []byte) ([]byte, error) {
		var ev events.KinesisEvent
		if err := json.Unmarshal(p, &ev); err != nil {
			return nil, err
		}
		mu.Lock()
		sizes = append(sizes, len(p))
		counts = append(counts, len(ev.Records))
		mu.Unlock()
		return nil, nil
	})
	l := pelicantest.AttachLambda(t, e.client, e.stream, fn, pelicantest.WithLambdaClock(e.clock),
		pelicantest.WithMapping(esm.Mapping{BatchSize: i32(100)}))
	l.WaitIdle(t)
	if want := []int{4, 4, 2}; !reflect.DeepEqual(counts, want) {
		t.Fatalf("records per batch = %v, want %v", counts, want)
	}
	for i, s := range sizes {
		if s > esm.MaxPayload {
			t.Errorf("batch %d is %d bytes, over %d", i, s, esm.MaxPayload)
		}
		// One more record (its JSON is over 1,333,336 bytes) would have passed the limit.
		if i < len(sizes)-1 && s+1_333_336 <= esm.MaxPayload {
			t.Errorf("batch %d (%d bytes) was cut although the next record fitted", i, s)
		}
	}
	if esm.MaxPayload != 6_291_456 {
		t.Errorf("MaxPayload = %d, want 6 MB (6,291,456 bytes)", esm.MaxPayload)
	}
}

// TestShardsInParallel shows every shard's records delivered, each shard in its own batches.
func TestShardsInParallel(t *testing.T) {
	e := newEnv(t, 4)
	want := map[string]bool{}
	for i := range 40 {
		d := fmt.Sprintf("r%d", i)
		e.put(t, fmt.Sprintf("key-%d", i), d)
		want[d] = true
	}
	var r recorder
	l := attach(t, e, &r, esm.Mapping{})
	l.WaitIdle(t)
	got := map[string]bool{}
	for _, c := range r.invocations() {
		shard := ""
		for _, rec := range c.Event.Records {
			s, _, _ := strings.Cut(rec.EventID, ":")
			if shard != "" && s != shard {
				t.Errorf("one batch holds records of %s and %s", shard, s)
			}
			shard = s
			got[string(rec.Kinesis.Data)] = true
		}
	}
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("delivered %d records, want %d", len(got), len(want))
	}
	if s := l.Stats(); len(s.Shards) != 4 || s.Records != 40 {
		t.Fatalf("stats = %+v", s)
	}
}
