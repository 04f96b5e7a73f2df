//go:build interop

package contract

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/pelicanhq/pelican/internal/interop"
)

// These tests hold Pelican to buf v1.75.0 itself: the rule table, and the findings of every
// rule's testdata. buf is installed by make setup-interop (go install).

func runBuf(t testing.TB, dir string, args ...string) (stdout []byte, code int) {
	t.Helper()
	cmd := exec.Command(interop.Buf(t), args...)
	cmd.Dir = dir
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	var ee *exec.ExitError
	switch {
	case errors.As(err, &ee):
		code = ee.ExitCode()
	case err != nil:
		t.Fatalf("buf %s: %v", strings.Join(args, " "), err)
	}
	if code != 0 && code != 100 {
		t.Fatalf("buf %s: exit %d: %s", strings.Join(args, " "), code, stderr.String())
	}
	return out, code
}

func TestInteropBufVersion(t *testing.T) {
	out, _ := runBuf(t, t.TempDir(), "--version")
	if got := strings.TrimSpace(string(out)); got != "1.75.0" {
		t.Fatalf("buf --version = %q; these tests pin buf 1.75.0", got)
	}
}

// TestInteropBufRuleList compares the rule table with buf config ls-breaking-rules, for both
// buf.yaml versions and both formats, byte for byte.
func TestInteropBufRuleList(t *testing.T) {
	for _, version := range []string{"v1", "v2"} {
		for _, format := range []string{"text", "json"} {
			t.Run(version+"/"+format, func(t *testing.T) {
				want, _ := runBuf(t, t.TempDir(), "config", "ls-breaking-rules", "--version", version, "--format", format)
				var bufRules []Rule
				for _, r := range RulesForVersion(version) {
					if r.Origin == originBuf {
						bufRules = append(bufRules, r)
					}
				}
				var got bytes.Buffer
				if err := WriteRules(&got, bufRules, format); err != nil {
					t.Fatal(err)
				}
				if !bytes.Equal(got.Bytes(), want) {
					t.Errorf("rule list differs from buf's\n--- pelican\n%s--- buf\n%s", got.Bytes(), want)
				}
			})
		}
	}
}

func parseBufJSON(t *testing.T, out []byte) []Finding {
	t.Helper()
	var fs []Finding
	for _, line := range strings.Split(strings.TrimSpace(string(out)), "\n") {
		if line == "" {
			continue
		}
		var f Finding
		if err := json.Unmarshal([]byte(line), &f); err != nil {
			t.Fatalf("buf output %q: %v", line, err)
		}
		fs = append(fs, f)
	}
	return fs
}

// key is what the differential test requires to agree: where and which rule.
type key struct {
	Path              string
	Line, Column      int
	Type              string
	Message           string
	EndLine, EndColum int
}

func keys(fs []Finding) map[key]int {
	m := make(map[key]int)
	for _, f := range fs {
		m[key{f.Path, atLeast1(f.StartLine), atLeast1(f.StartColumn), f.Type, f.Message, atLeast1(f.EndLine), atLeast1(f.EndColumn)}]++
	}
	return m
}

func compareWithBuf(t *testing.T, ours, bufs []Finding) {
	t.Helper()
	o, b := keys(ours), keys(bufs)
	for k, n := range b {
		if o[k] != n {
			t.Errorf("buf found, pelican did not: %+v", k)
		}
	}
	for k, n := range o {
		if b[k] != n {
			t.Errorf("pelican found, buf did not: %+v", k)
		}
	}
}

// TestInteropBufBreaking runs buf breaking --error-format json on every rule's testdata and
// requires Pelican's findings to be the same: path, position, type, message.
func TestInteropBufBreaking(t *testing.T) {
	for _, r := range Rules() {
		if r.Origin != originBuf {
			continue
		}
		t.Run(r.ID, func(t *testing.T) {
			c := ruleCase{dir: filepath.Join("testdata", r.ID)}
			out, code := runBuf(t, c.dir, "breaking", "current", "--against", "previous", "--error-format", "json")
			bufs := parseBufJSON(t, out)
			if (code == 100) != (len(bufs) > 0) {
				t.Errorf("buf exited %d with %d findings; it exits 100 exactly when it finds breaking changes", code, len(bufs))
			}
			compareWithBuf(t, c.run(t), bufs)
		})
	}
}

// TestInteropBufConfigs runs buf breaking on the configuration cases: rule selection by
// category and ID, except, ignore, ignore_only, ignore_unstable_packages, deprecated rule IDs,
// and v2 modules with their own rules and excludes.
func TestInteropBufConfigs(t *testing.T) {
	for _, c := range configCases(t) {
		t.Run(filepath.Base(c.dir), func(t *testing.T) {
			out, _ := runBuf(t, c.dir, "breaking", "current", "--against", "previous", "--error-format", "json")
			compareWithBuf(t, c.run(t), parseBufJSON(t, out))
		})
	}
}

// TestInteropBufErrorFormats prints the same findings in every error format and requires the
// bytes buf prints, GitLab fingerprints included.
func TestInteropBufErrorFormats(t *testing.T) {
	c := ruleCase{dir: filepath.Join("testdata", "configs", "v2-default")}
	ours := c.run(t)
	for _, format := range Formats {
		t.Run(string(format), func(t *testing.T) {
			want, code := runBuf(t, c.dir, "breaking", "current", "--against", "previous", "--error-format", string(format))
			if code != 100 {
				t.Fatalf("buf exited %d, want 100", code)
			}
			var got bytes.Buffer
			if err := WriteFindings(&got, ours, format); err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(got.Bytes(), want) {
				t.Errorf("%s output differs from buf's\n--- pelican\n%s--- buf\n%s", format, got.Bytes(), want)
			}
		})
	}
}

// TestInteropBufImageAgainst compares against a buf image of the previous schemas, built by
// buf itself, for every rule's testdata.
func TestInteropBufImageAgainst(t *testing.T) {
	for _, r := range Rules() {
		if r.Origin != originBuf {
			continue
		}
		t.Run(r.ID, func(t *testing.T) {
			dir := filepath.Join("testdata", r.ID)
			image := filepath.Join(t.TempDir(), "previous.binpb")
			runBuf(t, dir, "build", "previous", "-o", image)
			out, _ := runBuf(t, dir, "breaking", "current", "--against", image, "--error-format", "json")
			ctx := context.Background()
			cfg, err := FindConfig(filepath.Join(dir, "current"))
			if err != nil {
				t.Fatal(err)
			}
			cur, err := compile(ctx, treeFor(os.DirFS(filepath.Join(dir, "current")), "current", "current", cfg))
			if err != nil {
				t.Fatal(err)
			}
			prev, err := LoadImage(image)
			if err != nil {
				t.Fatal(err)
			}
			got, err := Breaking(ctx, cur, prev, WithConfig(cfg))
			if err != nil {
				t.Fatal(err)
			}
			compareWithBuf(t, got, parseBufJSON(t, out))
		})
	}
}

// BenchmarkBufBreaking times `buf breaking current --against previous` on the tree of
// BenchmarkBreaking, so that one run of go test -tags interop -bench Breaking compares the two.
func BenchmarkBufBreaking(b *testing.B) {
	cur, prev := benchTree(b)
	buf := interop.Buf(b)
	dir := filepath.Dir(cur)
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		cmd := exec.Command(buf, "breaking", filepath.Base(cur), "--against", filepath.Base(prev))
		cmd.Dir = dir
		out, err := cmd.Output()
		var ee *exec.ExitError
		if !errors.As(err, &ee) || ee.ExitCode() != 100 || len(out) == 0 {
			b.Fatalf("buf breaking: %v (want exit 100 with findings)", err)
		}
	}
}
