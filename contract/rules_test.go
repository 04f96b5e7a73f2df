package contract

import (
	"bytes"
	"context"
	"errors"
	"flag"
	"io/fs"
	"os"
	"path/filepath"
	"testing"
)

var update = flag.Bool("update", false, "rewrite golden files under testdata")

// ruleCase is one directory of testdata/<RULE>: previous/ and current/ schemas (current holds
// the buf.yaml or pelican.yaml that selects the rule), optional consumer/ code, and the
// expected findings in findings.json, in buf's JSON error format.
type ruleCase struct {
	dir string
}

// run checks the case as `pelican contract breaking current --against previous` would from
// inside the case directory.
func (c ruleCase) run(t *testing.T) []Finding {
	t.Helper()
	ctx := context.Background()
	cfg, err := FindConfig(filepath.Join(c.dir, "current"))
	if err != nil {
		t.Fatal(err)
	}
	if cfg == nil {
		t.Fatalf("%s: current/ has no buf.yaml or pelican.yaml selecting the rule", c.dir)
	}
	cur, err := compile(ctx, treeFor(os.DirFS(filepath.Join(c.dir, "current")), "current", "current", cfg))
	if err != nil {
		t.Fatal(err)
	}
	prevCfg, err := FindConfig(filepath.Join(c.dir, "previous"))
	if err != nil {
		t.Fatal(err)
	}
	if prevCfg == nil {
		prevCfg = cfg
	}
	prev, err := compile(ctx, treeFor(os.DirFS(filepath.Join(c.dir, "previous")), "previous", "previous", prevCfg))
	if err != nil {
		t.Fatal(err)
	}
	opts := []Option{WithConfig(cfg)}
	for _, d := range cfg.Consumers {
		cons, err := ReadConsumer(filepath.Join(c.dir, "current", d), cur, prev)
		if err != nil {
			t.Fatal(err)
		}
		opts = append(opts, WithConsumers(cons))
	}
	got, err := Breaking(ctx, cur, prev, opts...)
	if err != nil {
		t.Fatal(err)
	}
	return got
}

func findingsJSON(t *testing.T, fs []Finding) []byte {
	t.Helper()
	var b bytes.Buffer
	if err := WriteFindings(&b, fs, FormatJSON); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

// golden compares findings with a case's findings.json, or rewrites it under -update.
func (c ruleCase) golden(t *testing.T, got []Finding) {
	t.Helper()
	golden := filepath.Join(c.dir, "findings.json")
	if *update {
		if err := os.WriteFile(golden, findingsJSON(t, got), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(golden)
	if errors.Is(err, fs.ErrNotExist) {
		t.Fatalf("%s is missing; run go test -update", golden)
	}
	if err != nil {
		t.Fatal(err)
	}
	if g := findingsJSON(t, got); !bytes.Equal(g, want) {
		t.Errorf("findings differ from %s\n--- got\n%s--- want\n%s", golden, g, want)
	}
}

// configCases are the directories of testdata/configs: one buf.yaml each, exercising rule
// selection, ignores and module layouts.
func configCases(t *testing.T) []ruleCase {
	t.Helper()
	entries, err := os.ReadDir(filepath.Join("testdata", "configs"))
	if err != nil {
		t.Fatal(err)
	}
	var out []ruleCase
	for _, e := range entries {
		out = append(out, ruleCase{dir: filepath.Join("testdata", "configs", e.Name())})
	}
	return out
}

// TestConfigCases checks the findings of each configuration case against its golden file.
func TestConfigCases(t *testing.T) {
	for _, c := range configCases(t) {
		t.Run(filepath.Base(c.dir), func(t *testing.T) {
			c.golden(t, c.run(t))
		})
	}
}

// TestRules runs every rule of the table on its own testdata and compares the findings with
// the golden file; go test -update rewrites the golden files.
func TestRules(t *testing.T) {
	for _, r := range Rules() {
		t.Run(r.ID, func(t *testing.T) {
			c := ruleCase{dir: filepath.Join("testdata", r.ID)}
			if _, err := os.Stat(c.dir); err != nil {
				t.Fatalf("rule %s has no golden test: %v", r.ID, err)
			}
			got := c.run(t)
			fired := false
			for _, f := range got {
				if f.Type == r.ID {
					fired = true
				}
			}
			if !fired {
				t.Errorf("the testdata does not make %s fire", r.ID)
			}
			c.golden(t, got)
		})
	}
}
