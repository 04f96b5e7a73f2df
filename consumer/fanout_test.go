package consumer

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/kinesis"
	"github.com/aws/aws-sdk-go-v2/service/kinesis/types"

	"github.com/pelicanhq/pelican/consumer/lease"
)

func newTestFanout(f *fakeKinesis, cp lease.Checkpoint) *fanout {
	st, _ := startFrom(cp, time.Time{})
	return &fanout{
		subscribe:   f.subscribeFake,
		consumerARN: "arn:consumer",
		shard:       "shardId-000000000000",
		start:       st,
		every:       10 * time.Millisecond,
		lifetime:    time.Hour,
	}
}

// collect reads from the fan-out reader until n records came or the shard ended, retrying
// after errors as the shard worker does, and returns the records and the errors seen.
func collect(t *testing.T, r *fanout, n int) (recs []types.Record, errs int, end bool) {
	t.Helper()
	ctx, cancel := context.WithTimeout(t.Context(), 10*time.Second)
	defer cancel()
	for len(recs) < n && !end {
		res, err := r.next(ctx)
		if err != nil {
			if ctx.Err() != nil {
				t.Fatalf("after %d records: %v", len(recs), err)
			}
			errs++
			continue
		}
		recs = append(recs, res.records...)
		end = res.end
	}
	return recs, errs, end
}

func checkPayloads(t *testing.T, recs []types.Record) {
	t.Helper()
	for i, r := range recs {
		if string(r.Data) != string(payload("key-000", i)) {
			t.Fatalf("record %d is %q", i, r.Data)
		}
	}
}

func TestFanoutResubscribesAtTheContinuation(t *testing.T) {
	f := newFakeKinesis(1)
	w := newWriter()
	f.lifetime = 50 * time.Millisecond // subscriptions end early and cleanly
	r := newTestFanout(f, lease.Checkpoint{SequenceNumber: lease.TrimHorizon})
	defer r.close()
	w.write(f, 1, 4)
	go func() {
		for range 3 {
			time.Sleep(120 * time.Millisecond)
			w.write(f, 1, 4)
		}
	}()
	recs, errs, _ := collect(t, r, 16)
	if errs != 0 {
		t.Fatalf("%d errors from clean ends of subscriptions", errs)
	}
	checkPayloads(t, recs)
	subs := f.subscriptions("shardId-000000000000")
	if len(subs) < 2 {
		t.Fatalf("%d subscriptions, want a resubscription", len(subs))
	}
	if subs[0].Type != types.ShardIteratorTypeTrimHorizon {
		t.Fatalf("first subscription at %s", subs[0].Type)
	}
	for _, s := range subs[1:] {
		if s.Type != types.ShardIteratorTypeAfterSequenceNumber || aws.ToString(s.SequenceNumber) == "" {
			t.Fatalf("resubscription at %s %s, want AFTER_SEQUENCE_NUMBER and the continuation", s.Type, aws.ToString(s.SequenceNumber))
		}
	}
}

func TestFanoutResubscribesAfterErrors(t *testing.T) {
	f := newFakeKinesis(1)
	newWriter().write(f, 1, 12)
	f.subscribeErrAfter = 2 // every subscription fails after two events of up to 3 records
	r := newTestFanout(f, lease.Checkpoint{SequenceNumber: lease.TrimHorizon})
	defer r.close()
	recs, errs, _ := collect(t, r, 12)
	if errs == 0 {
		t.Fatal("no subscription error surfaced")
	}
	checkPayloads(t, recs)
}

func TestFanoutStartsAtTheCheckpoint(t *testing.T) {
	f := newFakeKinesis(1)
	newWriter().write(f, 1, 6)
	f.mu.Lock()
	seq := *f.shards["shardId-000000000000"].records[2].SequenceNumber
	f.mu.Unlock()
	r := newTestFanout(f, lease.Checkpoint{SequenceNumber: seq})
	defer r.close()
	res, err := r.next(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	// AT the checkpoint's sequence number: the shard worker drops what the checkpoint covers.
	if aws.ToString(res.records[0].SequenceNumber) != seq {
		t.Fatalf("first record %s, want the checkpoint's %s", aws.ToString(res.records[0].SequenceNumber), seq)
	}
	if sub := f.subscriptions("shardId-000000000000")[0]; sub.Type != types.ShardIteratorTypeAtSequenceNumber || aws.ToString(sub.SequenceNumber) != seq {
		t.Fatalf("subscribed at %s %s", sub.Type, aws.ToString(sub.SequenceNumber))
	}
}

func TestFanoutEndsWithTheChildren(t *testing.T) {
	f := newFakeKinesis(1)
	newWriter().write(f, 1, 5)
	f.split("shardId-000000000000")
	r := newTestFanout(f, lease.Checkpoint{SequenceNumber: lease.TrimHorizon})
	defer r.close()
	recs, _, end := collect(t, r, 1000)
	if !end || len(recs) != 5 {
		t.Fatalf("%d records, end %v", len(recs), end)
	}
}

func TestFanoutSpacesSubscriptions(t *testing.T) {
	f := newFakeKinesis(1)
	f.subscribeErrAfter = 1
	newWriter().write(f, 1, 9)
	r := newTestFanout(f, lease.Checkpoint{SequenceNumber: lease.TrimHorizon})
	r.every = 150 * time.Millisecond
	defer r.close()
	var opened []time.Time
	sub := r.subscribe
	r.subscribe = func(ctx context.Context, in *kinesis.SubscribeToShardInput) (eventStream, error) {
		opened = append(opened, time.Now())
		return sub(ctx, in)
	}
	collect(t, r, 9)
	for i, g := range gaps(opened) {
		if g < 145*time.Millisecond {
			t.Fatalf("subscriptions %d and %d came %v apart", i, i+1, g)
		}
	}
}

func TestFanoutReturnsSubscribeErrors(t *testing.T) {
	f := newFakeKinesis(1)
	r := newTestFanout(f, lease.Checkpoint{SequenceNumber: lease.TrimHorizon})
	r.shard = "shardId-000000000404"
	if _, err := r.next(t.Context()); !errors.As(err, new(*types.ResourceNotFoundException)) {
		t.Fatalf("next: %v, want ResourceNotFoundException", err)
	}
}
