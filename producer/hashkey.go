package producer

import (
	"crypto/md5"
	"encoding/binary"
	"errors"
	"math/bits"
)

// hashKey is a Kinesis hash key: an unsigned 128-bit integer.
type hashKey struct{ hi, lo uint64 }

// maxHashKey is 2^128 - 1, the end of a stream's hash key space.
var maxHashKey = hashKey{^uint64(0), ^uint64(0)}

// partitionHash is the hash key Kinesis gives a partition key: the MD5 of its UTF-8 bytes, read as
// a big-endian 128-bit integer.
func partitionHash(pk string) hashKey {
	s := md5.Sum([]byte(pk))
	return hashKey{binary.BigEndian.Uint64(s[:8]), binary.BigEndian.Uint64(s[8:])}
}

func (h hashKey) cmp(o hashKey) int {
	switch {
	case h.hi < o.hi:
		return -1
	case h.hi > o.hi:
		return 1
	case h.lo < o.lo:
		return -1
	case h.lo > o.lo:
		return 1
	}
	return 0
}

var errHashKey = errors.New("not a decimal integer between 0 and 2^128-1 without leading zeros")

// parseHashKey reads a hash key in the form the Kinesis API uses: a decimal integer without sign
// or leading zeros (the API's pattern 0|([1-9]\d{0,38})) no larger than 2^128-1.
func parseHashKey(s string) (hashKey, error) {
	if s == "" || len(s) > 39 || (len(s) > 1 && s[0] == '0') {
		return hashKey{}, errHashKey
	}
	var h hashKey
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c < '0' || c > '9' {
			return hashKey{}, errHashKey
		}
		// h = h*10 + d, failing on overflow past 128 bits.
		hiHi, hiLo := bits.Mul64(h.hi, 10)
		loHi, loLo := bits.Mul64(h.lo, 10)
		hi, carry := bits.Add64(hiLo, loHi, 0)
		if hiHi != 0 || carry != 0 {
			return hashKey{}, errHashKey
		}
		lo, carry := bits.Add64(loLo, uint64(c-'0'), 0)
		hi, carry = bits.Add64(hi, 0, carry)
		if carry != 0 {
			return hashKey{}, errHashKey
		}
		h = hashKey{hi, lo}
	}
	return h, nil
}

// String returns the decimal form the Kinesis API uses.
func (h hashKey) String() string {
	if h.hi == 0 && h.lo == 0 {
		return "0"
	}
	var buf [39]byte
	i := len(buf)
	for h.hi != 0 || h.lo != 0 {
		// Divide the 128-bit value by 10^19, the largest power of ten in a uint64, and print the
		// remainder as 19 digits (fewer for the last chunk).
		const chunk = 10_000_000_000_000_000_000
		qhi := h.hi / chunk
		r := h.hi % chunk
		qlo, rem := bits.Div64(r, h.lo, chunk)
		h = hashKey{qhi, qlo}
		for j := 0; j < 19 && (rem != 0 || h.hi != 0 || h.lo != 0); j++ {
			i--
			buf[i] = byte('0' + rem%10)
			rem /= 10
		}
	}
	return string(buf[i:])
}
