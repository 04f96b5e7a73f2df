package store

import (
	"crypto/md5"
	"encoding/binary"
	"math/big"
	"math/bits"
	"strconv"
)

// HashKey is a 128-bit hash key: Kinesis routes a record to the shard whose range holds it.
type HashKey struct{ Hi, Lo uint64 }

// MaxHashKey is 2^128-1, the top of the hash key space.
var MaxHashKey = HashKey{^uint64(0), ^uint64(0)}

// HashPartitionKey is the MD5 of the partition key's UTF-8 bytes read as a big-endian 128-bit number.
func HashPartitionKey(pk string) HashKey {
	sum := md5.Sum([]byte(pk))
	return HashKey{binary.BigEndian.Uint64(sum[:8]), binary.BigEndian.Uint64(sum[8:])}
}

// ParseHashKey reads a decimal hash key; ok is false when s is not a decimal in [0, 2^128-1].
func ParseHashKey(s string) (HashKey, bool) {
	if s == "" || len(s) > 39 {
		return HashKey{}, false
	}
	for _, c := range s {
		if c < '0' || c > '9' {
			return HashKey{}, false
		}
	}
	n, ok := new(big.Int).SetString(s, 10)
	if !ok || n.BitLen() > 128 {
		return HashKey{}, false
	}
	return FromBig(n), true
}

// FromBig converts n, which must be in [0, 2^128-1].
func FromBig(n *big.Int) HashKey {
	var b [16]byte
	n.FillBytes(b[:])
	return HashKey{binary.BigEndian.Uint64(b[:8]), binary.BigEndian.Uint64(b[8:])}
}

// Big returns k as a big integer.
func (k HashKey) Big() *big.Int {
	var b [16]byte
	binary.BigEndian.PutUint64(b[:8], k.Hi)
	binary.BigEndian.PutUint64(b[8:], k.Lo)
	return new(big.Int).SetBytes(b[:])
}

// String is the decimal form used on the wire.
func (k HashKey) String() string {
	if k.Hi == 0 {
		return strconv.FormatUint(k.Lo, 10)
	}
	return k.Big().String()
}

// Cmp compares k and o: -1, 0 or +1.
func (k HashKey) Cmp(o HashKey) int {
	switch {
	case k.Hi < o.Hi:
		return -1
	case k.Hi > o.Hi:
		return 1
	case k.Lo < o.Lo:
		return -1
	case k.Lo > o.Lo:
		return 1
	}
	return 0
}

// Add1 returns k+1 (wrapping at 2^128).
func (k HashKey) Add1() HashKey {
	lo, carry := bits.Add64(k.Lo, 1, 0)
	return HashKey{k.Hi + carry, lo}
}

// Sub1 returns k-1 (wrapping at 0).
func (k HashKey) Sub1() HashKey {
	lo, borrow := bits.Sub64(k.Lo, 1, 0)
	return HashKey{k.Hi - borrow, lo}
}

// SplitEvenly divides the range [start, end] into n contiguous ranges as Kinesis does for a new
// stream: range i starts at start + floor(i * size / n), where size = end - start + 1.
func SplitEvenly(start, end HashKey, n int) [][2]HashKey {
	s, e := start.Big(), end.Big()
	size := new(big.Int).Sub(e, s)
	size.Add(size, big.NewInt(1))
	out := make([][2]HashKey, n)
	for i := 0; i < n; i++ {
		lo := new(big.Int).Mul(size, big.NewInt(int64(i)))
		lo.Div(lo, big.NewInt(int64(n)))
		lo.Add(lo, s)
		hi := new(big.Int).Mul(size, big.NewInt(int64(i+1)))
		hi.Div(hi, big.NewInt(int64(n)))
		hi.Add(hi, s)
		hi.Sub(hi, big.NewInt(1))
		out[i] = [2]HashKey{FromBig(lo), FromBig(hi)}
	}
	return out
}
