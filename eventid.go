package pelican

import (
	"crypto/rand"
	"encoding/binary"
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
	var u [16]byte
	ms := uint64(now.UnixMilli())
	var ts [8]byte
	binary.BigEndian.PutUint64(ts[:], ms)
	copy(u[0:6], ts[2:8])
	copy(u[6:], random[:])
	u[6] = 0x70 | (u[6] & 0x0f) // version 7
	u[8] = 0x80 | (u[8] & 0x3f) // variant 10
	var s [36]byte
	j := 0
	for i, c := range u {
		if i == 4 || i == 6 || i == 8 || i == 10 {
			s[j] = '-'
			j++
		}
		s[j], s[j+1] = hexDigits[c>>4], hexDigits[c&0x0f]
		j += 2
	}
	return string(s[:])
}

const hexDigits = "0123456789abcdef"
