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
	s := uuidV7Text(now, random)
	return string(s[:])
}

// uuidV7Text is formatUUIDv7's text, before it is made a string.
func uuidV7Text(now time.Time, random [10]byte) [36]byte {
	var u [16]byte
	ms := uint64(now.UnixMilli())
	var ts [8]byte
	binary.BigEndian.PutUint64(ts[:], ms)
	copy(u[0:6], ts[2:8])
	copy(u[6:], random[:])
	u[6] = 0x70 | (u[6] & 0x0f) // version 7
	u[8] = 0x80 | (u[8] & 0x3f) // variant 10
	var s [36]byte
	for i, c := range u {
		at := uuidHexAt[i]
		s[at], s[at+1] = hexDigits[c>>4], hexDigits[c&0x0f]
	}
	s[8], s[13], s[18], s[23] = '-', '-', '-', '-'
	return s
}

const hexDigits = "0123456789abcdef"

// uuidHexAt is where each of a UUID's 16 bytes is written in its text form, between the dashes.
var uuidHexAt = [16]uint8{0, 2, 4, 6, 9, 11, 14, 16, 19, 21, 24, 26, 28, 30, 32, 34}
