package esm_test

import (
	"reflect"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/events"

	"github.com/pelicanhq/pelican/lambda/esm"
)

// counter is a tumbling-window function that counts records in its state.
func counter(n int, ev events.KinesisTimeWindowEvent) (*events.KinesisTimeWindowEventResponse, error) {
	c, _ := strconv.Atoi(ev.State["count"])
	c += len(ev.Records)
	return &events.KinesisTimeWindowEventResponse{TimeWindowEventResponseProperties: events.TimeWindowEventResponseProperties{
		State: map[string]string{"count": strconv.Itoa(c)},
	}}, nil
}

// TestTumblingWindowState: the state a function returns comes back in the window's next
// invocation; at the window's end a final invocation carries it, and the next window starts fresh.
func TestTumblingWindowState(t *testing.T) {
	e := newEnv(t, 1)
	r := recorder{respond: counter}
	l := attach(t, e, &r, esm.Mapping{TumblingWindowInSeconds: i32(60)})
	l.WaitQuiet(t)
	e.put(t, "k", "a", "b")
	l.WaitQuiet(t)
	advance(t, e, l, 10*time.Second)
	e.put(t, "k", "c", "d", "e")
	l.WaitQuiet(t)
	advance(t, e, l, 50*time.Second) // the window [12:00, 12:01) ends
	advance(t, e, l, 5*time.Second)
	e.put(t, "k", "f")
	l.WaitQuiet(t)

	calls := r.invocations()
	type seen struct {
		records      int
		state        string
		final, early bool
		start, end   time.Time
	}
	var got []seen
	for _, c := range calls {
		got = append(got, seen{len(c.Event.Records), c.Event.State["count"], c.Event.IsFinalInvokeForWindow, c.Event.IsWindowTerminatedEarly, c.Event.Window.Start.UTC(), c.Event.Window.End.UTC()})
		if c.Event.ShardID == "" || c.Event.EventSourceARN != l.StreamARN {
			t.Errorf("window event without shardId or eventSourceARN: %+v", c.Event.TimeWindowProperties)
		}
	}
	w1, w2 := start, start.Add(time.Minute)
	want := []seen{
		{2, "", false, false, w1, w2},
		{3, "2", false, false, w1, w2},
		{0, "5", true, false, w1, w2},
		{1, "", false, false, w2, w2.Add(time.Minute)},
	}
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("invocations:\n got %+v\nwant %+v", got, want)
	}
}

// TestTumblingWindowAnswerWithoutStateFails: with tumbling windows an answer without state is a
// failed invocation, retried like an error.
func TestTumblingWindowAnswerWithoutStateFails(t *testing.T) {
	e := newEnv(t, 1)
	e.put(t, "k", "a")
	r := recorder{respond: func(n int, ev events.KinesisTimeWindowEvent) (*events.KinesisTimeWindowEventResponse, error) {
		if n == 0 {
			return &events.KinesisTimeWindowEventResponse{}, nil // "state": null
		}
		return counter(n, ev)
	}}
	l := attach(t, e, &r, esm.Mapping{TumblingWindowInSeconds: i32(60)})
	l.WaitQuiet(t)
	advance(t, e, l, 2*time.Second)
	if s := l.Stats(); s.FunctionErrors != 1 || s.Invocations != 2 {
		t.Fatalf("stats = %+v, want the stateless answer counted as a failure and retried", s)
	}
	if got, want := r.batches(), [][]string{{"a"}, {"a"}}; !reflect.DeepEqual(got, want) {
		t.Fatalf("batches = %v, want %v", got, want)
	}
}

// TestTumblingWindowTerminatedEarly: a state over 1 MB ends the window early: the next
// invocation is final and says so, and the window goes on with a fresh state.
func TestTumblingWindowTerminatedEarly(t *testing.T) {
	e := newEnv(t, 1)
	big := strings.Repeat("s", 1<<20)
	r := recorder{respond: func(n int, ev events.KinesisTimeWindowEvent) (*events.KinesisTimeWindowEventResponse, error) {
		state := map[string]string{"n": strconv.Itoa(n)}
		if n == 0 {
			state["big"] = big
		}
		return &events.KinesisTimeWindowEventResponse{TimeWindowEventResponseProperties: events.TimeWindowEventResponseProperties{State: state}}, nil
	}}
	l := attach(t, e, &r, esm.Mapping{TumblingWindowInSeconds: i32(60)})
	l.WaitQuiet(t)
	e.put(t, "k", "a")
	l.WaitQuiet(t)
	e.put(t, "k", "b")
	l.WaitQuiet(t)
	calls := r.invocations()
	if len(calls) != 3 {
		t.Fatalf("invocations = %d, want 3", len(calls))
	}
	if ev := calls[1].Event; !ev.IsFinalInvokeForWindow || !ev.IsWindowTerminatedEarly || len(ev.Records) != 0 || ev.State["big"] != big {
		t.Fatalf("second invocation: final %v, early %v, %d records", ev.IsFinalInvokeForWindow, ev.IsWindowTerminatedEarly, len(ev.Records))
	}
	if ev := calls[2].Event; ev.IsFinalInvokeForWindow || len(ev.State) != 0 || !ev.Window.Start.Equal(calls[0].Event.Window.Start.Time) {
		t.Fatalf("third invocation: final %v, state %v, window %v", ev.IsFinalInvokeForWindow, ev.State, ev.Window)
	}
}
