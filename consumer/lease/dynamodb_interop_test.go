//go:build interop

package lease_test

import (
	"fmt"
	"maps"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/pelicanhq/pelican/consumer/internal/dynalite"
	"github.com/pelicanhq/pelican/consumer/lease"
	"github.com/pelicanhq/pelican/consumer/lease/leasetest"
)

// TestInteropDynamoDB runs the store conformance suite against a real DynamoDB-compatible server.
func TestInteropDynamoDB(t *testing.T) {
	srv := dynalite.Start(t)
	client := srv.Client()
	leasetest.Run(t, func(t *testing.T) lease.Store {
		s := lease.NewDynamoDB(client, srv.TableName("leases"))
		if err := s.CreateTable(t.Context()); err != nil {
			t.Fatal(err)
		}
		return s
	})
}

// TestInteropDynamoDBItemLayout reads back, with the plain DynamoDB API, what the store wrote: the
// attribute names and types of the KCL's lease table.
func TestInteropDynamoDBItemLayout(t *testing.T) {
	srv := dynalite.Start(t)
	client := srv.Client()
	table := srv.TableName("layout")
	s := lease.NewDynamoDB(client, table)
	ctx := t.Context()
	if err := s.CreateTable(ctx); err != nil {
		t.Fatal(err)
	}
	l, err := s.Create(ctx, lease.Lease{
		Key: "shardId-000000000002", Checkpoint: lease.Checkpoint{SequenceNumber: lease.TrimHorizon},
		ParentShardIDs:  []string{"shardId-000000000000", "shardId-000000000001"},
		StartingHashKey: "0", EndingHashKey: "340282366920938463463374607431768211455",
	})
	if err != nil {
		t.Fatal(err)
	}
	if l, err = s.Take(ctx, l, "worker-a"); err != nil {
		t.Fatal(err)
	}
	l.ChildShardIDs = []string{"shardId-000000000003"}
	if _, err = s.Checkpoint(ctx, l, lease.Checkpoint{SequenceNumber: lease.ShardEnd}); err != nil {
		t.Fatal(err)
	}
	out, err := client.GetItem(ctx, &dynamodb.GetItemInput{
		TableName: aws.String(table),
		Key:       map[string]types.AttributeValue{"leaseKey": &types.AttributeValueMemberS{Value: "shardId-000000000002"}},
	})
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]string{
		"leaseKey": "S", "leaseOwner": "S", "leaseCounter": "N", "ownerSwitchesSinceCheckpoint": "N",
		"checkpoint": "S", "checkpointSubSequenceNumber": "N", "parentShardId": "SS", "childShardIds": "SS",
		"startingHashKey": "S", "endingHashKey": "S", "entityType": "S",
	}
	got := map[string]string{}
	for name, v := range out.Item {
		switch v.(type) {
		case *types.AttributeValueMemberS:
			got[name] = "S"
		case *types.AttributeValueMemberN:
			got[name] = "N"
		case *types.AttributeValueMemberSS:
			got[name] = "SS"
		default:
			got[name] = fmt.Sprintf("%T", v)
		}
	}
	if !maps.Equal(got, want) {
		t.Fatalf("item attributes %v, want %v", got, want)
	}
	if c := out.Item["checkpoint"].(*types.AttributeValueMemberS).Value; c != lease.ShardEnd {
		t.Fatalf("checkpoint %q", c)
	}
	if n := out.Item["leaseCounter"].(*types.AttributeValueMemberN).Value; n != "2" {
		t.Fatalf("leaseCounter %s after a take and a checkpoint, want 2", n)
	}
}

// TestInteropDynamoDBKCL3Table points the store at a lease table laid out as the KCL 3.5 writes
// it, on a real DynamoDB-compatible server.
func TestInteropDynamoDBKCL3Table(t *testing.T) {
	srv := dynalite.Start(t)
	checkKCLTable(t, srv.Client(), srv.TableName("kcl-app"))
}
