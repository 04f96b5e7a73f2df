package contract

import (
	"sync"

	"github.com/bufbuild/protocompile/protoutil"
	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/reflect/protoreflect"
	"google.golang.org/protobuf/reflect/protoregistry"
	"google.golang.org/protobuf/types/descriptorpb"
	"google.golang.org/protobuf/types/dynamicpb"
)

// Editions features, resolved through the element's ancestors with protocompile's rules.

// Field numbers of google.protobuf.FeatureSet and of the features field in each options message.
const (
	featureEnumType       = 2
	featureUTF8Validation = 4
	featureJSONFormat     = 6

	fileFeaturesTag    = 50
	messageFeaturesTag = 12
	fieldFeaturesTag   = 21
	enumFeaturesTag    = 7

	cppFeaturesExt  = 1000
	javaFeaturesExt = 1001
)

var featureSetFields = (&descriptorpb.FeatureSet{}).ProtoReflect().Descriptor().Fields()

// feature resolves a standard feature (by FeatureSet field number) for d; it returns the
// feature's enum number, or 0 when it cannot be resolved. proto2 and proto3 files cannot set
// features, so their values are the syntax's defaults, computed once.
func feature(d protoreflect.Descriptor, number protoreflect.FieldNumber) protoreflect.EnumNumber {
	switch d.ParentFile().Syntax() {
	case protoreflect.Proto2:
		return syntaxDefault(descriptorpb.Edition_EDITION_PROTO2, number)
	case protoreflect.Proto3:
		return syntaxDefault(descriptorpb.Edition_EDITION_PROTO3, number)
	}
	v, err := protoutil.ResolveFeature(d, featureSetFields.ByNumber(number))
	if err != nil || !v.IsValid() {
		return 0
	}
	return v.Enum()
}

type featureKey struct {
	edition descriptorpb.Edition
	number  protoreflect.FieldNumber
}

// syntaxDefaults holds the features' values in proto2 and proto3 files, which cannot set them.
var syntaxDefaults = func() map[featureKey]protoreflect.EnumNumber {
	out := make(map[featureKey]protoreflect.EnumNumber)
	for _, ed := range []descriptorpb.Edition{descriptorpb.Edition_EDITION_PROTO2, descriptorpb.Edition_EDITION_PROTO3} {
		for i := 0; i < featureSetFields.Len(); i++ {
			fd := featureSetFields.Get(i)
			if fd.Kind() != protoreflect.EnumKind {
				continue
			}
			if v, err := protoutil.GetFeatureDefault(ed, fd); err == nil && v.IsValid() {
				out[featureKey{ed, fd.Number()}] = v.Enum()
			}
		}
	}
	return out
}()

func syntaxDefault(edition descriptorpb.Edition, number protoreflect.FieldNumber) protoreflect.EnumNumber {
	return syntaxDefaults[featureKey{edition, number}]
}

// langFeatureFiles are the files that declare the language features, by extension name.
var langFeatureFiles = map[protoreflect.FullName]string{
	"pb.cpp":  "google/protobuf/cpp_features.proto",
	"pb.java": "google/protobuf/java_features.proto",
}

// langFeatures holds the extension types of protocompile's own copies of cpp_features.proto
// and java_features.proto, built once. They give a feature's default, as buf's compiled-in
// copies do, whichever copy a schema ships.
var langFeatures = sync.OnceValue(func() map[protoreflect.FullName]protoreflect.ExtensionType {
	out := make(map[protoreflect.FullName]protoreflect.ExtensionType)
	for name, file := range langFeatureFiles {
		fd, err := standardImport(file)
		if err != nil {
			continue
		}
		if xd := fd.Extensions().ByName(name.Name()); xd != nil {
			out[name] = dynamicpb.NewExtensionType(xd)
		}
	}
	return out
})

// featureExtension returns the language feature extension (pb.cpp, pb.java) declared in the
// files the file imports, or nil. It may be the schema's own copy of
// google/protobuf/cpp_features.proto rather than protocompile's, as with buf: a newer copy can
// know values (VIEW) that protocompile's does not, and the file's options were read with it.
func (f *File) featureExtension(name protoreflect.FullName) protoreflect.ExtensionType {
	f.featuresOnce.Do(func() {
		f.features = make(map[protoreflect.FullName]protoreflect.ExtensionType)
		seen := make(map[string]bool)
		var walk func(fd protoreflect.FileDescriptor)
		walk = func(fd protoreflect.FileDescriptor) {
			if seen[fd.Path()] {
				return
			}
			seen[fd.Path()] = true
			for ext := range langFeatureFiles {
				if _, ok := f.features[ext]; ok || fd.Package() != ext.Parent() {
					continue
				}
				if xd := fd.Extensions().ByName(ext.Name()); xd != nil {
					f.features[ext] = dynamicpb.NewExtensionType(xd)
				}
			}
			imps := fd.Imports()
			for i := 0; i < imps.Len(); i++ {
				walk(imps.Get(i).FileDescriptor)
			}
		}
		walk(f.desc)
	})
	return f.features[name]
}

// customFeature resolves a language feature ("pb.cpp", "string_type") for d, an element of
// file, as buf does: the value set on d or its nearest ancestor, read through the extension
// the file's imports declare, else the default of protocompile's copy of the feature. ok is
// false when it cannot be resolved.
func customFeature(file *File, d protoreflect.Descriptor, ext protoreflect.FullName, name protoreflect.Name) (protoreflect.EnumNumber, bool) {
	if xt := file.featureExtension(ext); xt != nil {
		for e := d; e != nil; e = e.Parent() {
			if v, ok := setFeature(e, xt, name); ok {
				return v, true
			}
		}
	}
	xt := langFeatures()[ext]
	if xt == nil {
		if xt = file.featureExtension(ext); xt == nil {
			return 0, false
		}
	}
	fd := xt.TypeDescriptor().Message().Fields().ByName(name)
	if fd == nil {
		return 0, false
	}
	v, err := protoutil.GetCustomFeatureDefault(file.proto.GetEdition(), xt, fd)
	if err != nil || !v.IsValid() {
		return 0, false
	}
	return v.Enum(), true
}

// setFeature returns the value of a language feature that e's own options set. The feature set
// may hold the extension under another descriptor of the same name, or as unparsed bytes (an
// image read without it), so it is read again through xt.
func setFeature(e protoreflect.Descriptor, xt protoreflect.ExtensionType, name protoreflect.Name) (protoreflect.EnumNumber, bool) {
	opts, ok := e.Options().(interface {
		GetFeatures() *descriptorpb.FeatureSet
	})
	if !ok || opts.GetFeatures() == nil {
		return 0, false
	}
	data, err := proto.MarshalOptions{AllowPartial: true}.Marshal(opts.GetFeatures())
	if err != nil || len(data) == 0 {
		return 0, false
	}
	features := &descriptorpb.FeatureSet{}
	if err := (proto.UnmarshalOptions{AllowPartial: true, Resolver: oneExtension{xt}}).Unmarshal(data, features); err != nil {
		return 0, false
	}
	xd := xt.TypeDescriptor()
	if !features.ProtoReflect().Has(xd) {
		return 0, false
	}
	v := features.ProtoReflect().Get(xd).Message()
	fd := v.Descriptor().Fields().ByName(name)
	if fd == nil || fd.Enum() == nil || !v.Has(fd) {
		return 0, false
	}
	return v.Get(fd).Enum(), true
}

// oneExtension resolves a single extension type, for reading a feature set through it.
type oneExtension struct{ xt protoreflect.ExtensionType }

func (r oneExtension) FindExtensionByName(name protoreflect.FullName) (protoreflect.ExtensionType, error) {
	if r.xt.TypeDescriptor().FullName() == name {
		return r.xt, nil
	}
	return nil, protoregistry.NotFound
}

func (r oneExtension) FindExtensionByNumber(message protoreflect.FullName, number protoreflect.FieldNumber) (protoreflect.ExtensionType, error) {
	xd := r.xt.TypeDescriptor()
	if xd.ContainingMessage().FullName() == message && xd.Number() == number {
		return r.xt, nil
	}
	return nil, protoregistry.NotFound
}

// featureName names a FeatureSet enum value ("ALLOW", "VERIFY"), as buf prints it.
func featureName(number protoreflect.FieldNumber, v protoreflect.EnumNumber) string {
	ed := featureSetFields.ByNumber(number).Enum()
	if ev := ed.Values().ByNumber(v); ev != nil {
		return string(ev.Name())
	}
	return itoa(int64(v))
}
