package consumer_test

import (
	"context"
	"fmt"
	"log/slog"
	"math/big"
	"os"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/kinesis"
	"github.com/aws/aws-sdk-go-v2/service/kinesis/types"

	"github.com/pelicanhq/pelican/aggregation"
	"github.com/pelicanhq/pelican/consumer"
	"github.com/pelicanhq/pelican/consumer/lease"
	"github.com/pelicanhq/pelican/pelicantest"
)

// rig is a stream on an in-process emulator, a lease store, and the records written to it.
type rig struct {
	t      *testing.T
	em     *pelicantest.Emulator
	client *kinesis.Client
	stream string
	store  lease.Store

	mu   sync.Mutex
	next map[string]int // per key, the number of records written
	got  []seen
}

// seen is one record as a handler saw it.
type seen struct {
	worker string
	rec    consumer.Record
}

func newRig(t *testing.T, shards int) *rig {
	t.Helper()
	em := pelicantest.NewEmulator(t)
	return &rig{t: t, em: em, client: em.Client(), stream: em.NewStream(t, shards), store: lease.NewMemory(), next: map[string]int{}}
}

// write puts perKey numbered records for each of keys keys, with PutRecords.
func (r *rig) write(keys, perKey int) {
	r.t.Helper()
	r.mu.Lock()
	defer r.mu.Unlock()
	var entries []types.PutRecordsRequestEntry
	flush := func() {
		if len(entries) == 0 {
			return
		}
		out, err := r.client.PutRecords(context.Background(), &kinesis.PutRecordsInput{StreamName: aws.String(r.stream), Records: entries})
		if err != nil {
			r.t.Fatalf("PutRecords: %v", err)
		}
		if aws.ToInt32(out.FailedRecordCount) != 0 {
			r.t.Fatalf("PutRecords: %d records failed", aws.ToInt32(out.FailedRecordCount))
		}
		entries = nil
	}
	for range perKey {
		for k := range keys {
			key := fmt.Sprintf("key-%03d", k)
			entries = append(entries, types.PutRecordsRequestEntry{PartitionKey: aws.String(key), Data: []byte(key + "#" + strconv.Itoa(r.next[key]))})
			r.next[key]++
		}
		// One PutRecords per round keeps each key's records in order across calls.
		flush()
	}
}

func (r *rig) total() int {
	r.mu.Lock()
	defer r.mu.Unlock()
	n := 0
	for _, v := range r.next {
		n += v
	}
	return n
}

func (r *rig) deliveries() []seen {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]seen(nil), r.got...)
}

// handler records every record it is given, for the named worker.
func (r *rig) handler(worker string) consumer.Handler {
	return consumer.HandlerFunc(func(ctx context.Context, b consumer.Batch) error {
		r.mu.Lock()
		defer r.mu.Unlock()
		for _, rec := range b.Records {
			r.got = append(r.got, seen{worker: worker, rec: rec})
		}
		return nil
	})
}

// worker is a consumer running in the background.
type worker struct {
	c      *consumer.Consumer
	cancel context.CancelFunc
	done   chan error
}

func timings() []consumer.Option {
	return []consumer.Option{
		consumer.WithFailoverTime(1500 * time.Millisecond),
		consumer.WithRenewInterval(250 * time.Millisecond),
		consumer.WithTakeInterval(300 * time.Millisecond),
		consumer.WithShardSyncInterval(500 * time.Millisecond),
		consumer.WithIdleInterval(200 * time.Millisecond),
		consumer.WithRetryPolicy(consumer.RetryPolicy{InitialBackoff: 20 * time.Millisecond, MaxBackoff: 500 * time.Millisecond}),
	}
}

func (r *rig) start(name string, h consumer.Handler, opts ...consumer.Option) *worker {
	r.t.Helper()
	opts = append(append(timings(), consumer.WithWorkerID(name), consumer.WithLeaseStore(r.store)), opts...)
	// PELICAN_CONSUMER_LOG=1 logs what the workers do, to stderr, when a test needs explaining.
	if os.Getenv("PELICAN_CONSUMER_LOG") != "" {
		opts = append(opts, consumer.WithLogger(slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelDebug}))))
	}
	c, err := consumer.New(r.client, r.stream, h, opts...)
	if err != nil {
		r.t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	w := &worker{c: c, cancel: cancel, done: make(chan error, 1)}
	go func() { w.done <- c.Run(ctx) }()
	r.t.Cleanup(func() { w.stop(r.t) })
	return w
}

// stop shuts the worker down gracefully and waits for Run to return.
func (w *worker) stop(t *testing.T) {
	t.Helper()
	w.cancel()
	select {
	case err, ok := <-w.done:
		if ok {
			close(w.done)
			if err != nil {
				t.Errorf("Run: %v", err)
			}
		}
	case <-time.After(30 * time.Second):
		t.Fatal("Run did not return after its context was cancelled")
	}
}

// kill stops the worker as if its process died.
func (w *worker) kill(t *testing.T) {
	t.Helper()
	consumer.Die(w.c)
	w.stop(t)
}

func waitFor(t *testing.T, d time.Duration, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(d)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out after %v waiting for %s", d, what)
		}
		time.Sleep(25 * time.Millisecond)
	}
}

// waitAll waits until every record written has been delivered at least once.
func (r *rig) waitAll(d time.Duration) {
	r.t.Helper()
	waitFor(r.t, d, "every record", func() bool {
		distinct := map[string]bool{}
		for _, s := range r.deliveries() {
			distinct[string(s.rec.Data)] = true
		}
		return len(distinct) >= r.total()
	})
}

func parse(t *testing.T, data []byte) (string, int) {
	t.Helper()
	key, num, ok := strings.Cut(string(data), "#")
	n, err := strconv.Atoi(num)
	if !ok || err != nil {
		t.Fatalf("unexpected payload %q", data)
	}
	return key, n
}

// exactlyOnce fails unless every record written was delivered once, in order per key.
func (r *rig) exactlyOnce() {
	r.t.Helper()
	if dups := r.check(); dups != 0 {
		r.t.Fatalf("%d duplicates without any failure", dups)
	}
}

// check fails unless every record written was delivered, each key's first deliveries in order;
// it returns the number of duplicates.
func (r *rig) check() int {
	r.t.Helper()
	next := map[string]int{}
	dups := 0
	for _, d := range r.deliveries() {
		key, n := parse(r.t, d.rec.Data)
		switch {
		case n == next[key]:
			next[key]++
		case n < next[key]:
			dups++
		default:
			r.t.Fatalf("key %s: record %d came before %d (lost or reordered); worker %s, shard %s", key, n, next[key], d.worker, d.rec.ShardID)
		}
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	for key, n := range r.next {
		if next[key] != n {
			r.t.Fatalf("key %s: %d of %d records delivered", key, next[key], n)
		}
	}
	return dups
}

// owners counts the unfinished leases of each worker.
func (r *rig) owners() map[string]int {
	r.t.Helper()
	leases, err := r.store.List(context.Background())
	if err != nil {
		r.t.Fatal(err)
	}
	out := map[string]int{}
	for _, l := range leases {
		if !l.Finished() {
			out[l.Owner]++
		}
	}
	return out
}

// fair reports whether the named workers hold all n unfinished leases, evenly.
func (r *rig) fair(n int, workers ...string) bool {
	counts := r.owners()
	total, lo, hi := 0, n, 0
	for _, w := range workers {
		total += counts[w]
		lo, hi = min(lo, counts[w]), max(hi, counts[w])
	}
	return total == n && hi-lo <= 1
}

// split splits a shard at the middle of its hash range.
func (r *rig) split(shard string) {
	r.t.Helper()
	out, err := r.client.ListShards(context.Background(), &kinesis.ListShardsInput{StreamName: aws.String(r.stream)})
	if err != nil {
		r.t.Fatal(err)
	}
	for _, s := range out.Shards {
		if aws.ToString(s.ShardId) != shard {
			continue
		}
		lo, _ := new(big.Int).SetString(aws.ToString(s.HashKeyRange.StartingHashKey), 10)
		hi, _ := new(big.Int).SetString(aws.ToString(s.HashKeyRange.EndingHashKey), 10)
		mid := new(big.Int).Add(lo, new(big.Int).Rsh(new(big.Int).Sub(hi, lo), 1))
		if _, err := r.client.SplitShard(context.Background(), &kinesis.SplitShardInput{
			StreamName: aws.String(r.stream), ShardToSplit: aws.String(shard), NewStartingHashKey: aws.String(mid.String()),
		}); err != nil {
			r.t.Fatalf("SplitShard: %v", err)
		}
		r.waitActive()
		return
	}
	r.t.Fatalf("no shard %s", shard)
}

func (r *rig) merge(a, b string) {
	r.t.Helper()
	if _, err := r.client.MergeShards(context.Background(), &kinesis.MergeShardsInput{
		StreamName: aws.String(r.stream), ShardToMerge: aws.String(a), AdjacentShardToMerge: aws.String(b),
	}); err != nil {
		r.t.Fatalf("MergeShards: %v", err)
	}
	r.waitActive()
}

func (r *rig) waitActive() {
	r.t.Helper()
	pelicantest.WaitActive(r.t, r.client, r.stream)
}

// modes are the two ways of reading.
var modes = []struct {
	name string
	opts func() []consumer.Option
}{
	{"polling", func() []consumer.Option { return nil }},
	{"fan-out", func() []consumer.Option {
		return []consumer.Option{consumer.WithEnhancedFanOut(pelicantest.UniqueName("app"))}
	}},
}

func TestEmulatorReadsEveryRecord(t *testing.T) {
	for _, m := range modes {
		t.Run(m.name, func(t *testing.T) {
			r := newRig(t, 3)
			r.write(20, 5)
			w := r.start("a", r.handler("a"), m.opts()...)
			r.waitAll(20 * time.Second)
			r.write(20, 5)
			r.waitAll(20 * time.Second)
			w.stop(t)
			r.exactlyOnce()
		})
	}
}

func TestEmulatorWorkersSplitShardsFairlyAndTakeOverAKilledOne(t *testing.T) {
	for _, n := range []int{2, 3} {
		for _, m := range modes {
			t.Run(fmt.Sprintf("%d workers/%s", n, m.name), func(t *testing.T) {
				const shards = 6
				r := newRig(t, shards)
				opts := m.opts()
				var workers []*worker
				var names []string
				for i := range n {
					name := fmt.Sprintf("w%d", i)
					names = append(names, name)
					workers = append(workers, r.start(name, r.handler(name), opts...))
					// Records flow while workers join, so leases move with batches in flight.
					r.write(30, 2)
				}
				waitFor(t, 30*time.Second, "a fair split", func() bool { return r.fair(shards, names...) })
				before := r.owners()
				time.Sleep(time.Second)
				if after := r.owners(); fmt.Sprint(after) != fmt.Sprint(before) {
					t.Fatalf("leases kept moving after a fair split: %v then %v", before, after)
				}
				r.waitAll(20 * time.Second)
				// Balancing hands leases over gracefully: no failure, so no duplicate.
				r.exactlyOnce()

				killedOwners := r.owners()
				killedAt := time.Now()
				workers[0].kill(t)
				waitFor(t, 30*time.Second, "the survivors to take every shard", func() bool { return r.fair(shards, names[1:]...) })
				took := time.Since(killedAt)
				// Expiry is judged by the counter not moving for the failover time (1.5s here),
				// seen by take passes every 300ms: takeover within failover + 2 passes, with
				// slack for a busy machine, and never before the lease could expire.
				if took > 1500*time.Millisecond+600*time.Millisecond+2*time.Second {
					t.Fatalf("takeover took %v", took)
				}
				if took < 1250*time.Millisecond {
					leases, _ := r.store.List(context.Background())
					t.Fatalf("takeover after %v, before the leases could expire; owners before the kill %v; leases now %+v", took, killedOwners, leases)
				}
				t.Logf("killed worker's shards taken over in %v", took)
				r.write(30, 2)
				r.waitAll(20 * time.Second)
				r.check()
			})
		}
	}
}

func TestEmulatorReshardingKeepsPerKeyOrder(t *testing.T) {
	for _, m := range modes {
		t.Run(m.name, func(t *testing.T) {
			r := newRig(t, 2)
			opts := append(m.opts(), consumer.WithMaxRecords(25))
			r.start("a", r.handler("a"), opts...)
			r.start("b", r.handler("b"), opts...)
			r.write(50, 4)
			r.split("shardId-000000000000")
			r.write(50, 4)
			r.split("shardId-000000000001")
			r.write(50, 4)
			// Merge the two adjacent children in the middle of the hash space.
			r.merge("shardId-000000000003", "shardId-000000000004")
			r.write(50, 4)
			r.waitAll(60 * time.Second)
			r.exactlyOnce()
			leases, err := r.store.List(context.Background())
			if err != nil {
				t.Fatal(err)
			}
			finished := 0
			for _, l := range leases {
				if l.Finished() {
					finished++
					if len(l.ChildShardIDs) == 0 {
						t.Errorf("finished shard %s has no children recorded", l.Key)
					}
				}
			}
			if finished != 4 {
				t.Fatalf("%d shards finished, want the 4 closed ones", finished)
			}
		})
	}
}

func TestEmulatorNoRecordLostAcrossRestarts(t *testing.T) {
	for _, m := range modes {
		t.Run(m.name, func(t *testing.T) {
			r := newRig(t, 3)
			opts := m.opts()
			crashed, crashes := false, 0
			for round := range 6 {
				before := r.check2()
				name := fmt.Sprintf("run%d", round)
				w := r.start(name, r.handler(name), opts...)
				r.write(20, 3)
				r.waitAll(30 * time.Second)
				r.write(20, 3)
				graceful := round%2 == 0
				if graceful {
					// A graceful stop checkpoints everything handled.
					r.waitAll(30 * time.Second)
					w.stop(t)
				} else {
					// A crash: what was handled but not checkpointed comes again in the next run.
					time.Sleep(10 * time.Millisecond)
					w.kill(t)
					crashes++
				}
				if added := r.check2() - before; added > 0 && !crashed {
					t.Fatalf("round %d: %d duplicates, though the run before ended gracefully", round, added)
				}
				crashed = !graceful
			}
			w := r.start("last", r.handler("last"), opts...)
			r.waitAll(30 * time.Second)
			w.stop(t)
			t.Logf("%d duplicates, after %d crashes", r.check(), crashes)
		})
	}
}

// check2 is check for a moment when delivery may be incomplete: it returns the duplicates so far
// and fails only on reordering.
func (r *rig) check2() int {
	r.t.Helper()
	next := map[string]int{}
	dups := 0
	for _, d := range r.deliveries() {
		key, n := parse(r.t, d.rec.Data)
		switch {
		case n == next[key]:
			next[key]++
		case n < next[key]:
			dups++
		default:
			r.t.Fatalf("key %s: record %d came before %d; worker %s", key, n, next[key], d.worker)
		}
	}
	return dups
}

// TestEmulatorDuplicatesOnlyAfterFailures makes two failures, a handler error after partial work
// and a crash with a batch in flight, and checks that the only duplicates are those batches.
func TestEmulatorDuplicatesOnlyAfterFailures(t *testing.T) {
	for _, m := range modes {
		t.Run(m.name, func(t *testing.T) {
			r := newRig(t, 2)
			opts := m.opts()
			var (
				mu        sync.Mutex
				failed    bool
				redone    int // records handled by the failing attempt
				crashNext bool
				inFlight  int // records handled in batches the crash cut off before their checkpoint
				blocked   = make(chan struct{}, 1)
			)
			h := func(worker string) consumer.Handler {
				inner := r.handler(worker)
				return consumer.HandlerFunc(func(ctx context.Context, b consumer.Batch) error {
					if len(b.Records) == 0 {
						return inner.Handle(ctx, b)
					}
					mu.Lock()
					failNow := !failed
					crash := crashNext && worker == "first"
					if failNow {
						failed = true
						redone += len(b.Records)
					}
					mu.Unlock()
					if err := inner.Handle(ctx, b); err != nil {
						return err
					}
					switch {
					case failNow:
						return fmt.Errorf("fails after handling %d records", len(b.Records))
					case crash:
						mu.Lock()
						inFlight += len(b.Records)
						mu.Unlock()
						select {
						case blocked <- struct{}{}:
						default:
						}
						<-ctx.Done() // the process dies with this batch handled, not checkpointed
						return ctx.Err()
					}
					return nil
				})
			}
			first := r.start("first", h("first"), opts...)
			r.write(20, 3)
			r.waitAll(30 * time.Second)
			mu.Lock()
			again := redone
			mu.Unlock()
			waitFor(t, 30*time.Second, "the failed batch to come again", func() bool { return r.check2() >= again })
			if got := r.check(); got != again {
				t.Fatalf("%d duplicates after one failed attempt of %d records", got, again)
			}
			mu.Lock()
			crashNext = true
			mu.Unlock()
			r.write(20, 3)
			select {
			case <-blocked:
			case <-time.After(20 * time.Second):
				t.Fatal("no batch reached the handler")
			}
			first.kill(t)
			// Read when needed, not at the kill: a batch of the other shard may be inside the
			// handler then, counted as handled but not yet as cut off.
			lostSoFar := func() int {
				mu.Lock()
				defer mu.Unlock()
				return inFlight
			}
			second := r.start("second", h("second"), opts...)
			r.waitAll(30 * time.Second)
			waitFor(t, 30*time.Second, "the batches cut off to come again", func() bool { return r.check2() >= again+lostSoFar() })
			time.Sleep(500 * time.Millisecond) // time for any further, wrong, duplicate
			second.stop(t)
			lost := lostSoFar()
			// Exactly the records of the failed attempt and of the batches the crash cut off
			// come twice: nothing checkpointed is read again.
			if dups := r.check(); dups != again+lost {
				t.Fatalf("%d duplicates, want the %d records of the failed attempt and the %d cut off by the crash", dups, again, lost)
			}
			t.Logf("duplicates: %d from a failed attempt, %d from the crash", again, lost)
		})
	}
}

func TestEmulatorDeaggregatesAndResumesInsideAnAggregate(t *testing.T) {
	for _, m := range modes {
		t.Run(m.name, func(t *testing.T) {
			r := newRig(t, 1)
			opts := m.opts()
			// Three aggregates of five user records each.
			var entries []types.PutRecordsRequestEntry
			for a := range 3 {
				var recs []aggregation.Record
				for u := range 5 {
					recs = append(recs, aggregation.Record{PartitionKey: "k", Data: []byte(fmt.Sprintf("k#%d", a*5+u))})
				}
				entries = append(entries, types.PutRecordsRequestEntry{PartitionKey: aws.String("k"), Data: aggregation.Aggregate(recs...)})
			}
			if _, err := r.client.PutRecords(context.Background(), &kinesis.PutRecordsInput{StreamName: aws.String(r.stream), Records: entries}); err != nil {
				t.Fatal(err)
			}
			r.next["k"] = 15
			// The first worker commits up to the third user record of the second aggregate, then
			// stops; the second resumes right after it.
			var committed atomic.Bool
			first := r.start("first", consumer.HandlerFunc(func(ctx context.Context, b consumer.Batch) error {
				for _, rec := range b.Records {
					if !rec.Aggregated {
						return fmt.Errorf("record %s/%d not deaggregated", rec.SequenceNumber, rec.SubSequenceNumber)
					}
					if string(rec.Data) == "k#7" {
						if rec.SubSequenceNumber != 2 {
							return fmt.Errorf("k#7 has sub-sequence number %d, want 2", rec.SubSequenceNumber)
						}
						if err := b.Checkpointer.CheckpointRecord(ctx, rec); err != nil {
							return err
						}
						committed.Store(true)
					}
				}
				return nil
			}), append(opts, consumer.WithManualCheckpoint())...)
			waitFor(t, 20*time.Second, "the checkpoint inside the aggregate", committed.Load)
			first.stop(t)
			l, err := r.store.Get(context.Background(), "shardId-000000000000")
			if err != nil {
				t.Fatal(err)
			}
			if l.Checkpoint.SubSequenceNumber != 2 {
				t.Fatalf("checkpoint %+v, want sub-sequence number 2", l.Checkpoint)
			}
			second := r.start("second", r.handler("second"), opts...)
			waitFor(t, 20*time.Second, "the rest", func() bool { return len(r.deliveries()) >= 7 })
			second.stop(t)
			got := r.deliveries()
			if len(got) != 7 {
				t.Fatalf("%d records after the restart, want 7", len(got))
			}
			for i, d := range got {
				if want := fmt.Sprintf("k#%d", 8+i); string(d.rec.Data) != want {
					t.Fatalf("record %d after the restart is %q, want %q", i, d.rec.Data, want)
				}
			}
		})
	}
}

// countThrottles counts the throttling the consumer reports.
type countThrottles struct {
	consumer.NopMetrics
	throttled, reads atomic.Int64
}

func (m *countThrottles) Error(_ string, kind consumer.ErrorKind) {
	switch kind {
	case consumer.ErrorThrottled:
		m.throttled.Add(1)
	case consumer.ErrorRead:
		m.reads.Add(1)
	}
}

// TestEmulatorPollingKeepsWithinReadLimits reads a busy shard with the emulator's throughput
// limits on: at five GetRecords calls a second the consumer is never throttled.
func TestEmulatorPollingKeepsWithinReadLimits(t *testing.T) {
	em := pelicantest.NewEmulator(t, pelicantest.WithThroughputLimits(true))
	// No SDK retries: a throttled call reaches the consumer, which counts it.
	client := em.NewClient(func(o *kinesis.Options) { o.RetryMaxAttempts = 1 })
	r := &rig{t: t, em: em, client: client, stream: em.NewStream(t, 1), store: lease.NewMemory(), next: map[string]int{}}
	m := &countThrottles{}
	// Small reads keep the reader busy: every call finds records waiting.
	r.start("a", r.handler("a"), consumer.WithMaxRecords(10), consumer.WithMetrics(m))
	for range 4 {
		r.write(20, 3)
		time.Sleep(300 * time.Millisecond)
	}
	r.waitAll(60 * time.Second)
	r.exactlyOnce()
	if n := m.throttled.Load(); n != 0 {
		t.Fatalf("throttled %d times within Kinesis's read limits", n)
	}
}

// TestEmulatorRidesOutFaults injects throttling and failures into reads and subscriptions: the
// consumer backs off, resumes where it was, and loses nothing.
func TestEmulatorRidesOutFaults(t *testing.T) {
	for _, tt := range []struct {
		mode      int
		operation string
		codes     []string
	}{
		{0, "GetRecords", []string{"ProvisionedThroughputExceededException", "InternalFailure", "ExpiredIteratorException"}},
		{1, "SubscribeToShard", []string{"LimitExceededException", "InternalFailure", "ResourceInUseException"}},
	} {
		m := modes[tt.mode]
		t.Run(m.name, func(t *testing.T) {
			r := newRig(t, 2)
			counts := &countThrottles{}
			r.write(20, 3)
			for _, code := range tt.codes {
				r.em.Faults().Inject(pelicantest.Fault{Operation: tt.operation, Code: code, Times: 4})
			}
			r.start("a", r.handler("a"), append(m.opts(), consumer.WithMetrics(counts))...)
			r.write(20, 3)
			r.waitAll(60 * time.Second)
			r.write(20, 3)
			r.waitAll(60 * time.Second)
			r.exactlyOnce()
			if counts.throttled.Load()+counts.reads.Load() == 0 {
				t.Fatal("no fault reached the consumer")
			}
			if left := r.em.Faults().List(); len(left) != 0 {
				t.Fatalf("faults not consumed: %+v", left)
			}
		})
	}
}

// TestEmulatorResubscribesWhenASubscriptionEnds moves the emulator's clock past the five minutes
// a subscription lasts: the subscription ends cleanly, and the consumer resubscribes at the
// continuation sequence number without losing or repeating a record.
func TestEmulatorResubscribesWhenASubscriptionEnds(t *testing.T) {
	clock := pelicantest.NewClock(time.Now())
	em := pelicantest.NewEmulator(t, pelicantest.WithClock(clock))
	r := &rig{t: t, em: em, client: em.Client(), stream: em.NewStream(t, 2), store: lease.NewMemory(), next: map[string]int{}}
	m := &countThrottles{}
	r.start("a", r.handler("a"), consumer.WithEnhancedFanOut("app"), consumer.WithMetrics(m))
	for range 3 {
		r.write(20, 3)
		r.waitAll(30 * time.Second)
		clock.Advance(5*time.Minute + time.Second)
	}
	r.write(20, 3)
	r.waitAll(30 * time.Second)
	r.exactlyOnce()
	if n := m.reads.Load(); n != 0 {
		t.Fatalf("%d read errors: the end of a subscription's five minutes is not a failure", n)
	}
}
