//go:build interop

package container_test

import (
	"context"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/kinesis"
	"github.com/aws/aws-sdk-go-v2/service/kinesis/types"
	"github.com/testcontainers/testcontainers-go"

	"github.com/pelicanhq/pelican/internal/interop"
	"github.com/pelicanhq/pelican/pelicantest/container"
)

func TestInteropContainerModule(t *testing.T) {
	img := interop.Image(t)
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	c, err := container.Run(ctx, img, container.WithStreams("orders:3", "audit"))
	testcontainers.CleanupContainer(t, c)
	if err != nil {
		t.Fatal(err)
	}
	kc, err := c.Client(ctx)
	if err != nil {
		t.Fatal(err)
	}
	streams, err := kc.ListStreams(ctx, &kinesis.ListStreamsInput{})
	if err != nil {
		t.Fatal(err)
	}
	if got := streams.StreamNames; len(got) != 2 || got[0] != "audit" || got[1] != "orders" {
		t.Fatalf("streams %v, want [audit orders]", got)
	}
	sum, err := kc.DescribeStreamSummary(ctx, &kinesis.DescribeStreamSummaryInput{StreamName: aws.String("orders")})
	if err != nil {
		t.Fatal(err)
	}
	if n := aws.ToInt32(sum.StreamDescriptionSummary.OpenShardCount); n != 3 {
		t.Fatalf("orders has %d open shards, want 3", n)
	}
	put, err := kc.PutRecord(ctx, &kinesis.PutRecordInput{StreamName: aws.String("orders"), PartitionKey: aws.String("k"), Data: []byte("hello")})
	if err != nil {
		t.Fatal(err)
	}
	it, err := kc.GetShardIterator(ctx, &kinesis.GetShardIteratorInput{StreamName: aws.String("orders"), ShardId: put.ShardId, ShardIteratorType: types.ShardIteratorTypeTrimHorizon})
	if err != nil {
		t.Fatal(err)
	}
	got, err := kc.GetRecords(ctx, &kinesis.GetRecordsInput{ShardIterator: it.ShardIterator})
	if err != nil {
		t.Fatal(err)
	}
	if len(got.Records) != 1 || string(got.Records[0].Data) != "hello" {
		t.Fatalf("read back %v", got.Records)
	}
}
