package contract

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// rulesMarkdown renders the rule table for docs/contract.md.
func rulesMarkdown() string {
	var b strings.Builder
	b.WriteString("| ID | categories | buf default | purpose |\n| --- | --- | --- | --- |\n")
	for _, r := range RulesForVersion("v2") {
		def := ""
		if r.Default {
			def = "yes"
		}
		fmt.Fprintf(&b, "| `%s` | %s | %s | %s |\n", r.ID, r.CategoriesString(), def, r.Purpose)
	}
	return b.String()
}

// TestDocs keeps the rule table of docs/contract.md equal to the rule table of the code; go
// test -update rewrites it.
func TestDocs(t *testing.T) {
	path := filepath.Join("..", "docs", "contract.md")
	doc, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	const begin, end = "<!-- rules:begin -->\n", "<!-- rules:end -->"
	i, j := bytes.Index(doc, []byte(begin)), bytes.Index(doc, []byte(end))
	if i < 0 || j < i {
		t.Fatalf("%s has no %q ... %q section", path, begin, end)
	}
	want := rulesMarkdown()
	if got := string(doc[i+len(begin) : j]); got != want {
		if !*update {
			t.Fatalf("%s: the rule table differs from the code's; run go test ./contract -run TestDocs -update", path)
		}
		out := append(append(append([]byte{}, doc[:i+len(begin)]...), want...), doc[j:]...)
		if err := os.WriteFile(path, out, 0o644); err != nil {
			t.Fatal(err)
		}
	}
}
