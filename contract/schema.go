package contract

import (
	"encoding/binary"
	"fmt"
	"sort"
	"sync"

	"google.golang.org/protobuf/reflect/protodesc"
	"google.golang.org/protobuf/reflect/protoreflect"
	"google.golang.org/protobuf/reflect/protoregistry"
	"google.golang.org/protobuf/types/descriptorpb"
)

// Schema is one version of a set of .proto files, compiled: the files that make up the schema
// and every file they import, so that descriptors resolve completely.
type Schema struct {
	files  []*File
	byPath map[string]*File

	indexOnce sync.Once
	idx       *index
}

// File is one compiled .proto file of a Schema.
type File struct {
	// Path is the file's import path, relative to its module root ("acme/v1/order.proto").
	Path string
	// ExternalPath names the file in findings: the path by which the user reaches it from where
	// the check runs ("proto/acme/v1/order.proto"). It equals Path for images and git inputs
	// unless a directory prefix applies.
	ExternalPath string
	// Import reports that the file was reached through an import rather than being one of the
	// schema's own files.
	Import bool

	module string // module root the file was found under; empty for imports and images
	desc   protoreflect.FileDescriptor
	proto  *descriptorpb.FileDescriptorProto

	spansOnce sync.Once
	spans     map[string][]int32

	featuresOnce sync.Once
	features     map[protoreflect.FullName]protoreflect.ExtensionType // see featureExtension
}

// Descriptor returns the file's linked descriptor.
func (f *File) Descriptor() protoreflect.FileDescriptor { return f.desc }

// Proto returns the file's descriptor proto, with source code information when the input had it.
func (f *File) Proto() *descriptorpb.FileDescriptorProto { return f.proto }

// Files returns the schema's files, sorted by path, imports included.
func (s *Schema) Files() []*File { return s.files }

// File returns the file with the given import path, or nil.
func (s *Schema) File(path string) *File { return s.byPath[path] }

func newSchema(files []*File) *Schema {
	sort.Slice(files, func(i, j int) bool { return files[i].Path < files[j].Path })
	s := &Schema{files: files, byPath: make(map[string]*File, len(files))}
	for _, f := range files {
		s.byPath[f.Path] = f
	}
	return s
}

func (s *Schema) index() *index {
	s.indexOnce.Do(func() { s.idx = buildIndex(s) })
	return s.idx
}

// SchemaFromFileDescriptorSet builds a Schema from descriptor protos, as protoc
// --descriptor_set_out or `buf build -o` write them. Every file of the set belongs to the schema
// unless a buf image marks it as an import. Files must come before the files that import them,
// or be resolvable from the set in any order.
func SchemaFromFileDescriptorSet(set *descriptorpb.FileDescriptorSet) (*Schema, error) {
	byName := make(map[string]*descriptorpb.FileDescriptorProto, len(set.GetFile()))
	for _, fdp := range set.GetFile() {
		if _, dup := byName[fdp.GetName()]; dup {
			return nil, fmt.Errorf("file %q appears twice in the descriptor set", fdp.GetName())
		}
		byName[fdp.GetName()] = fdp
	}
	reg := new(protoregistry.Files)
	var files []*File
	var add func(name string, stack []string) error
	add = func(name string, stack []string) error {
		if _, err := reg.FindFileByPath(name); err == nil {
			return nil
		}
		for _, s := range stack {
			if s == name {
				return fmt.Errorf("import cycle through %q", name)
			}
		}
		fdp, ok := byName[name]
		if !ok {
			// Sets written without --include_imports may leave out the well-known types.
			std, err := standardImport(name)
			if err != nil {
				return fmt.Errorf("file %q is imported but not in the descriptor set", name)
			}
			return reg.RegisterFile(std)
		}
		for _, dep := range fdp.GetDependency() {
			if err := add(dep, append(stack, name)); err != nil {
				return err
			}
		}
		fd, err := protodesc.NewFile(fdp, reg)
		if err != nil {
			return fmt.Errorf("file %q: %w", name, err)
		}
		if err := reg.RegisterFile(fd); err != nil {
			return fmt.Errorf("file %q: %w", name, err)
		}
		files = append(files, &File{
			Path:         name,
			ExternalPath: name,
			Import:       imageFileIsImport(fdp),
			desc:         fd,
			proto:        fdp,
		})
		return nil
	}
	for _, fdp := range set.GetFile() {
		if err := add(fdp.GetName(), nil); err != nil {
			return nil, err
		}
	}
	return newSchema(files), nil
}

// span returns the source span recorded for path (0-based: start line, start column, end line,
// end column), preferring the first location for paths that appear more than once, as protoc
// and buf do. ok is false when the file records no location for path.
func (f *File) span(path []int32) ([]int32, bool) {
	f.spansOnce.Do(func() {
		locs := f.proto.GetSourceCodeInfo().GetLocation()
		f.spans = make(map[string][]int32, len(locs))
		for _, l := range locs {
			k := pathKey(l.GetPath())
			if _, dup := f.spans[k]; dup {
				continue
			}
			sp := l.GetSpan()
			switch len(sp) {
			case 3:
				f.spans[k] = []int32{sp[0], sp[1], sp[0], sp[2]}
			case 4:
				f.spans[k] = sp
			}
		}
	})
	sp, ok := f.spans[pathKey(path)]
	return sp, ok
}

func (f *File) hasSourceInfo() bool {
	return len(f.proto.GetSourceCodeInfo().GetLocation()) > 0
}

func pathKey(path []int32) string {
	b := make([]byte, 4*len(path))
	for i, p := range path {
		binary.LittleEndian.PutUint32(b[4*i:], uint32(p))
	}
	return string(b)
}
