package aggregation

import (
	"fmt"
	"testing"
)

// benchRecords are n user records of size bytes over keys distinct partition keys.
func benchRecords(n, size, keys int) []Record {
	recs := make([]Record, n)
	for i := range recs {
		recs[i] = Record{PartitionKey: fmt.Sprintf("partition-key-%d", i%keys), Data: make([]byte, size)}
	}
	return recs
}

var benchShapes = []struct {
	name          string
	n, size, keys int
}{
	{"500x100B-500keys", 500, 100, 500},
	{"500x100B-1key", 500, 100, 1},
	{"1000x1KiB-100keys", 1000, 1024, 100},
}

// BenchmarkAggregate measures adding user records and writing the aggregate; throughput is in
// user-record bytes.
func BenchmarkAggregate(b *testing.B) {
	for _, s := range benchShapes {
		recs := benchRecords(s.n, s.size, s.keys)
		b.Run(s.name, func(b *testing.B) {
			a := NewAggregator(WithMaxSize(1 << 30))
			buf := make([]byte, 0, 2<<20)
			b.SetBytes(int64(s.n * s.size))
			b.ReportAllocs()
			for b.Loop() {
				a.Reset()
				for _, r := range recs {
					if err := a.Add(r); err != nil {
						b.Fatal(err)
					}
				}
				buf = a.AppendTo(buf[:0])
			}
			b.ReportMetric(float64(b.N*s.n)/b.Elapsed().Seconds(), "records/s")
		})
	}
}

// BenchmarkDeaggregate measures reading an aggregate back, MD5 check included.
func BenchmarkDeaggregate(b *testing.B) {
	for _, s := range benchShapes {
		data := Aggregate(benchRecords(s.n, s.size, s.keys)...)
		b.Run(s.name, func(b *testing.B) {
			b.SetBytes(int64(s.n * s.size))
			b.ReportAllocs()
			for b.Loop() {
				recs, ok, err := Deaggregate(data)
				if err != nil || !ok || len(recs) != s.n {
					b.Fatal(ok, err)
				}
			}
			b.ReportMetric(float64(b.N*s.n)/b.Elapsed().Seconds(), "records/s")
		})
	}
}
