package store

import (
	"math/big"
	"strconv"
	"time"
)

// A sequence number, in hexadecimal, is laid out the way AWS's are (as kinesalite worked out):
//
//	"2" | shard creation time, epoch seconds (9) | low digit of the shard index (1) |
//	per-shard record index (16) | "00" | record arrival, epoch seconds (9) | shard index (8) | "2"
//
// 47 hex digits, 56 decimal digits. Within a shard the record index grows, so numbers grow strictly
// as big integers; the shard index makes them unique across shards and maps a number back to its
// shard.

// Sequence is a decoded sequence number.
type Sequence struct {
	ShardCreated time.Time // second precision
	ShardIndex   int
	Index        uint64 // the record's position in its shard, from 1; 0 is the shard's starting number
	Arrival      time.Time
}

// MaxSequenceIndex is the record index of a closed shard's ending sequence number.
const MaxSequenceIndex = 0x7fffffffffffffff

// Format returns the decimal string of s.
func (s Sequence) Format() string { return string(s.AppendFormat(make([]byte, 0, 60))) }

// AppendFormat appends the decimal string of s to buf.
func (s Sequence) AppendFormat(buf []byte) []byte {
	// The 47 hex digits as three limbs: hi holds the top 15 digits, mid and lo 16 each.
	created := uint64(s.ShardCreated.Unix()) & 0xfffffffff
	arrival := uint64(s.Arrival.Unix()) & 0xfffffffff
	shard := uint64(uint32(s.ShardIndex))
	// Digits: 2 | created(9) | shard&f(1) | index(16) | 00 | arrival(9) | shard(8) | 2
	hi := 2<<56 | created<<20 | uint64(s.ShardIndex&0xf)<<16 | s.Index>>48
	mid := s.Index<<16 | 0<<8 | arrival>>28
	lo := arrival<<36 | shard<<4 | 2
	return appendDecimal188(buf, hi, mid, lo)
}

// ParseSequence decodes a sequence number made by Format. ok is false for anything else.
func ParseSequence(str string) (Sequence, bool) {
	if len(str) == 0 || len(str) > 128 {
		return Sequence{}, false
	}
	for _, c := range str {
		if c < '0' || c > '9' {
			return Sequence{}, false
		}
	}
	n, ok := new(big.Int).SetString(str, 10)
	if !ok {
		return Sequence{}, false
	}
	hex := n.Text(16)
	if len(hex) != 47 || hex[0] != '2' || hex[46] != '2' {
		return Sequence{}, false
	}
	created, err1 := strconv.ParseUint(hex[1:10], 16, 64)
	index, err2 := strconv.ParseUint(hex[11:27], 16, 64)
	arrival, err3 := strconv.ParseUint(hex[29:38], 16, 64)
	shard, err4 := strconv.ParseUint(hex[38:46], 16, 32)
	if err1 != nil || err2 != nil || err3 != nil || err4 != nil || index > MaxSequenceIndex {
		return Sequence{}, false
	}
	return Sequence{
		ShardCreated: time.Unix(int64(created), 0).UTC(),
		ShardIndex:   int(shard),
		Index:        index,
		Arrival:      time.Unix(int64(arrival), 0).UTC(),
	}, true
}
