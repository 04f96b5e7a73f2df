package shardlist_test

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/kinesis"
	"github.com/aws/aws-sdk-go-v2/service/kinesis/types"

	"github.com/pelicanhq/pelican/internal/shardlist"
)

// pager answers ListShards with pages of size shards from a fixed list, checking its requests as
// Kinesis does, and keeps the requests.
type pager struct {
	shards []types.Shard
	size   int
	fail   int // the call that fails, counting from 1; 0 for none
	calls  []kinesis.ListShardsInput
}

func (p *pager) ListShards(_ context.Context, in *kinesis.ListShardsInput, _ ...func(*kinesis.Options)) (*kinesis.ListShardsOutput, error) {
	p.calls = append(p.calls, *in)
	if len(p.calls) == p.fail {
		return nil, errors.New("throttled")
	}
	start := 0
	if in.NextToken != nil {
		if in.StreamName != nil || in.StreamARN != nil {
			return nil, errors.New("NextToken and StreamName cannot be provided together")
		}
		start, _ = strconv.Atoi(*in.NextToken)
	} else if in.StreamName == nil && in.StreamARN == nil {
		return nil, errors.New("a stream is required")
	}
	end := min(start+p.size, len(p.shards))
	out := &kinesis.ListShardsOutput{Shards: p.shards[start:end]}
	if end < len(p.shards) {
		out.NextToken = aws.String(strconv.Itoa(end))
	}
	return out, nil
}

func shard(id string, parents ...string) types.Shard {
	s := types.Shard{ShardId: aws.String(id)}
	if len(parents) > 0 {
		s.ParentShardId = aws.String(parents[0])
	}
	if len(parents) > 1 {
		s.AdjacentParentShardId = aws.String(parents[1])
	}
	return s
}

func ids(shards []types.Shard) []string {
	out := make([]string, len(shards))
	for i, s := range shards {
		out[i] = aws.ToString(s.ShardId)
	}
	return out
}

func TestList(t *testing.T) {
	var all []types.Shard
	for i := range 5 {
		all = append(all, shard(fmt.Sprintf("shardId-%012d", i)))
	}
	const arn = "arn:aws:kinesis:us-east-1:000000000000:stream/s"
	for _, tt := range []struct {
		name   string
		stream string
		size   int
		calls  int
	}{
		{"one page", "s", 10, 1},
		{"pages", "s", 2, 3},
		{"by ARN", arn, 2, 3},
	} {
		t.Run(tt.name, func(t *testing.T) {
			p := &pager{shards: all, size: tt.size}
			got, err := shardlist.List(context.Background(), p, tt.stream)
			if err != nil {
				t.Fatal(err)
			}
			if !slices.Equal(ids(got), ids(all)) {
				t.Fatalf("listed %v, want %v", ids(got), ids(all))
			}
			if len(p.calls) != tt.calls {
				t.Fatalf("%d calls, want %d", len(p.calls), tt.calls)
			}
			first := p.calls[0]
			if tt.stream == arn && (aws.ToString(first.StreamARN) != arn || first.StreamName != nil) {
				t.Fatalf("first call names %v / %v, want the ARN alone", first.StreamName, first.StreamARN)
			}
			if tt.stream != arn && (aws.ToString(first.StreamName) != tt.stream || first.StreamARN != nil) {
				t.Fatalf("first call names %v / %v, want the name alone", first.StreamName, first.StreamARN)
			}
		})
	}
}

func TestListStopsAtAnEmptyToken(t *testing.T) {
	p := &pager{shards: []types.Shard{shard("a")}, size: 5}
	got, err := shardlist.List(context.Background(), emptyToken{p}, "s")
	if err != nil || len(got) != 1 || len(p.calls) != 1 {
		t.Fatalf("got %v, %v in %d calls; want one shard in one call", ids(got), err, len(p.calls))
	}
}

// emptyToken answers a final page with NextToken "" instead of none.
type emptyToken struct{ p *pager }

func (e emptyToken) ListShards(ctx context.Context, in *kinesis.ListShardsInput, optFns ...func(*kinesis.Options)) (*kinesis.ListShardsOutput, error) {
	out, err := e.p.ListShards(ctx, in, optFns...)
	if err == nil && out.NextToken == nil {
		out.NextToken = aws.String("")
	}
	return out, err
}

func TestListReturnsAPagesError(t *testing.T) {
	p := &pager{shards: []types.Shard{shard("a"), shard("b"), shard("c")}, size: 1, fail: 2}
	got, err := shardlist.List(context.Background(), p, "s")
	if err == nil || err.Error() != "throttled" || got != nil {
		t.Fatalf("got %v, %v; want the second page's error and no shards", ids(got), err)
	}
}

func TestParentsAndClosed(t *testing.T) {
	for _, tt := range []struct {
		s       types.Shard
		parents []string
	}{
		{shard("a"), nil},
		{shard("b", "a"), []string{"a"}},
		{shard("c", "a", "b"), []string{"a", "b"}},
		{types.Shard{ShardId: aws.String("d"), ParentShardId: aws.String(""), AdjacentParentShardId: aws.String("x")}, []string{"x"}},
	} {
		if got := shardlist.Parents(tt.s); !slices.Equal(got, tt.parents) {
			t.Errorf("Parents(%s) = %v, want %v", *tt.s.ShardId, got, tt.parents)
		}
	}
	open := types.Shard{SequenceNumberRange: &types.SequenceNumberRange{StartingSequenceNumber: aws.String("1")}}
	closed := types.Shard{SequenceNumberRange: &types.SequenceNumberRange{StartingSequenceNumber: aws.String("1"), EndingSequenceNumber: aws.String("9")}}
	if shardlist.Closed(open) || !shardlist.Closed(closed) || shardlist.Closed(types.Shard{}) {
		t.Error("Closed misreads a sequence number range")
	}
}

func TestChildren(t *testing.T) {
	shards := []types.Shard{shard("a"), shard("b"), shard("c", "a"), shard("d", "a"), shard("e", "c", "b")}
	if got := ids(childShards(shardlist.Children(shards, "a"))); !slices.Equal(got, []string{"c", "d"}) {
		t.Errorf("children of a: %v", got)
	}
	kids := shardlist.Children(shards, "b")
	if len(kids) != 1 || aws.ToString(kids[0].ShardId) != "e" || !slices.Equal(kids[0].ParentShards, []string{"c", "b"}) {
		t.Errorf("children of b: %+v", kids)
	}
	if got := shardlist.Children(shards, "e"); len(got) != 0 {
		t.Errorf("children of e: %+v", got)
	}
}

func childShards(cs []types.ChildShard) []types.Shard {
	out := make([]types.Shard, len(cs))
	for i, c := range cs {
		out[i] = types.Shard{ShardId: c.ShardId}
	}
	return out
}

func TestParentsFirst(t *testing.T) {
	for _, tt := range []struct {
		name string
		in   []types.Shard
		want []string
	}{
		{"split and merge", []types.Shard{shard("e", "c", "d"), shard("c", "a"), shard("a"), shard("d", "b"), shard("b")},
			[]string{"a", "b", "c", "d", "e"}},
		{"child named first", []types.Shard{shard("0"), shard("1", "9"), shard("9")}, []string{"0", "9", "1"}},
		{"parent trimmed", []types.Shard{shard("c", "gone"), shard("b")}, []string{"b", "c"}},
		{"cycle", []types.Shard{shard("a", "b"), shard("b", "a")}, []string{"b", "a"}},
		{"none", nil, []string{}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			got := ids(shardlist.ParentsFirst(tt.in))
			if !slices.Equal(got, tt.want) {
				t.Fatalf("order %v, want %v", got, tt.want)
			}
		})
	}
}
