package archtest_test

import (
	"slices"
	"strings"
	"testing"

	"github.com/pelicanhq/pelican/internal/archtest"
)

const mod = "example.com/m"

// pkg makes a package of module mod from module-relative paths: "." is the root, a path with a
// dot in its first element is outside the module.
func pkg(path string, imports, testImports []string) archtest.Package {
	return archtest.Package{ImportPath: abs(path), Imports: absAll(imports), XTestImports: absAll(testImports)}
}

func abs(p string) string {
	switch {
	case p == ".":
		return mod
	case strings.Contains(strings.Split(p, "/")[0], "."):
		return p
	}
	return mod + "/" + p
}

func absAll(ps []string) []string {
	out := make([]string, len(ps))
	for i, p := range ps {
		out[i] = abs(p)
	}
	return out
}

// TestCheckCatchesViolations feeds the checker import lists that break each rule, and others
// that keep them.
func TestCheckCatchesViolations(t *testing.T) {
	for _, tt := range []struct {
		name string
		pkgs []archtest.Package
		want []string // "rule from[ (tests)] to[ via a,b]", module-relative
	}{
		{"a clean map", []archtest.Package{
			pkg(".", []string{"producer", "consumer", "internal/shardlist"}, []string{"pelicantest"}),
			pkg("producer", []string{"aggregation", "internal/shardlist", "github.com/aws/aws-sdk-go-v2/aws"}, []string{"pelicantest"}),
			pkg("consumer", []string{"consumer/lease", "aggregation"}, []string{"pelicantest"}),
			pkg("consumer/lease", nil, nil),
			pkg("aggregation", nil, nil),
			pkg("internal/shardlist", []string{"github.com/aws/aws-sdk-go-v2/aws"}, []string{"pelicantest"}),
			pkg("pelicantest", []string{"emulator", "internal/shardlist", "."}, nil),
			pkg("emulator", nil, []string{"pelicantest"}),
			pkg("harness", []string{".", "contract"}, []string{"pelicantest"}),
			pkg("contract", []string{"google.golang.org/protobuf/proto"}, nil),
			pkg("cmd/pelican", []string{"emulator", "harness", "pelicantest"}, nil),
			pkg("examples/notifier", []string{".", "producer"}, []string{"pelicantest"}),
		}, nil},
		{"a client's test imports the emulator", []archtest.Package{
			pkg("producer", nil, []string{"emulator"}),
			pkg("emulator", nil, nil),
		}, []string{"clients-use-the-sdk producer (tests) emulator"}},
		{"the root package imports the emulator", []archtest.Package{
			pkg(".", []string{"emulator"}, nil),
			pkg("emulator", nil, nil),
		}, []string{"clients-use-the-sdk . emulator"}},
		{"a client reaches the emulator through an internal package", []archtest.Package{
			pkg("consumer", []string{"internal/x"}, nil),
			pkg("internal/x", []string{"internal/y"}, nil),
			pkg("internal/y", []string{"emulator/internal/store"}, nil),
			pkg("emulator/internal/store", nil, nil),
		}, []string{"clients-use-the-sdk consumer emulator/internal/store via internal/x,internal/y"}},
		{"the emulator imports a client, and its tests another", []archtest.Package{
			pkg("emulator", []string{"aggregation"}, []string{"producer", "pelicantest"}),
			pkg("aggregation", nil, nil),
			pkg("producer", []string{"aggregation"}, nil),
			pkg("pelicantest", []string{"."}, nil),
			pkg(".", []string{"producer"}, nil),
		}, []string{"emulator-is-a-server emulator aggregation", "emulator-is-a-server emulator (tests) producer"}},
		{"code outside tests imports pelicantest", []archtest.Package{
			pkg("harness", []string{"pelicantest"}, nil),
			pkg("internal/x", []string{"pelicantest/container"}, nil),
			pkg("pelicantest", nil, nil),
			pkg("pelicantest/container", nil, nil),
		}, []string{"pelicantest-in-tests harness pelicantest", "pelicantest-in-tests internal/x pelicantest/container"}},
		{"a package imports cmd", []archtest.Package{
			pkg("harness", nil, []string{"cmd/pelican"}),
			pkg("cmd/pelican", nil, nil),
		}, []string{"nothing-imports-cmd harness (tests) cmd/pelican"}},
		{"contract imports the AWS SDK, itself and through a package", []archtest.Package{
			pkg("contract", []string{"github.com/aws/smithy-go", "internal/x"}, nil),
			pkg("internal/x", []string{"github.com/aws/aws-sdk-go-v2/aws"}, nil),
		}, []string{"contract-knows-no-aws contract github.com/aws/smithy-go", "contract-knows-no-aws contract github.com/aws/aws-sdk-go-v2/aws via internal/x"}},
		// Aggregation also reaches the root and lambda through producer, but those last steps are
		// reported for the packages that take them, once.
		{"upward imports", []archtest.Package{
			pkg("aggregation", []string{"producer"}, nil),
			pkg("producer", []string{"."}, nil),
			pkg("consumer", nil, []string{"harness"}),
			pkg(".", []string{"lambda"}, nil),
			pkg("harness", nil, nil),
			pkg("lambda", nil, nil),
		}, []string{
			"no-upward-imports aggregation producer",
			"no-upward-imports producer .",
			"no-upward-imports consumer (tests) harness",
			"no-upward-imports . lambda",
		}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			var got []string
			for _, v := range archtest.Check(mod, tt.pkgs, archtest.Rules()) {
				got = append(got, describe(v))
			}
			slices.Sort(got)
			want := slices.Clone(tt.want)
			slices.Sort(want)
			if !slices.Equal(got, want) {
				t.Fatalf("violations\n  %s\nwant\n  %s", strings.Join(got, "\n  "), strings.Join(want, "\n  "))
			}
		})
	}
}

func describe(v archtest.Violation) string {
	rel := func(p string) string {
		if p == mod {
			return "."
		}
		return strings.TrimPrefix(p, mod+"/")
	}
	s := v.Rule.ID + " " + rel(v.From)
	if v.Test {
		s += " (tests)"
	}
	s += " " + rel(v.To)
	if len(v.Via) > 0 {
		via := make([]string, len(v.Via))
		for i, p := range v.Via {
			via[i] = rel(p)
		}
		s += " via " + strings.Join(via, ",")
	}
	return s
}

func TestViolationString(t *testing.T) {
	v := archtest.Violation{From: mod + "/producer", To: mod + "/emulator", Test: true, Files: []string{"emulator_test.go"},
		Rule: archtest.Rule{ID: "clients-use-the-sdk", Why: "clients reach the emulator through the SDK"}}
	want := "example.com/m/producer (tests) imports example.com/m/emulator in emulator_test.go: clients reach the emulator through the SDK [clients-use-the-sdk]"
	if got := v.String(); got != want {
		t.Fatalf("got  %s\nwant %s", got, want)
	}
}

func TestCycles(t *testing.T) {
	pkgs := []archtest.Package{
		pkg("a", []string{"b"}, nil),
		pkg("b", []string{"c", "fmt"}, nil),
		pkg("c", []string{"a"}, nil),
		pkg("d", []string{"a"}, []string{"d"}),
	}
	got := archtest.Cycles(pkgs)
	if len(got) != 1 || strings.Join(got[0], " ") != strings.Join(absAll([]string{"a", "b", "c", "a"}), " ") {
		t.Fatalf("cycles %v", got)
	}
	if got := archtest.Cycles(pkgs[3:]); len(got) != 0 {
		t.Fatalf("a test importing its own package is no cycle: %v", got)
	}
}
