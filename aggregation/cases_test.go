package aggregation

import (
	"bytes"
	"fmt"
	"strings"
)

// goldenCase is one list of user records with its golden aggregate in testdata/<name>.agg.
type goldenCase struct {
	name string
	recs []Record
}

// goldenCases cover what changes the bytes: key tables with repeats, explicit hash keys on some
// records, empty and binary data, multi-byte varints for indexes and lengths.
func goldenCases() []goldenCase {
	var many []Record
	for i := range 300 {
		many = append(many, Record{PartitionKey: fmt.Sprintf("key-%d", i%200), Data: []byte(fmt.Sprintf("payload %d", i))})
	}
	var ehks []Record
	for i := range 140 {
		r := Record{PartitionKey: fmt.Sprintf("p%d", i%3), Data: []byte{byte(i)}}
		if i%2 == 0 {
			r.ExplicitHashKey = fmt.Sprintf("%d", 1000+i)
		}
		ehks = append(ehks, r)
	}
	return []goldenCase{
		{"single", []Record{{PartitionKey: "a", Data: []byte("hello")}}},
		{"shared-keys", []Record{
			{PartitionKey: "alpha", Data: []byte("1")},
			{PartitionKey: "beta", Data: []byte("2")},
			{PartitionKey: "alpha", Data: []byte("3")},
			{PartitionKey: "gamma", Data: []byte("4")},
			{PartitionKey: "beta", Data: []byte("5")},
		}},
		{"explicit-hash-keys", []Record{
			{PartitionKey: "k1", ExplicitHashKey: "123", Data: []byte("a")},
			{PartitionKey: "k2", ExplicitHashKey: "340282366920938463463374607431768211455", Data: []byte("b")},
			{PartitionKey: "k1", ExplicitHashKey: "123", Data: []byte("c")},
			{PartitionKey: "k3", ExplicitHashKey: "0", Data: []byte("d")},
		}},
		{"some-explicit-hash-keys", ehks},
		{"empty-data", []Record{
			{PartitionKey: "e", Data: []byte{}},
			{PartitionKey: "e", Data: []byte("x")},
			{PartitionKey: "f", Data: []byte{}},
		}},
		{"binary-and-unicode", []Record{
			{PartitionKey: "clé-ü-日本", Data: []byte{0x00, 0xff, 0xf3, 0x89, 0x9a, 0xc2, 0x0a}},
			{PartitionKey: strings.Repeat("z", 256), Data: bytes.Repeat([]byte{0x80}, 200)},
		}},
		{"many", many},
		{"large-data", []Record{
			{PartitionKey: "big", Data: bytes.Repeat([]byte("0123456789abcdef"), 1<<12)},
			{PartitionKey: "small", Data: []byte("s")},
		}},
	}
}
