package esm_test

import (
	"encoding/json"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/events"

	"github.com/pelicanhq/pelican/lambda/esm"
	"github.com/pelicanhq/pelican/pelicantest"
)

// jsonLines parses the JSON lines written to b so far, skipping any that are not JSON.
func jsonLines(b *pelicantest.Buffer) []map[string]any {
	var out []map[string]any
	for _, l := range strings.Split(strings.TrimSpace(b.String()), "\n") {
		var m map[string]any
		if json.Unmarshal([]byte(l), &m) == nil {
			out = append(out, m)
		}
	}
	return out
}

// TestInvocationLog: each invocation is logged with its shard, first and last sequence number,
// batch size and outcome; a discarded batch is logged too, and written to the on-failure file.
func TestInvocationLog(t *testing.T) {
	e := newEnv(t, 1)
	seqs := e.put(t, "k", "a", "b")
	var buf pelicantest.Buffer
	file := filepath.Join(t.TempDir(), "failures.jsonl")
	r := recorder{respond: func(int, events.KinesisTimeWindowEvent) (*events.KinesisTimeWindowEventResponse, error) {
		return nil, errBoom
	}}
	l := attach(t, e, &r, esm.Mapping{MaximumRetryAttempts: i32(0)},
		esm.WithLogger(slog.New(slog.NewJSONHandler(&buf, nil))), esm.WithOnFailureFile(file))
	l.WaitIdle(t)
	var invoke, discard map[string]any
	for _, line := range jsonLines(&buf) {
		switch line["msg"] {
		case "esm: invoke":
			invoke = line
		case "esm: batch discarded":
			discard = line
		}
	}
	if invoke == nil || invoke["first"] != seqs[0] || invoke["last"] != seqs[1] || invoke["batch"] != float64(2) ||
		invoke["shard"] != "shardId-000000000000" || invoke["outcome"] != "function error: boom" {
		t.Fatalf("invoke log = %v", invoke)
	}
	if discard == nil || discard["condition"] != esm.RetryAttemptsExhausted {
		t.Fatalf("discard log = %v", discard)
	}
	data, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	var rec esm.OnFailureRecord
	if err := json.Unmarshal(data, &rec); err != nil || rec.KinesisBatchInfo.BatchSize != 2 {
		t.Fatalf("on-failure file: %v %s", err, data)
	}
}

// TestPollsOnTheClock: without WaitIdle's nudge, a shard polls again when the clock has moved by
// the poll interval.
func TestPollsOnTheClock(t *testing.T) {
	e := newEnv(t, 1)
	var r recorder
	l := attach(t, e, &r, esm.Mapping{})
	l.WaitQuiet(t)
	e.put(t, "k", "a")
	e.clock.Advance(time.Second)
	deadline := time.Now().Add(30 * time.Second)
	for len(r.invocations()) == 0 {
		if time.Now().After(deadline) {
			t.Fatal("no poll after the clock moved by the poll interval")
		}
		time.Sleep(time.Millisecond) // waiting for the engine's goroutine, not for a window
	}
}
