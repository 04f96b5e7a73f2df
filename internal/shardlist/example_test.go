package shardlist_test

import (
	"fmt"

	"github.com/aws/aws-sdk-go-v2/service/kinesis/types"

	"github.com/pelicanhq/pelican/internal/shardlist"
)

// A stream split its shard 0 into 2 and 3, then merged 1 and 3 into 4: a reader takes each
// shard's records after its parents'.
func ExampleParentsFirst() {
	shards := []types.Shard{
		shard("shardId-000000000004", "shardId-000000000001", "shardId-000000000003"),
		shard("shardId-000000000003", "shardId-000000000000"),
		shard("shardId-000000000002", "shardId-000000000000"),
		shard("shardId-000000000001"),
		shard("shardId-000000000000"),
	}
	for _, s := range shardlist.ParentsFirst(shards) {
		fmt.Println(*s.ShardId, shardlist.Parents(s))
	}
	// Output:
	// shardId-000000000000 []
	// shardId-000000000001 []
	// shardId-000000000002 [shardId-000000000000]
	// shardId-000000000003 [shardId-000000000000]
	// shardId-000000000004 [shardId-000000000001 shardId-000000000003]
}
