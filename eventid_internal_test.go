package pelican

import (
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
