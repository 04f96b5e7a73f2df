package filelease_test

import (
	"context"
	"fmt"
	"path/filepath"
	"testing"

	"github.com/pelicanhq/pelican/consumer/lease"
	"github.com/pelicanhq/pelican/examples/internal/filelease"
)

// BenchmarkCheckpoint measures a checkpoint of one of 4 leases: the file saved whole, synced and
// renamed into place; lease.Memory alone beside it.
func BenchmarkCheckpoint(b *testing.B) {
	stores := []struct {
		name string
		open func(b *testing.B) lease.Store
	}{
		{"file", func(b *testing.B) lease.Store {
			s, err := filelease.Open(filepath.Join(b.TempDir(), "leases.json"))
			if err != nil {
				b.Fatal(err)
			}
			return s
		}},
		{"memory", func(*testing.B) lease.Store { return lease.NewMemory() }},
	}
	for _, st := range stores {
		b.Run(st.name, func(b *testing.B) {
			ctx := context.Background()
			s := st.open(b)
			var held lease.Lease
			for i := range 4 {
				l, err := s.Create(ctx, lease.Lease{Key: fmt.Sprintf("shardId-%012d", i)})
				if err != nil {
					b.Fatal(err)
				}
				if l, err = s.Take(ctx, l, "worker"); err != nil {
					b.Fatal(err)
				}
				held = l
			}
			b.ReportAllocs()
			n := 0
			for b.Loop() {
				n++
				var err error
				held, err = s.Checkpoint(ctx, held, lease.Checkpoint{SequenceNumber: fmt.Sprint(n)})
				if err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
