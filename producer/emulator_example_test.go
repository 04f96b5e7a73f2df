package producer_test

import (
	"context"
	"fmt"
	"log"
	"math/big"
	"time"

	"github.com/pelicanhq/pelican/pelicantest"
	"github.com/pelicanhq/pelican/producer"
)

// A producer writing to an in-process emulator's stream, as a test of a service would: the
// records of one key land in one shard, in the order they were put.
func Example_emulator() {
	em, err := pelicantest.Run(pelicantest.WithStream("orders", 2))
	if err != nil {
		log.Fatal(err)
	}
	defer em.Close()
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()

	p, err := producer.New(ctx, em.Client(), "orders", producer.WithMaxBufferedTime(10*time.Millisecond))
	if err != nil {
		log.Fatal(err)
	}
	defer p.Close(ctx)
	var results []*producer.Result
	for _, state := range []string{"paid", "packed", "shipped"} {
		r, err := p.Put(ctx, "order-17", []byte(state))
		if err != nil {
			log.Fatal(err)
		}
		results = append(results, r)
	}
	prev := -1
	var last *big.Int
	for _, r := range results {
		if err := r.Wait(ctx); err != nil {
			log.Fatal(err)
		}
		seq, _ := new(big.Int).SetString(r.SequenceNumber(), 10)
		after := last == nil || seq.Cmp(last) > 0 || seq.Cmp(last) == 0 && r.SubSequenceNumber() > prev
		last, prev = seq, r.SubSequenceNumber()
		fmt.Printf("%s %s -> %s, after the one before: %v\n", r.PartitionKey(), r.Data(), r.ShardID(), after)
	}
	// Output:
	// order-17 paid -> shardId-000000000000, after the one before: true
	// order-17 packed -> shardId-000000000000, after the one before: true
	// order-17 shipped -> shardId-000000000000, after the one before: true
}
