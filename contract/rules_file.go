package contract

import (
	"sort"
	"strconv"
	"strings"

	"google.golang.org/protobuf/types/descriptorpb"
)

// Rules that compare files with the same path.

// filePairs calls fn for every file of the previous schema that the current schema still has.
func (p *pass) filePairs(fn func(cur, prev *fileIndex)) {
	for _, prev := range p.prevIdx.files {
		if cur, ok := p.curIdx.byPath[prev.file.Path]; ok {
			fn(cur, prev)
		}
	}
}

func checkFileNoDelete(p *pass) {
	for _, prev := range p.prevIdx.files {
		if _, ok := p.curIdx.byPath[prev.file.Path]; !ok {
			p.report(nil, fileOnly(prev.file), "", "Previously present file %q was deleted.", prev.file.Path)
		}
	}
}

// deletedElementLoc is where buf attaches the deletion of a nested element: the closest
// enclosing message that still exists in the file, or the file itself.
func deletedElementLoc(cur *fileIndex, nested string) *location {
	if !strings.Contains(nested, ".") {
		return nil
	}
	if m := enclosingMessage(messagesByNestedName([]*fileIndex{cur}), nested); m != nil {
		return m.loc()
	}
	return nil
}

// messagesByNestedName maps the nested names of the files' messages ("Outer.Inner") to them.
func messagesByNestedName(files []*fileIndex) map[string]*message {
	n := 0
	for _, fi := range files {
		n += len(fi.messages)
	}
	out := make(map[string]*message, n)
	for _, fi := range files {
		for _, m := range fi.messages {
			out[m.nested] = m
		}
	}
	return out
}

// enclosingMessage returns the closest message of byName that encloses the nested name, or nil.
func enclosingMessage(byName map[string]*message, nested string) *message {
	parts := strings.Split(nested, ".")
	for i := len(parts) - 1; i > 0; i-- {
		if m, ok := byName[strings.Join(parts[:i], ".")]; ok {
			return m
		}
	}
	return nil
}

func checkEnumNoDelete(p *pass) {
	p.filePairs(func(cur, prev *fileIndex) {
		have := make(map[string]bool, len(cur.enums))
		for _, e := range cur.enums {
			have[e.nested] = true
		}
		for _, e := range prev.enums {
			if !have[e.nested] {
				p.report(deletedElementLoc(cur, e.nested), locate(e.file, e.path), cur.file.Path,
					"Previously present enum %q was deleted from file.", e.nested)
			}
		}
	})
}

func checkExtensionNoDelete(p *pass) {
	p.filePairs(func(cur, prev *fileIndex) {
		have := make(map[string]bool, len(cur.extensions))
		for _, x := range cur.extensions {
			have[x.nested] = true
		}
		for _, x := range prev.extensions {
			if !have[x.nested] {
				p.report(deletedElementLoc(cur, x.nested), x.loc(), cur.file.Path,
					"Previously present extension %q was deleted from file.", x.nested)
			}
		}
	})
}

func checkMessageNoDelete(p *pass) {
	p.filePairs(func(cur, prev *fileIndex) {
		have := make(map[string]bool, len(cur.messages))
		for _, m := range cur.messages {
			have[m.nested] = true
		}
		for _, m := range prev.messages {
			if !have[m.nested] {
				p.report(deletedElementLoc(cur, m.nested), m.loc(), cur.file.Path,
					"Previously present message %q was deleted from file.", m.nested)
			}
		}
	})
}

func checkServiceNoDelete(p *pass) {
	p.filePairs(func(cur, prev *fileIndex) {
		have := make(map[string]bool, len(cur.services))
		for _, s := range cur.services {
			have[s.proto.GetName()] = true
		}
		for _, s := range prev.services {
			if !have[s.proto.GetName()] {
				p.report(nil, locate(s.file, s.path), cur.file.Path,
					"Previously present service %q was deleted from file.", s.proto.GetName())
			}
		}
	})
}

// fileValue compares one value of two files; what names it in the message.
func (p *pass) fileValue(cur, prev *fileIndex, prevValue, value string, path []int32, what string) {
	if prevValue == value {
		return
	}
	p.report(locate(cur.file, path), locate(prev.file, path), cur.file.Path,
		"File %s changed from %q to %q.", what, prevValue, value)
}

// fileOption builds the check of one file option: its FileOptions field number, its name, and
// how to read it as buf prints it.
func fileOption(number int32, name string, get func(*descriptorpb.FileOptions) string) func(*pass) {
	return func(p *pass) {
		p.filePairs(func(cur, prev *fileIndex) {
			p.fileValue(cur, prev, get(prev.file.proto.GetOptions()), get(cur.file.proto.GetOptions()),
				[]int32{fileOptionsTag, number}, `option "`+name+`"`)
		})
	}
}

func boolString(b bool) string { return strconv.FormatBool(b) }

func syntaxOf(fdp *descriptorpb.FileDescriptorProto) string {
	switch s := fdp.GetSyntax(); s {
	case "", "proto2":
		return "proto2"
	default:
		return s
	}
}

func checkFileSameSyntax(p *pass) {
	p.filePairs(func(cur, prev *fileIndex) {
		from, to := syntaxOf(prev.file.proto), syntaxOf(cur.file.proto)
		if from == to {
			return
		}
		// An edition declaration is recorded under the edition field; buf reports it as the
		// syntax either way.
		p.report(locate(cur.file, []int32{fileSyntaxTag}, []int32{fileEditionTag}), locate(prev.file, []int32{fileSyntaxTag}, []int32{fileEditionTag}),
			cur.file.Path, "File syntax changed from %q to %q.", from, to)
	})
}

func checkFileSamePackage(p *pass) {
	p.filePairs(func(cur, prev *fileIndex) {
		p.fileValue(cur, prev, prev.file.proto.GetPackage(), cur.file.proto.GetPackage(), []int32{filePackageTag}, "package")
	})
}

// sortedKeys returns a map's keys in order.
func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}
