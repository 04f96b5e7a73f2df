package main

import (
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
)

// TestBinaryDoesNotLinkTesting keeps package testing out of the pelican binary: the emulator, harness
// and pelicantest take small interfaces that testing.TB satisfies instead of testing.TB itself.
func TestBinaryDoesNotLinkTesting(t *testing.T) {
	goTool := filepath.Join(runtime.GOROOT(), "bin", "go")
	out, err := exec.Command(goTool, "list", "-deps", ".").CombinedOutput()
	if err != nil {
		t.Fatalf("go list -deps: %v\n%s", err, out)
	}
	for _, dep := range strings.Fields(string(out)) {
		if dep == "testing" {
			t.Fatal("the pelican binary links package testing (go list -deps ./cmd/pelican)")
		}
	}
}
