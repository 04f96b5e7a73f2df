package consumer

import (
	"context"
	"errors"
	"sync/atomic"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/kinesis/types"

	"github.com/pelicanhq/pelican/consumer/lease"
)

func newTestPoller(t *testing.T, f *fakeKinesis, m Metrics, opts ...Option) *poller {
	t.Helper()
	c, err := New(f, "stream", HandlerFunc(func(context.Context, Batch) error { return nil }), append([]Option{WithMetrics(m)}, opts...)...)
	if err != nil {
		t.Fatal(err)
	}
	st, _ := startFrom(lease.Checkpoint{SequenceNumber: lease.TrimHorizon}, time.Time{})
	return c.newPoller("shardId-000000000000", st)
}

// readN reads until n records came, failing on any error.
func readN(t *testing.T, p *poller, n int) []types.Record {
	t.Helper()
	var out []types.Record
	for len(out) < n {
		res, err := p.next(t.Context())
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, res.records...)
	}
	return out
}

func gaps(times []time.Time) []time.Duration {
	var out []time.Duration
	for i := 1; i < len(times); i++ {
		out = append(out, times[i].Sub(times[i-1]))
	}
	return out
}

func TestPollerKeepsToFiveCallsASecond(t *testing.T) {
	f := newFakeKinesis(1)
	newWriter().write(f, 1, 6)
	p := newTestPoller(t, f, NopMetrics{}, WithMaxRecords(1), WithPollInterval(time.Millisecond))
	readN(t, p, 6)
	calls := f.getRecordsCalls("shardId-000000000000")
	for i, g := range gaps(calls) {
		// The option cannot go below Kinesis's limit of five calls a second per shard.
		if g < 195*time.Millisecond {
			t.Fatalf("GetRecords calls %d and %d came %v apart", i, i+1, g)
		}
	}
}

func TestPollerBacksOffWhenIdle(t *testing.T) {
	f := newFakeKinesis(1)
	p := newTestPoller(t, f, NopMetrics{}, WithIdleInterval(400*time.Millisecond))
	for range 3 {
		res, err := p.next(t.Context())
		if err != nil || len(res.records) != 0 {
			t.Fatalf("read %v, %v from an empty shard", res.records, err)
		}
	}
	for i, g := range gaps(f.getRecordsCalls("shardId-000000000000")) {
		if g < 395*time.Millisecond {
			t.Fatalf("idle calls %d and %d came %v apart", i, i+1, g)
		}
	}
	// A record ends the idling at the next call.
	newWriter().write(f, 1, 1)
	if got := readN(t, p, 1); len(got) != 1 {
		t.Fatalf("read %d records", len(got))
	}
}

func TestPollerBacksOffWhenThrottled(t *testing.T) {
	f := newFakeKinesis(1)
	w := newWriter()
	w.write(f, 1, 3)
	var throttles atomic.Int64
	f.getRecordsErr = func(string) error {
		if throttles.Add(1) <= 3 {
			return &types.ProvisionedThroughputExceededException{Message: aws.String("Rate exceeded for shard")}
		}
		return nil
	}
	m := newCountingMetrics()
	p := newTestPoller(t, f, m)
	got := readN(t, p, 3)
	if len(got) != 3 || m.errorCount(ErrorThrottled) != 3 {
		t.Fatalf("%d records and %d throttles counted, want 3 and 3", len(got), m.errorCount(ErrorThrottled))
	}
	g := gaps(f.getRecordsCalls("shardId-000000000000"))
	// Backoff from 500ms, doubling with jitter in the upper half.
	if g[0] < 250*time.Millisecond || g[2] < 1000*time.Millisecond {
		t.Fatalf("gaps after throttling %v, want a growing backoff", g)
	}
}

func TestPollerRecoversFromAnExpiredIterator(t *testing.T) {
	f := newFakeKinesis(1)
	w := newWriter()
	w.write(f, 1, 4)
	p := newTestPoller(t, f, NopMetrics{}, WithMaxRecords(2))
	first := readN(t, p, 2)
	var expired atomic.Bool
	f.getRecordsErr = func(string) error {
		if expired.CompareAndSwap(false, true) {
			return &types.ExpiredIteratorException{Message: aws.String("Iterator expired")}
		}
		return nil
	}
	rest := readN(t, p, 2)
	all := append(first, rest...)
	for i, r := range all {
		if string(r.Data) != string(payload("key-000", i)) {
			t.Fatalf("record %d is %q after the iterator expired", i, r.Data)
		}
	}
}

func TestPollerReturnsOtherErrors(t *testing.T) {
	f := newFakeKinesis(1)
	boom := &types.KMSAccessDeniedException{Message: aws.String("no key")}
	f.getRecordsErr = func(string) error { return boom }
	p := newTestPoller(t, f, NopMetrics{})
	if _, err := p.next(t.Context()); !errors.As(err, new(*types.KMSAccessDeniedException)) {
		t.Fatalf("next: %v, want the KMS error", err)
	}
}

func TestPollerEndsAtShardEnd(t *testing.T) {
	f := newFakeKinesis(1)
	newWriter().write(f, 1, 2)
	f.split("shardId-000000000000")
	p := newTestPoller(t, f, NopMetrics{})
	res, err := p.next(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	if len(res.records) != 2 || !res.end || len(res.children) != 2 {
		t.Fatalf("read %d records, end %v, %d children; want 2, true, 2", len(res.records), res.end, len(res.children))
	}
}
