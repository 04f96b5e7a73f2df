package esm_test

import (
	"context"
	"encoding/json"
	"fmt"
	"math/big"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/events"

	"github.com/pelicanhq/pelican/lambda/esm"
	"github.com/pelicanhq/pelican/pelicantest"
)

// TestParallelizationFactorKeepsKeyOrder runs a slow function with ParallelizationFactor 10:
// batches of one shard overlap, yet a partition key is never in two batches in flight and its
// records arrive in order.
func TestParallelizationFactorKeepsKeyOrder(t *testing.T) {
	bothSources(t, 1, func(t *testing.T, e *env, arn string) {
		const keys, perKey = 20, 15
		for i := range perKey {
			for k := range keys {
				e.put(t, fmt.Sprintf("key-%d", k), fmt.Sprintf("key-%d/%d", k, i))
			}
		}
		var (
			mu          sync.Mutex
			inFlight    = map[string]bool{}
			concurrent  int
			maxInFlight int
			next        = map[string]int{}
			problems    []string
			overlapped  = make(chan struct{})
			overlapOnce sync.Once
		)
		fn := esm.FunctionFunc(func(_ context.Context, p []byte) ([]byte, error) {
			var ev events.KinesisEvent
			if err := json.Unmarshal(p, &ev); err != nil {
				return nil, err
			}
			mu.Lock()
			concurrent++
			maxInFlight = max(maxInFlight, concurrent)
			if concurrent > 1 {
				overlapOnce.Do(func() { close(overlapped) })
			}
			batchKeys := map[string]bool{}
			for _, r := range ev.Records {
				k, n, _ := strings.Cut(string(r.Kinesis.Data), "/")
				i, _ := strconv.Atoi(n)
				if inFlight[k] && !batchKeys[k] {
					problems = append(problems, k+" is in two batches in flight")
				}
				batchKeys[k] = true
				if i != next[k] {
					problems = append(problems, fmt.Sprintf("%s: got record %d, want %d", k, i, next[k]))
				}
				next[k] = i + 1
			}
			for k := range batchKeys {
				inFlight[k] = true
			}
			mu.Unlock()
			// Slow: wait until another batch runs at the same time (or give up after a while).
			select {
			case <-overlapped:
			case <-time.After(200 * time.Millisecond):
			}
			time.Sleep(2 * time.Millisecond)
			mu.Lock()
			for k := range batchKeys {
				delete(inFlight, k)
			}
			concurrent--
			mu.Unlock()
			return nil, nil
		})
		l := pelicantest.AttachLambda(t, e.client, e.stream, fn, pelicantest.WithLambdaClock(e.clock),
			pelicantest.WithMapping(esm.Mapping{EventSourceArn: arn, BatchSize: i32(7), ParallelizationFactor: i32(10)}))
		l.WaitIdle(t)
		mu.Lock()
		defer mu.Unlock()
		for _, p := range problems {
			t.Error(p)
		}
		for k := range keys {
			if n := next[fmt.Sprintf("key-%d", k)]; n != perKey {
				t.Errorf("key-%d: %d records delivered, want %d", k, n, perKey)
			}
		}
		if maxInFlight < 2 {
			t.Errorf("at most %d batch in flight at once; ParallelizationFactor 10 should overlap batches", maxInFlight)
		}
		t.Logf("up to %d batches of one shard in flight", maxInFlight)
	})
}

// TestParallelizationFactorWithFailures: a failing key holds back its own lane only; the shard's
// checkpoint stays below the failure, and once it heals every key's records arrive in order.
func TestParallelizationFactorWithFailures(t *testing.T) {
	e := newEnv(t, 1)
	var firstSick string
	for i := range 5 {
		for k := range 8 {
			seq := e.put(t, fmt.Sprintf("key-%d", k), fmt.Sprintf("key-%d/%d", k, i))[0]
			if k == 3 && i == 0 {
				firstSick = seq
			}
		}
	}
	var mu sync.Mutex
	sick := true
	r := recorder{respond: func(_ int, ev events.KinesisTimeWindowEvent) (*events.KinesisTimeWindowEventResponse, error) {
		mu.Lock()
		defer mu.Unlock()
		for _, rec := range ev.Records {
			if sick && strings.HasPrefix(string(rec.Kinesis.Data), "key-3/") {
				return nil, errBoom
			}
		}
		return nil, nil
	}}
	l := attach(t, e, &r, esm.Mapping{BatchSize: i32(3), ParallelizationFactor: i32(4)})
	l.WaitQuiet(t)
	advance(t, e, l, 5*time.Second)
	delivered := r.delivered()
	if len(delivered) == 0 {
		t.Fatal("no lane went on while one failed")
	}
	for _, d := range delivered {
		if strings.HasPrefix(d, "key-3/") {
			t.Fatalf("%s delivered while its batch fails", d)
		}
	}
	if cp := l.Stats().Shards[pelicantest.ShardIDs(t, e.client, e.stream)[0]].Checkpoint; cp != "" {
		c, _ := new(big.Int).SetString(cp, 10)
		f, _ := new(big.Int).SetString(firstSick, 10)
		if c.Cmp(f) >= 0 {
			t.Fatalf("checkpoint %s passed the failing record %s", cp, firstSick)
		}
	}
	mu.Lock()
	sick = false
	mu.Unlock()
	advance(t, e, l, time.Minute)
	l.WaitIdle(t)
	next := map[string]int{}
	for _, d := range r.delivered() {
		k, n, _ := strings.Cut(d, "/")
		i, _ := strconv.Atoi(n)
		if i != next[k] {
			t.Fatalf("%s: got record %d, want %d", k, i, next[k])
		}
		next[k] = i + 1
	}
	for k := range 8 {
		if next[fmt.Sprintf("key-%d", k)] != 5 {
			t.Fatalf("key-%d: %d records delivered, want 5", k, next[fmt.Sprintf("key-%d", k)])
		}
	}
}
