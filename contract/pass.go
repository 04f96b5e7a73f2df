package contract

import (
	"fmt"
	"strings"

	"google.golang.org/protobuf/types/descriptorpb"
)

// pass runs one rule over a pair of schemas and collects what it reports.
type pass struct {
	rule     *Rule
	cur      *Schema
	prev     *Schema
	curIdx   *index
	prevIdx  *index
	pairs    *pairs
	env      *checkEnv
	findings []Finding
}

// location is a place in one file; span is nil when only the file is known.
type location struct {
	file *File
	span []int32
}

// locate returns the first of paths that file records a position for, or nil.
func locate(file *File, paths ...[]int32) *location {
	if file == nil {
		return nil
	}
	for _, p := range paths {
		if p == nil {
			continue
		}
		if sp, ok := file.span(p); ok {
			return &location{file: file, span: sp}
		}
	}
	return nil
}

// firstOf returns the first non-nil location.
func firstOf(locs ...*location) *location {
	for _, l := range locs {
		if l != nil {
			return l
		}
	}
	return nil
}

// fileOnly names a file without a position.
func fileOnly(f *File) *location {
	if f == nil {
		return nil
	}
	return &location{file: f}
}

// report adds a finding at loc; without loc it falls back to the file named by fallback (a path
// in the current schema), and without that to no file at all. prevLoc is where the element was
// in the previous schema, used for ignores.
func (p *pass) report(loc, prevLoc *location, fallback string, format string, args ...any) {
	f := Finding{Type: p.rule.ID, Message: fmt.Sprintf(format, args...)}
	switch {
	case loc != nil:
		f.file = loc.file
		if loc.span != nil {
			f.StartLine = int(loc.span[0]) + 1
			f.StartColumn = int(loc.span[1]) + 1
			f.EndLine = int(loc.span[2]) + 1
			f.EndColumn = int(loc.span[3]) + 1
		}
	case fallback != "":
		f.file = p.cur.File(fallback)
	}
	if f.file != nil {
		f.Path = f.file.ExternalPath
	}
	if prevLoc != nil {
		f.againstFile, f.againstSpan = prevLoc.file, prevLoc.span
	}
	p.findings = append(p.findings, f)
}

// Locations of elements, with buf's fallbacks: a synthesized map entry message (and its key
// and value fields) has no position of its own, so it takes the type of the map field.

func (m *message) loc() *location {
	if l := locate(m.file, m.path); l != nil {
		return l
	}
	return m.mapEntryLoc()
}

func (m *message) mapEntryLoc() *location {
	if !m.desc.IsMapEntry() || m.parent == nil || !m.file.hasSourceInfo() {
		return nil
	}
	name := string(m.desc.FullName())
	for _, f := range m.parent.fields {
		if f.proto.GetType() == descriptorpb.FieldDescriptorProto_TYPE_MESSAGE &&
			f.proto.GetLabel() == descriptorpb.FieldDescriptorProto_LABEL_REPEATED &&
			strings.TrimPrefix(f.proto.GetTypeName(), ".") == name {
			return f.typeNameLoc()
		}
	}
	return nil
}

func (f *field) fallback() *location {
	if f.msg != nil && f.proto.GetExtendee() == "" {
		return f.msg.mapEntryLoc()
	}
	return nil
}

func (f *field) loc() *location {
	return firstOf(locate(f.file, f.path), f.fallback())
}

func (f *field) nameLoc() *location {
	return firstOf(locate(f.file, f.at(fieldNameTag)), f.fallback())
}

func (f *field) typeLoc() *location {
	return firstOf(locate(f.file, f.at(fieldTypeTag)), f.fallback())
}

func (f *field) typeNameLoc() *location {
	return firstOf(locate(f.file, f.at(fieldTypeNameTag)), f.fallback())
}

// optionLoc finds the position of an option inside an options message at optionsPath, as buf
// does: an exact match, else the longest recorded ancestor at least as deep as the option field
// itself, else the first recorded descendant.
func optionLoc(file *File, optionsPath []int32, optionField int32, extra ...int32) *location {
	if file == nil {
		return nil
	}
	want := append(append(append([]int32{}, optionsPath...), optionField), extra...)
	if l := locate(file, want); l != nil {
		return l
	}
	minLen := len(optionsPath) + 1
	var best *descriptorpb.SourceCodeInfo_Location
	for _, l := range file.proto.GetSourceCodeInfo().GetLocation() {
		lp := l.GetPath()
		if len(lp) >= minLen && hasPrefix(want, lp) && (best == nil || len(lp) > len(best.GetPath())) {
			best = l
		} else if hasPrefix(lp, want) {
			return spanLocation(file, l)
		}
	}
	if best != nil {
		return spanLocation(file, best)
	}
	return nil
}

func spanLocation(file *File, l *descriptorpb.SourceCodeInfo_Location) *location {
	sp := l.GetSpan()
	switch len(sp) {
	case 3:
		return &location{file: file, span: []int32{sp[0], sp[1], sp[0], sp[2]}}
	case 4:
		return &location{file: file, span: sp}
	}
	return fileOnly(file)
}

// hasPrefix reports whether p starts with prefix.
func hasPrefix(p, prefix []int32) bool {
	if len(prefix) > len(p) {
		return false
	}
	for i := range prefix {
		if p[i] != prefix[i] {
			return false
		}
	}
	return true
}
