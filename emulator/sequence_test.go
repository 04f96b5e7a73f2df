package emulator_test

import (
	"math/big"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/kinesis"
	"github.com/aws/aws-sdk-go-v2/service/kinesis/types"

	"github.com/pelicanhq/pelican/emulator"
)

// TestStartingSequenceNumberSortsBelowRecords writes in the shard's first second (a fixed clock
// makes the arrival equal the creation time) and checks that the shard's starting sequence number
// is below the record's, and that AT and AFTER the starting number both return the first record,
// as in Kinesis.
func TestStartingSequenceNumberSortsBelowRecords(t *testing.T) {
	clock := emulator.NewManualClock(time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC))
	srv := emulator.RunT(t, emulator.WithClock(clock), emulator.WithStream("first", 1))
	kc := newClient(t, srv)
	ctx := ctxT(t)
	put, err := kc.PutRecord(ctx, &kinesis.PutRecordInput{StreamName: aws.String("first"), PartitionKey: aws.String("k"), Data: []byte("one")})
	if err != nil {
		t.Fatal(err)
	}
	shards, err := kc.ListShards(ctx, &kinesis.ListShardsInput{StreamName: aws.String("first")})
	if err != nil {
		t.Fatal(err)
	}
	start := aws.ToString(shards.Shards[0].SequenceNumberRange.StartingSequenceNumber)
	s, _ := new(big.Int).SetString(start, 10)
	r, _ := new(big.Int).SetString(*put.SequenceNumber, 10)
	if s.Cmp(r) >= 0 {
		t.Fatalf("starting sequence number %s is not below the first record's %s", start, *put.SequenceNumber)
	}
	for _, typ := range []types.ShardIteratorType{types.ShardIteratorTypeAtSequenceNumber, types.ShardIteratorTypeAfterSequenceNumber} {
		it, err := kc.GetShardIterator(ctx, &kinesis.GetShardIteratorInput{StreamName: aws.String("first"), ShardId: put.ShardId,
			ShardIteratorType: typ, StartingSequenceNumber: &start})
		if err != nil {
			t.Fatal(err)
		}
		out, err := kc.GetRecords(ctx, &kinesis.GetRecordsInput{ShardIterator: it.ShardIterator})
		if err != nil {
			t.Fatal(err)
		}
		if len(out.Records) != 1 || string(out.Records[0].Data) != "one" {
			t.Fatalf("%s the starting sequence number read %d records, want the first record", typ, len(out.Records))
		}
	}
}
