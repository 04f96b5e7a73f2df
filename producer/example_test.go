package producer_test

import (
	"context"
	"errors"
	"log"
	"log/slog"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/kinesis"

	"github.com/pelicanhq/pelican/producer"
)

// awsConfig stands for the application's configuration, from config.LoadDefaultConfig.
var awsConfig aws.Config

func ExampleNew() {
	ctx := context.Background()
	client := kinesis.NewFromConfig(awsConfig)
	p, err := producer.New(ctx, client, "orders",
		producer.WithMaxBufferedTime(50*time.Millisecond),
		producer.WithLogger(slog.Default()),
		producer.WithOnResult(func(r *producer.Result) {
			if r.Err() != nil {
				slog.Error("order event lost", "key", r.PartitionKey(), "err", r.Err())
			}
		}))
	if err != nil {
		log.Fatal(err)
	}
	defer p.Close(ctx)

	// Put returns at once; the records of one key reach the stream in this order.
	for _, state := range []string{"paid", "packed", "shipped"} {
		if _, err := p.Put(ctx, "order-17", []byte(state)); err != nil {
			log.Fatal(err)
		}
	}
}

func ExampleProducer_Put() {
	ctx := context.Background()
	p, err := producer.New(ctx, kinesis.NewFromConfig(awsConfig), "orders")
	if err != nil {
		log.Fatal(err)
	}
	r, err := p.Put(ctx, "order-17", []byte(`{"state":"paid"}`))
	if err != nil {
		log.Fatal(err) // the buffer is full and ctx ended, or the record is invalid
	}
	if err := r.Wait(ctx); err != nil {
		log.Fatal(err) // Kinesis refused it, or it expired
	}
	log.Printf("written to %s at %s (%d)", r.ShardID(), r.SequenceNumber(), r.SubSequenceNumber())
}

func ExampleProducer_Close() {
	ctx := context.Background()
	p, err := producer.New(ctx, kinesis.NewFromConfig(awsConfig), "orders")
	if err != nil {
		log.Fatal(err)
	}
	// ... Put records ...

	shutdown, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	var undelivered *producer.UndeliveredError
	if err := p.Close(shutdown); errors.As(err, &undelivered) {
		for _, r := range undelivered.Results {
			// Not written before the deadline; Ambiguous ones may be in the stream anyway.
			log.Printf("undelivered: key %s, possibly written: %v", r.PartitionKey(), r.Ambiguous())
		}
	}
}
