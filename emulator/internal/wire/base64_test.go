package wire

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"math/rand/v2"
	"testing"
)

// compareBase64 decodes src with decodeBase64 and with the standard library and fails on any
// difference in bytes, count or error.
func compareBase64(t *testing.T, src []byte) {
	t.Helper()
	want := make([]byte, base64.StdEncoding.DecodedLen(len(src)))
	got := make([]byte, len(want))
	wn, werr := base64.StdEncoding.Decode(want, src)
	gn, gerr := decodeBase64(got, src)
	if (werr == nil) != (gerr == nil) || (werr != nil && werr.Error() != gerr.Error()) {
		t.Fatalf("%q: error %v, standard library %v", src, gerr, werr)
	}
	if werr == nil && (gn != wn || !bytes.Equal(got[:gn], want[:wn])) {
		t.Fatalf("%q: decoded %d bytes %x, standard library %d bytes %x", src, gn, got[:gn], wn, want[:wn])
	}
}

func randomBytes(r *rand.Rand, n int) []byte {
	b := make([]byte, n)
	for i := range b {
		b[i] = byte(r.UintN(256))
	}
	return b
}

func TestDecodeBase64MatchesStdlib(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	for i := 0; i < 2000; i++ {
		raw := randomBytes(r, r.IntN(3000))
		text := []byte(base64.StdEncoding.EncodeToString(raw))
		compareBase64(t, text)
		if len(text) > 0 {
			// One byte changed anywhere: a bad character, a line break, padding in the middle.
			bad := bytes.Clone(text)
			bad[r.IntN(len(bad))] = "!\n\r=A\x00\xff"[r.IntN(7)]
			compareBase64(t, bad)
			compareBase64(t, text[:r.IntN(len(text))]) // cut short
		}
	}
}

func TestAppendJSONBlobMatchesEncodingJSON(t *testing.T) {
	r := rand.New(rand.NewPCG(3, 4))
	for i := 0; i < 2000; i++ {
		compareJSONBlob(t, randomBytes(r, r.IntN(3000)))
	}
	compareJSONBlob(t, nil)
}

func compareJSONBlob(t *testing.T, raw []byte) {
	t.Helper()
	want, _ := json.Marshal(raw)
	if raw == nil {
		want = []byte(`""`) // encoding/json writes null for a nil slice; records always have data
	}
	prefix := []byte("x")
	if got := AppendJSONBlob(prefix, raw); string(got) != "x"+string(want) {
		t.Fatalf("%x: got %s, want %s", raw, got, want)
	}
}

func FuzzAppendJSONBlob(f *testing.F) {
	f.Add([]byte("hello, world"))
	// Lengths on each side of the encoder's steps: 6 bytes, 24 bytes (while 26 remain), the tail.
	for _, n := range []int{5, 6, 7, 8, 23, 24, 25, 26, 27, 31, 32, 49, 50, 51, 52, 1024} {
		f.Add(bytes.Repeat([]byte{0xFB, 0xEF, 0x00, 0x3F, 0xC1}, n)[:n])
	}
	f.Fuzz(func(t *testing.T, raw []byte) { compareJSONBlob(t, raw) })
}

func FuzzDecodeBase64(f *testing.F) {
	for _, s := range []string{"", "aGVsbG8=", "aGVsbG8gd29ybGQhISE=", "aGVs\nbG8gd29ybGQh", "aGVsbG8gd29y!GQh", "aGVsbG8gd29ybGQhIQ==", "====aGVsbG8gd29y"} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, src []byte) { compareBase64(t, src) })
}

func BenchmarkDecodeBase64(b *testing.B) {
	raw := bytes.Repeat([]byte{0xA5, 0x5A, 0x00, 0xFF}, 256)
	text := []byte(base64.StdEncoding.EncodeToString(raw))
	dst := make([]byte, len(raw))
	b.Run("impl=wire", func(b *testing.B) {
		b.SetBytes(int64(len(text)))
		for i := 0; i < b.N; i++ {
			if _, err := decodeBase64(dst, text); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("impl=stdlib", func(b *testing.B) {
		b.SetBytes(int64(len(text)))
		for i := 0; i < b.N; i++ {
			if _, err := base64.StdEncoding.Decode(dst, text); err != nil {
				b.Fatal(err)
			}
		}
	})
}

func BenchmarkEncodeBase64(b *testing.B) {
	raw := bytes.Repeat([]byte{0xA5, 0x5A, 0x00, 0xFF}, 256)
	buf := make([]byte, 0, 2048)
	b.Run("impl=wire", func(b *testing.B) {
		b.SetBytes(int64(len(raw)))
		for i := 0; i < b.N; i++ {
			buf = AppendJSONBlob(buf[:0], raw)
		}
	})
	b.Run("impl=stdlib", func(b *testing.B) {
		b.SetBytes(int64(len(raw)))
		for i := 0; i < b.N; i++ {
			buf = base64.StdEncoding.AppendEncode(buf[:0], raw)
		}
	})
}
