package lease_test

import (
	"context"
	"errors"
	"fmt"
	"log"

	"github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"

	"github.com/pelicanhq/pelican/consumer/lease"
)

// Fencing: once another worker has taken a lease, the previous owner can no longer checkpoint.
func ExampleMemory() {
	ctx := context.Background()
	s := lease.NewMemory()
	l, _ := s.Create(ctx, lease.Lease{Key: "shardId-000000000000", Checkpoint: lease.Checkpoint{SequenceNumber: lease.TrimHorizon}})

	a, _ := s.Take(ctx, l, "worker-a")
	a, _ = s.Checkpoint(ctx, a, lease.Checkpoint{SequenceNumber: "49590338271490256608559692538361571095921575989136588898"})
	fmt.Println(a.Owner, a.Counter, a.Checkpoint.SequenceNumber)

	// worker-a stops renewing; worker-b sees the counter stand still and takes the lease.
	b, _ := s.Take(ctx, a, "worker-b")
	fmt.Println(b.Owner, b.Counter, b.OwnerSwitchesSinceCheckpoint)

	_, err := s.Checkpoint(ctx, a, lease.Checkpoint{SequenceNumber: "49590338271490256608559692538361571095921575989136589999"})
	fmt.Println(errors.Is(err, lease.ErrConflict))
	// Output:
	// worker-a 2 49590338271490256608559692538361571095921575989136588898
	// worker-b 3 1
	// true
}

// A graceful steal: the new owner asks, the old one finishes its batch, checkpoints, and lets go.
func ExampleStore_handoff() {
	ctx := context.Background()
	s := lease.NewMemory()
	l, _ := s.Create(ctx, lease.Lease{Key: "shardId-000000000000", Checkpoint: lease.Checkpoint{SequenceNumber: lease.TrimHorizon}})
	l, _ = s.Take(ctx, l, "busy")

	l, _ = s.Handoff(ctx, l, "idle")
	fmt.Printf("owner %s, processed by %s\n", l.Owner, l.Holder())
	l, _ = s.Checkpoint(ctx, l, lease.Checkpoint{SequenceNumber: "7"})
	l, _ = s.Release(ctx, l, "busy")
	fmt.Printf("owner %s, processed by %s from %s\n", l.Owner, l.Holder(), l.Checkpoint.SequenceNumber)
	// Output:
	// owner idle, processed by busy
	// owner idle, processed by idle from 7
}

func ExampleNewDynamoDB() {
	cfg, err := config.LoadDefaultConfig(context.Background())
	if err != nil {
		log.Fatal(err)
	}
	s := lease.NewDynamoDB(dynamodb.NewFromConfig(cfg), "orders-service-leases")
	if err := s.CreateTable(context.Background()); err != nil {
		log.Fatal(err)
	}
	leases, err := s.List(context.Background())
	if err != nil {
		log.Fatal(err)
	}
	for _, l := range leases {
		fmt.Println(l.Key, l.Owner, l.Checkpoint)
	}
}
