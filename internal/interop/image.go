package interop

import (
	"os"
	"os/exec"
	"path/filepath"
	"sync"
	"testing"
)

// ImageTag is the tag the interop tests build the emulator image under.
const ImageTag = "pelican:interop"

var imageOnce sync.Once
var imageErr string

// Image builds the FROM scratch emulator image from this checkout (a static binary, then docker
// build, as `make image` does) once per test binary, and returns its tag.
func Image(t testing.TB) string {
	t.Helper()
	docker := Docker(t)
	imageOnce.Do(func() {
		root := RepoRoot(t)
		dir, err := os.MkdirTemp("", "pelican-image-")
		if err != nil {
			imageErr = err.Error()
			return
		}
		defer os.RemoveAll(dir)
		build := exec.Command("go", "build", "-trimpath", "-o", filepath.Join(dir, "pelican"), "./cmd/pelican")
		build.Dir = root
		build.Env = append(os.Environ(), "CGO_ENABLED=0")
		if out, err := build.CombinedOutput(); err != nil {
			imageErr = "go build: " + err.Error() + "\n" + string(out)
			return
		}
		img := exec.Command(docker, "build", "-q", "-t", ImageTag, "-f", filepath.Join(root, "Dockerfile"), dir)
		if out, err := img.CombinedOutput(); err != nil {
			imageErr = "docker build: " + err.Error() + "\n" + string(out)
		}
	})
	if imageErr != "" {
		t.Fatalf("interop: building the emulator image failed: %s", imageErr)
	}
	return ImageTag
}
