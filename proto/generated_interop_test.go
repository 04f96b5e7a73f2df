//go:build interop

package proto_test

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"testing"

	"github.com/pelicanhq/pelican/internal/interop"
)

// TestInteropBufGenerateMatchesCommittedCode runs buf lint and buf generate, as make proto does,
// into a scratch directory and compares every generated file byte for byte with the committed one.
// protoc-gen-go is built from the module's own google.golang.org/protobuf requirement.
func TestInteropBufGenerateMatchesCommittedCode(t *testing.T) {
	buf := interop.Buf(t)
	root := interop.RepoRoot(t)
	plugins := t.TempDir()
	out := t.TempDir()

	build := exec.Command("go", "build", "-o", filepath.Join(plugins, "protoc-gen-go"), "google.golang.org/protobuf/cmd/protoc-gen-go")
	build.Dir = root
	if b, err := build.CombinedOutput(); err != nil {
		t.Fatalf("build protoc-gen-go: %v\n%s", err, b)
	}
	env := append(os.Environ(), "PATH="+plugins+string(os.PathListSeparator)+os.Getenv("PATH"))

	lint := exec.Command(buf, "lint")
	lint.Dir, lint.Env = root, env
	if b, err := lint.CombinedOutput(); err != nil {
		t.Errorf("buf lint: %v\n%s", err, b)
	}

	gen := exec.Command(buf, "generate", "-o", out)
	gen.Dir, gen.Env = root, env
	if b, err := gen.CombinedOutput(); err != nil {
		t.Fatalf("buf generate: %v\n%s", err, b)
	}

	var count int
	err := filepath.WalkDir(filepath.Join(out, "proto"), func(path string, d os.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		rel, err := filepath.Rel(out, path)
		if err != nil {
			return err
		}
		count++
		fresh, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		committed, err := os.ReadFile(filepath.Join(root, rel))
		if err != nil {
			t.Errorf("%s is generated but not committed: run make proto", rel)
			return nil
		}
		if !bytes.Equal(fresh, committed) {
			t.Errorf("%s differs from what buf generates: run make proto", rel)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if count == 0 {
		t.Fatal("buf generate wrote no files")
	}
}
