package contract

import (
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"sync"

	"github.com/bufbuild/protocompile"
	"github.com/bufbuild/protocompile/linker"
	"github.com/bufbuild/protocompile/reporter"
	"google.golang.org/protobuf/reflect/protodesc"
	"google.golang.org/protobuf/reflect/protoreflect"
	"google.golang.org/protobuf/types/descriptorpb"
)

// CompileError reports that .proto sources did not compile. Each problem is a Finding of type
// COMPILE that names the file, line and column, so that it prints in any error format.
type CompileError struct {
	// Input names the version that failed ("current", or the --against input).
	Input    string
	Findings []Finding
}

// Error names the version and its first problem.
func (e *CompileError) Error() string {
	if len(e.Findings) == 0 {
		return e.Input + ": compile failed"
	}
	f := e.Findings[0]
	more := ""
	if n := len(e.Findings) - 1; n > 0 {
		more = fmt.Sprintf(" (and %d more)", n)
	}
	return fmt.Sprintf("%s: %s%s", e.Input, f.String(), more)
}

// tree describes where one version's .proto files live: a file system, the module roots inside
// it whose files make up the schema, and include paths that only serve imports.
type tree struct {
	fsys fs.FS
	// roots are the module roots, slash-separated and relative to fsys ("." for the top).
	roots []string
	// modules name each root as the configuration does, when that differs from the root.
	modules []string
	// excludes are directories (relative to fsys) whose files are left out.
	excludes []string
	// includes are extra import directories: relative to fsys, or absolute on the OS.
	includes []string
	// display prefixes a file's fsys path to form its ExternalPath ("" or "proto").
	display string
	// name labels the version in errors.
	name string
}

// compile compiles every .proto file under the tree's roots.
func compile(ctx context.Context, t tree) (*Schema, error) {
	roots := t.roots
	if len(roots) == 0 {
		roots = []string{"."}
	}
	type target struct{ root, module, rel string }
	var targets []target
	seen := make(map[string]string)
	for i, root := range roots {
		root = path.Clean(root)
		module := root
		if i < len(t.modules) {
			module = cleanRel(t.modules[i])
		}
		err := fs.WalkDir(t.fsys, root, func(p string, d fs.DirEntry, err error) error {
			if err != nil {
				return err
			}
			if d.IsDir() {
				if p != root && (t.excluded(p) || t.isInclude(p)) {
					return fs.SkipDir
				}
				return nil
			}
			if !strings.HasSuffix(p, ".proto") || t.excluded(p) {
				return nil
			}
			rel := p
			if root != "." {
				rel = strings.TrimPrefix(p, root+"/")
			}
			if other, dup := seen[rel]; dup {
				return fmt.Errorf("%s: %q is in two module roots (%s and %s)", t.name, rel, other, root)
			}
			seen[rel] = root
			targets = append(targets, target{root, module, rel})
			return nil
		})
		if err != nil {
			return nil, fmt.Errorf("%s: reading %s: %w", t.name, root, err)
		}
	}
	sort.Slice(targets, func(i, j int) bool { return targets[i].rel < targets[j].rel })

	var mu sync.Mutex
	foundAt := make(map[string]string) // import path -> external path
	open := func(name string) (io.ReadCloser, error) {
		if r, ok := seen[name]; ok {
			f, err := t.fsys.Open(joinSlash(r, name))
			if err == nil {
				mu.Lock()
				foundAt[name] = joinSlash(t.display, joinSlash(r, name))
				mu.Unlock()
			}
			return f, err
		}
		for _, inc := range t.includes {
			var f io.ReadCloser
			var err error
			var ext string
			if filepath.IsAbs(inc) {
				ext = filepath.ToSlash(filepath.Join(inc, name))
				f, err = os.Open(filepath.Join(inc, filepath.FromSlash(name)))
			} else {
				ext = joinSlash(t.display, joinSlash(inc, name))
				f, err = t.fsys.Open(joinSlash(inc, name))
			}
			if err == nil {
				mu.Lock()
				foundAt[name] = ext
				mu.Unlock()
				return f, nil
			}
		}
		return nil, fs.ErrNotExist
	}
	var problems []Finding
	report := func(err reporter.ErrorWithPos) {
		pos := err.GetPosition()
		end := err.End()
		ext := pos.Filename
		if e, ok := foundAt[pos.Filename]; ok {
			ext = e
		} else if r, ok := seen[pos.Filename]; ok {
			ext = joinSlash(t.display, joinSlash(r, pos.Filename))
		}
		f := Finding{
			Path:        ext,
			StartLine:   pos.Line,
			StartColumn: pos.Col,
			EndLine:     end.Line,
			EndColumn:   end.Col,
			Type:        "COMPILE",
			Message:     compileMessage(err),
		}
		problems = append(problems, f)
	}
	rep := reporter.NewReporter(func(err reporter.ErrorWithPos) error {
		mu.Lock()
		defer mu.Unlock()
		report(err)
		return nil
	}, nil)
	c := protocompile.Compiler{
		Resolver: protocompile.WithStandardImports(&protocompile.SourceResolver{
			Accessor: open,
		}),
		SourceInfoMode: protocompile.SourceInfoStandard | protocompile.SourceInfoExtraOptionLocations,
		Reporter:       rep,
	}
	names := make([]string, len(targets))
	for i, tg := range targets {
		names[i] = tg.rel
	}
	results, err := c.Compile(ctx, names...)
	var ewp reporter.ErrorWithPos
	if err != nil && len(problems) == 0 && errors.As(err, &ewp) {
		// Some problems (an import that cannot be found) end the compile without passing
		// through the reporter.
		report(ewp)
	}
	if len(problems) > 0 {
		sortFindings(problems)
		return nil, &CompileError{Input: t.name, Findings: dedupeFindings(problems)}
	}
	if err != nil {
		if errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded) {
			return nil, err
		}
		return nil, fmt.Errorf("%s: %w", t.name, err)
	}
	files := make([]*File, 0, len(results))
	added := make(map[string]bool, len(results))
	var addImports func(fd protoreflect.FileDescriptor)
	addImports = func(fd protoreflect.FileDescriptor) {
		imps := fd.Imports()
		for i := 0; i < imps.Len(); i++ {
			dep := imps.Get(i).FileDescriptor
			if added[dep.Path()] {
				continue
			}
			added[dep.Path()] = true
			ext := dep.Path()
			if e, ok := foundAt[dep.Path()]; ok {
				ext = e
			}
			files = append(files, &File{Path: dep.Path(), ExternalPath: ext, Import: true, desc: dep, proto: fileProto(dep)})
			addImports(dep)
		}
	}
	for _, tg := range targets {
		added[tg.rel] = true
	}
	for i, r := range results {
		files = append(files, &File{
			Path:         targets[i].rel,
			ExternalPath: joinSlash(t.display, joinSlash(targets[i].root, targets[i].rel)),
			module:       targets[i].module,
			desc:         r,
			proto:        fileProto(r),
		})
	}
	for _, r := range results {
		addImports(r)
	}
	return newSchema(files), nil
}

func (t tree) excluded(p string) bool {
	for _, e := range t.excludes {
		if containsPath(e, p) {
			return true
		}
	}
	return false
}

func (t tree) isInclude(p string) bool {
	for _, inc := range t.includes {
		if !filepath.IsAbs(inc) && path.Clean(inc) == p {
			return true
		}
	}
	return false
}

// containsPath reports whether dir equals p or is one of its parent directories.
func containsPath(dir, p string) bool {
	dir = path.Clean(dir)
	return dir == "." || dir == p || strings.HasPrefix(p, dir+"/")
}

func joinSlash(a, b string) string {
	if a == "" || a == "." {
		return path.Clean(b)
	}
	return path.Join(a, b)
}

func fileProto(fd protoreflect.FileDescriptor) *descriptorpb.FileDescriptorProto {
	if r, ok := fd.(linker.Result); ok {
		return r.FileDescriptorProto()
	}
	return protodesc.ToFileDescriptorProto(fd)
}

// compileMessage is a problem's text without the position, which the finding carries.
func compileMessage(err reporter.ErrorWithPos) string {
	return editionMessage(err.Unwrap().Error())
}

// editionMessage rewrites protocompile's refusal of an edition it cannot compile ("edition value
// "2024" not recognized; should be one of ["2023"]") so that it says plainly what the check can
// read and that this schema is not checked; other messages are returned as they are.
func editionMessage(msg string) string {
	var rest string
	switch {
	case strings.HasPrefix(msg, "edition value ") && strings.Contains(msg, " not recognized"):
		rest = strings.TrimPrefix(msg, "edition value ")
	case strings.HasPrefix(msg, "edition ") && strings.Contains(msg, " not yet fully supported"):
		rest = strings.TrimPrefix(msg, "edition ")
	default:
		return msg
	}
	name, err := strconv.QuotedPrefix(rest)
	if err != nil {
		return msg
	}
	return fmt.Sprintf("edition %s is not supported: pelican contract compiles proto2, proto3 and edition %s files, so it cannot check this schema",
		name, strings.Join(supportedEditions(), ", "))
}

// supportedEditions names the editions protocompile compiles ("2023"), in order.
func supportedEditions() []string {
	var out []string
	for n, name := range descriptorpb.Edition_name {
		year := strings.TrimPrefix(name, "EDITION_")
		if len(year) != 4 || strings.Trim(year, "0123456789") != "" || !protocompile.IsEditionSupported(descriptorpb.Edition(n)) {
			continue
		}
		out = append(out, strconv.Quote(year))
	}
	sort.Strings(out)
	return out
}

// standardImport returns a well-known file (google/protobuf/...) that protoc ships with.
func standardImport(name string) (protoreflect.FileDescriptor, error) {
	res, err := protocompile.WithStandardImports(protocompile.ResolverFunc(func(string) (protocompile.SearchResult, error) {
		return protocompile.SearchResult{}, fs.ErrNotExist
	})).FindFileByPath(name)
	if err != nil {
		return nil, err
	}
	if res.Desc == nil {
		return nil, fs.ErrNotExist
	}
	return res.Desc, nil
}

var errNotDir = errors.New("not a directory")

func isAbs(p string) bool { return filepath.IsAbs(p) }
