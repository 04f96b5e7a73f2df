package store

import (
	"math/bits"
	"strconv"
)

// appendDecimal188 appends the 188-bit number whose hexadecimal digits are hi (the top 60 bits),
// mid and lo in decimal to buf, without big.Int: sequence numbers are formatted on every write.
func appendDecimal188(buf []byte, hi, mid, lo uint64) []byte {
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
	buf = strconv.AppendUint(buf, lo, 10)
	for i := n - 1; i >= 0; i-- {
		// Nineteen digits, leading zeros included, written from the right.
		start := len(buf)
		buf = append(buf, "0000000000000000000"...)
		for j, v := start+18, parts[i]; v != 0; j, v = j-1, v/10 {
			buf[j] = byte('0' + v%10)
		}
	}
	return buf
}

// pow80 is 2^80 in decimal: what the next record index adds to a sequence number, whose index
// field starts at bit 80.
const pow80 = "1208925819614629174706176"

// appendNextSequence appends the sequence number of the record after the one whose number is
// prev, both of the same shard and arrival second: prev plus 2^80, added digit by digit, which is
// several times cheaper than formatting. ok is false if the sum would need another digit.
func appendNextSequence(buf []byte, prev []byte) (out []byte, ok bool) {
	if len(prev) < len(pow80) {
		return buf, false
	}
	start := len(buf)
	buf = append(buf, prev...)
	digits := buf[start:]
	carry := byte(0)
	for i := 1; i <= len(digits); i++ {
		d := digits[len(digits)-i] - '0' + carry
		if i <= len(pow80) {
			d += pow80[len(pow80)-i] - '0'
		} else if carry == 0 {
			break
		}
		carry = d / 10
		digits[len(digits)-i] = '0' + d%10
	}
	if carry != 0 {
		return buf[:start], false
	}
	return buf, true
}
