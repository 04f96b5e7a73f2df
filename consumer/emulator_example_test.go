package consumer_test

import (
	"context"
	"fmt"
	"log"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/kinesis"

	"github.com/pelicanhq/pelican/consumer"
	"github.com/pelicanhq/pelican/pelicantest"
)

// A consumer reading an in-process emulator's stream, as a test of a handler would: the handler
// sees one key's records in the order they were written.
func Example_emulator() {
	em, err := pelicantest.Run(pelicantest.WithStream("orders", 2))
	if err != nil {
		log.Fatal(err)
	}
	defer em.Close()
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	for _, state := range []string{"paid", "packed", "shipped"} {
		in := &kinesis.PutRecordInput{StreamName: aws.String("orders"), PartitionKey: aws.String("order-17"), Data: []byte(state)}
		if _, err := em.Client().PutRecord(ctx, in); err != nil {
			log.Fatal(err)
		}
	}

	seen := 0
	handler := consumer.HandlerFunc(func(ctx context.Context, b consumer.Batch) error {
		for _, r := range b.Records {
			fmt.Printf("%s %s: %s\n", r.ShardID, r.PartitionKey, r.Data)
			if seen++; seen == 3 {
				cancel() // Run checkpoints this batch and returns
			}
		}
		return nil
	})
	c, err := consumer.New(em.Client(), "orders", handler,
		consumer.WithInitialPosition(consumer.TrimHorizon()),
		consumer.WithIdleInterval(50*time.Millisecond))
	if err != nil {
		log.Fatal(err)
	}
	if err := c.Run(ctx); err != nil {
		log.Fatal(err)
	}
	// Output:
	// shardId-000000000000 order-17: paid
	// shardId-000000000000 order-17: packed
	// shardId-000000000000 order-17: shipped
}
