package interop

import (
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"testing"
	"time"
)

// installHint is the one command that installs every interop tool on a Debian machine.
const installHint = "run 'make setup-interop' (Debian: apt packages, npm packages under tools/node, buf via go install)"

// AWSCLIPath is where Debian's awscli package puts the AWS CLI; another `aws` may come first on PATH.
const AWSCLIPath = "/usr/bin/aws"

// RepoRoot returns the module's root directory, found from this source file.
func RepoRoot(t testing.TB) string {
	t.Helper()
	_, file, _, ok := runtime.Caller(0)
	if !ok {
		t.Fatal("interop: cannot locate the repository root")
	}
	return filepath.Clean(filepath.Join(filepath.Dir(file), "..", ".."))
}

// AWSCLI returns the path of Debian's AWS CLI, failing the test when it is not installed.
func AWSCLI(t testing.TB) string {
	t.Helper()
	if _, err := os.Stat(AWSCLIPath); err != nil {
		t.Fatalf("interop: the AWS CLI is missing at %s (Debian package awscli): %s", AWSCLIPath, installHint)
	}
	return AWSCLIPath
}

// Node returns the path of node, failing the test when it is not installed.
func Node(t testing.TB) string {
	t.Helper()
	return lookPath(t, "node", "Node.js")
}

// NodeModules returns tools/node/node_modules after checking that each named package is installed
// there, failing the test otherwise. Scripts run with NODE_PATH set to it.
func NodeModules(t testing.TB, packages ...string) string {
	t.Helper()
	dir := filepath.Join(RepoRoot(t), "tools", "node", "node_modules")
	for _, p := range packages {
		if _, err := os.Stat(filepath.Join(dir, p, "package.json")); err != nil {
			t.Fatalf("interop: npm package %s is missing under %s: %s", p, dir, installHint)
		}
	}
	return dir
}

// Buf returns the path of buf, failing the test when it is not installed.
func Buf(t testing.TB) string {
	t.Helper()
	if p, err := exec.LookPath("buf"); err == nil {
		return p
	}
	gobin := filepath.Join(goPath(), "bin", "buf")
	if _, err := os.Stat(gobin); err == nil {
		return gobin
	}
	t.Fatalf("interop: buf is missing (go install github.com/bufbuild/buf/cmd/buf@v1.75.0): %s", installHint)
	return ""
}

// Docker fails the test unless a Docker engine answers `docker info`, and returns the client path.
func Docker(t testing.TB) string {
	t.Helper()
	p := lookPath(t, "docker", "Docker (Debian package docker.io)")
	cmd := exec.Command(p, "info")
	done := make(chan error, 1)
	go func() { done <- cmd.Run() }()
	select {
	case err := <-done:
		if err != nil {
			t.Fatalf("interop: the Docker engine does not answer 'docker info' (%v): %s starts dockerd", err, installHint)
		}
	case <-time.After(30 * time.Second):
		_ = cmd.Process.Kill()
		t.Fatalf("interop: 'docker info' did not answer in 30s: %s starts dockerd", installHint)
	}
	return p
}

// Compose returns the compose command to use: `docker-compose` (v1, Debian) or `docker compose`.
func Compose(t testing.TB) []string {
	t.Helper()
	if p, err := exec.LookPath("docker-compose"); err == nil {
		return []string{p}
	}
	docker := Docker(t)
	if err := exec.Command(docker, "compose", "version").Run(); err == nil {
		return []string{docker, "compose"}
	}
	t.Fatalf("interop: neither docker-compose nor 'docker compose' is installed: %s", installHint)
	return nil
}

func lookPath(t testing.TB, name, what string) string {
	t.Helper()
	p, err := exec.LookPath(name)
	if err != nil {
		t.Fatalf("interop: %s is missing (%s not on PATH): %s", what, name, installHint)
	}
	return p
}

func goPath() string {
	if p := os.Getenv("GOPATH"); p != "" {
		return filepath.SplitList(p)[0]
	}
	home, _ := os.UserHomeDir()
	return filepath.Join(home, "go")
}
