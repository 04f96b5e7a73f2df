package store

// seqRun derives the sequence numbers of consecutive records of one shard and arrival second,
// each 2^80 above the one before (sequence.go's layout puts the record index at bit 80). It keeps
// the low 25 digits as two integers, so that each number costs an addition and the writing of 25
// digits instead of a digit-by-digit addition: reads format every sequence number they return.
type seqRun struct {
	hi []byte // the digits above the low 25, of the last number
	a  uint64 // the low 25 digits: a the upper 12,
	b  uint64 // b the lower 13
}

// 2^80 = pow80A * 10^13 + pow80B.
const (
	pow80A = 120892581961
	pow80B = 4629174706176
	e12    = 1_000_000_000_000
	e13    = 10_000_000_000_000
)

// start takes the decimal number seq as the last of the run; false if it is too short to split.
func (r *seqRun) start(seq []byte) bool {
	n := len(seq)
	if n <= 25 {
		return false
	}
	r.hi = append(r.hi[:0], seq[:n-25]...)
	r.a, r.b = 0, 0
	for _, c := range seq[n-25 : n-13] {
		r.a = r.a*10 + uint64(c-'0')
	}
	for _, c := range seq[n-13:] {
		r.b = r.b*10 + uint64(c-'0')
	}
	return true
}

// next appends the number 2^80 above the last and makes it the last. ok is false (and nothing is
// appended) if it needs one more digit; the run is then over.
func (r *seqRun) next(buf []byte) (_ []byte, ok bool) {
	a, b := r.a+pow80A, r.b+pow80B
	if b >= e13 {
		b -= e13
		a++
	}
	if a >= e12 {
		a -= e12
		i := len(r.hi) - 1
		for ; i >= 0 && r.hi[i] == '9'; i-- {
		}
		if i < 0 {
			return buf, false
		}
		r.hi[i]++
		for j := i + 1; j < len(r.hi); j++ {
			r.hi[j] = '0'
		}
	}
	r.a, r.b = a, b
	buf = append(buf, r.hi...)
	buf = appendFixedDigits(buf, a, 12)
	return appendFixedDigits(buf, b, 13), true
}

// appendFixedDigits appends v in decimal as exactly width digits (v < 10^width, width <= 20), two
// digits per division.
func appendFixedDigits(buf []byte, v uint64, width int) []byte {
	var d [20]byte
	i := width
	for ; i >= 2; i -= 2 {
		q := v / 100
		pair := v - q*100
		d[i-2], d[i-1] = digitPairs[2*pair], digitPairs[2*pair+1]
		v = q
	}
	if i == 1 {
		d[0] = byte('0' + v%10)
	}
	return append(buf, d[:width]...)
}

// digitPairs holds "00" to "99".
const digitPairs = "00010203040506070809101112131415161718192021222324252627282930313233343536373839" +
	"40414243444546474849505152535455565758596061626364656667686970717273747576777879" +
	"8081828384858687888990919293949596979899"
