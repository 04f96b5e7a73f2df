package contract

import (
	"errors"
	"fmt"
	"go/ast"
	"go/parser"
	"go/token"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"

	"go.yaml.in/yaml/v3"
)

// ConsumerFile is the file, kept beside a subscriber's code, that lists the fields it relies on.
const ConsumerFile = "pelican.consumer.yaml"

// Consumer is one subscriber's contract: the event types it handles and, for each, the fields
// it relies on. Nothing is hand-written but the field list: the event types come from the
// subscriber's typed handlers.
type Consumer struct {
	// Name names the subscriber in findings: from the file, else its directory's name.
	Name string
	// Dir is the directory the contract was read from.
	Dir string
	// Events maps each event type (full name) the subscriber handles to the field paths it
	// relies on ("customer.id" names field id of message field customer).
	Events map[string][]string
}

// consumerFile is the YAML form of ConsumerFile.
type consumerFile struct {
	Name     string              `yaml:"name"`
	Events   []string            `yaml:"events"`
	ReliesOn map[string][]string `yaml:"relies_on"`
}

// ParseConsumerFile parses the contents of a pelican.consumer.yaml.
func ParseConsumerFile(data []byte) (*Consumer, error) {
	var cf consumerFile
	dec := yaml.NewDecoder(strings.NewReader(string(data)))
	dec.KnownFields(true)
	if err := dec.Decode(&cf); err != nil && !errors.Is(err, io.EOF) {
		return nil, fmt.Errorf("%s: %w", ConsumerFile, err)
	}
	c := &Consumer{Name: cf.Name, Events: make(map[string][]string)}
	for _, e := range cf.Events {
		e = strings.TrimPrefix(strings.TrimSpace(e), ".")
		if !validPath(e) {
			return nil, fmt.Errorf("%s: events: bad event type %q", ConsumerFile, e)
		}
		if _, ok := c.Events[e]; !ok {
			c.Events[e] = nil
		}
	}
	for _, e := range sortedKeys(cf.ReliesOn) {
		name := strings.TrimPrefix(strings.TrimSpace(e), ".")
		if !validPath(name) {
			return nil, fmt.Errorf("%s: relies_on: bad event type %q", ConsumerFile, e)
		}
		if _, ok := c.Events[name]; !ok {
			c.Events[name] = nil
		}
		for _, f := range cf.ReliesOn[e] {
			f = strings.TrimSpace(f)
			if !validPath(f) {
				return nil, fmt.Errorf("%s: relies_on %s: bad field path %q", ConsumerFile, name, f)
			}
			c.Events[name] = append(c.Events[name], f)
		}
	}
	return c, nil
}

// validPath reports whether s is a dotted name: non-empty parts joined by dots.
func validPath(s string) bool {
	return s != "" && !strings.HasPrefix(s, ".") && !strings.HasSuffix(s, ".") && !strings.Contains(s, "..")
}

// ReadConsumer reads the contract of the subscriber whose code is in dir: the event types of
// its typed handlers (pelican.Handle(sub, func(ctx context.Context, e *ordersv1.OrderPlaced)
// error {...}), or with the type given) and the ConsumerFile beside the code. Go message types
// are matched to event types through the go_package option of the schemas' files.
func ReadConsumer(dir string, schemas ...*Schema) (*Consumer, error) {
	c := &Consumer{Dir: dir, Events: make(map[string][]string)}
	data, err := os.ReadFile(filepath.Join(dir, ConsumerFile))
	switch {
	case err == nil:
		fc, err := ParseConsumerFile(data)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", dir, err)
		}
		c.Name, c.Events = fc.Name, fc.Events
	case errors.Is(err, fs.ErrNotExist):
	default:
		return nil, err
	}
	if c.Name == "" {
		abs, _ := filepath.Abs(dir)
		c.Name = filepath.Base(abs)
	}
	handled, err := handlerTypes(dir)
	if err != nil {
		return nil, err
	}
	for _, h := range handled {
		name := goTypeToMessage(h, schemas)
		if name == "" {
			return nil, fmt.Errorf("%s: %s: handler type %s.%s matches no message of the schemas (is go_package set?)", dir, h.pos, h.importPath, h.typeName)
		}
		if _, ok := c.Events[name]; !ok {
			c.Events[name] = nil
		}
	}
	if len(c.Events) == 0 {
		return nil, fmt.Errorf("%s: no typed handlers and no %s: nothing to check", dir, ConsumerFile)
	}
	return c, nil
}

// goType is a Go type a handler takes: the import path of its package and its name.
type goType struct {
	importPath, typeName string
	pos                  string
}

// goFile is a parsed Go file with its imports by local name.
type goFile struct {
	ast     *ast.File
	imports map[string]string
}

// handlerTypes finds the event types of the typed handlers in the Go files under dir (tests,
// testdata and vendor aside): calls of a generic function named Handle, with the type given
// (pelican.Handle[*ordersv1.OrderPlaced](s, h)) or inferred from the handler, a function
// literal or a function or method of the same package whose second parameter is the event.
func handlerTypes(dir string) ([]goType, error) {
	fset := token.NewFileSet()
	byDir := make(map[string][]goFile)
	err := filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() {
			n := d.Name()
			if p != dir && (n == "testdata" || n == "vendor" || strings.HasPrefix(n, ".") || strings.HasPrefix(n, "_")) {
				return filepath.SkipDir
			}
			return nil
		}
		if !strings.HasSuffix(p, ".go") || strings.HasSuffix(p, "_test.go") {
			return nil
		}
		f, err := parser.ParseFile(fset, p, nil, parser.SkipObjectResolution)
		if err != nil {
			return fmt.Errorf("reading handlers: %w", err)
		}
		imports := make(map[string]string)
		for _, imp := range f.Imports {
			ip, _ := strconv.Unquote(imp.Path.Value)
			name := ip[strings.LastIndexByte(ip, '/')+1:]
			if imp.Name != nil {
				name = imp.Name.Name
			}
			imports[name] = ip
		}
		byDir[filepath.Dir(p)] = append(byDir[filepath.Dir(p)], goFile{ast: f, imports: imports})
		return nil
	})
	if err != nil {
		return nil, err
	}
	var out []goType
	for _, files := range byDir {
		// Functions and methods of the package, by name, for handlers passed by name.
		funcs := make(map[string]struct {
			decl *ast.FuncDecl
			file goFile
		})
		for _, f := range files {
			for _, d := range f.ast.Decls {
				if fd, ok := d.(*ast.FuncDecl); ok {
					funcs[fd.Name.Name] = struct {
						decl *ast.FuncDecl
						file goFile
					}{fd, f}
				}
			}
		}
		for _, f := range files {
			ast.Inspect(f.ast, func(n ast.Node) bool {
				call, ok := n.(*ast.CallExpr)
				if !ok {
					return true
				}
				fun, explicit := call.Fun, ast.Expr(nil)
				if ix, ok := fun.(*ast.IndexExpr); ok {
					fun, explicit = ix.X, ix.Index
				}
				if !isHandle(fun) {
					return true
				}
				where := fset.Position(call.Pos()).String()
				if explicit != nil {
					if t, ok := namedType(explicit, f.imports); ok {
						t.pos = where
						out = append(out, t)
					}
					return true
				}
				if len(call.Args) != 2 {
					return true
				}
				var ft *ast.FuncType
				imports := f.imports
				switch h := call.Args[1].(type) {
				case *ast.FuncLit:
					ft = h.Type
				case *ast.Ident:
					if fn, ok := funcs[h.Name]; ok {
						ft, imports = fn.decl.Type, fn.file.imports
					}
				case *ast.SelectorExpr:
					if fn, ok := funcs[h.Sel.Name]; ok && fn.decl.Recv != nil {
						ft, imports = fn.decl.Type, fn.file.imports
					}
				}
				if ft == nil {
					return true
				}
				if t, ok := namedType(secondParam(ft), imports); ok {
					t.pos = where
					out = append(out, t)
				}
				return true
			})
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].pos < out[j].pos })
	return out, nil
}

func isHandle(x ast.Expr) bool {
	switch x := x.(type) {
	case *ast.Ident:
		return x.Name == "Handle"
	case *ast.SelectorExpr:
		return x.Sel.Name == "Handle"
	}
	return false
}

// secondParam returns the type of a function's second parameter, or nil.
func secondParam(ft *ast.FuncType) ast.Expr {
	i := 0
	for _, field := range ft.Params.List {
		n := len(field.Names)
		if n == 0 {
			n = 1
		}
		if i+n > 1 {
			return field.Type
		}
		i += n
	}
	return nil
}

// namedType reads a type written as *pkg.Name or pkg.Name.
func namedType(t ast.Expr, imports map[string]string) (goType, bool) {
	if star, ok := t.(*ast.StarExpr); ok {
		t = star.X
	}
	sel, ok := t.(*ast.SelectorExpr)
	if !ok {
		return goType{}, false
	}
	pkg, ok := sel.X.(*ast.Ident)
	if !ok || imports[pkg.Name] == "" {
		return goType{}, false
	}
	return goType{importPath: imports[pkg.Name], typeName: sel.Sel.Name}, true
}

// goTypeToMessage finds the message that protoc-gen-go turns into t: a message of a file whose
// go_package is t's import path, with t's Go name.
func goTypeToMessage(t goType, schemas []*Schema) string {
	for _, s := range schemas {
		if s == nil {
			continue
		}
		for _, fi := range s.index().files {
			gp := fi.file.proto.GetOptions().GetGoPackage()
			if i := strings.IndexByte(gp, ';'); i >= 0 {
				gp = gp[:i]
			}
			if gp != t.importPath {
				continue
			}
			for _, m := range fi.messages {
				if goName(m.nested) == t.typeName {
					return string(m.desc.FullName())
				}
			}
		}
	}
	return ""
}

// goName is protoc-gen-go's Go name for a message's nested name ("Outer.Inner" is
// Outer_Inner).
func goName(nested string) string { return goCamelCase(nested) }

// goCamelCase follows protoc-gen-go: an underscore or dot followed by a lowercase letter is
// dropped and the letter upper-cased, other dots become underscores, the first letter is
// upper-cased, and a leading underscore becomes X.
func goCamelCase(s string) string {
	var b []byte
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c == '.' && i+1 < len(s) && isASCIILower(s[i+1]):
		case c == '.':
			b = append(b, '_')
		case c == '_' && (i == 0 || s[i-1] == '.'):
			b = append(b, 'X')
		case c == '_' && i+1 < len(s) && isASCIILower(s[i+1]):
		case isASCIIDigit(c):
			b = append(b, c)
		default:
			if isASCIILower(c) {
				c -= 'a' - 'A'
			}
			b = append(b, c)
			for ; i+1 < len(s) && isASCIILower(s[i+1]); i++ {
				b = append(b, s[i+1])
			}
		}
	}
	return string(b)
}

func isASCIILower(c byte) bool { return 'a' <= c && c <= 'z' }
func isASCIIDigit(c byte) bool { return '0' <= c && c <= '9' }

// resolveFieldPath walks a dotted field path through messages of x, by name.
func resolveFieldPath(x *index, event string, fieldPath string) []*field {
	m := x.messages[event]
	var out []*field
	for i, part := range strings.Split(fieldPath, ".") {
		if m == nil {
			return nil
		}
		var f *field
		for _, cand := range m.fields {
			if cand.proto.GetName() == part {
				f = cand
				break
			}
		}
		if f == nil {
			return nil
		}
		out = append(out, f)
		if i < len(strings.Split(fieldPath, "."))-1 {
			m = x.messages[strings.TrimPrefix(f.proto.GetTypeName(), ".")]
		}
	}
	return out
}

// followNumbers finds, in x, the fields that carry the same numbers as prev along the same path:
// what a subscriber built against the previous schema reads from data written with x. It
// stops at the first field that is gone.
func followNumbers(x *index, event string, prev []*field) []*field {
	m := x.messages[event]
	var out []*field
	for i, pf := range prev {
		if m == nil {
			return out
		}
		f := m.fieldsByNumber()[pf.proto.GetNumber()]
		if f == nil {
			return out
		}
		out = append(out, f)
		if i < len(prev)-1 {
			m = x.messages[strings.TrimPrefix(f.proto.GetTypeName(), ".")]
		}
	}
	return out
}

func (p *pass) consumerEvents(fn func(c *Consumer, event string, prev, cur *message)) {
	for _, c := range p.env.consumers {
		for _, ev := range sortedKeys(c.Events) {
			prev := p.prevIdx.messages[ev]
			if prev == nil {
				continue
			}
			fn(c, ev, prev, p.curIdx.messages[ev])
		}
	}
}

func checkConsumerEventNoDelete(p *pass) {
	p.consumerEvents(func(c *Consumer, ev string, prev, cur *message) {
		if cur != nil {
			return
		}
		fallback := ""
		if _, ok := p.curIdx.byPath[prev.file.Path]; ok {
			fallback = prev.file.Path
		}
		p.report(nil, prev.loc(), fallback, "Event %q, which subscriber %q handles, was deleted.", ev, c.Name)
	})
}

// consumerFields calls fn for each relied-on field path that resolves in the previous schema,
// with the fields along the path in both versions (cur is shorter when a field is gone).
func (p *pass) consumerFields(fn func(c *Consumer, ev, path string, prev, cur []*field, curMsg *message)) {
	p.consumerEvents(func(c *Consumer, ev string, prevMsg, curMsg *message) {
		if curMsg == nil {
			return
		}
		for _, fp := range c.Events[ev] {
			prev := resolveFieldPath(p.prevIdx, ev, fp)
			if prev == nil {
				continue
			}
			fn(c, ev, fp, prev, followNumbers(p.curIdx, ev, prev), curMsg)
		}
	})
}

func checkConsumerFieldNoDelete(p *pass) {
	p.consumerFields(func(c *Consumer, ev, path string, prev, cur []*field, curMsg *message) {
		if len(cur) < len(prev) {
			at := curMsg.loc()
			if len(cur) > 0 {
				at = cur[len(cur)-1].loc()
			}
			p.report(at, prev[len(prev)-1].loc(), curMsg.file.Path,
				"Field %q of event %q, which subscriber %q relies on, was deleted.", path, ev, c.Name)
			return
		}
		for i := range prev {
			if prev[i].proto.GetName() != cur[i].proto.GetName() {
				p.report(cur[i].nameLoc(), prev[i].nameLoc(), cur[i].file.Path,
					"Field %q of event %q, which subscriber %q relies on, was renamed: %q is now %q.",
					path, ev, c.Name, prev[i].proto.GetName(), cur[i].proto.GetName())
				return
			}
		}
	})
}

func checkConsumerFieldSameType(p *pass) {
	p.consumerFields(func(c *Consumer, ev, path string, prev, cur []*field, _ *message) {
		if len(cur) < len(prev) {
			return
		}
		last, prevLast := cur[len(cur)-1], prev[len(prev)-1]
		if typeString(last) == typeString(prevLast) && cardinalityOf(last.desc) == cardinalityOf(prevLast.desc) {
			return
		}
		from, to := typeString(prevLast), typeString(last)
		if from == to {
			from, to = cardinalityOf(prevLast.desc).String(), cardinalityOf(last.desc).String()
		}
		p.report(firstOf(last.typeNameLoc(), last.typeLoc(), last.loc()), prevLast.loc(), last.file.Path,
			"Field %q of event %q, which subscriber %q relies on, changed type from %q to %q.", path, ev, c.Name, from, to)
	})
}
