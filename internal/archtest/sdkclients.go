package archtest

import (
	"fmt"
	"go/ast"
	"go/parser"
	"go/token"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
)

// sdkServices is where the AWS SDK's service clients live; each has New and NewFromConfig.
const sdkServices = "github.com/aws/aws-sdk-go-v2/service/"

// UnwrappedClients returns the places in the code (not the tests) of pkgs, the packages of
// module, that build an AWS SDK service client (kinesis.New, dynamodb.NewFromConfig, ...) in a
// package that imports neither internal/sdkhttp nor pelicantest, whose clients carry the SDK body
// workaround. Each is "file:line: what".
func UnwrappedClients(module string, pkgs []Package) ([]string, error) {
	fset := token.NewFileSet()
	var out []string
	for _, p := range pkgs {
		if slices.Contains(p.Imports, module+"/internal/sdkhttp") || slices.Contains(p.Imports, module+"/pelicantest") {
			continue
		}
		for _, name := range append(slices.Clone(p.GoFiles), p.CgoFiles...) {
			path := filepath.Join(p.Dir, name)
			f, err := parser.ParseFile(fset, path, nil, 0)
			if err != nil {
				return nil, fmt.Errorf("archtest: %w", err)
			}
			services := map[string]bool{} // local names of the service packages imported
			for _, imp := range f.Imports {
				if ip, _ := strconv.Unquote(imp.Path.Value); strings.HasPrefix(ip, sdkServices) {
					local := ip[strings.LastIndex(ip, "/")+1:]
					if imp.Name != nil {
						local = imp.Name.Name
					}
					services[local] = true
				}
			}
			if len(services) == 0 {
				continue
			}
			ast.Inspect(f, func(n ast.Node) bool {
				call, ok := n.(*ast.CallExpr)
				if !ok {
					return true
				}
				sel, ok := call.Fun.(*ast.SelectorExpr)
				if !ok || (sel.Sel.Name != "New" && sel.Sel.Name != "NewFromConfig") {
					return true
				}
				if x, ok := sel.X.(*ast.Ident); ok && services[x.Name] {
					pos := fset.Position(call.Pos())
					out = append(out, fmt.Sprintf("%s:%d: %s.%s builds a client without internal/sdkhttp", filepath.Join(p.ImportPath, name), pos.Line, x.Name, sel.Sel.Name))
				}
				return true
			})
		}
	}
	return out, nil
}
