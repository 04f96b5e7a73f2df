package contract

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// writeFiles writes files (slash-separated path -> content) under dir.
func writeFiles(t testing.TB, dir string, files map[string]string) {
	t.Helper()
	for name, body := range files {
		p := filepath.Join(dir, filepath.FromSlash(name))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
	}
}

// git runs a git command in dir and returns its trimmed output. Git inputs are read with the
// git command, so these tests need it, as every Go checkout does.
func git(t testing.TB, dir string, args ...string) string {
	t.Helper()
	cmd := exec.Command("git", args...)
	cmd.Dir = dir
	cmd.Env = append(os.Environ(),
		"GIT_AUTHOR_NAME=pelican", "GIT_AUTHOR_EMAIL=pelican@example.com",
		"GIT_COMMITTER_NAME=pelican", "GIT_COMMITTER_EMAIL=pelican@example.com",
		"GIT_CONFIG_GLOBAL=/dev/null", "GIT_CONFIG_NOSYSTEM=1")
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("git %s: %v\n%s", strings.Join(args, " "), err, out)
	}
	return strings.TrimSpace(string(out))
}

// newRepo starts a git repository in a temporary directory, on branch main.
func newRepo(t testing.TB) string {
	t.Helper()
	dir := t.TempDir()
	git(t, dir, "init", "-q", "-b", "main")
	return dir
}

// commit writes files and commits everything.
func commit(t testing.TB, dir, msg string, files map[string]string) string {
	t.Helper()
	writeFiles(t, dir, files)
	git(t, dir, "add", "-A")
	git(t, dir, "commit", "-q", "--allow-empty", "-m", msg)
	return git(t, dir, "rev-parse", "HEAD")
}

// loadFiles compiles an in-memory set of files as one schema with the default layout.
func loadFiles(t testing.TB, files map[string]string) *Schema {
	t.Helper()
	dir := t.TempDir()
	writeFiles(t, dir, files)
	s, err := LoadDir(context.Background(), dir, nil)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func findingTypes(fs []Finding) []string {
	out := make([]string, len(fs))
	for i, f := range fs {
		out[i] = f.Type
	}
	return out
}
