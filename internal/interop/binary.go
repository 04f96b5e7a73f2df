package interop

import (
	"bufio"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"
)

var (
	binOnce sync.Once
	binPath string
	binErr  string
)

// Binary builds the pelican command from this checkout once per test binary and returns its path.
func Binary(t testing.TB) string {
	t.Helper()
	binOnce.Do(func() {
		dir, err := os.MkdirTemp("", "pelican-bin-")
		if err != nil {
			binErr = err.Error()
			return
		}
		binPath = filepath.Join(dir, "pelican")
		build := exec.Command("go", "build", "-o", binPath, "./cmd/pelican")
		build.Dir = RepoRoot(t)
		if out, err := build.CombinedOutput(); err != nil {
			binErr = "go build: " + err.Error() + "\n" + string(out)
		}
	})
	if binErr != "" {
		t.Fatalf("interop: building pelican failed: %s", binErr)
	}
	return binPath
}

// FreeAddr returns a free loopback address.
func FreeAddr(t testing.TB) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	return ln.Addr().String()
}

// StartEmulator runs `pelican emulator --addr ADDR args...` until the test ends and returns its
// endpoint once it reports ready.
func StartEmulator(t testing.TB, args ...string) string {
	t.Helper()
	addr := FreeAddr(t)
	cmd := exec.Command(Binary(t), append([]string{"emulator", "--addr", addr}, args...)...)
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	var stderr strings.Builder
	cmd.Stderr = &stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		_ = cmd.Process.Signal(os.Interrupt)
		done := make(chan struct{})
		go func() { _ = cmd.Wait(); close(done) }()
		select {
		case <-done:
		case <-time.After(10 * time.Second):
			_ = cmd.Process.Kill()
		}
	})
	ready := make(chan string, 1)
	go func() {
		sc := bufio.NewScanner(stdout)
		for sc.Scan() {
			line := sc.Text()
			if strings.HasPrefix(line, "Pelican Kinesis emulator listening on ") {
				fields := strings.Fields(strings.TrimPrefix(line, "Pelican Kinesis emulator listening on "))
				ready <- fields[0]
			}
		}
	}()
	select {
	case url := <-ready:
		return url
	case <-time.After(30 * time.Second):
		t.Fatalf("interop: pelican emulator did not report ready in 30s; stderr: %s", stderr.String())
	}
	return fmt.Sprintf("http://%s", addr)
}
