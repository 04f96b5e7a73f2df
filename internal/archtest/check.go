package archtest

import (
	"fmt"
	"slices"
	"strings"
)

// Package is one package of the module as `go list -json` describes it.
type Package struct {
	ImportPath   string
	Dir          string
	GoFiles      []string
	CgoFiles     []string
	TestGoFiles  []string
	XTestGoFiles []string
	Imports      []string
	TestImports  []string
	XTestImports []string
}

// Violation is an import that breaks a rule.
type Violation struct {
	// From imports To (import paths); Test says it is an import of From's test files.
	From, To string
	Test     bool
	// Via are the packages of the module between From and To when From imports To through them.
	Via []string
	// Files are the files of From that make the import (of Via's first package, when indirect).
	Files []string
	Rule  Rule
}

// String describes the violation on one line.
func (v Violation) String() string {
	var b strings.Builder
	b.WriteString(v.From)
	if v.Test {
		b.WriteString(" (tests)")
	}
	b.WriteString(" imports ")
	b.WriteString(v.To)
	if len(v.Via) > 0 {
		fmt.Fprintf(&b, " through %s", strings.Join(v.Via, " -> "))
	}
	if len(v.Files) > 0 {
		fmt.Fprintf(&b, " in %s", strings.Join(v.Files, ", "))
	}
	fmt.Fprintf(&b, ": %s [%s]", v.Rule.Why, v.Rule.ID)
	return b.String()
}

// Check returns the imports of pkgs, the packages of module, that break one of rules: the direct
// imports of their code, of their tests where a rule counts tests, and of their code through
// other packages of the module where a rule counts those. An indirect import is left out when
// its last step breaks the same rule, which is reported for the package that takes it.
func Check(module string, pkgs []Package, rules []Rule) []Violation {
	byPath := make(map[string]*Package, len(pkgs))
	for i := range pkgs {
		byPath[pkgs[i].ImportPath] = &pkgs[i]
	}
	rel := func(p string) string {
		switch {
		case p == module:
			return "."
		case strings.HasPrefix(p, module+"/"):
			return p[len(module)+1:]
		}
		return p
	}
	var out []Violation
	for _, p := range pkgs {
		from := rel(p.ImportPath)
		testImports := append(slices.Clone(p.TestImports), p.XTestImports...)
		slices.Sort(testImports)
		testImports = slices.Compact(testImports)
		for _, r := range rules {
			for _, to := range p.Imports {
				if r.Breaks(from, rel(to)) {
					out = append(out, Violation{From: p.ImportPath, To: to, Rule: r})
				}
			}
			if r.Tests {
				for _, to := range testImports {
					if r.Breaks(from, rel(to)) && !slices.Contains(p.Imports, to) {
						out = append(out, Violation{From: p.ImportPath, To: to, Test: true, Rule: r})
					}
				}
			}
			if !r.Indirect {
				continue
			}
			reported := map[string]bool{}
			for _, path := range reach(p.ImportPath, byPath) {
				q := byPath[path[len(path)-1]]
				for _, to := range q.Imports {
					if reported[to] || slices.Contains(p.Imports, to) || !r.Breaks(from, rel(to)) || r.Breaks(rel(q.ImportPath), rel(to)) {
						continue
					}
					reported[to] = true
					out = append(out, Violation{From: p.ImportPath, To: to, Via: path, Rule: r})
				}
			}
		}
	}
	return out
}

// reach returns, for every package of the module that the code of from imports indirectly, the
// shortest chain of module packages leading to it (from itself left out).
func reach(from string, byPath map[string]*Package) [][]string {
	seen := map[string]bool{from: true}
	queue := [][]string{{}}
	var out [][]string
	for len(queue) > 0 {
		path := queue[0]
		queue = queue[1:]
		at := from
		if len(path) > 0 {
			at = path[len(path)-1]
			out = append(out, path)
		}
		for _, next := range byPath[at].Imports {
			if _, ok := byPath[next]; ok && !seen[next] {
				seen[next] = true
				queue = append(queue, append(slices.Clone(path), next))
			}
		}
	}
	return out
}

// Cycles returns the import cycles among the code of pkgs, each as the chain of import paths
// that closes it. Go refuses to build such code; this names the cycle a rule change would make.
func Cycles(pkgs []Package) [][]string {
	byPath := make(map[string]*Package, len(pkgs))
	paths := make([]string, 0, len(pkgs))
	for i := range pkgs {
		byPath[pkgs[i].ImportPath] = &pkgs[i]
		paths = append(paths, pkgs[i].ImportPath)
	}
	slices.Sort(paths)
	const (
		visiting = 1
		done     = 2
	)
	state := map[string]int{}
	var stack []string
	var out [][]string
	var visit func(p string)
	visit = func(p string) {
		state[p] = visiting
		stack = append(stack, p)
		for _, next := range byPath[p].Imports {
			if _, ok := byPath[next]; !ok {
				continue
			}
			switch state[next] {
			case visiting:
				i := slices.Index(stack, next)
				out = append(out, append(slices.Clone(stack[i:]), next))
			case 0:
				visit(next)
			}
		}
		stack = stack[:len(stack)-1]
		state[p] = done
	}
	for _, p := range paths {
		if state[p] == 0 {
			visit(p)
		}
	}
	return out
}
