package producer

import (
	"context"
	"fmt"
	"sort"

	"github.com/aws/aws-sdk-go-v2/aws"

	"github.com/pelicanhq/pelican/internal/shardlist"
)

// shard is one shard of the stream and its hash key range.
type shard struct {
	id         string
	start, end hashKey
	open       bool
}

func (s shard) contains(h hashKey) bool { return s.start.cmp(h) <= 0 && h.cmp(s.end) <= 0 }

// shardMap is a snapshot of the stream's shards. It is never changed once built.
type shardMap struct {
	open []shard          // open shards by starting hash key
	byID map[string]shard // every listed shard, closed ones too
}

// find returns the index in open of the shard that owns h. Open shards cover the hash key space;
// if a snapshot taken in the middle of a resharding leaves a gap, the shard before the gap is the
// best guess, and a misrouted record shows the guess wrong.
func (m *shardMap) find(h hashKey) int {
	i := sort.Search(len(m.open), func(i int) bool { return m.open[i].start.cmp(h) > 0 })
	if i == 0 {
		return 0
	}
	return i - 1
}

// listShards reads the stream's shards with ListShards, following NextToken.
func listShards(ctx context.Context, c Client, stream streamRef) (*shardMap, error) {
	shards, err := shardlist.List(ctx, c, string(stream))
	if err != nil {
		return nil, fmt.Errorf("producer: ListShards: %w", err)
	}
	m := &shardMap{byID: make(map[string]shard, len(shards))}
	for _, s := range shards {
		if s.ShardId == nil || s.HashKeyRange == nil {
			return nil, fmt.Errorf("producer: ListShards returned a shard without id or hash key range")
		}
		start, err := parseHashKey(aws.ToString(s.HashKeyRange.StartingHashKey))
		if err != nil {
			return nil, fmt.Errorf("producer: shard %s: starting hash key: %w", *s.ShardId, err)
		}
		end, err := parseHashKey(aws.ToString(s.HashKeyRange.EndingHashKey))
		if err != nil {
			return nil, fmt.Errorf("producer: shard %s: ending hash key: %w", *s.ShardId, err)
		}
		sh := shard{id: *s.ShardId, start: start, end: end, open: !shardlist.Closed(s)}
		m.byID[sh.id] = sh
		if sh.open {
			m.open = append(m.open, sh)
		}
	}
	if len(m.open) == 0 {
		return nil, fmt.Errorf("producer: stream %s has no open shard", stream)
	}
	sort.Slice(m.open, func(i, j int) bool { return m.open[i].start.cmp(m.open[j].start) < 0 })
	return m, nil
}

// sameShards reports whether two snapshots have the same open shards.
func (m *shardMap) sameShards(o *shardMap) bool {
	if len(m.open) != len(o.open) {
		return false
	}
	for i := range m.open {
		if m.open[i] != o.open[i] {
			return false
		}
	}
	return true
}
