package store

import (
	"fmt"
	"math/big"
	"math/rand/v2"
	"testing"
	"time"
)

// formatBig is the layout written out with big.Int, the reference Format must match.
func formatBig(s Sequence) string {
	hex := fmt.Sprintf("2%09x%x%016x00%09x%08x2",
		uint64(s.ShardCreated.Unix())&0xfffffffff, s.ShardIndex&0xf, s.Index,
		uint64(s.Arrival.Unix())&0xfffffffff, uint32(s.ShardIndex))
	n, _ := new(big.Int).SetString(hex, 16)
	return n.String()
}

func TestSequenceFormatMatchesLayout(t *testing.T) {
	created := time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)
	for _, s := range []Sequence{
		{ShardCreated: created, ShardIndex: 0, Index: 0, Arrival: created},
		{ShardCreated: created, ShardIndex: 17, Index: 12345, Arrival: created.Add(time.Hour)},
		{ShardCreated: created, ShardIndex: 9999, Index: MaxSequenceIndex, Arrival: created},
		{ShardCreated: time.Unix(0, 0), ShardIndex: 1<<31 - 1, Index: 1 << 62, Arrival: time.Unix(1<<35, 0)},
	} {
		got, want := s.Format(), formatBig(s)
		if got != want {
			t.Fatalf("%+v: Format %s, want %s", s, got, want)
		}
		back, ok := ParseSequence(got)
		if !ok || back.Index != s.Index || back.ShardIndex != s.ShardIndex || !back.ShardCreated.Equal(s.ShardCreated.Truncate(time.Second)) {
			t.Fatalf("%s parses back as %+v (ok %v)", got, back, ok)
		}
	}
}

func FuzzSequenceFormat(f *testing.F) {
	f.Add(int64(1772366400), uint16(3), uint64(42), int64(1772366500))
	f.Fuzz(func(t *testing.T, created int64, shard uint16, index uint64, arrival int64) {
		s := Sequence{ShardCreated: time.Unix(created&0xfffffffff, 0), ShardIndex: int(shard), Index: index & MaxSequenceIndex, Arrival: time.Unix(arrival&0xfffffffff, 0)}
		if got, want := s.Format(), formatBig(s); got != want {
			t.Fatalf("%+v: Format %s, want %s", s, got, want)
		}
	})
}

func TestSequencesIncreaseWithinAShard(t *testing.T) {
	created := time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)
	prev := new(big.Int)
	for i := uint64(0); i < 2000; i++ {
		// Arrival may even go backwards (clock changes); the index alone orders a shard.
		arrival := created.Add(time.Duration(int64(i%7)-3) * time.Second)
		n, _ := new(big.Int).SetString(Sequence{ShardCreated: created, ShardIndex: 5, Index: i, Arrival: arrival}.Format(), 10)
		if n.Cmp(prev) <= 0 {
			t.Fatalf("index %d: %s is not above %s", i, n, prev)
		}
		prev = n
	}
}

func BenchmarkSequenceFormat(b *testing.B) {
	s := Sequence{ShardCreated: time.Unix(1772366400, 0), ShardIndex: 3, Index: 123456, Arrival: time.Unix(1772366500, 0)}
	for i := 0; i < b.N; i++ {
		_ = s.Format()
	}
}

func TestNextSequenceAddsOneToTheIndex(t *testing.T) {
	r := rand.New(rand.NewPCG(5, 6))
	for i := 0; i < 20000; i++ {
		s := Sequence{
			ShardCreated: time.Unix(int64(r.Uint64N(1<<35)), 0), ShardIndex: int(r.Uint64N(1 << 31)),
			Index: r.Uint64N(MaxSequenceIndex - 1), Arrival: time.Unix(int64(r.Uint64N(1<<35)), 0),
		}
		if i%4 == 0 {
			s.Index = (1<<48 - 1) << (i % 15) // carries across the limbs
		}
		next := s
		next.Index++
		got, ok := appendNextSequence([]byte("x"), []byte(s.Format()))
		if !ok || string(got) != "x"+next.Format() {
			t.Fatalf("after %s (index %d): got %q %v, want %s", s.Format(), s.Index, got, ok, next.Format())
		}
	}
	if _, ok := appendNextSequence(nil, []byte("9999999999999999999999999")); ok {
		t.Fatal("a sum needing another digit was not refused")
	}
}
