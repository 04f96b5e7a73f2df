package pelican

import (
	"crypto/rand"
	"encoding/binary"
	"math/bits"
	"time"
)

// NewEventID returns a new UUID of version 7 (RFC 9562): 48 bits of Unix milliseconds, then 74
// random bits. Its time order helps people reading logs; its randomness makes it a well-spread
// partition key, since Kinesis hashes the key with MD5 anyway.
func NewEventID() string {
	return newUUIDv7(time.Now())
}

func newUUIDv7(now time.Time) string {
	var random [10]byte
	_, _ = rand.Read(random[:]) // crypto/rand.Read never fails (Go 1.24 and later).
	return formatUUIDv7(now, random)
}

// formatUUIDv7 returns the UUID of version 7 of now with random as its random bits.
func formatUUIDv7(now time.Time, random [10]byte) string {
	u := uuidV7(now, random)
	var s [36]byte
	putUUIDText(s[:], &u)
	return string(s[:])
}

// uuidV7 returns the 16 bytes of the UUID of version 7 of now with random as its random bits.
func uuidV7(now time.Time, random [10]byte) [16]byte {
	var u [16]byte
	binary.BigEndian.PutUint64(u[0:8], uint64(now.UnixMilli())<<16) // 48 bits of milliseconds
	copy(u[6:], random[:])
	u[6] = 0x70 | (u[6] & 0x0f) // version 7
	u[8] = 0x80 | (u[8] & 0x3f) // variant 10
	return u
}

// putUUIDText writes the text form of u (8-4-4-4-12 lower-case hexadecimal digits) to s[:36].
func putUUIDText(s []byte, u *[16]byte) {
	_ = s[35]
	hi, lo := binary.BigEndian.Uint64(u[0:8]), binary.BigEndian.Uint64(u[8:16])
	var t [32]byte
	binary.LittleEndian.PutUint64(t[0:], hexDigits8(uint32(hi>>32)))
	binary.LittleEndian.PutUint64(t[8:], hexDigits8(uint32(hi)))
	binary.LittleEndian.PutUint64(t[16:], hexDigits8(uint32(lo>>32)))
	binary.LittleEndian.PutUint64(t[24:], hexDigits8(uint32(lo)))
	copy(s[0:8], t[0:8])
	copy(s[9:13], t[8:12])
	copy(s[14:18], t[12:16])
	copy(s[19:23], t[16:20])
	copy(s[24:36], t[20:32])
	s[8], s[13], s[18], s[23] = '-', '-', '-', '-'
}

// hexDigits8 returns the eight lower-case hexadecimal digits of v, most significant first, as the
// bytes of a little-endian word: each nibble is spread to a byte of its own, then every byte is
// turned into its digit at once ('0'+n, plus 'a'-'0'-10 where n is 10 or more).
func hexDigits8(v uint32) uint64 {
	x := uint64(v)
	x = (x | x<<16) & 0x0000ffff0000ffff
	x = (x | x<<8) & 0x00ff00ff00ff00ff
	x = (x | x<<4) & 0x0f0f0f0f0f0f0f0f
	x = bits.ReverseBytes64(x)                                      // most significant digit first in memory
	letters := ((x + 0x7676767676767676) >> 7) & 0x0101010101010101 // 1 in each byte of 10 or more
	return x + 0x3030303030303030 + letters*('a'-'0'-10)
}
