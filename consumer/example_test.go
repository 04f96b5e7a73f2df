package consumer_test

import (
	"context"
	"errors"
	"fmt"
	"log"
	"log/slog"
	"os"
	"os/signal"
	"time"

	"github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/kinesis"

	"github.com/pelicanhq/pelican/consumer"
	"github.com/pelicanhq/pelican/consumer/lease"
)

// A service scaled out over several processes: every process runs this, with the same lease
// table, and the stream's shards are shared among them.
func Example() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	cfg, err := config.LoadDefaultConfig(ctx)
	if err != nil {
		log.Fatal(err)
	}
	leases := lease.NewDynamoDB(dynamodb.NewFromConfig(cfg), "orders-service-leases")
	if err := leases.CreateTable(ctx); err != nil {
		log.Fatal(err)
	}
	handler := consumer.HandlerFunc(func(ctx context.Context, b consumer.Batch) error {
		for _, r := range b.Records {
			fmt.Printf("%s %s/%d: %s\n", r.ShardID, r.SequenceNumber, r.SubSequenceNumber, r.Data)
		}
		return nil // the batch is checkpointed
	})
	c, err := consumer.New(kinesis.NewFromConfig(cfg), "orders", handler,
		consumer.WithLeaseStore(leases),
		consumer.WithLogger(slog.Default()),
	)
	if err != nil {
		log.Fatal(err)
	}
	// Until interrupted; then the batches in flight finish, are checkpointed, and the leases go
	// to the other processes at once.
	if err := c.Run(ctx); err != nil {
		log.Fatal(err)
	}
}

// Enhanced fan-out pushes records to the worker as they arrive, through a registered consumer
// that every worker of the application names alike.
func ExampleWithEnhancedFanOut() {
	cfg, err := config.LoadDefaultConfig(context.Background())
	if err != nil {
		log.Fatal(err)
	}
	c, err := consumer.New(kinesis.NewFromConfig(cfg), "orders",
		consumer.HandlerFunc(func(ctx context.Context, b consumer.Batch) error { return nil }),
		consumer.WithEnhancedFanOut("orders-service"),
		consumer.WithInitialPosition(consumer.AtTimestamp(time.Now().Add(-time.Hour))),
	)
	if err != nil {
		log.Fatal(err)
	}
	_ = c.Run(context.Background())
}

// A handler that commits only what it has durably passed on: here, every tenth record, and the
// end of a closed shard so that its children can start.
func ExampleCheckpointer() {
	forward := func(context.Context, consumer.Record) error { return nil }
	handler := consumer.HandlerFunc(func(ctx context.Context, b consumer.Batch) error {
		for i, r := range b.Records {
			if err := forward(ctx, r); err != nil {
				return err // retried from the last checkpoint's next record
			}
			if i%10 == 9 {
				if err := b.Checkpointer.CheckpointRecord(ctx, r); errors.Is(err, consumer.ErrLeaseLost) {
					return err // another worker has the shard now
				}
			}
		}
		if b.ShardEnd {
			return b.Checkpointer.Checkpoint(ctx)
		}
		return nil
	})
	cfg, err := config.LoadDefaultConfig(context.Background())
	if err != nil {
		log.Fatal(err)
	}
	c, err := consumer.New(kinesis.NewFromConfig(cfg), "orders", handler,
		consumer.WithManualCheckpoint(),
		consumer.WithRetryPolicy(consumer.RetryPolicy{MaxAttempts: 5, InitialBackoff: 200 * time.Millisecond, MaxBackoff: 30 * time.Second}),
	)
	if err != nil {
		log.Fatal(err)
	}
	_ = c.Run(context.Background())
}
