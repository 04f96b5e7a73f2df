package producer

import (
	"context"
	"fmt"
	"strconv"
	"sync"
	"time"
	"unicode/utf8"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/kinesis"
	"github.com/aws/aws-sdk-go-v2/service/kinesis/types"
	"github.com/aws/smithy-go"
)

// fakeKinesis is an in-memory stream that answers PutRecords and ListShards as Kinesis does, checks
// every call against the API's limits, and injects faults.
type fakeKinesis struct {
	mu       sync.Mutex
	shards   []*fakeShard // in creation order; parents before children
	nextSeq  int64
	calls    int
	entries  int
	maxSeen  fakeCallStats
	problems []string // limit violations: a correct producer causes none

	// ListShards
	pageSize  int
	listCalls int
	listErr   func() error

	// auto places records round the open shards, ignoring hash keys (AUTO record distribution).
	auto     bool
	autoNext int

	// Throughput per shard; zero is unlimited.
	bytesPerSec, recordsPerSec float64
	throttled                  int

	// fault decides, per call (numbered from 1), what goes wrong.
	fault func(call int, in *kinesis.PutRecordsInput) fakeFault
	// gate, when set, holds every PutRecords until it is closed or the context ends.
	gate chan struct{}
	// onPut sees every call after it was applied.
	onPut func(call int, in *kinesis.PutRecordsInput, out *kinesis.PutRecordsOutput)
}

type fakeCallStats struct {
	records, bytes, recordBytes int
}

type fakeShard struct {
	id         string
	start, end hashKey
	open       bool
	records    []fakeStored
	bucket     *bucket
}

type fakeStored struct {
	seq       int64
	pk, ehk   string
	data      []byte
	callIndex int
}

// fakeFault is what goes wrong with one call.
type fakeFault struct {
	err        error          // fail the call, writing nothing
	errAfter   error          // write everything, then fail the call: an ambiguous failure
	hangAfter  bool           // write everything, then hang until the context ends: a timeout
	entryCodes map[int]string // fail these entries, writing nothing for them
}

func newFakeKinesis(shards int) *fakeKinesis {
	f := &fakeKinesis{pageSize: 1000}
	for i := range shards {
		start, end := splitRange(i, shards)
		f.shards = append(f.shards, &fakeShard{id: fakeShardID(i), start: start, end: end, open: true})
	}
	return f
}

func fakeShardID(i int) string { return fmt.Sprintf("shardId-%012d", i) }

// splitRange returns the hash key range of shard i of n: floor(i*2^128/n) up to the next start-1.
func splitRange(i, n int) (hashKey, hashKey) {
	start := func(i int) hashKey {
		if i == 0 {
			return hashKey{}
		}
		// floor(i * 2^128 / n) computed as i * floor(2^128/n) plus the remainder's share, exact
		// enough for tests: the ranges only need to tile the space.
		q := divHashKey(maxHashKey, uint64(n))
		return mulHashKey(q, uint64(i))
	}
	s := start(i)
	if i == n-1 {
		return s, maxHashKey
	}
	next := start(i + 1)
	return s, subOne(next)
}

func divHashKey(h hashKey, d uint64) hashKey {
	qhi := h.hi / d
	r := h.hi % d
	qlo, _ := divRem(r, h.lo, d)
	return hashKey{qhi, qlo}
}

func divRem(hi, lo, d uint64) (uint64, uint64) {
	var q, r uint64
	for i := 127; i >= 0; i-- {
		var bit uint64
		if i >= 64 {
			bit = (hi >> (i - 64)) & 1
		} else {
			bit = (lo >> i) & 1
		}
		r = r<<1 | bit
		if r >= d {
			r -= d
			if i < 64 {
				q |= 1 << i
			}
		}
	}
	return q, r
}

func mulHashKey(h hashKey, m uint64) hashKey {
	var out hashKey
	for range m {
		lo := out.lo + h.lo
		carry := uint64(0)
		if lo < out.lo {
			carry = 1
		}
		out = hashKey{out.hi + h.hi + carry, lo}
	}
	return out
}

func subOne(h hashKey) hashKey {
	if h.lo == 0 {
		return hashKey{h.hi - 1, ^uint64(0)}
	}
	return hashKey{h.hi, h.lo - 1}
}

func apiError(code, msg string) error { return &smithy.GenericAPIError{Code: code, Message: msg} }

func (f *fakeKinesis) PutRecords(ctx context.Context, in *kinesis.PutRecordsInput, _ ...func(*kinesis.Options)) (*kinesis.PutRecordsOutput, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	f.mu.Lock()
	f.calls++
	call := f.calls
	gate := f.gate
	var ff fakeFault
	if f.fault != nil {
		ff = f.fault(call, in)
	}
	f.mu.Unlock()
	if gate != nil {
		select {
		case <-gate:
		case <-ctx.Done():
			return nil, ctx.Err()
		}
	}
	if ff.err != nil {
		return nil, ff.err
	}

	f.mu.Lock()
	if err := f.check(in); err != nil {
		f.mu.Unlock()
		return nil, err
	}
	out := &kinesis.PutRecordsOutput{}
	now := time.Now()
	for i, e := range in.Records {
		if code, ok := ff.entryCodes[i]; ok {
			out.Records = append(out.Records, types.PutRecordsResultEntry{ErrorCode: aws.String(code), ErrorMessage: aws.String("injected")})
			out.FailedRecordCount = aws.Int32(aws.ToInt32(out.FailedRecordCount) + 1)
			continue
		}
		h := partitionHash(aws.ToString(e.PartitionKey))
		if e.ExplicitHashKey != nil {
			h, _ = parseHashKey(*e.ExplicitHashKey)
		}
		sh := f.route(h)
		size := len(e.Data) + len(aws.ToString(e.PartitionKey))
		if f.bytesPerSec > 0 {
			if sh.bucket == nil {
				sh.bucket = newBucket(f.bytesPerSec, f.recordsPerSec, now)
			}
			if sh.bucket.budget(now) < size {
				f.throttled++
				out.Records = append(out.Records, types.PutRecordsResultEntry{
					ErrorCode:    aws.String("ProvisionedThroughputExceededException"),
					ErrorMessage: aws.String("Rate exceeded for shard " + sh.id)})
				out.FailedRecordCount = aws.Int32(aws.ToInt32(out.FailedRecordCount) + 1)
				continue
			}
			sh.bucket.take(size)
		}
		f.nextSeq++
		sh.records = append(sh.records, fakeStored{seq: f.nextSeq, pk: aws.ToString(e.PartitionKey),
			ehk: aws.ToString(e.ExplicitHashKey), data: append([]byte(nil), e.Data...), callIndex: call})
		out.Records = append(out.Records, types.PutRecordsResultEntry{
			ShardId: aws.String(sh.id), SequenceNumber: aws.String(strconv.FormatInt(f.nextSeq, 10))})
	}
	onPut := f.onPut
	f.mu.Unlock()
	if onPut != nil {
		onPut(call, in, out)
	}
	if ff.errAfter != nil {
		return nil, ff.errAfter
	}
	if ff.hangAfter {
		<-ctx.Done()
		return nil, ctx.Err()
	}
	return out, nil
}

// check validates a call against the API's limits, noting any violation.
func (f *fakeKinesis) check(in *kinesis.PutRecordsInput) error {
	n := len(in.Records)
	total := 0
	bad := ""
	if n == 0 || n > 500 {
		bad = fmt.Sprintf("%d records in one call", n)
	}
	for _, e := range in.Records {
		pk := aws.ToString(e.PartitionKey)
		size := len(e.Data) + len(pk)
		total += size
		f.maxSeen.recordBytes = max(f.maxSeen.recordBytes, size)
		switch {
		case pk == "" || utf8.RuneCountInString(pk) > 256:
			bad = fmt.Sprintf("partition key of %d characters", utf8.RuneCountInString(pk))
		case size > DefaultMaxRecordBytes:
			bad = fmt.Sprintf("record of %d bytes", size)
		}
	}
	if total > DefaultMaxRequestBytes {
		bad = fmt.Sprintf("call of %d bytes", total)
	}
	f.maxSeen.records = max(f.maxSeen.records, n)
	f.maxSeen.bytes = max(f.maxSeen.bytes, total)
	f.entries += n
	if bad != "" {
		f.problems = append(f.problems, bad)
		return apiError("ValidationException", bad)
	}
	return nil
}

func (f *fakeKinesis) route(h hashKey) *fakeShard {
	if f.auto {
		var open []*fakeShard
		for _, s := range f.shards {
			if s.open {
				open = append(open, s)
			}
		}
		f.autoNext++
		return open[(f.autoNext*f.autoNext/2+f.autoNext/3)%len(open)] // any spread but the prediction's
	}
	for _, s := range f.shards {
		if s.open && s.start.cmp(h) <= 0 && h.cmp(s.end) <= 0 {
			return s
		}
	}
	panic("no open shard owns the hash key")
}

func (f *fakeKinesis) ListShards(ctx context.Context, in *kinesis.ListShardsInput, _ ...func(*kinesis.Options)) (*kinesis.ListShardsOutput, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	f.listCalls++
	if f.listErr != nil {
		if err := f.listErr(); err != nil {
			return nil, err
		}
	}
	start := 0
	if in.NextToken != nil {
		if in.StreamName != nil || in.StreamARN != nil {
			return nil, apiError("InvalidArgumentException", "NextToken and StreamName cannot be provided together.")
		}
		start, _ = strconv.Atoi(*in.NextToken)
	} else if in.StreamName == nil && in.StreamARN == nil {
		return nil, apiError("InvalidArgumentException", "a stream is required")
	}
	out := &kinesis.ListShardsOutput{}
	end := min(start+f.pageSize, len(f.shards))
	for _, s := range f.shards[start:end] {
		sh := types.Shard{
			ShardId: aws.String(s.id),
			HashKeyRange: &types.HashKeyRange{
				StartingHashKey: aws.String(s.start.String()),
				EndingHashKey:   aws.String(s.end.String()),
			},
			SequenceNumberRange: &types.SequenceNumberRange{StartingSequenceNumber: aws.String("0")},
		}
		if !s.open {
			sh.SequenceNumberRange.EndingSequenceNumber = aws.String("99999")
		}
		out.Shards = append(out.Shards, sh)
	}
	if end < len(f.shards) {
		out.NextToken = aws.String(strconv.Itoa(end))
	}
	return out, nil
}

// split closes an open shard and opens two children that share its range.
func (f *fakeKinesis) split(i int) {
	f.mu.Lock()
	defer f.mu.Unlock()
	p := f.shards[i]
	p.open = false
	mid := hashKey{p.start.hi/2 + p.end.hi/2, 0}
	if p.start.cmp(mid) >= 0 {
		mid = hashKey{p.start.hi, p.start.lo/2 + p.end.lo/2}
	}
	n := len(f.shards)
	f.shards = append(f.shards,
		&fakeShard{id: fakeShardID(n), start: p.start, end: mid, open: true},
		&fakeShard{id: fakeShardID(n + 1), start: addOne(mid), end: p.end, open: true})
}

func addOne(h hashKey) hashKey {
	if h.lo == ^uint64(0) {
		return hashKey{h.hi + 1, 0}
	}
	return hashKey{h.hi, h.lo + 1}
}

func (f *fakeKinesis) stored() map[string][]fakeStored {
	f.mu.Lock()
	defer f.mu.Unlock()
	out := make(map[string][]fakeStored)
	for _, s := range f.shards {
		out[s.id] = append([]fakeStored(nil), s.records...)
	}
	return out
}
