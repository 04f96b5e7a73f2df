package archtest

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"go/parser"
	"go/token"
	"io"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
)

// Load runs `go list` in dir over pattern (such as ./...) with the build tags and returns the
// module's path and its packages.
func Load(ctx context.Context, dir, pattern string, tags ...string) (module string, pkgs []Package, err error) {
	mod, err := goCmd(ctx, dir, "list", "-m")
	if err != nil {
		return "", nil, err
	}
	args := []string{"list", "-e", "-json=ImportPath,Dir,GoFiles,CgoFiles,TestGoFiles,XTestGoFiles,Imports,TestImports,XTestImports,Error"}
	if len(tags) > 0 {
		args = append(args, "-tags", strings.Join(tags, ","))
	}
	out, err := goCmd(ctx, dir, append(args, pattern)...)
	if err != nil {
		return "", nil, err
	}
	dec := json.NewDecoder(bytes.NewReader(out))
	for {
		var p struct {
			Package
			Error *struct{ Err string }
		}
		if err := dec.Decode(&p); errors.Is(err, io.EOF) {
			break
		} else if err != nil {
			return "", nil, fmt.Errorf("archtest: read go list: %w", err)
		}
		if p.Error != nil {
			return "", nil, fmt.Errorf("archtest: go list: %s: %s", p.ImportPath, p.Error.Err)
		}
		pkgs = append(pkgs, p.Package)
	}
	return string(bytes.TrimSpace(mod)), pkgs, nil
}

func goCmd(ctx context.Context, dir string, args ...string) ([]byte, error) {
	cmd := exec.CommandContext(ctx, "go", args...)
	cmd.Dir = dir
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		return nil, fmt.Errorf("archtest: go %v: %w: %s", args, err, stderr.Bytes())
	}
	return out, nil
}

// FindFiles fills in the files of each violation: the files of its package (its tests' for a
// test import) that import the package named, To or, for an indirect import, the first of Via.
func FindFiles(pkgs []Package, vs []Violation) error {
	byPath := make(map[string]*Package, len(pkgs))
	for i := range pkgs {
		byPath[pkgs[i].ImportPath] = &pkgs[i]
	}
	fset := token.NewFileSet()
	for i := range vs {
		v := &vs[i]
		p, ok := byPath[v.From]
		if !ok {
			continue
		}
		files := append(slices.Clone(p.GoFiles), p.CgoFiles...)
		if v.Test {
			files = append(slices.Clone(p.TestGoFiles), p.XTestGoFiles...)
		}
		want := v.To
		if len(v.Via) > 0 {
			want = v.Via[0]
		}
		for _, name := range files {
			f, err := parser.ParseFile(fset, filepath.Join(p.Dir, name), nil, parser.ImportsOnly)
			if err != nil {
				return fmt.Errorf("archtest: %w", err)
			}
			for _, imp := range f.Imports {
				if path, _ := strconv.Unquote(imp.Path.Value); path == want {
					v.Files = append(v.Files, name)
				}
			}
		}
	}
	return nil
}
