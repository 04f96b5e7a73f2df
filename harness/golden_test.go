package harness_test

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/pelicanhq/pelican/harness"
)

// errorRecorder is a testing.TB that keeps what Errorf and Fatalf report.
type errorRecorder struct {
	testing.TB
	mu   sync.Mutex
	msgs []string
}

func (r *errorRecorder) Helper() {}
func (r *errorRecorder) Errorf(format string, args ...any) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.msgs = append(r.msgs, fmt.Sprintf(format, args...))
}
func (r *errorRecorder) Fatalf(format string, args ...any) { r.Errorf(format, args...) }

func TestGolden(t *testing.T) {
	if harness.Updating() {
		t.Skip("compares golden files; nothing to rewrite")
	}
	dir := t.TempDir()
	path := filepath.Join(dir, "effects.golden")
	lines := func(n int, change map[int]string) []byte {
		var b strings.Builder
		for i := 1; i <= n; i++ {
			if s, ok := change[i]; ok {
				b.WriteString(s + "\n")
				continue
			}
			fmt.Fprintf(&b, "zurich-hall: %02d:00 cuckoo\n", i)
		}
		return []byte(b.String())
	}
	if err := os.WriteFile(path, lines(20, nil), 0o644); err != nil {
		t.Fatal(err)
	}

	same := &errorRecorder{TB: t}
	harness.Golden(same, path, lines(20, nil))
	if len(same.msgs) != 0 {
		t.Errorf("equal output failed: %q", same.msgs)
	}

	differs := &errorRecorder{TB: t}
	harness.Golden(differs, path, lines(20, map[int]string{12: "zurich-hall: 12:00 silence"}))
	if len(differs.msgs) != 1 {
		t.Fatalf("messages %q, want one", differs.msgs)
	}
	msg := differs.msgs[0]
	for _, want := range []string{"effects.golden differs", "-update", "from line 11:", "- zurich-hall: 12:00 cuckoo", "+ zurich-hall: 12:00 silence", "  zurich-hall: 13:00 cuckoo"} {
		if !strings.Contains(msg, want) {
			t.Errorf("message lacks %q:\n%s", want, msg)
		}
	}
	if strings.Contains(msg, "05:00") || strings.Contains(msg, "18:00") {
		t.Errorf("message shows lines far from the change:\n%s", msg)
	}

	missing := &errorRecorder{TB: t}
	harness.Golden(missing, filepath.Join(dir, "none.golden"), nil)
	if len(missing.msgs) != 1 || !strings.Contains(missing.msgs[0], "-update") {
		t.Errorf("a missing golden file reported %q", missing.msgs)
	}
}

func TestEffects(t *testing.T) {
	fx := harness.NewEffects()
	var wg sync.WaitGroup
	for _, key := range []string{"zurich-hall", "bern-tower", "basel-gate"} {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for h := range 3 {
				fx.Add(key, "%02d:00", h)
			}
		}()
	}
	wg.Wait()
	want := "basel-gate: 00:00\nbasel-gate: 01:00\nbasel-gate: 02:00\n" +
		"bern-tower: 00:00\nbern-tower: 01:00\nbern-tower: 02:00\n" +
		"zurich-hall: 00:00\nzurich-hall: 01:00\nzurich-hall: 02:00\n"
	if fx.String() != want || fx.Len() != 9 || strings.Join(fx.Keys(), ",") != "basel-gate,bern-tower,zurich-hall" {
		t.Errorf("effects:\n%s", fx)
	}
}
