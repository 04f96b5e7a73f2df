package archtest_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/pelicanhq/pelican/internal/archtest"
)

// TestImportRules holds the module's imports, of code and tests, with and without the interop
// build tag, against the map of ARCHITECTURE.md.
func TestImportRules(t *testing.T) {
	for _, tags := range [][]string{nil, {"interop"}} {
		t.Run("tags="+strings.Join(tags, ","), func(t *testing.T) {
			ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
			defer cancel()
			module, pkgs, err := archtest.Load(ctx, "../..", "./...", tags...)
			if err != nil {
				t.Fatal(err)
			}
			// A list that misses the packages the rules are about would pass for nothing.
			for _, want := range []string{"", "/emulator", "/producer", "/consumer", "/harness", "/pelicantest", "/contract", "/cmd/pelican"} {
				if !hasPackage(pkgs, module+want) {
					t.Fatalf("go list did not list %s%s", module, want)
				}
			}
			vs := archtest.Check(module, pkgs, archtest.Rules())
			if err := archtest.FindFiles(pkgs, vs); err != nil {
				t.Fatal(err)
			}
			if len(vs) > 0 {
				var b strings.Builder
				for _, v := range vs {
					b.WriteString("\n  ")
					b.WriteString(v.String())
				}
				t.Errorf("%d imports break the map of ARCHITECTURE.md:%s", len(vs), b.String())
			}
			for _, c := range archtest.Cycles(pkgs) {
				t.Errorf("import cycle: %s", strings.Join(c, " -> "))
			}
		})
	}
}

func hasPackage(pkgs []archtest.Package, path string) bool {
	for _, p := range pkgs {
		if p.ImportPath == path {
			return true
		}
	}
	return false
}
