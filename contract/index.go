package contract

import (
	"google.golang.org/protobuf/reflect/protoreflect"
	"google.golang.org/protobuf/types/descriptorpb"
)

// The index walks a schema's descriptors once, pairing each protoreflect descriptor (for
// resolved semantics such as presence and features) with its descriptor proto (for what was
// written, such as json_name and type names) and its source path (for positions).

// Field numbers of descriptor.proto, used to build source paths.
const (
	fileMessagesTag   = 4
	fileEnumsTag      = 5
	fileServicesTag   = 6
	fileExtensionsTag = 7
	fileOptionsTag    = 8
	filePackageTag    = 2
	fileSyntaxTag     = 12
	fileEditionTag    = 14

	messageFieldsTag     = 2
	messageNestedTag     = 3
	messageEnumsTag      = 4
	messageExtensionsTag = 6
	messageOptionsTag    = 7
	messageOneofsTag     = 8

	fieldNameTag     = 1
	fieldNumberTag   = 3
	fieldTypeTag     = 5
	fieldTypeNameTag = 6
	fieldDefaultTag  = 7
	fieldOptionsTag  = 8
	fieldJSONNameTag = 10

	enumValuesTag     = 2
	enumOptionsTag    = 3
	enumValueNumTag   = 2
	serviceMethodsTag = 2
	methodInputTag    = 2
	methodOutputTag   = 3
	methodOptionsTag  = 4
)

// elem is where a descriptor was declared: its file and source path.
type elem struct {
	file *File
	path []int32
}

func (e elem) at(extra ...int32) []int32 {
	p := make([]int32, 0, len(e.path)+len(extra))
	p = append(p, e.path...)
	return append(p, extra...)
}

type message struct {
	elem
	desc       protoreflect.MessageDescriptor
	proto      *descriptorpb.DescriptorProto
	nested     string
	parent     *message
	fields     []*field
	extensions []*field
	oneofs     []*oneof
	byNumber   map[int32]*field
}

type field struct {
	elem
	desc  protoreflect.FieldDescriptor
	proto *descriptorpb.FieldDescriptorProto
	// msg is the message that declares the field; for an extension, the message it is nested
	// in, or nil at file level.
	msg    *message
	nested string
}

type oneof struct {
	elem
	desc protoreflect.OneofDescriptor
	msg  *message
}

type enum struct {
	elem
	desc   protoreflect.EnumDescriptor
	proto  *descriptorpb.EnumDescriptorProto
	nested string
	parent *message
	values []*enumValue
}

type enumValue struct {
	elem
	desc  protoreflect.EnumValueDescriptor
	proto *descriptorpb.EnumValueDescriptorProto
	enum  *enum
}

type service struct {
	elem
	desc    protoreflect.ServiceDescriptor
	proto   *descriptorpb.ServiceDescriptorProto
	methods []*method
}

type method struct {
	elem
	desc  protoreflect.MethodDescriptor
	proto *descriptorpb.MethodDescriptorProto
	svc   *service
}

type fileIndex struct {
	file       *File
	messages   []*message // every message, nested ones included, parents first
	enums      []*enum    // every enum, nested ones included
	extensions []*field   // every extension, nested ones included
	services   []*service
}

type index struct {
	files      []*fileIndex
	byPath     map[string]*fileIndex
	messages   map[string]*message
	enums      map[string]*enum
	services   map[string]*service
	extensions map[string]map[int32]*field // extendee type name -> number
	packages   map[string][]*fileIndex
}

func buildIndex(s *Schema) *index {
	x := &index{
		byPath:     make(map[string]*fileIndex, len(s.files)),
		messages:   make(map[string]*message),
		enums:      make(map[string]*enum),
		services:   make(map[string]*service),
		extensions: make(map[string]map[int32]*field),
		packages:   make(map[string][]*fileIndex),
	}
	for _, f := range s.files {
		fi := indexFile(f)
		x.files = append(x.files, fi)
		x.byPath[f.Path] = fi
		pkg := f.proto.GetPackage()
		x.packages[pkg] = append(x.packages[pkg], fi)
		for _, m := range fi.messages {
			x.messages[string(m.desc.FullName())] = m
		}
		for _, e := range fi.enums {
			x.enums[string(e.desc.FullName())] = e
		}
		for _, sv := range fi.services {
			x.services[string(sv.desc.FullName())] = sv
		}
		for _, ext := range fi.extensions {
			extendee := ext.proto.GetExtendee()
			byNum := x.extensions[extendee]
			if byNum == nil {
				byNum = make(map[int32]*field)
				x.extensions[extendee] = byNum
			}
			byNum[ext.proto.GetNumber()] = ext
		}
	}
	return x
}

func indexFile(f *File) *fileIndex {
	fi := &fileIndex{file: f}
	fd, fdp := f.desc, f.proto
	for i, ep := range fdp.GetEnumType() {
		fi.addEnum(elem{f, []int32{fileEnumsTag, int32(i)}}, fd.Enums().Get(i), ep, nil)
	}
	for i, mp := range fdp.GetMessageType() {
		fi.addMessage(elem{f, []int32{fileMessagesTag, int32(i)}}, fd.Messages().Get(i), mp, nil)
	}
	for i, xp := range fdp.GetExtension() {
		fi.extensions = append(fi.extensions, &field{
			elem:   elem{f, []int32{fileExtensionsTag, int32(i)}},
			desc:   fd.Extensions().Get(i),
			proto:  xp,
			nested: xp.GetName(),
		})
	}
	for i, sp := range fdp.GetService() {
		sd := fd.Services().Get(i)
		sv := &service{elem: elem{f, []int32{fileServicesTag, int32(i)}}, desc: sd, proto: sp}
		for j, mp := range sp.GetMethod() {
			sv.methods = append(sv.methods, &method{
				elem:  elem{f, sv.at(serviceMethodsTag, int32(j))},
				desc:  sd.Methods().Get(j),
				proto: mp,
				svc:   sv,
			})
		}
		fi.services = append(fi.services, sv)
	}
	return fi
}

func (fi *fileIndex) addMessage(e elem, md protoreflect.MessageDescriptor, mp *descriptorpb.DescriptorProto, parent *message) {
	m := &message{elem: e, desc: md, proto: mp, parent: parent, nested: nestedName(parent, mp.GetName())}
	fi.messages = append(fi.messages, m)
	for i, op := range mp.GetOneofDecl() {
		_ = op
		m.oneofs = append(m.oneofs, &oneof{elem: elem{e.file, e.at(messageOneofsTag, int32(i))}, desc: md.Oneofs().Get(i), msg: m})
	}
	m.byNumber = make(map[int32]*field, len(mp.GetField()))
	for i, fp := range mp.GetField() {
		f := &field{elem: elem{e.file, e.at(messageFieldsTag, int32(i))}, desc: md.Fields().Get(i), proto: fp, msg: m}
		m.fields = append(m.fields, f)
		m.byNumber[fp.GetNumber()] = f
	}
	for i, ep := range mp.GetEnumType() {
		fi.addEnum(elem{e.file, e.at(messageEnumsTag, int32(i))}, md.Enums().Get(i), ep, m)
	}
	for i, np := range mp.GetNestedType() {
		fi.addMessage(elem{e.file, e.at(messageNestedTag, int32(i))}, md.Messages().Get(i), np, m)
	}
	for i, xp := range mp.GetExtension() {
		x := &field{elem: elem{e.file, e.at(messageExtensionsTag, int32(i))}, desc: md.Extensions().Get(i), proto: xp, msg: m, nested: nestedName(m, xp.GetName())}
		m.extensions = append(m.extensions, x)
		fi.extensions = append(fi.extensions, x)
	}
}

func (fi *fileIndex) addEnum(e elem, ed protoreflect.EnumDescriptor, ep *descriptorpb.EnumDescriptorProto, parent *message) {
	en := &enum{elem: e, desc: ed, proto: ep, parent: parent, nested: nestedName(parent, ep.GetName())}
	for i, vp := range ep.GetValue() {
		en.values = append(en.values, &enumValue{elem: elem{e.file, e.at(enumValuesTag, int32(i))}, desc: ed.Values().Get(i), proto: vp, enum: en})
	}
	fi.enums = append(fi.enums, en)
}

func nestedName(parent *message, name string) string {
	if parent == nil {
		return name
	}
	return parent.nested + "." + name
}

// fieldsByNumber maps a message's fields (not extensions) by number.
func (m *message) fieldsByNumber() map[int32]*field {
	return m.byNumber
}

// valuesByNumber maps an enum's values by number, then name (aliases share a number).
func (e *enum) valuesByNumber() map[int32]map[string]*enumValue {
	out := make(map[int32]map[string]*enumValue, len(e.values))
	for _, v := range e.values {
		n := v.proto.GetNumber()
		if out[n] == nil {
			out[n] = make(map[string]*enumValue, 1)
		}
		out[n][v.proto.GetName()] = v
	}
	return out
}

// displayName is how findings name a field: extensions by full name, fields by name.
func (f *field) displayName() string {
	if f.proto.GetExtendee() != "" {
		return string(f.desc.FullName())
	}
	return f.proto.GetName()
}
