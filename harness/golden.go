package harness

import (
	"bytes"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strings"
)

// UpdateFlag is the name of the test flag that has Golden rewrite its files: go test -update.
// Golden looks the flag up by name, so define it once in the test package, as Go projects do:
//
//	var update = flag.Bool("update", false, "rewrite golden files")
const UpdateFlag = "update"

// Golden compares got with the golden file at path and fails the test with a line diff when they
// differ. When the test binary runs with -update (see UpdateFlag), it writes got to path
// instead, creating its directory.
func Golden(t TB, path string, got []byte) {
	t.Helper()
	if Updating() {
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			t.Fatalf("harness: golden: %v", err)
		}
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatalf("harness: golden: %v", err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("harness: golden: %v (run go test -%s to write it)", err, UpdateFlag)
	}
	if !bytes.Equal(got, want) {
		t.Errorf("harness: %s differs (run go test -%s to accept the new output):\n%s", path, UpdateFlag, diff(want, got))
	}
}

// Updating reports whether the test binary runs with -update set.
func Updating() bool {
	f := flag.Lookup(UpdateFlag)
	if f == nil {
		return false
	}
	g, ok := f.Value.(flag.Getter)
	if !ok {
		return f.Value.String() == "true"
	}
	b, _ := g.Get().(bool)
	return b
}

// diff shows the lines that differ, with one line of context, as "-want" and "+got".
func diff(want, got []byte) string {
	a := strings.Split(string(want), "\n")
	b := strings.Split(string(got), "\n")
	// Leave out the common start and end, then diff the rest by longest common subsequence,
	// unless it is too large for that, when it is shown whole.
	pre := 0
	for pre < len(a) && pre < len(b) && a[pre] == b[pre] {
		pre++
	}
	suf := 0
	for suf < len(a)-pre && suf < len(b)-pre && a[len(a)-1-suf] == b[len(b)-1-suf] {
		suf++
	}
	// One common line on each side shows where the change is.
	pre, suf = max(pre-1, 0), max(suf-1, 0)
	a, b = a[pre:len(a)-suf], b[pre:len(b)-suf]
	n, m := len(a), len(b)
	if n*m > 4_000_000 {
		var out strings.Builder
		fmt.Fprintf(&out, "from line %d:\n", pre+1)
		for _, l := range a {
			fmt.Fprintf(&out, "- %s\n", l)
		}
		for _, l := range b {
			fmt.Fprintf(&out, "+ %s\n", l)
		}
		return out.String()
	}
	lcs := make([][]int, n+1)
	for i := range lcs {
		lcs[i] = make([]int, m+1)
	}
	for i := n - 1; i >= 0; i-- {
		for j := m - 1; j >= 0; j-- {
			if a[i] == b[j] {
				lcs[i][j] = lcs[i+1][j+1] + 1
			} else {
				lcs[i][j] = max(lcs[i+1][j], lcs[i][j+1])
			}
		}
	}
	type op struct {
		kind byte
		line string
	}
	var ops []op
	i, j := 0, 0
	for i < n || j < m {
		switch {
		case i < n && j < m && a[i] == b[j]:
			ops = append(ops, op{' ', a[i]})
			i, j = i+1, j+1
		case i < n && (j == m || lcs[i+1][j] >= lcs[i][j+1]):
			ops = append(ops, op{'-', a[i]})
			i++
		default:
			ops = append(ops, op{'+', b[j]})
			j++
		}
	}
	var out strings.Builder
	fmt.Fprintf(&out, "from line %d:\n", pre+1)
	shown := -1
	for k, o := range ops {
		near := o.kind != ' ' || (k > 0 && ops[k-1].kind != ' ') || (k+1 < len(ops) && ops[k+1].kind != ' ')
		if !near {
			continue
		}
		if shown >= 0 && k > shown+1 {
			out.WriteString("   ...\n")
		}
		fmt.Fprintf(&out, "%c %s\n", o.kind, o.line)
		shown = k
	}
	return out.String()
}
