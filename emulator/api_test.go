package emulator_test

import (
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
)

// TestPublicAPIFitsOnOneScreen keeps the package's public API the server, its options, faults and
// clock: `go doc` of the package stays within 70 lines and 25 exported types, so that wire models
// and error constructors do not creep back into it.
func TestPublicAPIFitsOnOneScreen(t *testing.T) {
	out, err := exec.Command(filepath.Join(runtime.GOROOT(), "bin", "go"), "doc", ".").CombinedOutput()
	if err != nil {
		t.Fatalf("go doc: %v\n%s", err, out)
	}
	lines := strings.Split(strings.TrimRight(string(out), "\n"), "\n")
	types := 0
	for _, l := range lines {
		if strings.HasPrefix(l, "type ") {
			types++
		}
	}
	if len(lines) > 70 || types > 25 {
		t.Fatalf("go doc ./emulator is %d lines with %d exported types; keep it within 70 and 25:\n%s", len(lines), types, out)
	}
}
