package aggregation

import (
	"bytes"
	"crypto/md5"
	"errors"
	"fmt"
	"math/rand/v2"
	"testing"

	"google.golang.org/protobuf/encoding/protowire"
)

// TestAggregatorSizeIsExact checks that Size, SizeWith and Fits predict len(Bytes) exactly while
// tables and varints grow, since the producer packs aggregates to the byte against the limit.
func TestAggregatorSizeIsExact(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 4))
	a := NewAggregator(WithMaxSize(1 << 30))
	for i := range 2000 {
		r := Record{PartitionKey: fmt.Sprintf("k%d", rng.IntN(300)), Data: make([]byte, rng.IntN(300))}
		if rng.IntN(4) == 0 {
			r.ExplicitHashKey = fmt.Sprint(rng.IntN(200))
		}
		want := a.SizeWith(r)
		if err := a.Add(r); err != nil {
			t.Fatalf("Add %d: %v", i, err)
		}
		if a.Size() != want {
			t.Fatalf("after Add %d: Size %d, SizeWith predicted %d", i, a.Size(), want)
		}
		if got := len(a.Bytes()); got != a.Size() {
			t.Fatalf("after Add %d: len(Bytes) %d, Size %d", i, got, a.Size())
		}
	}
	if a.Len() != 2000 {
		t.Fatalf("Len = %d, want 2000", a.Len())
	}
}

func TestAggregatorLimit(t *testing.T) {
	rec := func(pk string, n int) Record { return Record{PartitionKey: pk, Data: make([]byte, n)} }
	one := Overhead + standaloneGrowth(rec("k", 100))
	tests := []struct {
		name    string
		max     int
		add     []Record
		wantErr []error
		wantLen int
	}{
		{"exactly fits", one, []Record{rec("k", 100)}, []error{nil}, 1},
		{"one byte short", one - 1, []Record{rec("k", 100)}, []error{ErrTooLarge}, 0},
		{"second does not fit", one + 10, []Record{rec("k", 100), rec("k", 100)}, []error{nil, ErrFull}, 1},
		{"second too large for any aggregate", one + 10, []Record{rec("k", 1), rec("k", 500)}, []error{nil, ErrTooLarge}, 1},
		{"shared key costs less", Overhead + standaloneGrowth(rec("kkkkkkkk", 1)) + 1 + protowire.SizeBytes(5), []Record{rec("kkkkkkkk", 1), rec("kkkkkkkk", 1)}, []error{nil, nil}, 2},
		{"new key costs more", Overhead + standaloneGrowth(rec("kkkkkkkk", 1)) + 1 + protowire.SizeBytes(5), []Record{rec("kkkkkkkk", 1), rec("jjjjjjjj", 1)}, []error{nil, ErrFull}, 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			a := NewAggregator(WithMaxSize(tt.max))
			for i, r := range tt.add {
				fits := a.Fits(r)
				before := a.Size()
				err := a.Add(r)
				if !errors.Is(err, tt.wantErr[i]) || (err == nil) != (tt.wantErr[i] == nil) {
					t.Fatalf("Add %d = %v, want %v", i, err, tt.wantErr[i])
				}
				if fits != (err == nil) {
					t.Fatalf("Fits %d = %v but Add returned %v", i, fits, err)
				}
				if err != nil && a.Size() != before {
					t.Fatalf("a failed Add changed the size from %d to %d", before, a.Size())
				}
			}
			if a.Len() != tt.wantLen {
				t.Fatalf("Len = %d, want %d", a.Len(), tt.wantLen)
			}
			if a.Size() > tt.max {
				t.Fatalf("Size %d over the limit %d", a.Size(), tt.max)
			}
		})
	}
}

func TestAggregatorDefaultLimit(t *testing.T) {
	a := NewAggregator()
	if a.MaxSize() != 1<<20 {
		t.Fatalf("MaxSize = %d, want 1 MiB", a.MaxSize())
	}
	big := Record{PartitionKey: "k", Data: make([]byte, 1<<20)}
	if err := a.Add(big); !errors.Is(err, ErrTooLarge) {
		t.Fatalf("Add of 1 MiB of data = %v, want ErrTooLarge", err)
	}
	for a.Add(Record{PartitionKey: "k", Data: make([]byte, 1000)}) == nil {
	}
	if a.Size() > 1<<20 || a.Size() < 1<<20-1010 {
		t.Fatalf("full aggregate of 1000-byte records is %d bytes", a.Size())
	}
}

// TestAggregatorTables checks the KPL's layout: each key once in its table in order of first use,
// explicit_hash_key_index only on records that have one, and the MD5 of the message as trailer.
func TestAggregatorTables(t *testing.T) {
	a := NewAggregator()
	for _, r := range []Record{
		{PartitionKey: "b", Data: []byte("1")},
		{PartitionKey: "a", ExplicitHashKey: "9", Data: []byte("2")},
		{PartitionKey: "b", ExplicitHashKey: "8", Data: []byte("3")},
		{PartitionKey: "a", ExplicitHashKey: "9", Data: []byte("4")},
	} {
		if err := a.Add(r); err != nil {
			t.Fatal(err)
		}
	}
	var want []byte
	want = protowire.AppendTag(want, 1, protowire.BytesType)
	want = protowire.AppendString(want, "b")
	want = protowire.AppendTag(want, 1, protowire.BytesType)
	want = protowire.AppendString(want, "a")
	want = protowire.AppendTag(want, 2, protowire.BytesType)
	want = protowire.AppendString(want, "9")
	want = protowire.AppendTag(want, 2, protowire.BytesType)
	want = protowire.AppendString(want, "8")
	for _, r := range []struct {
		pk, ehk uint64
		hasEHK  bool
		data    string
	}{{0, 0, false, "1"}, {1, 0, true, "2"}, {0, 1, true, "3"}, {1, 0, true, "4"}} {
		var inner []byte
		inner = protowire.AppendTag(inner, 1, protowire.VarintType)
		inner = protowire.AppendVarint(inner, r.pk)
		if r.hasEHK {
			inner = protowire.AppendTag(inner, 2, protowire.VarintType)
			inner = protowire.AppendVarint(inner, r.ehk)
		}
		inner = protowire.AppendTag(inner, 3, protowire.BytesType)
		inner = protowire.AppendString(inner, r.data)
		want = protowire.AppendTag(want, 3, protowire.BytesType)
		want = protowire.AppendBytes(want, inner)
	}
	sum := md5.Sum(want)
	full := append(append([]byte(Magic), want...), sum[:]...)
	if got := a.Bytes(); !bytes.Equal(got, full) {
		t.Fatalf("Bytes =\n%x\nwant\n%x", got, full)
	}
}

func TestAggregatorReset(t *testing.T) {
	a := NewAggregator(WithMaxSize(1000))
	_ = a.Add(Record{PartitionKey: "x", ExplicitHashKey: "1", Data: []byte("first")})
	a.Reset()
	if a.Len() != 0 || a.Size() != Overhead {
		t.Fatalf("after Reset: Len %d Size %d", a.Len(), a.Size())
	}
	_ = a.Add(Record{PartitionKey: "y", Data: []byte("second")})
	want := Aggregate(Record{PartitionKey: "y", Data: []byte("second")})
	if got := a.Bytes(); !bytes.Equal(got, want) {
		t.Fatalf("after Reset the old tables leak into the aggregate:\n%x\nwant\n%x", got, want)
	}
	if a.MaxSize() != 1000 {
		t.Fatalf("Reset changed the limit to %d", a.MaxSize())
	}
}

func TestAppendToKeepsPrefix(t *testing.T) {
	a := NewAggregator()
	_ = a.Add(Record{PartitionKey: "k", Data: []byte("v")})
	got := a.AppendTo([]byte("prefix"))
	if string(got[:6]) != "prefix" || !bytes.Equal(got[6:], a.Bytes()) {
		t.Fatalf("AppendTo = %x", got)
	}
}
