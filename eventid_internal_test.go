package pelican

import (
	"fmt"
	"math/rand/v2"
	"testing"
	"time"
)

// TestFormatUUIDv7 checks the text of the example UUIDv7 of RFC 9562, appendix A.6.
func TestFormatUUIDv7(t *testing.T) {
	at := time.UnixMilli(0x017F22E279B0)
	random := [10]byte{0x0C, 0xC3, 0x98, 0xC4, 0xDC, 0x0C, 0x0C, 0x07, 0x39, 0x8F}
	if got, want := formatUUIDv7(at, random), "017f22e2-79b0-7cc3-98c4-dc0c0c07398f"; got != want {
		t.Fatalf("formatUUIDv7 = %s, want %s", got, want)
	}
}

// TestPutUUIDTextMatchesFmt holds putUUIDText to fmt's %x: every byte value at every place, and
// random UUIDs.
func TestPutUUIDTextMatchesFmt(t *testing.T) {
	check := func(u [16]byte) {
		t.Helper()
		var s [36]byte
		putUUIDText(s[:], &u)
		want := fmt.Sprintf("%x-%x-%x-%x-%x", u[0:4], u[4:6], u[6:8], u[8:10], u[10:16])
		if string(s[:]) != want {
			t.Fatalf("putUUIDText(% x) = %s, want %s", u, s, want)
		}
	}
	for at := range 16 {
		for v := range 256 {
			var u [16]byte
			u[at] = byte(v)
			check(u)
		}
	}
	r := rand.New(rand.NewPCG(1, 2))
	for range 10000 {
		var u [16]byte
		for i := range u {
			u[i] = byte(r.Uint32())
		}
		check(u)
	}
}
