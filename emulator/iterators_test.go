package emulator_test

import (
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/kinesis"
	"github.com/aws/aws-sdk-go-v2/service/kinesis/types"
)

// iteratorRows are the conformance rows of the operations of iterators.go.
func iteratorRows() []conformanceRow {
	return []conformanceRow{{
		op: "GetShardIterator",
		call: func(t *testing.T, e *confEnv) error {
			out, err := e.kc.GetShardIterator(e.ctx, &kinesis.GetShardIteratorInput{StreamName: aws.String(e.stream),
				ShardId: aws.String("shardId-000000000001"), ShardIteratorType: types.ShardIteratorTypeLatest})
			e.out = out
			return err
		},
		check: func(t *testing.T, e *confEnv) {
			it := e.out.(*kinesis.GetShardIteratorOutput).ShardIterator
			out, err := e.kc.GetRecords(e.ctx, &kinesis.GetRecordsInput{ShardIterator: it})
			if err != nil || len(out.Records) != 0 || out.NextShardIterator == nil {
				t.Errorf("LATEST iterator read %v, err %v", out, err)
			}
		},
		bad: []confBad{
			{"unknown shard", func(e *confEnv) error {
				_, err := e.kc.GetShardIterator(e.ctx, &kinesis.GetShardIteratorInput{StreamName: aws.String(e.stream),
					ShardId: aws.String("shardId-000000000009"), ShardIteratorType: types.ShardIteratorTypeLatest})
				return err
			}, "ResourceNotFoundException", "shardId-000000000009"},
			{"sequence type without sequence", func(e *confEnv) error {
				_, err := e.kc.GetShardIterator(e.ctx, &kinesis.GetShardIteratorInput{StreamName: aws.String(e.stream),
					ShardId: aws.String("shardId-000000000000"), ShardIteratorType: types.ShardIteratorTypeAtSequenceNumber})
				return err
			}, "InvalidArgumentException", "StartingSequenceNumber"},
			{"unknown iterator type", func(e *confEnv) error {
				_, err := e.kc.GetShardIterator(e.ctx, &kinesis.GetShardIteratorInput{StreamName: aws.String(e.stream),
					ShardId: aws.String("shardId-000000000000"), ShardIteratorType: "SOMEWHERE"})
				return err
			}, "ValidationException", "shardIteratorType"},
		},
	}}
}
