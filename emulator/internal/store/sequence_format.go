package store

import (
	"math/bits"
	"strconv"
)

// decimal188 renders the 188-bit number whose hexadecimal digits are hi (the top 60 bits), mid and
// lo as a decimal string, without big.Int: sequence numbers are formatted on every write.
func decimal188(hi, mid, lo uint64) string {
	// Divide the three-limb number by 10^19 repeatedly; each remainder is 19 decimal digits.
	const chunk = 10_000_000_000_000_000_000
	var parts [4]uint64
	n := 0
	for hi != 0 || mid != 0 || lo >= chunk {
		var r uint64
		hi, r = bits.Div64(0, hi, chunk)
		mid, r = bits.Div64(r, mid, chunk)
		lo, r = bits.Div64(r, lo, chunk)
		parts[n] = r
		n++
	}
	buf := make([]byte, 0, 60)
	buf = strconv.AppendUint(buf, lo, 10)
	for i := n - 1; i >= 0; i-- {
		s := strconv.FormatUint(parts[i], 10)
		for pad := len(s); pad < 19; pad++ {
			buf = append(buf, '0')
		}
		buf = append(buf, s...)
	}
	return string(buf)
}
