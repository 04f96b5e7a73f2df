package shardlist

import (
	"context"
	"slices"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/kinesis"
	"github.com/aws/aws-sdk-go-v2/service/kinesis/types"
)

// Lister is the ListShards call of a Kinesis client. *kinesis.Client satisfies it.
type Lister interface {
	ListShards(ctx context.Context, in *kinesis.ListShardsInput, optFns ...func(*kinesis.Options)) (*kinesis.ListShardsOutput, error)
}

var _ Lister = (*kinesis.Client)(nil)

// List returns every shard of stream, open and closed, in the order ListShards pages them. stream
// is a stream's name or, when it starts with "arn:", its ARN. An error of any page is returned
// as the client gave it.
func List(ctx context.Context, client Lister, stream string) ([]types.Shard, error) {
	in := &kinesis.ListShardsInput{}
	if strings.HasPrefix(stream, "arn:") {
		in.StreamARN = aws.String(stream)
	} else {
		in.StreamName = aws.String(stream)
	}
	var shards []types.Shard
	for {
		page, err := client.ListShards(ctx, in)
		if err != nil {
			return nil, err
		}
		shards = append(shards, page.Shards...)
		if aws.ToString(page.NextToken) == "" {
			return shards, nil
		}
		// The API refuses a stream beside a NextToken: the token names the stream.
		in = &kinesis.ListShardsInput{NextToken: page.NextToken}
	}
}

// Parents returns the ids of a shard's parents: none for a shard the stream was created with,
// one after a split, two after a merge.
func Parents(s types.Shard) []string {
	var out []string
	for _, p := range []*string{s.ParentShardId, s.AdjacentParentShardId} {
		if p != nil && *p != "" {
			out = append(out, *p)
		}
	}
	return out
}

// Closed reports whether a shard is closed: resharding ended its sequence number range, and it
// takes no more records.
func Closed(s types.Shard) bool {
	return s.SequenceNumberRange != nil && s.SequenceNumberRange.EndingSequenceNumber != nil
}

// Children returns the shards among shards that name parent as a parent, as GetRecords names a
// closed shard's children.
func Children(shards []types.Shard, parent string) []types.ChildShard {
	var out []types.ChildShard
	for _, s := range shards {
		if ps := Parents(s); slices.Contains(ps, parent) {
			out = append(out, types.ChildShard{ShardId: s.ShardId, ParentShards: ps, HashKeyRange: s.HashKeyRange})
		}
	}
	return out
}

// ParentsFirst returns shards ordered so that every shard comes after those of its parents that
// are listed; shards are otherwise in order of id. A parent missing from the list (trimmed by
// retention) is no obstacle, and a malformed lineage with a cycle does not loop.
func ParentsFirst(shards []types.Shard) []types.Shard {
	byID := make(map[string]types.Shard, len(shards))
	ids := make([]string, 0, len(shards))
	for _, s := range shards {
		id := aws.ToString(s.ShardId)
		byID[id] = s
		ids = append(ids, id)
	}
	slices.Sort(ids)
	out := make([]types.Shard, 0, len(shards))
	const (
		visiting = 1
		done     = 2
	)
	state := make(map[string]int, len(shards))
	var visit func(id string)
	visit = func(id string) {
		s, ok := byID[id]
		if !ok || state[id] != 0 {
			return
		}
		state[id] = visiting
		for _, p := range Parents(s) {
			visit(p)
		}
		state[id] = done
		out = append(out, s)
	}
	for _, id := range ids {
		visit(id)
	}
	return out
}
