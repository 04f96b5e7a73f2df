package emulator_test

import (
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
)

// TestServerDoesNotImportTesting keeps the testing package out of the server and of every binary
// that embeds it: RunT takes a Tester, which testing.TB satisfies.
func TestServerDoesNotImportTesting(t *testing.T) {
	goTool := filepath.Join(runtime.GOROOT(), "bin", "go")
	for _, pkg := range []string{".", "./internal/wire", "./internal/store"} {
		out, err := exec.Command(goTool, "list", "-deps", pkg).CombinedOutput()
		if err != nil {
			t.Fatalf("go list -deps %s: %v\n%s", pkg, err, out)
		}
		for _, dep := range strings.Fields(string(out)) {
			if dep == "testing" {
				t.Errorf("%s imports testing (go list -deps %s)", pkg, pkg)
			}
		}
	}
}
