package emulator_test

import (
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/kinesis"
	"github.com/aws/aws-sdk-go-v2/service/kinesis/types"

	"github.com/pelicanhq/pelican/emulator"
)

// shardRows are the conformance rows of the operations of shards.go.
func shardRows() []conformanceRow {
	return []conformanceRow{{
		op: "ListShards",
		call: func(t *testing.T, e *confEnv) error {
			out, err := e.kc.ListShards(e.ctx, &kinesis.ListShardsInput{StreamName: aws.String(e.stream), MaxResults: aws.Int32(1)})
			e.out = out
			return err
		},
		check: func(t *testing.T, e *confEnv) {
			first := e.out.(*kinesis.ListShardsOutput)
			if len(first.Shards) != 1 || first.NextToken == nil {
				t.Fatalf("first page: %d shards, token %v", len(first.Shards), first.NextToken != nil)
			}
			next, err := e.kc.ListShards(e.ctx, &kinesis.ListShardsInput{NextToken: first.NextToken})
			if err != nil {
				t.Fatal(err)
			}
			if len(next.Shards) != 1 || *next.Shards[0].ShardId != "shardId-000000000001" {
				t.Errorf("second page %v", next.Shards)
			}
		},
		bad: []confBad{
			{"zero max results", func(e *confEnv) error {
				_, err := e.kc.ListShards(e.ctx, &kinesis.ListShardsInput{StreamName: aws.String(e.stream), MaxResults: aws.Int32(0)})
				return err
			}, "ValidationException", "maxResults"},
			{"unknown stream", func(e *confEnv) error {
				_, err := e.kc.ListShards(e.ctx, &kinesis.ListShardsInput{StreamName: aws.String("missing")})
				return err
			}, "ResourceNotFoundException", "missing"},
			{"token with stream name", func(e *confEnv) error {
				_, err := e.kc.ListShards(e.ctx, &kinesis.ListShardsInput{StreamName: aws.String(e.stream), NextToken: aws.String("AAAA")})
				return err
			}, "InvalidArgumentException", "NextToken"},
		},
	}, {
		op: "SplitShard",
		call: func(t *testing.T, e *confEnv) error {
			_, err := e.kc.SplitShard(e.ctx, &kinesis.SplitShardInput{StreamName: aws.String(e.stream),
				ShardToSplit: aws.String("shardId-000000000000"), NewStartingHashKey: aws.String("85070591730234615865843651857942052864")})
			return err
		},
		check: func(t *testing.T, e *confEnv) {
			e.waitActive(t, e.stream)
			if open := e.openShards(t, e.stream); len(open) != 3 {
				t.Errorf("%d open shards after a split, want 3", len(open))
			}
		},
		bad: []confBad{
			{"hash key outside the shard", func(e *confEnv) error {
				_, err := e.kc.SplitShard(e.ctx, &kinesis.SplitShardInput{StreamName: aws.String(e.stream),
					ShardToSplit: aws.String("shardId-000000000001"), NewStartingHashKey: aws.String("1")})
				return err
			}, "InvalidArgumentException", "NewStartingHashKey"},
			{"unknown shard", func(e *confEnv) error {
				_, err := e.kc.SplitShard(e.ctx, &kinesis.SplitShardInput{StreamName: aws.String(e.stream),
					ShardToSplit: aws.String("shardId-000000000042"), NewStartingHashKey: aws.String("1")})
				return err
			}, "ResourceNotFoundException", "shardId-000000000042"},
		},
	}, {
		op: "MergeShards",
		setup: func(t *testing.T, e *confEnv) {
			e.createStream(t, "trio", 3)
		},
		call: func(t *testing.T, e *confEnv) error {
			_, err := e.kc.MergeShards(e.ctx, &kinesis.MergeShardsInput{StreamName: aws.String(e.stream),
				ShardToMerge: aws.String("shardId-000000000000"), AdjacentShardToMerge: aws.String("shardId-000000000001")})
			return err
		},
		check: func(t *testing.T, e *confEnv) {
			e.waitActive(t, e.stream)
			if open := e.openShards(t, e.stream); len(open) != 1 {
				t.Errorf("%d open shards after a merge, want 1", len(open))
			}
		},
		bad: []confBad{
			{"not adjacent", func(e *confEnv) error {
				_, err := e.kc.MergeShards(e.ctx, &kinesis.MergeShardsInput{StreamName: aws.String("trio"),
					ShardToMerge: aws.String("shardId-000000000000"), AdjacentShardToMerge: aws.String("shardId-000000000002")})
				return err
			}, "InvalidArgumentException", "adjacent"},
			{"unknown shard", func(e *confEnv) error {
				_, err := e.kc.MergeShards(e.ctx, &kinesis.MergeShardsInput{StreamName: aws.String(e.stream),
					ShardToMerge: aws.String("shardId-000000000002"), AdjacentShardToMerge: aws.String("shardId-000000000042")})
				return err
			}, "ResourceNotFoundException", "shardId-000000000042"},
		},
	}, {
		op: "UpdateShardCount",
		call: func(t *testing.T, e *confEnv) error {
			_, err := e.kc.UpdateShardCount(e.ctx, &kinesis.UpdateShardCountInput{StreamName: aws.String(e.stream),
				TargetShardCount: aws.Int32(4), ScalingType: types.ScalingTypeUniformScaling})
			return err
		},
		check: func(t *testing.T, e *confEnv) {
			if d := e.waitActive(t, e.stream); aws.ToInt32(d.OpenShardCount) != 4 {
				t.Errorf("%d open shards, want 4", aws.ToInt32(d.OpenShardCount))
			}
		},
		bad: []confBad{
			{"more than double", func(e *confEnv) error {
				_, err := e.kc.UpdateShardCount(e.ctx, &kinesis.UpdateShardCountInput{StreamName: aws.String(e.stream),
					TargetShardCount: aws.Int32(9), ScalingType: types.ScalingTypeUniformScaling})
				return err
			}, "LimitExceededException", "double"},
			{"unknown scaling type", func(e *confEnv) error {
				_, err := e.kc.UpdateShardCount(e.ctx, &kinesis.UpdateShardCountInput{StreamName: aws.String(e.stream),
					TargetShardCount: aws.Int32(2), ScalingType: "LOPSIDED"})
				return err
			}, "ValidationException", "scalingType"},
		},
	}}
}

// TestExclusiveStartShardIdIsReadAsAShard: ListShards and DescribeStream read an
// ExclusiveStartShardId as the shard it names, as the service reads every shard id (shardId-1
// and x-1 are shardId-000000000001), so that listing resumes after that shard.
func TestExclusiveStartShardIdIsReadAsAShard(t *testing.T) {
	srv := emulator.RunT(t, emulator.WithStream("s", 3))
	kc := newClient(t, srv)
	ctx := t.Context()
	for _, start := range []string{"shardId-000000000001", "shardId-1", "x-1", "1"} {
		ls, err := kc.ListShards(ctx, &kinesis.ListShardsInput{StreamName: aws.String("s"), ExclusiveStartShardId: aws.String(start)})
		if err != nil {
			t.Fatal(err)
		}
		if len(ls.Shards) != 1 || *ls.Shards[0].ShardId != "shardId-000000000002" {
			t.Errorf("ListShards after %s: %d shards", start, len(ls.Shards))
		}
		ds, err := kc.DescribeStream(ctx, &kinesis.DescribeStreamInput{StreamName: aws.String("s"), ExclusiveStartShardId: aws.String(start)})
		if err != nil {
			t.Fatal(err)
		}
		if sh := ds.StreamDescription.Shards; len(sh) != 1 || *sh[0].ShardId != "shardId-000000000002" {
			t.Errorf("DescribeStream after %s: %d shards", start, len(sh))
		}
	}
}
