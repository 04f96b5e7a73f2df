package producer

import (
	"math/big"
	"math/rand/v2"
	"testing"
)

func TestPartitionHash(t *testing.T) {
	// MD5 of the key's UTF-8 bytes as a big-endian integer, computed independently.
	tests := []struct{ pk, want string }{
		{"a", "16955237001963240173058271559858726497"},
		{"partition-key", "171922231538597478840392253176536055210"},
		{"é日本", "18975913606251655374270061662024347576"},
	}
	for _, tt := range tests {
		if got := partitionHash(tt.pk).String(); got != tt.want {
			t.Errorf("partitionHash(%q) = %s, want %s", tt.pk, got, tt.want)
		}
	}
}

func TestHashKeyParseAndString(t *testing.T) {
	good := []string{"0", "1", "9", "10", "18446744073709551615", "18446744073709551616",
		"10000000000000000000", "184467440737095516160000000000000000005",
		"340282366920938463463374607431768211455"}
	for _, s := range good {
		h, err := parseHashKey(s)
		if err != nil {
			t.Fatalf("parseHashKey(%q): %v", s, err)
		}
		if h.String() != s {
			t.Fatalf("parseHashKey(%q).String() = %s", s, h.String())
		}
	}
	bad := []string{"", "-1", "+1", "01", "00", "1.0", "1e3", " 1", "abc",
		"340282366920938463463374607431768211456", "999999999999999999999999999999999999999",
		"1000000000000000000000000000000000000000"}
	for _, s := range bad {
		if _, err := parseHashKey(s); err == nil {
			t.Errorf("parseHashKey(%q) accepted", s)
		}
	}
	rng := rand.New(rand.NewPCG(5, 6))
	for range 2000 {
		h := hashKey{rng.Uint64() >> rng.IntN(64), rng.Uint64()}
		want := new(big.Int).Lsh(new(big.Int).SetUint64(h.hi), 64)
		want.Or(want, new(big.Int).SetUint64(h.lo))
		if h.String() != want.String() {
			t.Fatalf("String(%x:%x) = %s, want %s", h.hi, h.lo, h.String(), want)
		}
		back, err := parseHashKey(want.String())
		if err != nil || back != h {
			t.Fatalf("parseHashKey(%s) = %v, %v", want, back, err)
		}
		o := hashKey{rng.Uint64() >> rng.IntN(64), rng.Uint64()}
		wo := new(big.Int).Lsh(new(big.Int).SetUint64(o.hi), 64)
		wo.Or(wo, new(big.Int).SetUint64(o.lo))
		if h.cmp(o) != want.Cmp(wo) {
			t.Fatalf("cmp(%s, %s) = %d", want, wo, h.cmp(o))
		}
	}
}

func FuzzParseHashKey(f *testing.F) {
	for _, s := range []string{"0", "340282366920938463463374607431768211455", "340282366920938463463374607431768211456", "01", "12a"} {
		f.Add(s)
	}
	max := new(big.Int).Sub(new(big.Int).Lsh(big.NewInt(1), 128), big.NewInt(1))
	f.Fuzz(func(t *testing.T, s string) {
		h, err := parseHashKey(s)
		n, ok := new(big.Int).SetString(s, 10)
		valid := ok && n.Sign() >= 0 && n.Cmp(max) <= 0 && n.String() == s
		if valid != (err == nil) {
			t.Fatalf("parseHashKey(%q) err = %v, want valid %v", s, err, valid)
		}
		if valid && h.String() != s {
			t.Fatalf("round trip of %q gave %s", s, h.String())
		}
	})
}

func TestShardMapFind(t *testing.T) {
	m := &shardMap{byID: map[string]shard{}}
	for i := range 7 {
		s, e := splitRange(i, 7)
		m.open = append(m.open, shard{id: fakeShardID(i), start: s, end: e, open: true})
	}
	for i, sh := range m.open {
		for _, h := range []hashKey{sh.start, sh.end} {
			if got := m.find(h); got != i {
				t.Fatalf("find(%s) = %d, want %d", h, got, i)
			}
		}
	}
	if m.find(maxHashKey) != 6 || m.find(hashKey{}) != 0 {
		t.Fatal("the ends of the hash key space")
	}
}
