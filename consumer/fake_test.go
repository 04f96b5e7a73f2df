package consumer

import (
	"context"
	"crypto/md5"
	"errors"
	"fmt"
	"math/big"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/kinesis"
	"github.com/aws/aws-sdk-go-v2/service/kinesis/types"
)

// fakeKinesis is a small in-memory Kinesis for unit tests: shards with hash ranges, records,
// iterators, resharding, subscriptions, and hooks to inject failures. The emulator-backed tests
// check the consumer against the real protocol.
type fakeKinesis struct {
	mu        sync.Mutex
	shards    map[string]*fakeShard
	nextShard int
	seq       int64
	calls     map[string][]time.Time // GetRecords calls per shard
	// getRecordsErr, when set, may fail a GetRecords call on a shard.
	getRecordsErr func(shard string) error
	// lifetime is how long a fake subscription lasts before it ends cleanly.
	lifetime time.Duration
	// subscribeErrAfter, when positive, ends every subscription with an error after that many
	// events.
	subscribeErrAfter int
	subscribes        map[string][]types.StartingPosition
	changed           chan struct{}
}

type fakeShard struct {
	id                 string
	parents            []string
	hashStart, hashEnd *big.Int
	records            []types.Record
	closed             bool
	children           []string
}

var maxHash = new(big.Int).Sub(new(big.Int).Lsh(big.NewInt(1), 128), big.NewInt(1))

func newFakeKinesis(shards int) *fakeKinesis {
	f := &fakeKinesis{
		shards:     map[string]*fakeShard{},
		calls:      map[string][]time.Time{},
		lifetime:   time.Hour,
		subscribes: map[string][]types.StartingPosition{},
		changed:    make(chan struct{}),
	}
	space := new(big.Int).Lsh(big.NewInt(1), 128)
	for i := range shards {
		start := new(big.Int).Div(new(big.Int).Mul(space, big.NewInt(int64(i))), big.NewInt(int64(shards)))
		end := new(big.Int).Div(new(big.Int).Mul(space, big.NewInt(int64(i+1))), big.NewInt(int64(shards)))
		end.Sub(end, big.NewInt(1))
		f.addShard(nil, start, end)
	}
	return f
}

func (f *fakeKinesis) addShard(parents []string, start, end *big.Int) *fakeShard {
	s := &fakeShard{id: fmt.Sprintf("shardId-%012d", f.nextShard), parents: parents, hashStart: start, hashEnd: end}
	f.nextShard++
	f.shards[s.id] = s
	return s
}

func (f *fakeKinesis) notify() {
	close(f.changed)
	f.changed = make(chan struct{})
}

func hashOf(pk string) *big.Int {
	sum := md5.Sum([]byte(pk))
	return new(big.Int).SetBytes(sum[:])
}

// put appends a record to the open shard that owns the partition key, returning the shard.
func (f *fakeKinesis) put(pk string, data []byte) string {
	f.mu.Lock()
	defer f.mu.Unlock()
	h := hashOf(pk)
	for _, s := range f.shards {
		if !s.closed && h.Cmp(s.hashStart) >= 0 && h.Cmp(s.hashEnd) <= 0 {
			f.seq++
			s.records = append(s.records, types.Record{
				SequenceNumber:              aws.String(fmt.Sprintf("4959%052d", f.seq)),
				PartitionKey:                aws.String(pk),
				Data:                        data,
				ApproximateArrivalTimestamp: aws.Time(time.Now()),
			})
			f.notify()
			return s.id
		}
	}
	panic("no open shard for " + pk)
}

// split closes a shard and opens two children that halve its range.
func (f *fakeKinesis) split(id string) {
	f.mu.Lock()
	defer f.mu.Unlock()
	p := f.shards[id]
	mid := new(big.Int).Add(p.hashStart, new(big.Int).Rsh(new(big.Int).Sub(p.hashEnd, p.hashStart), 1))
	a := f.addShard([]string{id}, p.hashStart, mid)
	b := f.addShard([]string{id}, new(big.Int).Add(mid, big.NewInt(1)), p.hashEnd)
	p.closed, p.children = true, []string{a.id, b.id}
	f.notify()
}

// merge closes two adjacent shards and opens one child over both ranges.
func (f *fakeKinesis) merge(x, y string) {
	f.mu.Lock()
	defer f.mu.Unlock()
	a, b := f.shards[x], f.shards[y]
	if a.hashStart.Cmp(b.hashStart) > 0 {
		a, b = b, a
	}
	c := f.addShard([]string{x, y}, a.hashStart, b.hashEnd)
	a.closed, a.children = true, []string{c.id}
	b.closed, b.children = true, []string{c.id}
	f.notify()
}

func (f *fakeKinesis) getRecordsCalls(shard string) []time.Time {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]time.Time(nil), f.calls[shard]...)
}

func (f *fakeKinesis) childShards(s *fakeShard) []types.ChildShard {
	var out []types.ChildShard
	for _, c := range s.children {
		cs := f.shards[c]
		out = append(out, types.ChildShard{
			ShardId:      aws.String(c),
			ParentShards: append([]string(nil), cs.parents...),
			HashKeyRange: &types.HashKeyRange{StartingHashKey: aws.String(cs.hashStart.String()), EndingHashKey: aws.String(cs.hashEnd.String())},
		})
	}
	return out
}

func (f *fakeKinesis) ListShards(ctx context.Context, in *kinesis.ListShardsInput, _ ...func(*kinesis.Options)) (*kinesis.ListShardsOutput, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	ids := make([]string, 0, len(f.shards))
	for id := range f.shards {
		ids = append(ids, id)
	}
	sort.Strings(ids)
	// Two pages, to exercise pagination.
	half := len(ids) / 2
	page := ids[:half]
	var next *string
	if in.NextToken == nil {
		next = aws.String("page2")
	} else {
		page = ids[half:]
	}
	out := &kinesis.ListShardsOutput{NextToken: next}
	for _, id := range page {
		s := f.shards[id]
		sh := types.Shard{
			ShardId:             aws.String(id),
			HashKeyRange:        &types.HashKeyRange{StartingHashKey: aws.String(s.hashStart.String()), EndingHashKey: aws.String(s.hashEnd.String())},
			SequenceNumberRange: &types.SequenceNumberRange{StartingSequenceNumber: aws.String("0")},
		}
		if len(s.parents) > 0 {
			sh.ParentShardId = aws.String(s.parents[0])
		}
		if len(s.parents) > 1 {
			sh.AdjacentParentShardId = aws.String(s.parents[1])
		}
		if s.closed {
			sh.SequenceNumberRange.EndingSequenceNumber = aws.String("9")
		}
		out.Shards = append(out.Shards, sh)
	}
	return out, nil
}

// position returns the index in s where a start points.
func position(s *fakeShard, typ types.ShardIteratorType, seq *string, ts *time.Time) (int, error) {
	switch typ {
	case types.ShardIteratorTypeTrimHorizon:
		return 0, nil
	case types.ShardIteratorTypeLatest:
		return len(s.records), nil
	case types.ShardIteratorTypeAtSequenceNumber, types.ShardIteratorTypeAfterSequenceNumber:
		for i, r := range s.records {
			c := compareSequence(*r.SequenceNumber, aws.ToString(seq))
			if c > 0 || (c == 0 && typ == types.ShardIteratorTypeAtSequenceNumber) {
				return i, nil
			}
		}
		return len(s.records), nil
	case types.ShardIteratorTypeAtTimestamp:
		for i, r := range s.records {
			if !r.ApproximateArrivalTimestamp.Before(*ts) {
				return i, nil
			}
		}
		return len(s.records), nil
	}
	return 0, &types.InvalidArgumentException{Message: aws.String("bad iterator type " + string(typ))}
}

func (f *fakeKinesis) GetShardIterator(ctx context.Context, in *kinesis.GetShardIteratorInput, _ ...func(*kinesis.Options)) (*kinesis.GetShardIteratorOutput, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	s, ok := f.shards[aws.ToString(in.ShardId)]
	if !ok {
		return nil, &types.ResourceNotFoundException{Message: aws.String("no shard")}
	}
	i, err := position(s, in.ShardIteratorType, in.StartingSequenceNumber, in.Timestamp)
	if err != nil {
		return nil, err
	}
	return &kinesis.GetShardIteratorOutput{ShardIterator: aws.String(fmt.Sprintf("%s|%d", s.id, i))}, nil
}

func (f *fakeKinesis) GetRecords(ctx context.Context, in *kinesis.GetRecordsInput, _ ...func(*kinesis.Options)) (*kinesis.GetRecordsOutput, error) {
	id, idx, ok := strings.Cut(aws.ToString(in.ShardIterator), "|")
	if !ok {
		return nil, &types.InvalidArgumentException{Message: aws.String("bad iterator")}
	}
	f.mu.Lock()
	f.calls[id] = append(f.calls[id], time.Now())
	hook := f.getRecordsErr
	f.mu.Unlock()
	if hook != nil {
		if err := hook(id); err != nil {
			return nil, err
		}
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	s := f.shards[id]
	i, _ := strconv.Atoi(idx)
	limit := int(aws.ToInt32(in.Limit))
	if limit <= 0 {
		limit = 10000
	}
	j := min(len(s.records), i+limit)
	out := &kinesis.GetRecordsOutput{Records: append([]types.Record(nil), s.records[i:j]...), MillisBehindLatest: aws.Int64(0)}
	if j < len(s.records) {
		out.MillisBehindLatest = aws.Int64(1000)
	}
	if s.closed && j == len(s.records) {
		out.ChildShards = f.childShards(s)
	} else {
		out.NextShardIterator = aws.String(fmt.Sprintf("%s|%d", id, j))
	}
	return out, nil
}

func (f *fakeKinesis) DescribeStreamSummary(ctx context.Context, in *kinesis.DescribeStreamSummaryInput, _ ...func(*kinesis.Options)) (*kinesis.DescribeStreamSummaryOutput, error) {
	return &kinesis.DescribeStreamSummaryOutput{StreamDescriptionSummary: &types.StreamDescriptionSummary{
		StreamARN: aws.String("arn:aws:kinesis:us-east-1:000000000000:stream/" + aws.ToString(in.StreamName)),
	}}, nil
}

func (f *fakeKinesis) RegisterStreamConsumer(ctx context.Context, in *kinesis.RegisterStreamConsumerInput, _ ...func(*kinesis.Options)) (*kinesis.RegisterStreamConsumerOutput, error) {
	return &kinesis.RegisterStreamConsumerOutput{Consumer: &types.Consumer{
		ConsumerARN:    aws.String(aws.ToString(in.StreamARN) + "/consumer/" + aws.ToString(in.ConsumerName)),
		ConsumerName:   in.ConsumerName,
		ConsumerStatus: types.ConsumerStatusCreating,
	}}, nil
}

func (f *fakeKinesis) DescribeStreamConsumer(ctx context.Context, in *kinesis.DescribeStreamConsumerInput, _ ...func(*kinesis.Options)) (*kinesis.DescribeStreamConsumerOutput, error) {
	return &kinesis.DescribeStreamConsumerOutput{ConsumerDescription: &types.ConsumerDescription{
		ConsumerARN:    in.ConsumerARN,
		ConsumerStatus: types.ConsumerStatusActive,
	}}, nil
}

func (f *fakeKinesis) SubscribeToShard(ctx context.Context, in *kinesis.SubscribeToShardInput, _ ...func(*kinesis.Options)) (*kinesis.SubscribeToShardOutput, error) {
	return nil, errors.New("fakeKinesis: use subscribeFake")
}

// fakeStream is a subscription of the fake.
type fakeStream struct {
	ch   chan types.SubscribeToShardEventStream
	mu   sync.Mutex
	err  error
	done chan struct{}
	once sync.Once
}

func (s *fakeStream) Events() <-chan types.SubscribeToShardEventStream { return s.ch }
func (s *fakeStream) Close() error {
	s.once.Do(func() { close(s.done) })
	return nil
}
func (s *fakeStream) Err() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.err
}

// subscribeFake opens a subscription on the fake: events of up to 3 records, an empty event
// when caught up, and the children at the end of a closed shard.
func (f *fakeKinesis) subscribeFake(ctx context.Context, in *kinesis.SubscribeToShardInput) (eventStream, error) {
	f.mu.Lock()
	s, ok := f.shards[aws.ToString(in.ShardId)]
	if !ok {
		f.mu.Unlock()
		return nil, &types.ResourceNotFoundException{Message: aws.String("no shard")}
	}
	f.subscribes[s.id] = append(f.subscribes[s.id], *in.StartingPosition)
	i, err := position(s, in.StartingPosition.Type, in.StartingPosition.SequenceNumber, in.StartingPosition.Timestamp)
	lifetime, errAfter := f.lifetime, f.subscribeErrAfter
	f.mu.Unlock()
	if err != nil {
		return nil, err
	}
	st := &fakeStream{ch: make(chan types.SubscribeToShardEventStream), done: make(chan struct{})}
	go func() {
		defer close(st.ch)
		expire := time.After(lifetime)
		sent := 0
		for {
			f.mu.Lock()
			j := min(len(s.records), i+3)
			recs := append([]types.Record(nil), s.records[i:j]...)
			var cont string
			if j > 0 {
				cont = *s.records[j-1].SequenceNumber
			} else {
				cont = "0"
			}
			var children []types.ChildShard
			if s.closed && j == len(s.records) {
				children = f.childShards(s)
			}
			changed := f.changed
			f.mu.Unlock()
			if errAfter > 0 && sent == errAfter {
				st.mu.Lock()
				st.err = &types.InternalFailureException{Message: aws.String("injected")}
				st.mu.Unlock()
				return
			}
			ev := &types.SubscribeToShardEventStreamMemberSubscribeToShardEvent{Value: types.SubscribeToShardEvent{
				Records: recs, ContinuationSequenceNumber: aws.String(cont), MillisBehindLatest: aws.Int64(0), ChildShards: children,
			}}
			if len(recs) > 0 || len(children) > 0 || sent == 0 {
				select {
				case st.ch <- ev:
					sent++
				case <-st.done:
					return
				case <-ctx.Done():
					return
				}
				i = j
				if len(children) > 0 {
					return
				}
				continue
			}
			select {
			case <-changed:
			case <-expire:
				return
			case <-st.done:
				return
			case <-ctx.Done():
				return
			}
		}
	}()
	return st, nil
}

func (f *fakeKinesis) subscriptions(shard string) []types.StartingPosition {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]types.StartingPosition(nil), f.subscribes[shard]...)
}
