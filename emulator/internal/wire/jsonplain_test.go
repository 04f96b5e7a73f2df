package wire

import (
	"strings"
	"testing"
)

// plainByScan is jsonPlain's definition, a byte at a time.
func plainByScan(s string) bool {
	for i := 0; i < len(s); i++ {
		if c := s[i]; c < 0x20 || c >= 0x80 || c == '"' || c == '\\' || c == '<' || c == '>' || c == '&' {
			return false
		}
	}
	return true
}

// TestJSONPlainMatchesScan holds the eight-bytes-at-a-time test to the definition for every pair
// of byte values at every pair of neighbouring places of a word, and every byte at every place of
// strings of 1 to 17 bytes.
func TestJSONPlainMatchesScan(t *testing.T) {
	word := []byte("abcdefgh")
	for at := 0; at < 7; at++ {
		for a := 0; a < 256; a++ {
			for b := 0; b < 256; b++ {
				w := append([]byte(nil), word...)
				w[at], w[at+1] = byte(a), byte(b)
				if got, want := jsonPlain(string(w)), plainByScan(string(w)); got != want {
					t.Fatalf("%q: jsonPlain %v, the definition %v", w, got, want)
				}
			}
		}
	}
	for n := 1; n <= 17; n++ {
		for at := 0; at < n; at++ {
			for c := 0; c < 256; c++ {
				s := []byte(strings.Repeat("9", n))
				s[at] = byte(c)
				if got, want := jsonPlain(string(s)), plainByScan(string(s)); got != want {
					t.Fatalf("%q: jsonPlain %v, the definition %v", s, got, want)
				}
			}
		}
	}
}

func FuzzJSONPlain(f *testing.F) {
	f.Add("49590338271490256608559692538361571095921575989136588898")
	f.Add("key-<1>&\"\\\x1f\x7f\x80é")
	f.Fuzz(func(t *testing.T, s string) {
		if got, want := jsonPlain(s), plainByScan(s); got != want {
			t.Fatalf("%q: jsonPlain %v, the definition %v", s, got, want)
		}
	})
}
