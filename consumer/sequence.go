package consumer

import (
	"strings"

	"github.com/pelicanhq/pelican/consumer/lease"
)

// compareSequence compares two decimal sequence numbers as the big integers they are.
func compareSequence(a, b string) int {
	a, b = strings.TrimLeft(a, "0"), strings.TrimLeft(b, "0")
	if len(a) != len(b) {
		if len(a) < len(b) {
			return -1
		}
		return 1
	}
	return strings.Compare(a, b)
}

// comparePosition orders (sequence, sub-sequence) pairs.
func comparePosition(seqA string, subA int64, seqB string, subB int64) int {
	if c := compareSequence(seqA, seqB); c != 0 {
		return c
	}
	switch {
	case subA < subB:
		return -1
	case subA > subB:
		return 1
	}
	return 0
}

// after reports whether the user record at (seq, sub) comes after checkpoint cp. Every record comes
// after a sentinel checkpoint.
func after(seq string, sub int64, cp lease.Checkpoint) bool {
	if cp.SequenceNumber == "" || cp.IsSentinel() {
		return true
	}
	return comparePosition(seq, sub, cp.SequenceNumber, cp.SubSequenceNumber) > 0
}
