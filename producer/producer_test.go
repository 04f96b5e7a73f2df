package producer

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/kinesis"
	"github.com/aws/smithy-go"

	"github.com/pelicanhq/pelican/aggregation"
)

func TestDeliversEverythingInOrder(t *testing.T) {
	tests := []struct {
		name          string
		shards        int
		keys, perKey  int
		size          int
		aggregation   bool
		wantAggregate bool
	}{
		{"aggregated, one shard, one hot key", 1, 1, 2000, 20, true, true},
		{"aggregated, four shards, many keys", 4, 300, 10, 50, true, true},
		{"aggregated, unique keys", 4, 3000, 1, 10, true, true},
		{"plain, one shard, one hot key", 1, 1, 300, 20, false, false},
		{"plain, four shards, many keys", 4, 300, 5, 50, false, false},
		{"aggregated, large records", 2, 10, 20, 200_000, true, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newFakeKinesis(tt.shards)
			p := newTestProducer(t, f, WithAggregation(tt.aggregation), WithShardRateLimit(0, 0))
			rs := putRoundRobin(t, p, tt.keys, tt.perKey, tt.size)
			flush(t, p)
			requireAllWritten(t, rs)
			rep := VerifyStream(t, f.fakeShards(), rs)
			if rep.Delivered != len(rs) || rep.Repeats != 0 || rep.Misplaced != 0 {
				t.Fatalf("report %+v for %d records", rep, len(rs))
			}
			aggregated := 0
			for _, r := range rs {
				if r.Aggregated() {
					aggregated++
				}
				if r.Attempts() != 1 || r.Ambiguous() {
					t.Fatalf("record %q: %d attempts, ambiguous %v, with no fault", r.data, r.Attempts(), r.Ambiguous())
				}
			}
			if tt.wantAggregate && aggregated == 0 || !tt.aggregation && aggregated > 0 {
				t.Fatalf("%d of %d records aggregated", aggregated, len(rs))
			}
			if len(f.problems) > 0 {
				t.Fatalf("limit violations: %v", f.problems)
			}
		})
	}
}

// TestAggregatesStayInTheirShard checks every aggregate the producer wrote: all its user records
// hash into the shard that stored it, and it is routed by its first record's hash key.
func TestAggregatesStayInTheirShard(t *testing.T) {
	f := newFakeKinesis(8)
	var mu sync.Mutex
	checked := 0
	f.onPut = func(_ int, in *kinesis.PutRecordsInput, out *kinesis.PutRecordsOutput) {
		mu.Lock()
		defer mu.Unlock()
		for i, e := range in.Records {
			recs, ok, err := aggregation.Deaggregate(e.Data)
			if err != nil || !ok {
				continue
			}
			checked++
			if aws.ToString(e.PartitionKey) != "a" {
				t.Errorf("aggregate under partition key %q, want the KPL's \"a\"", aws.ToString(e.PartitionKey))
			}
			if want := partitionHash(recs[0].PartitionKey).String(); aws.ToString(e.ExplicitHashKey) != want {
				t.Errorf("aggregate routed by %s, want its first record's hash key %s", aws.ToString(e.ExplicitHashKey), want)
			}
			shard := aws.ToString(out.Records[i].ShardId)
			for _, u := range recs {
				if got := f.route(partitionHash(u.PartitionKey)).id; got != shard {
					t.Errorf("user record of key %q (shard %s) aggregated into a record of shard %s", u.PartitionKey, got, shard)
				}
			}
		}
	}
	p := newTestProducer(t, f, WithShardRateLimit(0, 0))
	rs := putRoundRobin(t, p, 500, 4, 30)
	flush(t, p)
	requireAllWritten(t, rs)
	if checked < 8 {
		t.Fatalf("only %d aggregates checked", checked)
	}
	VerifyStream(t, f.fakeShards(), rs)
}

// TestRequestLimits fills calls to their limits: 500 entries, 10 MiB (or the configured cap) per
// call, 1 MiB per record. The fake refuses and notes any call over them.
func TestRequestLimits(t *testing.T) {
	tests := []struct {
		name        string
		opts        []Option
		keys, size  int
		perKey      int
		wantRecords int // the largest call should reach this many entries
		wantBytes   int // ... or this many bytes
		capBytes    int
	}{
		{"500 entries", []Option{WithAggregation(false)}, 1200, 10, 1, 500, 0, DefaultMaxRequestBytes},
		{"10 MiB", []Option{WithAggregation(false)}, 40, 400_000, 1, 0, 9 << 20, DefaultMaxRequestBytes},
		{"5 MiB cap", []Option{WithAggregation(false), WithMaxRequestBytes(5 << 20)}, 40, 400_000, 1, 0, 4 << 20, 5 << 20},
		{"records of exactly 1 MiB", []Option{WithAggregation(false)}, 12, DefaultMaxRecordBytes - len("key-10"), 1, 0, 9 << 20, DefaultMaxRequestBytes},
		{"full aggregates", nil, 4000, 3000, 1, 0, 9 << 20, DefaultMaxRequestBytes},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newFakeKinesis(16)
			opts := append([]Option{WithShardRateLimit(0, 0), WithMaxBufferedTime(time.Hour), WithMaxBufferedBytes(1 << 30)}, tt.opts...)
			p := newTestProducer(t, f, opts...)
			var rs []*Result
			for k := range tt.keys {
				pk := fmt.Sprintf("key-%d", k)
				r, err := p.Put(context.Background(), pk, payload(k, 0, tt.size-len(pk)))
				if err != nil {
					t.Fatal(err)
				}
				rs = append(rs, r)
			}
			flush(t, p)
			requireAllWritten(t, rs)
			VerifyStream(t, f.fakeShards(), rs)
			if len(f.problems) > 0 {
				t.Fatalf("limit violations: %v", f.problems)
			}
			if f.maxSeen.bytes > tt.capBytes {
				t.Fatalf("a call carried %d bytes, over the cap %d", f.maxSeen.bytes, tt.capBytes)
			}
			if f.maxSeen.records < tt.wantRecords || f.maxSeen.bytes < tt.wantBytes {
				t.Fatalf("largest call: %d entries, %d bytes; calls are not filled (want %d entries or %d bytes)",
					f.maxSeen.records, f.maxSeen.bytes, tt.wantRecords, tt.wantBytes)
			}
		})
	}
}

func TestFlushesOnSizeAndCountWithoutWaiting(t *testing.T) {
	tests := []struct {
		name  string
		opts  []Option
		keys  int
		size  int
		count int
	}{
		{"count: 500 plain records", []Option{WithAggregation(false)}, 500, 10, 500},
		{"size: a full aggregate", nil, 1, 1000, 1100},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newFakeKinesis(1)
			p := newTestProducer(t, f, append([]Option{WithShardRateLimit(0, 0), WithMaxBufferedTime(time.Hour)}, tt.opts...)...)
			var rs []*Result
			for i := range tt.count {
				k := i % tt.keys
				r, err := p.Put(context.Background(), fmt.Sprintf("key-%d", k), payload(k, i, tt.size))
				if err != nil {
					t.Fatal(err)
				}
				rs = append(rs, r)
			}
			// No Flush: the first record goes out because a call (or an aggregate) is full, not
			// because of the hour-long maximum buffered time.
			ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
			defer cancel()
			if err := rs[0].Wait(ctx); err != nil {
				t.Fatalf("first record not sent on size or count: %v", err)
			}
		})
	}
}

func TestFlushesOnMaxBufferedTime(t *testing.T) {
	f := newFakeKinesis(2)
	const wait = 50 * time.Millisecond
	sentAt := make(chan time.Time, 10)
	f.onPut = func(int, *kinesis.PutRecordsInput, *kinesis.PutRecordsOutput) { sentAt <- time.Now() }
	p := newTestProducer(t, f, WithMaxBufferedTime(wait))
	put := time.Now()
	r, err := p.Put(context.Background(), "lonely", []byte("x"))
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := r.Wait(ctx); err != nil {
		t.Fatalf("record not sent without Flush: %v", err)
	}
	// A lone record waits for company up to the maximum buffered time, and not less.
	if waited := (<-sentAt).Sub(put); waited < wait {
		t.Fatalf("sent after %v, before the maximum buffered time %v", waited, wait)
	}
	if f.calls != 1 {
		t.Fatalf("%d calls for one record", f.calls)
	}
}

func TestPartialFailuresAreRetriedInOrder(t *testing.T) {
	for _, agg := range []bool{true, false} {
		t.Run(fmt.Sprintf("aggregation=%v", agg), func(t *testing.T) {
			f := newFakeKinesis(3)
			f.fault = func(call int, in *kinesis.PutRecordsInput) fakeFault {
				if call > 40 {
					return fakeFault{}
				}
				codes := map[int]string{}
				for i := range in.Records {
					switch (call + i) % 3 {
					case 0:
						codes[i] = "ProvisionedThroughputExceededException"
					case 1:
						codes[i] = "InternalFailure"
					}
				}
				return fakeFault{entryCodes: codes}
			}
			p := newTestProducer(t, f, WithAggregation(agg), WithShardRateLimit(0, 0),
				WithBackoff(time.Millisecond, 5*time.Millisecond), WithMaxBufferedTime(5*time.Millisecond))
			rs := putRoundRobin(t, p, 20, 30, 20)
			flush(t, p)
			requireAllWritten(t, rs)
			rep := VerifyStream(t, f.fakeShards(), rs)
			retried := 0
			for _, r := range rs {
				if r.Attempts() > 1 {
					retried++
				}
			}
			if retried == 0 || rep.Repeats != 0 {
				t.Fatalf("%d records retried, %d repeats: want retries and no repeats", retried, rep.Repeats)
			}
		})
	}
}

// TestAmbiguousFailuresOnlyRepeat injects failures after the write (an error answer and a
// timeout): records may then appear twice, but only those whose Result says so, and the first
// appearances keep Put order.
func TestAmbiguousFailuresOnlyRepeat(t *testing.T) {
	faults := []struct {
		name  string
		fault fakeFault
	}{
		{"server error after write", fakeFault{errAfter: apiError("InternalFailure", "injected")}},
		{"timeout after write", fakeFault{hangAfter: true}},
		{"service unavailable after write", fakeFault{errAfter: apiError("ServiceUnavailable", "injected")}},
	}
	for _, ft := range faults {
		for _, agg := range []bool{true, false} {
			t.Run(fmt.Sprintf("%s/aggregation=%v", ft.name, agg), func(t *testing.T) {
				f := newFakeKinesis(2)
				f.fault = func(call int, _ *kinesis.PutRecordsInput) fakeFault {
					if call%3 == 1 && call < 30 {
						return ft.fault
					}
					return fakeFault{}
				}
				p := newTestProducer(t, f, WithAggregation(agg), WithShardRateLimit(0, 0), WithRequestTimeout(50*time.Millisecond),
					WithBackoff(time.Millisecond, 5*time.Millisecond), WithMaxBufferedTime(5*time.Millisecond))
				rs := putRoundRobin(t, p, 10, 30, 20)
				flush(t, p)
				requireAllWritten(t, rs)
				rep := VerifyStream(t, f.fakeShards(), rs)
				ambiguous, extraAttempts := 0, 0
				for _, r := range rs {
					if r.Ambiguous() {
						ambiguous++
						extraAttempts += r.Attempts() - 1
					}
				}
				if ambiguous == 0 || rep.Repeats == 0 {
					t.Fatalf("%d ambiguous records, %d repeats: the fault did not bite", ambiguous, rep.Repeats)
				}
				if rep.Repeats > extraAttempts {
					t.Fatalf("%d repeats from %d retries of ambiguous records", rep.Repeats, extraAttempts)
				}
			})
		}
	}
}

func TestNonRetryableErrorsReachTheCaller(t *testing.T) {
	tests := []struct {
		name  string
		fault fakeFault
		check func(error) bool
	}{
		{"call refused", fakeFault{err: apiError("AccessDeniedException", "no")}, func(err error) bool {
			var ae smithy.APIError
			return errors.As(err, &ae) && ae.ErrorCode() == "AccessDeniedException"
		}},
		{"entry refused", fakeFault{entryCodes: map[int]string{0: "KMSAccessDeniedException"}}, func(err error) bool {
			var re *RecordError
			return errors.As(err, &re) && re.Code == "KMSAccessDeniedException"
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newFakeKinesis(1)
			f.fault = func(call int, _ *kinesis.PutRecordsInput) fakeFault {
				if call == 1 {
					return tt.fault
				}
				return fakeFault{}
			}
			var mu sync.Mutex
			var called []*Result
			p := newTestProducer(t, f, WithOnResult(func(r *Result) {
				mu.Lock()
				called = append(called, r)
				mu.Unlock()
			}))
			r, err := p.Put(context.Background(), "k", []byte("doomed"))
			if err != nil {
				t.Fatal(err)
			}
			flush(t, p)
			if err := r.Err(); !tt.check(err) {
				t.Fatalf("Result error = %v", err)
			}
			if r.Attempts() != 1 {
				t.Fatalf("%d attempts of a non-retryable failure", r.Attempts())
			}
			r2, _ := p.Put(context.Background(), "k", []byte("next"))
			flush(t, p)
			if r2.Err() != nil {
				t.Fatalf("the key's next record: %v", r2.Err())
			}
			mu.Lock()
			defer mu.Unlock()
			if len(called) != 2 || called[0] != r || called[1] != r2 {
				t.Fatalf("callback saw %d results, want the two in order", len(called))
			}
		})
	}
}

func TestRecordsExpire(t *testing.T) {
	f := newFakeKinesis(1)
	f.fault = func(int, *kinesis.PutRecordsInput) fakeFault {
		return fakeFault{entryCodes: map[int]string{0: "ProvisionedThroughputExceededException"}}
	}
	p := newTestProducer(t, f, WithRecordTTL(100*time.Millisecond), WithBackoff(10*time.Millisecond, 20*time.Millisecond))
	r, err := p.Put(context.Background(), "k", []byte("v"))
	if err != nil {
		t.Fatal(err)
	}
	flush(t, p)
	var re *RecordError
	if !errors.Is(r.Err(), ErrExpired) || !errors.As(r.Err(), &re) || re.Code != "ProvisionedThroughputExceededException" {
		t.Fatalf("Result error = %v; want ErrExpired wrapping the throttling", r.Err())
	}
	if r.Attempts() < 2 {
		t.Fatalf("%d attempts before expiry", r.Attempts())
	}
}

// TestShardRateLimit runs a hot key against a fake that enforces a shard's throughput: the
// producer's limiter keeps it under, so the shard hardly ever throttles, and nothing is lost.
func TestShardRateLimit(t *testing.T) {
	const rate = 100 << 10 // bytes per second, for a short test
	tests := []struct {
		name          string
		limiter       bool
		maxThrottled  int
		wantThrottled bool
	}{
		{"limiter on", true, 2, false},
		{"limiter off", false, 1 << 30, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newFakeKinesis(1)
			f.bytesPerSec, f.recordsPerSec = rate, 1000
			opts := []Option{WithShardRateLimit(rate, 1000), WithBackoff(5*time.Millisecond, 50*time.Millisecond), WithMaxRecordBytes(64 << 10)}
			if !tt.limiter {
				opts[0] = WithShardRateLimit(0, 0)
			}
			p := newTestProducer(t, f, opts...)
			rs := putRoundRobin(t, p, 1, 250, 1000) // 250 KB, 2.5 s of the shard
			flush(t, p)
			requireAllWritten(t, rs)
			VerifyStream(t, f.fakeShards(), rs)
			if f.throttled > tt.maxThrottled || (tt.wantThrottled && f.throttled == 0) {
				t.Fatalf("%d throttled entries", f.throttled)
			}
		})
	}
}

func TestBackpressure(t *testing.T) {
	t.Run("blocks until room", func(t *testing.T) {
		f := newFakeKinesis(1)
		f.gate = make(chan struct{})
		p := newTestProducer(t, f, WithMaxBufferedRecords(10), WithMaxBufferedTime(time.Millisecond))
		var rs []*Result
		for i := range 10 {
			r, err := p.Put(context.Background(), "k", payload(0, i, 10))
			if err != nil {
				t.Fatal(err)
			}
			rs = append(rs, r)
		}
		if n, _ := p.Buffered(); n != 10 {
			t.Fatalf("Buffered = %d", n)
		}
		ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
		defer cancel()
		if _, err := p.Put(ctx, "k", []byte("over")); !errors.Is(err, context.DeadlineExceeded) {
			t.Fatalf("Put on a full buffer = %v, want the context's deadline", err)
		}
		done := make(chan *Result)
		go func() {
			r, err := p.Put(context.Background(), "k", payload(0, 10, 10))
			if err != nil {
				t.Error(err)
			}
			done <- r
		}()
		select {
		case <-done:
			t.Fatal("Put returned while the buffer was full")
		case <-time.After(20 * time.Millisecond):
		}
		close(f.gate)
		rs = append(rs, <-done)
		flush(t, p)
		requireAllWritten(t, rs)
		VerifyStream(t, f.fakeShards(), rs)
	})
	t.Run("fails fast", func(t *testing.T) {
		f := newFakeKinesis(1)
		f.gate = make(chan struct{})
		defer close(f.gate)
		p := newTestProducer(t, f, WithMaxBufferedBytes(100), WithBlockOnFull(false))
		if _, err := p.Put(context.Background(), "k", make([]byte, 60)); err != nil {
			t.Fatal(err)
		}
		if _, err := p.Put(context.Background(), "k", make([]byte, 60)); !errors.Is(err, ErrBufferFull) {
			t.Fatalf("Put over the byte bound = %v, want ErrBufferFull", err)
		}
		if n, b := p.Buffered(); n != 1 || b != 61 {
			t.Fatalf("Buffered = %d records, %d bytes", n, b)
		}
	})
}

func TestCloseDrains(t *testing.T) {
	f := newFakeKinesis(4)
	ctx := context.Background()
	p, err := New(ctx, f, "s", WithMaxBufferedTime(time.Hour))
	if err != nil {
		t.Fatal(err)
	}
	rs := putRoundRobin(t, p, 50, 20, 10)
	if err := p.Close(ctx); err != nil {
		t.Fatalf("Close: %v", err)
	}
	requireAllWritten(t, rs)
	VerifyStream(t, f.fakeShards(), rs)
	if _, err := p.Put(ctx, "k", nil); !errors.Is(err, ErrClosed) {
		t.Fatalf("Put after Close = %v", err)
	}
	if err := p.Close(ctx); !errors.Is(err, ErrClosed) {
		t.Fatalf("second Close = %v", err)
	}
}

// TestCloseDeadlineReportsUndelivered holds every call; Close gives up at its deadline and
// reports each record, the ones in flight as ambiguous.
func TestCloseDeadlineReportsUndelivered(t *testing.T) {
	f := newFakeKinesis(2)
	f.gate = make(chan struct{}) // never opened
	var callbacks atomic.Int32
	p, err := New(context.Background(), f, "s", WithMaxBufferedTime(time.Millisecond), WithMaxInFlightRequests(1),
		WithOnResult(func(*Result) { callbacks.Add(1) }))
	if err != nil {
		t.Fatal(err)
	}
	rs := putRoundRobin(t, p, 10, 10, 10)
	time.Sleep(20 * time.Millisecond) // let a call go out and hang
	ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
	defer cancel()
	err = p.Close(ctx)
	var u *UndeliveredError
	if !errors.As(err, &u) || !errors.Is(err, ErrUndelivered) || !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("Close = %v, want an *UndeliveredError", err)
	}
	if len(u.Results) != len(rs) {
		t.Fatalf("%d undelivered reported, want %d", len(u.Results), len(rs))
	}
	inFlight := 0
	for i, r := range u.Results {
		if r != rs[i] {
			t.Fatalf("undelivered results not in Put order at %d", i)
		}
		if !errors.Is(r.Err(), ErrUndelivered) {
			t.Fatalf("result %d: %v", i, r.Err())
		}
		if r.Ambiguous() {
			inFlight++
		}
	}
	if inFlight == 0 {
		t.Fatal("no record was reported as possibly written by the hung call")
	}
	if int(callbacks.Load()) != len(rs) {
		t.Fatalf("callback called %d times for %d records", callbacks.Load(), len(rs))
	}
}

func TestContextCancellation(t *testing.T) {
	f := newFakeKinesis(1)
	f.gate = make(chan struct{})
	defer close(f.gate)
	p := newTestProducer(t, f)
	cancelled, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := p.Put(cancelled, "k", []byte("v")); !errors.Is(err, context.Canceled) {
		t.Fatalf("Put = %v", err)
	}
	r, err := p.Put(context.Background(), "k", []byte("v"))
	if err != nil {
		t.Fatal(err)
	}
	if err := p.Flush(cancelled); !errors.Is(err, context.Canceled) {
		t.Fatalf("Flush = %v", err)
	}
	if err := r.Wait(cancelled); !errors.Is(err, context.Canceled) {
		t.Fatalf("Wait = %v", err)
	}
	if _, err := New(cancelled, f, "s"); !errors.Is(err, context.Canceled) {
		t.Fatalf("New = %v", err)
	}
}

func TestPutValidation(t *testing.T) {
	f := newFakeKinesis(1)
	p := newTestProducer(t, f, WithMaxRecordBytes(1000))
	long := string(make([]rune, 257))
	tests := []struct {
		name    string
		pk, ehk string
		size    int
		want    error
	}{
		{"empty partition key", "", "", 1, ErrInvalidKey},
		{"257 characters", long, "", 1, ErrInvalidKey},
		{"256 multi-byte characters", string([]rune("é日本語")[0:1]) + string(make([]rune, 255)), "", 1, nil},
		{"explicit hash key with sign", "k", "-1", 1, ErrInvalidKey},
		{"explicit hash key over 2^128-1", "k", "340282366920938463463374607431768211456", 1, ErrInvalidKey},
		{"explicit hash key with leading zero", "k", "01", 1, ErrInvalidKey},
		{"largest explicit hash key", "k", "340282366920938463463374607431768211455", 1, nil},
		{"record at the limit", "k", "", 999, nil},
		{"record over the limit", "k", "", 1000, ErrRecordTooLarge},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var err error
			if tt.ehk == "" {
				_, err = p.Put(context.Background(), tt.pk, make([]byte, tt.size))
			} else {
				_, err = p.PutWithHashKey(context.Background(), tt.pk, tt.ehk, make([]byte, tt.size))
			}
			if !errors.Is(err, tt.want) || (err == nil) != (tt.want == nil) {
				t.Fatalf("err = %v, want %v", err, tt.want)
			}
		})
	}
	if _, err := p.PutWithHashKey(context.Background(), "k", "", nil); !errors.Is(err, ErrInvalidKey) {
		t.Fatalf("empty explicit hash key: %v", err)
	}
	flush(t, p)
}

func TestExplicitHashKeysRouteAndKeepOrder(t *testing.T) {
	f := newFakeKinesis(4)
	p := newTestProducer(t, f, WithShardRateLimit(0, 0))
	var rs []*Result
	for i := range 200 {
		_, end := splitRange(i%4, 4)
		r, err := p.PutWithHashKey(context.Background(), "same-key", end.String(), payload(i%4, i, 5))
		if err != nil {
			t.Fatal(err)
		}
		rs = append(rs, r)
	}
	flush(t, p)
	requireAllWritten(t, rs)
	VerifyStream(t, f.fakeShards(), rs)
	for i, r := range rs {
		if r.ShardID() != fakeShardID(i%4) {
			t.Fatalf("record %d with the last hash key of shard %d went to %s", i, i%4, r.ShardID())
		}
	}
}

// TestReshardingRefreshesTheShardMap splits a shard under a running producer. Aggregates built on
// the old map land on one child; the producer notices, reads the map again, and sends the user
// records of the other child again, so that readers that check hash key ranges see every record
// once, in order.
func TestReshardingRefreshesTheShardMap(t *testing.T) {
	f := newFakeKinesis(2)
	f.pageSize = 1 // ListShards pages too
	p := newTestProducer(t, f, WithShardRateLimit(0, 0), WithShardMapRefresh(0), WithMaxBufferedTime(5*time.Millisecond))
	rs := putRoundRobin(t, p, 200, 5, 10)
	flush(t, p)
	f.split(0)
	for i := range 5 {
		for k := range 200 {
			r, err := p.Put(context.Background(), fmt.Sprintf("key-%d", k), []byte(fmt.Sprintf("after-split/%d/%d", k, i)))
			if err != nil {
				t.Fatal(err)
			}
			rs = append(rs, r)
		}
	}
	flush(t, p)
	requireAllWritten(t, rs)
	rep := VerifyStream(t, f.fakeShards(), rs)
	if rep.Misplaced == 0 {
		t.Fatal("no aggregate landed on the wrong child: the test did not exercise the stale map")
	}
	p.mu.Lock()
	lanes := len(p.lanes)
	p.mu.Unlock()
	if lanes != 3 {
		t.Fatalf("%d lanes after the split, want 3", lanes)
	}
}

// TestAutoRecordDistribution runs against a stream that places records itself, ignoring hash
// keys. Records land off the prediction of a current map; the producer must not take that for a
// stale map and send them again and again.
func TestAutoRecordDistribution(t *testing.T) {
	f := newFakeKinesis(3)
	f.auto = true
	p := newTestProducer(t, f, WithShardRateLimit(0, 0), WithMaxBufferedTime(time.Millisecond))
	rs := putRoundRobin(t, p, 50, 20, 10)
	flush(t, p)
	requireAllWritten(t, rs)
	stored := 0
	for _, recs := range f.stored() {
		for _, r := range recs {
			users, ok, _ := aggregation.Deaggregate(r.data)
			if !ok {
				users = make([]aggregation.Record, 1)
			}
			stored += len(users)
		}
	}
	retried := 0
	for _, r := range rs {
		retried += r.Attempts() - 1
	}
	// Before the producer learns that the stream routes records itself, a few aggregates may be
	// sent again; after, none.
	if stored > len(rs)*3/2 || retried > len(rs)/2 {
		t.Fatalf("%d user records stored and %d retries for %d puts", stored, retried, len(rs))
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	if !p.serviceRouted {
		t.Fatal("the producer did not notice that the stream routes records itself")
	}
}

// TestEmptyData sends records without data: the API takes zero-length data (minimum length 0)
// but the SDK refuses a nil Data member, so the producer must send an empty one.
func TestEmptyData(t *testing.T) {
	for _, agg := range []bool{true, false} {
		f := newFakeKinesis(1)
		f.onPut = func(_ int, in *kinesis.PutRecordsInput, _ *kinesis.PutRecordsOutput) {
			for _, e := range in.Records {
				if e.Data == nil {
					t.Error("an entry without its Data member")
				}
			}
		}
		p := newTestProducer(t, f, WithAggregation(agg), WithMaxBufferedTime(0))
		var rs []*Result
		for i := range 3 {
			r, err := p.Put(context.Background(), fmt.Sprint("k", i%2), nil)
			if err != nil {
				t.Fatal(err)
			}
			rs = append(rs, r)
		}
		flush(t, p)
		requireAllWritten(t, rs)
	}
}

func TestListShardsPages(t *testing.T) {
	f := newFakeKinesis(5)
	f.pageSize = 2
	m, err := listShards(context.Background(), f, "s")
	if err != nil {
		t.Fatal(err)
	}
	if len(m.open) != 5 || f.listCalls != 3 {
		t.Fatalf("%d shards in %d calls", len(m.open), f.listCalls)
	}
	for i, s := range m.open {
		if s.id != fakeShardID(i) {
			t.Fatalf("shard %d is %s", i, s.id)
		}
	}
	f.split(2)
	m, err = listShards(context.Background(), f, "arn:aws:kinesis:us-east-1:000000000000:stream/s")
	if err != nil {
		t.Fatal(err)
	}
	if len(m.open) != 6 || len(m.byID) != 7 || m.byID[fakeShardID(2)].open {
		t.Fatalf("after a split: %d open, %d known", len(m.open), len(m.byID))
	}
}

func TestNewFailsWithoutTheStream(t *testing.T) {
	f := newFakeKinesis(1)
	f.listErr = func() error {
		return apiError("ResourceNotFoundException", "Stream s under account 000000000000 not found.")
	}
	_, err := New(context.Background(), f, "s")
	var ae smithy.APIError
	if !errors.As(err, &ae) || ae.ErrorCode() != "ResourceNotFoundException" {
		t.Fatalf("New = %v", err)
	}
	if _, err := New(context.Background(), newFakeKinesis(1), "s", WithMaxRecordsPerRequest(501)); err == nil {
		t.Fatal("New accepted 501 records per request")
	}
}
