package store

import (
	"fmt"
	"math/rand/v2"
	"strings"
	"testing"
)

// TestSeqRunMatchesDigitAddition holds seqRun to appendNextSequence over long runs from random
// numbers, from numbers whose digits above the low 25 are nines up to the top (a carry that needs
// another digit ends the run), and across the carries out of the low digits.
func TestSeqRunMatchesDigitAddition(t *testing.T) {
	r := rand.New(rand.NewPCG(3, 4))
	digits := func(n int) string {
		var sb strings.Builder
		sb.WriteByte(byte('1' + r.IntN(9)))
		for sb.Len() < n {
			sb.WriteByte(byte('0' + r.IntN(10)))
		}
		return sb.String()
	}
	starts := []string{"2" + strings.Repeat("9", 30) + digits(25)[1:] + "0", strings.Repeat("9", 56), "1" + strings.Repeat("9", 55)}
	for range 200 {
		starts = append(starts, digits(56), digits(57), digits(26))
	}
	for _, start := range starts {
		var run seqRun
		if !run.start([]byte(start)) {
			t.Fatalf("%s: not started", start)
		}
		prev := []byte(start)
		for step := 0; step < 64; step++ {
			want, wantOK := appendNextSequence(nil, prev)
			got, ok := run.next(nil)
			if ok != wantOK || (ok && string(got) != string(want)) {
				t.Fatalf("after %s: got %s %v, want %s %v", prev, got, ok, want, wantOK)
			}
			if !ok {
				break
			}
			prev = want
		}
	}
	var run seqRun
	if run.start([]byte(strings.Repeat("1", 25))) {
		t.Fatal("a 25-digit number started a run")
	}
}

// TestAppendFixedDigits holds the two-digits-at-a-time writing to fmt's, for every width and
// values at its edges.
func TestAppendFixedDigits(t *testing.T) {
	for width := 1; width <= 20; width++ {
		for _, v := range []uint64{0, 1, 9, 10, 99, 100, 12345678901234567890, 1<<64 - 1, 4629174706176, 120892581961} {
			limit := uint64(1)
			for i := 0; i < width && i < 20; i++ {
				if limit > (1<<64-1)/10 {
					limit = 0 // 10^20 overflows: every v fits
					break
				}
				limit *= 10
			}
			if limit != 0 {
				v %= limit
			}
			want := fmt.Sprintf("%0*d", width, v)
			if got := string(appendFixedDigits([]byte("x"), v, width)); got != "x"+want {
				t.Fatalf("appendFixedDigits(%d, %d) = %q, want x%s", v, width, got, want)
			}
		}
	}
}
