//go:build interop

package contract

import (
	"errors"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"github.com/pelicanhq/pelican/internal/interop"
)

// bufCorpusVersion is the buf release whose own breaking-rule corpus Pelican is held to; go
// install of buf leaves the module, testdata included, in the module cache.
const bufCorpusVersion = "v1.75.0"

// bufCorpusSkipped are the corpus cases that exercise buf features other than its rules: check
// plugins (Wasm or binaries named in buf.yaml) and policies.
var bufCorpusSkipped = map[string]string{
	"breaking_custom_plugins":        "buf check plugin",
	"breaking_policy_disablebuiltin": "buf policy",
	"breaking_policy_empty":          "buf policy",
	"breaking_policy_local":          "buf policy and check plugin",
}

// bufCorpusRefused are the corpus cases whose files use an edition newer than the compiler
// Pelican builds on supports. buf compiles them; Pelican must refuse them with a compile error
// that names the edition, never answer as if nothing had changed.
var bufCorpusRefused = map[string]string{
	"breaking_file_same_cc_enable_arenas_edition_2026": "2026",
}

// bufDefaultConfig is what buf uses where a directory has no buf.yaml: a v1 module at its root
// with the FILE category.
const bufDefaultConfig = "version: v1\nbreaking:\n  use:\n    - FILE\n"

// bufCorpus returns the corpus directory (holding previous/ and current/) in the module cache,
// and fails the test when it is missing.
func bufCorpus(t *testing.T) string {
	t.Helper()
	out, err := exec.Command("go", "env", "GOMODCACHE").Output()
	if err != nil {
		t.Fatalf("go env GOMODCACHE: %v", err)
	}
	dir := filepath.Join(strings.TrimSpace(string(out)), "github.com", "bufbuild", "buf@"+bufCorpusVersion,
		"private", "bufpkg", "bufcheck", "testdata", "breaking")
	if _, err := os.Stat(filepath.Join(dir, "current")); err != nil {
		t.Fatalf("buf's breaking corpus is missing (go install github.com/bufbuild/buf/cmd/buf@%s puts it in the module cache): %v", bufCorpusVersion, err)
	}
	interop.Buf(t)
	return dir
}

// copyTree copies the regular files under src to dst, writable, so that a case can be given
// a buf.yaml without touching the read-only module cache.
func copyTree(t *testing.T, src, dst string) {
	t.Helper()
	err := filepath.WalkDir(src, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, err := filepath.Rel(src, p)
		if err != nil {
			return err
		}
		target := filepath.Join(dst, rel)
		if d.IsDir() {
			return os.MkdirAll(target, 0o755)
		}
		data, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		return os.WriteFile(target, data, 0o644)
	})
	if err != nil {
		t.Fatal(err)
	}
}

// corpusCases lists the corpus's cases, sorted.
func corpusCases(t *testing.T, corpus string) []string {
	t.Helper()
	entries, err := os.ReadDir(filepath.Join(corpus, "current"))
	if err != nil {
		t.Fatal(err)
	}
	var cases []string
	for _, e := range entries {
		if e.IsDir() {
			cases = append(cases, e.Name())
		}
	}
	sort.Strings(cases)
	return cases
}

// corpusCase lays out one case in a temporary directory as current/ and previous/, with buf's
// default configuration written out where the case has none, and returns the directory.
func corpusCase(t *testing.T, corpus, name string) string {
	t.Helper()
	dir := t.TempDir()
	copyTree(t, filepath.Join(corpus, "current", name), filepath.Join(dir, "current"))
	copyTree(t, filepath.Join(corpus, "previous", name), filepath.Join(dir, "previous"))
	if cfg, err := FindConfig(filepath.Join(dir, "current")); err != nil {
		t.Fatal(err)
	} else if cfg == nil {
		writeFiles(t, filepath.Join(dir, "current"), map[string]string{BufConfigFile: bufDefaultConfig})
	}
	return dir
}

// corpusKey is the identity of a finding in the recall and precision figures: rule, path and
// line. The test itself requires more to agree (columns, end position, message).
type corpusKey struct {
	Type, Path string
	Line       int
}

func countCorpusKeys(fs []Finding) map[corpusKey]int {
	m := make(map[corpusKey]int)
	for _, f := range fs {
		m[corpusKey{f.Type, f.Path, atLeast1(f.StartLine)}]++
	}
	return m
}

// matched counts the findings of a that b has too, duplicates counted once per copy.
func matched(a, b map[corpusKey]int) int {
	n := 0
	for k, c := range a {
		n += min(c, b[k])
	}
	return n
}

// TestInteropBufCorpus runs buf breaking and Pelican on every previous/current pair of buf's
// own breaking-rule corpus and requires the same findings: path, position, rule and message.
// Cases without a buf.yaml get buf's default made explicit. It logs recall and precision over
// the whole corpus on (rule, path, line).
func TestInteropBufCorpus(t *testing.T) {
	corpus := bufCorpus(t)
	cases := corpusCases(t, corpus)
	for _, listed := range []map[string]string{bufCorpusSkipped, bufCorpusRefused} {
		for name := range listed {
			if _, err := os.Stat(filepath.Join(corpus, "current", name)); err != nil {
				t.Errorf("listed case %s is not in the corpus: %v", name, err)
			}
		}
	}
	var bufTotal, ourTotal, hits, compared, refusedFindings int
	for _, name := range cases {
		if why, ok := bufCorpusSkipped[name]; ok {
			t.Logf("skip %s: %s, not a rule", name, why)
			continue
		}
		t.Run(name, func(t *testing.T) {
			dir := corpusCase(t, corpus, name)
			out, code := runBuf(t, dir, "breaking", "current", "--against", "previous", "--error-format", "json")
			bufs := parseBufJSON(t, out)
			if (code == 100) != (len(bufs) > 0) {
				t.Errorf("buf exited %d with %d findings", code, len(bufs))
			}
			if edition, ok := bufCorpusRefused[name]; ok {
				_, err := Check(t.Context(), filepath.Join(dir, "current"), WithAgainst(filepath.Join(dir, "previous")))
				var ce *CompileError
				if !errors.As(err, &ce) || !strings.Contains(err.Error(), `edition "`+edition+`" is not supported`) {
					t.Fatalf("pelican on edition %s files: got %v, want a compile error naming the edition", edition, err)
				}
				t.Logf("buf reports %d findings; pelican refuses the files: %v", len(bufs), err)
				refusedFindings += len(bufs)
				return
			}
			ours := ruleCase{dir: dir}.run(t)
			b, o := countCorpusKeys(bufs), countCorpusKeys(ours)
			bufTotal += len(bufs)
			ourTotal += len(ours)
			hits += matched(b, o)
			compared++
			compareWithBuf(t, ours, bufs)
		})
	}
	if bufTotal == 0 || ourTotal == 0 {
		t.Fatalf("no findings compared (buf %d, pelican %d)", bufTotal, ourTotal)
	}
	t.Logf("buf corpus %s: %d cases compared, %d skipped (plugins, policies), %d refused (editions after 2023)", bufCorpusVersion, compared, len(bufCorpusSkipped), len(bufCorpusRefused))
	t.Logf("compared cases: buf %d findings, pelican %d, both %d: recall %.1f%%, precision %.1f%%",
		bufTotal, ourTotal, hits, 100*float64(hits)/float64(bufTotal), 100*float64(hits)/float64(ourTotal))
	t.Logf("with the refused cases' %d buf findings counted as missed: recall %.2f%%",
		refusedFindings, 100*float64(hits)/float64(bufTotal+refusedFindings))
}

// TestInteropBufCorpusImage compares against a buf image of each case's previous version, built
// by buf itself, so that descriptors without Pelican's compile (options held as bytes, buf's
// source info) give the same findings too.
func TestInteropBufCorpusImage(t *testing.T) {
	corpus := bufCorpus(t)
	for _, name := range corpusCases(t, corpus) {
		if _, ok := bufCorpusSkipped[name]; ok {
			continue
		}
		if _, ok := bufCorpusRefused[name]; ok {
			continue
		}
		t.Run(name, func(t *testing.T) {
			dir := corpusCase(t, corpus, name)
			image := filepath.Join(dir, "previous.binpb")
			runBuf(t, dir, "build", "previous", "-o", image)
			out, _ := runBuf(t, dir, "breaking", "current", "--against", image, "--error-format", "json")
			t.Chdir(dir)
			got, err := Check(t.Context(), "current", WithAgainst("previous.binpb"))
			if err != nil {
				t.Fatal(err)
			}
			compareWithBuf(t, got, parseBufJSON(t, out))
		})
	}
}
