package emulator

import (
	"math/big"
	"strconv"
	"time"
)

// How the service reads a sequence number a client sends (SequenceNumberForOrdering,
// StartingSequenceNumber), as kinesalite worked it out from the service's answers: a number below
// 2^124 is read with 2^124 added; one below 2^129 is of the old layout (version 0: a creation time
// and a 16-bit shard index); one between 2^185 and 1.5 * 2^185 ends in its version digit, 1 or 2,
// and version 2 is the layout the store writes (creation second, record index, arrival second,
// shard index). Anything else is not a sequence number.

var (
	pow124  = new(big.Int).Lsh(big.NewInt(1), 124)
	pow129  = new(big.Int).Lsh(big.NewInt(1), 129)
	pow185  = new(big.Int).Lsh(big.NewInt(1), 185)
	pow185h = new(big.Int).Add(pow185, new(big.Int).Lsh(big.NewInt(1), 184))
)

// clientSequence is a sequence number as the service reads it.
type clientSequence struct {
	version      int
	shardCreated uint64 // seconds
	shardIndex   int64
	arrival      uint64 // seconds; 0 for version 0
	// shown is the number as the service echoes it in messages: version 0 numbers are written out
	// again in their own layout.
	shown string
}

// maxVersion0Seconds is the first creation time the old layout cannot hold.
const maxVersion0Seconds = 16025175000

// parseClientSequence reads seq (already known to be decimal digits) as the service does; ok is
// false for a number that is not a sequence number of any layout.
func parseClientSequence(seq string) (clientSequence, bool) {
	n, ok := new(big.Int).SetString(seq, 10)
	if !ok || n.Sign() < 0 {
		return clientSequence{}, false
	}
	if n.Cmp(pow124) < 0 {
		n.Add(n, pow124)
	}
	hex := n.Text(16)
	field := func(from, to int) uint64 {
		v, _ := strconv.ParseUint(hex[from:to], 16, 64)
		return v
	}
	switch {
	case n.Cmp(pow129) < 0: // 32 or 33 hex digits
		if len(hex) != 32 {
			return clientSequence{}, false
		}
		created := field(1, 10)
		if created >= maxVersion0Seconds {
			return clientSequence{}, false
		}
		shown, _ := new(big.Int).SetString("1"+hex[1:32], 16)
		return clientSequence{version: 0, shardCreated: created, shardIndex: int64(field(28, 32)), shown: shown.String()}, true
	case n.Cmp(pow185) > 0 && n.Cmp(pow185h) < 0: // 47 hex digits
		version := hex[46]
		if version != '1' && version != '2' {
			return clientSequence{}, false
		}
		if hex[38] > '7' || (version == '2' && hex[11] > '7') {
			return clientSequence{}, false
		}
		sq := clientSequence{version: int(version - '0'), shardCreated: field(1, 10), shardIndex: int64(field(38, 46)), shown: seq}
		if version == '2' {
			sq.arrival = field(29, 38)
		} else {
			sq.arrival = field(13, 22)
		}
		return sq, true
	}
	return clientSequence{}, false
}

// inFuture reports whether the number says it arrived after now.
func (q clientSequence) inFuture(now time.Time) bool {
	return q.arrival > uint64(max(now.Unix(), 0))
}
