package consumer

import (
	"context"
	"errors"
	"fmt"
	"sync/atomic"
	"testing"
	"time"

	"github.com/pelicanhq/pelican/consumer/lease"
)

func TestReadsEveryRecordOnceInOrder(t *testing.T) {
	for _, mode := range []struct {
		name string
		opts []Option
	}{
		{"polling", nil},
		{"fan-out", []Option{WithEnhancedFanOut("app")}},
	} {
		t.Run(mode.name, func(t *testing.T) {
			f := newFakeKinesis(4)
			w := newWriter()
			w.write(f, 20, 10)
			rec := newRecorder()
			store := lease.NewMemory()
			s := startWorker(t, f, store, rec.handler("a"), mode.opts...)
			waitFor(t, 10*time.Second, "the first records", func() bool { return len(rec.deliveries()) >= 200 })
			w.write(f, 20, 10)
			waitFor(t, 10*time.Second, "every record", func() bool { return len(rec.deliveries()) >= w.total() })
			s.stop(t)
			checkExactlyOnceInOrder(t, w, rec.deliveries())
			// A graceful stop checkpoints and releases every lease.
			leases, err := store.List(context.Background())
			if err != nil {
				t.Fatal(err)
			}
			if len(leases) != 4 {
				t.Fatalf("%d leases, want 4", len(leases))
			}
			for _, l := range leases {
				if l.Owner != "" || l.Checkpoint.IsSentinel() {
					t.Errorf("after a graceful stop: lease %+v, want no owner and a sequence number", l)
				}
			}
		})
	}
}

func TestRestartResumesFromCheckpoint(t *testing.T) {
	f := newFakeKinesis(3)
	w := newWriter()
	store := lease.NewMemory()
	rec := newRecorder()
	w.write(f, 12, 5)
	first := startWorker(t, f, store, rec.handler("first"))
	waitFor(t, 10*time.Second, "the first records", func() bool { return len(rec.deliveries()) >= w.total() })
	first.stop(t)
	w.write(f, 12, 5)
	second := startWorker(t, f, store, rec.handler("second"))
	waitFor(t, 10*time.Second, "the records written while stopped", func() bool { return len(rec.deliveries()) >= w.total() })
	second.stop(t)
	checkExactlyOnceInOrder(t, w, rec.deliveries())
	for _, d := range rec.deliveries()[60:] {
		if d.worker != "second" {
			t.Fatalf("a record written after the restart went to %s", d.worker)
		}
	}
}

func TestFailingHandlerIsRetriedNeverSkipped(t *testing.T) {
	f := newFakeKinesis(2)
	w := newWriter()
	w.write(f, 6, 10)
	rec := newRecorder()
	var failures atomic.Int64
	rec.fail = func(_ string, b Batch) error {
		// Fail every batch three times, then let it through.
		if failures.Add(1)%4 != 0 {
			return errors.New("transient")
		}
		return nil
	}
	s := startWorker(t, f, lease.NewMemory(), rec.handler("a"))
	waitFor(t, 10*time.Second, "every record", func() bool { return len(rec.deliveries()) >= w.total() })
	s.stop(t)
	checkExactlyOnceInOrder(t, w, rec.deliveries())
	if failures.Load() < 4 {
		t.Fatalf("the handler was called %d times", failures.Load())
	}
}

func TestGiveUpReleasesWithoutCheckpoint(t *testing.T) {
	f := newFakeKinesis(1)
	w := newWriter()
	w.write(f, 3, 3)
	rec := newRecorder()
	var calls atomic.Int64
	rec.fail = func(string, Batch) error {
		// The first five calls fail: with two attempts per take of the lease, the batch is
		// given up twice and then delivered.
		if calls.Add(1) <= 5 {
			return errors.New("poison")
		}
		return nil
	}
	store := lease.NewMemory()
	s := startWorker(t, f, store, rec.handler("a"), WithRetryPolicy(RetryPolicy{MaxAttempts: 2, InitialBackoff: time.Millisecond, MaxBackoff: time.Millisecond}))
	waitFor(t, 10*time.Second, "every record", func() bool { return len(rec.deliveries()) >= w.total() })
	s.stop(t)
	checkExactlyOnceInOrder(t, w, rec.deliveries())
}

func TestManualCheckpoint(t *testing.T) {
	f := newFakeKinesis(1)
	w := newWriter()
	w.write(f, 4, 5)
	store := lease.NewMemory()
	var committed atomic.Int64
	h := HandlerFunc(func(ctx context.Context, b Batch) error {
		// Commit only up to the second record of each batch.
		if len(b.Records) >= 2 {
			if err := b.Checkpointer.CheckpointRecord(ctx, b.Records[1]); err != nil {
				return err
			}
			committed.Add(1)
		}
		return nil
	})
	s := startWorker(t, f, store, h, WithManualCheckpoint(), WithMaxRecords(5))
	waitFor(t, 10*time.Second, "four batches", func() bool { return committed.Load() >= 4 })
	s.stop(t)
	l, err := store.Get(context.Background(), "shardId-000000000000")
	if err != nil {
		t.Fatal(err)
	}
	// The fourth batch holds records 15..19; its second record is the shard's record 16.
	f.mu.Lock()
	want := *f.shards["shardId-000000000000"].records[16].SequenceNumber
	f.mu.Unlock()
	if l.Checkpoint.SequenceNumber != want {
		t.Fatalf("checkpoint %s, want the handler's %s", l.Checkpoint.SequenceNumber, want)
	}
}

func TestCheckpointAfterLeaseLossFails(t *testing.T) {
	f := newFakeKinesis(1)
	w := newWriter()
	w.write(f, 2, 2)
	store := lease.NewMemory()
	stolen := make(chan struct{})
	result := make(chan error, 1)
	h := HandlerFunc(func(ctx context.Context, b Batch) error {
		// Another worker takes the lease while this batch is in flight.
		l, err := store.Get(ctx, b.ShardID)
		if err != nil {
			return err
		}
		if _, err := store.Take(ctx, l, "intruder"); err != nil {
			return err
		}
		close(stolen)
		err = b.Checkpointer.Checkpoint(ctx)
		result <- err
		<-ctx.Done()
		return ctx.Err()
	})
	startWorker(t, f, store, h)
	<-stolen
	if err := <-result; !errors.Is(err, ErrLeaseLost) {
		t.Fatalf("checkpoint after the lease was taken: %v, want ErrLeaseLost", err)
	}
	l, err := store.Get(context.Background(), "shardId-000000000000")
	if err != nil {
		t.Fatal(err)
	}
	if l.Owner != "intruder" || l.Checkpoint.SequenceNumber != lease.TrimHorizon {
		t.Fatalf("lease after the fenced checkpoint: %+v", l)
	}
}

func TestGracefulShutdownFinishesBatchInFlight(t *testing.T) {
	f := newFakeKinesis(1)
	w := newWriter()
	w.write(f, 1, 3)
	store := lease.NewMemory()
	inFlight := make(chan struct{})
	release := make(chan struct{})
	var handled atomic.Int64
	h := HandlerFunc(func(ctx context.Context, b Batch) error {
		close(inFlight)
		<-release
		if ctx.Err() != nil {
			return fmt.Errorf("the handler's context was cancelled by a graceful shutdown: %w", ctx.Err())
		}
		handled.Add(int64(len(b.Records)))
		return nil
	})
	s := startWorker(t, f, store, h)
	<-inFlight
	s.cancel()
	time.Sleep(100 * time.Millisecond)
	close(release)
	s.stop(t)
	if handled.Load() != 3 {
		t.Fatalf("handled %d records, want the whole batch of 3", handled.Load())
	}
	l, err := store.Get(context.Background(), "shardId-000000000000")
	if err != nil {
		t.Fatal(err)
	}
	f.mu.Lock()
	last := *f.shards["shardId-000000000000"].records[2].SequenceNumber
	f.mu.Unlock()
	if l.Owner != "" || l.Checkpoint.SequenceNumber != last {
		t.Fatalf("after shutdown: %+v, want released at %s", l, last)
	}
}

func TestInitialPositions(t *testing.T) {
	t.Run("latest", func(t *testing.T) {
		f := newFakeKinesis(2)
		old := newWriter()
		old.write(f, 10, 3)
		rec := newRecorder()
		startWorker(t, f, lease.NewMemory(), rec.handler("a"), WithInitialPosition(Latest()))
		waitFor(t, 5*time.Second, "both shards to be read", func() bool {
			return len(f.getRecordsCalls("shardId-000000000000")) > 0 && len(f.getRecordsCalls("shardId-000000000001")) > 0
		})
		w := newWriter()
		for k := range 10 {
			w.next[fmt.Sprintf("key-%03d", k)] = 3 // numbered after the old records
		}
		w.write(f, 10, 2)
		waitFor(t, 5*time.Second, "the new records", func() bool { return len(rec.deliveries()) >= 20 })
		time.Sleep(300 * time.Millisecond)
		for _, d := range rec.deliveries() {
			if _, n := parsePayload(t, d.rec.Data); n < 3 {
				t.Fatalf("record %q, written before the start, was delivered", d.rec.Data)
			}
		}
		if got := len(rec.deliveries()); got != 20 {
			t.Fatalf("%d records delivered, want the 20 new ones", got)
		}
	})
	t.Run("at timestamp", func(t *testing.T) {
		f := newFakeKinesis(2)
		w := newWriter()
		w.write(f, 10, 3)
		time.Sleep(20 * time.Millisecond)
		from := time.Now()
		w.write(f, 10, 2)
		rec := newRecorder()
		startWorker(t, f, lease.NewMemory(), rec.handler("a"), WithInitialPosition(AtTimestamp(from)))
		waitFor(t, 5*time.Second, "the records after the timestamp", func() bool { return len(rec.deliveries()) >= 20 })
		time.Sleep(300 * time.Millisecond)
		for _, d := range rec.deliveries() {
			if _, n := parsePayload(t, d.rec.Data); n < 3 {
				t.Fatalf("record %q, from before the timestamp, was delivered", d.rec.Data)
			}
		}
		if got := len(rec.deliveries()); got != 20 {
			t.Fatalf("%d records delivered, want 20", got)
		}
	})
}
