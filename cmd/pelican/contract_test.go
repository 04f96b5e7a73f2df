package main

import (
	"bytes"
	"context"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/pelicanhq/pelican/contract"
)

// contractGate is what `make contract` runs from the repository root: the schemas of proto/
// against the main branch.
var contractGate = []string{"contract", "breaking", "proto", "--against", "main"}

func runPelican(t *testing.T, args ...string) (code int, stdout, stderr string) {
	t.Helper()
	var out, errb bytes.Buffer
	code = run(context.Background(), args, &out, &errb)
	return code, out.String(), errb.String()
}

func writeTree(t *testing.T, dir string, files map[string]string) {
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

func gitRun(t *testing.T, dir string, args ...string) {
	t.Helper()
	cmd := exec.Command("git", args...)
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), "GIT_AUTHOR_NAME=pelican", "GIT_AUTHOR_EMAIL=pelican@example.com",
		"GIT_COMMITTER_NAME=pelican", "GIT_COMMITTER_EMAIL=pelican@example.com", "GIT_CONFIG_GLOBAL=/dev/null", "GIT_CONFIG_NOSYSTEM=1")
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("git %s: %v\n%s", strings.Join(args, " "), err, out)
	}
}

const clockV1 = `syntax = "proto3";

package example.clock.v1;

import "pelican/v1/options.proto";

message TimeTicked {
  string clock_id = 1 [(pelican.v1.partition_key) = true];
  uint32 hour = 2;
}
`

func repoOptionsProto(t *testing.T) string {
	t.Helper()
	data, err := os.ReadFile(filepath.Join("..", "..", "proto", "pelican", "v1", "options.proto"))
	if err != nil {
		t.Fatal(err)
	}
	return string(data)
}

// TestContractGate is the gate `make contract` keeps: in a repository whose main branch has an
// event, a change that breaks the event fails with exit code 100 and says why, and a change
// that keeps it compatible passes.
func TestContractGate(t *testing.T) {
	repo := t.TempDir()
	gitRun(t, repo, "init", "-q", "-b", "main")
	writeTree(t, repo, map[string]string{
		"proto/pelican/v1/options.proto":     repoOptionsProto(t),
		"proto/example/clock/v1/clock.proto": clockV1,
	})
	gitRun(t, repo, "add", "-A")
	gitRun(t, repo, "commit", "-q", "-m", "clock events")
	gitRun(t, repo, "checkout", "-q", "-b", "feature")
	t.Chdir(repo)

	for _, tc := range []struct {
		name, clock string
		code        int
		want        string
	}{
		{"unchanged", clockV1, 0, ""},
		{"field added", strings.Replace(clockV1, "uint32 hour = 2;", "uint32 hour = 2;\n  string zone = 3;", 1), 0, ""},
		{"partition key retyped", strings.Replace(clockV1, "string clock_id = 1", "int64 clock_id = 1", 1), 100,
			`Partition key field "clock_id" of event "TimeTicked" changed type from "string" to "int64".`},
		{"partition key dropped", strings.Replace(clockV1, " [(pelican.v1.partition_key) = true]", "", 1), 100,
			`Event "TimeTicked" no longer marks a partition key`},
		{"event renamed", strings.Replace(clockV1, "TimeTicked", "ClockTicked", 1), 100,
			`Event "example.clock.v1.TimeTicked" was renamed to "example.clock.v1.ClockTicked"`},
		{"field retyped", strings.Replace(clockV1, "uint32 hour", "string hour", 1), 100,
			`proto/example/clock/v1/clock.proto:9:3:Field "2" with name "hour" on message "TimeTicked" changed type from "uint32" to "string".`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			writeTree(t, repo, map[string]string{"proto/example/clock/v1/clock.proto": tc.clock})
			gitRun(t, repo, "commit", "-q", "-a", "--allow-empty", "-m", tc.name)
			code, stdout, stderr := runPelican(t, contractGate...)
			if code != tc.code || !strings.Contains(stdout, tc.want) {
				t.Errorf("exit %d, want %d\nstdout:\n%s\nstderr:\n%s", code, tc.code, stdout, stderr)
			}
		})
	}
}

// TestContractGateOnTheRepository runs the gate's command on the repository's own proto/
// against itself: its schemas compile, with their imports, under the gate's configuration.
func TestContractGateOnTheRepository(t *testing.T) {
	t.Chdir(filepath.Join("..", ".."))
	code, stdout, stderr := runPelican(t, "contract", "breaking", "proto", "--against", "proto")
	if code != 0 {
		t.Fatalf("exit %d\nstdout:\n%s\nstderr:\n%s", code, stdout, stderr)
	}
}

func TestContractBreakingExitCodes(t *testing.T) {
	dir := t.TempDir()
	t.Chdir(dir)
	writeTree(t, dir, map[string]string{
		"prev/acme/v1/a.proto":  "syntax = \"proto3\";\npackage acme.v1;\nmessage A {\n  int32 x = 1;\n}\n",
		"cur/acme/v1/a.proto":   "syntax = \"proto3\";\npackage acme.v1;\nmessage A {\n  string x = 1;\n}\n",
		"bad/acme/v1/a.proto":   "syntax = \"proto3\";\npackage acme.v1;\nmessage A {\n  int32 x = ;\n}\n",
		"empty/.keep":           "",
		"e2024/acme/v1/a.proto": "edition = \"2024\";\npackage acme.v1;\nmessage A {\n  int32 x = 1;\n}\n",
	})
	for _, tc := range []struct {
		name       string
		args       []string
		code       int
		stdout     string
		stderrPart string
	}{
		{"breaking", []string{"cur", "--against", "prev"}, 100, "cur/acme/v1/a.proto:4:3:Field \"1\" with name \"x\"", ""},
		{"flags before the directory", []string{"--against", "prev", "cur"}, 100, "cur/acme/v1/a.proto:4:3:", ""},
		{"json", []string{"cur", "--against", "prev", "--error-format", "json"}, 100, `{"path":"cur/acme/v1/a.proto","start_line":4,"start_column":3,`, ""},
		{"compatible", []string{"prev", "--against", "prev"}, 0, "", ""},
		{"compile error", []string{"bad", "--against", "prev"}, 1, "bad/acme/v1/a.proto:4:13:syntax error", "current: 1 compile error(s)"},
		{"compile error of the against version", []string{"prev", "--against", "bad", "--error-format", "msvs"}, 1, "bad/acme/v1/a.proto(4,13) : error COMPILE : syntax error", "against bad"},
		{"edition 2024", []string{"e2024", "--against", "prev"}, 1, `e2024/acme/v1/a.proto:1:11:edition "2024" is not supported: pelican contract compiles proto2, proto3 and edition "2023" files, so it cannot check this schema`, "current: 1 compile error(s)"},
		{"no against", []string{"cur"}, 2, "", "--against"},
		{"against nothing", []string{"cur", "--against", "nowhere"}, 2, "", "not a directory"},
		{"both against forms", []string{"cur", "--against", "prev", "--against-history", "main"}, 2, "", "not both"},
		{"bad format", []string{"cur", "--against", "prev", "--error-format", "yaml"}, 2, "", "--error-format"},
		{"bad policy", []string{"cur", "--against", "prev", "--policy", "SIDEWAYS"}, 2, "", "--policy"},
		{"two directories", []string{"cur", "prev", "--against", "prev"}, 2, "", "one directory"},
		{"unknown flag", []string{"cur", "--bogus"}, 2, "", "bogus"},
		{"bad config", []string{"cur", "--against", "prev", "--config", "missing.yaml"}, 1, "", "missing.yaml"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			code, stdout, stderr := runPelican(t, append([]string{"contract", "breaking"}, tc.args...)...)
			if code != tc.code || !strings.Contains(stdout, tc.stdout) || !strings.Contains(stderr, tc.stderrPart) {
				t.Errorf("exit %d (want %d)\nstdout:\n%s\nstderr:\n%s", code, tc.code, stdout, stderr)
			}
			if tc.stdout == "" && stdout != "" {
				t.Errorf("stdout = %q; want nothing", stdout)
			}
		})
	}
}

func TestContractPolicyAndConsumers(t *testing.T) {
	t.Chdir(filepath.Join("..", "..", "contract", "testdata", "CONSUMER_FIELD_SAME_TYPE"))
	code, stdout, _ := runPelican(t, "contract", "breaking", "current", "--against", "previous")
	if code != 100 || !strings.Contains(stdout, `subscriber "billing" relies on, changed type from "int64" to "int32"`) {
		t.Errorf("exit %d\n%s", code, stdout)
	}
	code, stdout, _ = runPelican(t, "contract", "breaking", "current", "--against", "previous", "--policy", "FORWARD")
	if code != 0 || stdout != "" {
		t.Errorf("the consumer rules are not checked forward: exit %d\n%s", code, stdout)
	}
}

func TestContractRules(t *testing.T) {
	for _, version := range []string{"v1", "v2"} {
		for _, format := range []string{"text", "json"} {
			code, stdout, stderr := runPelican(t, "contract", "rules", "--version", version, "--format", format)
			var want bytes.Buffer
			if err := contract.WriteRules(&want, contract.RulesForVersion(version), format); err != nil {
				t.Fatal(err)
			}
			if code != 0 || stdout != want.String() {
				t.Errorf("%s %s: exit %d, stderr %q\n%s", version, format, code, stderr, stdout)
			}
		}
	}
	if code, _, _ := runPelican(t, "contract", "rules", "--version", "v3"); code != 2 {
		t.Errorf("--version v3: exit %d, want 2", code)
	}
	if code, _, _ := runPelican(t, "contract", "nope"); code != 2 {
		t.Errorf("unknown subcommand: exit %d, want 2", code)
	}
	if code, _, _ := runPelican(t, "contract"); code != 2 {
		t.Errorf("no subcommand: exit %d, want 2", code)
	}
	if code, stdout, _ := runPelican(t, "contract", "--help"); code != 0 || !strings.Contains(stdout, "breaking") {
		t.Errorf("--help: exit %d\n%s", code, stdout)
	}
	if code, _, stderr := runPelican(t, "contract", "breaking", "--help"); code != 0 || !strings.Contains(stderr, "--against") {
		t.Errorf("breaking --help: exit %d\n%s", code, stderr)
	}
}

// TestWorkflowExample checks that the GitHub Actions example runs the gate's command.
func TestWorkflowExample(t *testing.T) {
	data, err := fs.ReadFile(os.DirFS(filepath.Join("..", "..")), "examples/github-actions/contract.yml")
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(data), "make contract") && !strings.Contains(string(data), strings.Join(contractGate, " ")) {
		t.Errorf("examples/github-actions/contract.yml does not run the gate (%s)", strings.Join(contractGate, " "))
	}
}
