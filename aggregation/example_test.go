package aggregation_test

import (
	"errors"
	"fmt"

	"github.com/pelicanhq/pelican/aggregation"
)

func ExampleAggregator() {
	agg := aggregation.NewAggregator(aggregation.WithMaxSize(aggregation.DefaultMaxSize - 1))
	for _, r := range []aggregation.Record{
		{PartitionKey: "order-17", Data: []byte(`{"state":"paid"}`)},
		{PartitionKey: "order-17", Data: []byte(`{"state":"shipped"}`)},
		{PartitionKey: "order-18", Data: []byte(`{"state":"paid"}`)},
	} {
		if err := agg.Add(r); errors.Is(err, aggregation.ErrFull) {
			// Send agg.Bytes(), Reset, and add r again.
			panic("not in this example")
		}
	}
	data := agg.Bytes()
	fmt.Println(agg.Len(), "user records in", len(data), "bytes")
	// Output: 3 user records in 109 bytes
}

func ExampleDeaggregate() {
	data := aggregation.Aggregate(
		aggregation.Record{PartitionKey: "a", Data: []byte("first")},
		aggregation.Record{PartitionKey: "b", ExplicitHashKey: "42", Data: []byte("second")},
	)
	recs, aggregated, err := aggregation.Deaggregate(data)
	if err != nil {
		panic(err)
	}
	fmt.Println("aggregated:", aggregated)
	for sub, r := range recs {
		fmt.Printf("%d %s %q %s\n", sub, r.PartitionKey, r.ExplicitHashKey, r.Data)
	}

	_, aggregated, _ = aggregation.Deaggregate([]byte("a plain record"))
	fmt.Println("aggregated:", aggregated)
	// Output:
	// aggregated: true
	// 0 a "" first
	// 1 b "42" second
	// aggregated: false
}
