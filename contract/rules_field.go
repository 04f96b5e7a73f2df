package contract

import (
	"strings"

	"google.golang.org/protobuf/reflect/protoreflect"
	"google.golang.org/protobuf/types/descriptorpb"
)

// Rules that compare fields with the same number in messages with the same full name, and
// extensions with the same number of the same message.

func (f *field) optionLoc(option int32, extra ...int32) *location {
	return optionLoc(f.file, f.at(fieldOptionsTag), option, extra...)
}

func bothMapEntries(cur, prev *field) bool {
	return prev.desc.ContainingMessage().IsMapEntry() && cur.desc.ContainingMessage().IsMapEntry()
}

// fieldCardinality builds the three cardinality rules; group maps cardinalities to the sets
// that read each other (nil: any change breaks).
func fieldCardinality(group map[cardinality]int) func(*pass) {
	return func(p *pass) {
		p.fieldPairs(func(cur, prev *field) {
			if bothMapEntries(cur, prev) {
				return
			}
			pc, cc := cardinalityOf(prev.desc), cardinalityOf(cur.desc)
			if pc == cc || (group != nil && group[pc] == group[cc]) {
				return
			}
			p.report(cur.loc(), prev.loc(), cur.file.Path, "%s changed cardinality from %q to %q.",
				fieldDescription(cur), pc.String(), cc.String())
		})
	}
}

// changedType reports a change of kind, at the type (or type name) of each version.
func (p *pass) changedType(cur, prev *field, extra string) {
	typeLoc := func(f *field) *location {
		switch f.desc.Kind() {
		case protoreflect.MessageKind, protoreflect.EnumKind, protoreflect.GroupKind:
			return f.typeNameLoc()
		}
		return f.typeLoc()
	}
	if extra != "" {
		extra = " " + extra
	}
	p.report(typeLoc(cur), typeLoc(prev), cur.file.Path, "%s changed type from %q to %q.%s",
		fieldDescription(cur), kindString(prev.desc), kindString(cur.desc), extra)
}

// changedTypeName reports that a message, group or enum field now names another type.
func (p *pass) changedTypeName(cur, prev *field) {
	p.report(cur.typeNameLoc(), prev.typeNameLoc(), cur.file.Path, "%s changed type from %q to %q.",
		fieldDescription(cur), strings.TrimPrefix(prev.proto.GetTypeName(), "."), strings.TrimPrefix(cur.proto.GetTypeName(), "."))
}

func hasTypeName(t descriptorpb.FieldDescriptorProto_Type) bool {
	switch t {
	case descriptorpb.FieldDescriptorProto_TYPE_ENUM, descriptorpb.FieldDescriptorProto_TYPE_GROUP,
		descriptorpb.FieldDescriptorProto_TYPE_MESSAGE:
		return true
	}
	return false
}

func checkFieldSameType(p *pass) {
	p.fieldPairs(func(cur, prev *field) {
		if prev.desc.Kind() != cur.desc.Kind() {
			p.changedType(cur, prev, "")
			return
		}
		if hasTypeName(cur.proto.GetType()) && prev.proto.GetTypeName() != cur.proto.GetTypeName() {
			p.changedTypeName(cur, prev)
		}
	})
}

const (
	wireRulesNote     = "See https://developers.google.com/protocol-buffers/docs/proto3#updating for wire compatibility rules."
	wireJSONRulesNote = "See https://developers.google.com/protocol-buffers/docs/proto3#updating for wire compatibility rules and https://developers.google.com/protocol-buffers/docs/proto3#json for JSON compatibility rules."
	bytesToStringNote = "Note that while string and bytes are compatible if the data is valid UTF-8, there is no way to enforce that a bytes field is UTF-8, so these fields may be incompatible."
)

func checkFieldWireCompatibleType(p *pass) {
	p.fieldPairs(func(cur, prev *field) {
		pk, ck := prev.desc.Kind(), cur.desc.Kind()
		if wireGroup[pk] != wireGroup[ck] {
			switch {
			case pk == protoreflect.StringKind && ck == protoreflect.BytesKind:
				return
			case pk == protoreflect.BytesKind && ck == protoreflect.StringKind:
				p.changedType(cur, prev, wireRulesNote+" "+bytesToStringNote)
			default:
				p.changedType(cur, prev, wireRulesNote)
			}
			return
		}
		if prev.proto.GetTypeName() == cur.proto.GetTypeName() {
			return
		}
		switch cur.proto.GetType() {
		case descriptorpb.FieldDescriptorProto_TYPE_ENUM:
			p.enumWireCompatible(cur, prev)
		case descriptorpb.FieldDescriptorProto_TYPE_GROUP, descriptorpb.FieldDescriptorProto_TYPE_MESSAGE:
			p.changedTypeName(cur, prev)
		}
	})
}

func checkFieldWireJSONCompatibleType(p *pass) {
	p.fieldPairs(func(cur, prev *field) {
		pk, ck := prev.desc.Kind(), cur.desc.Kind()
		if wireJSONGroup[pk] != wireJSONGroup[ck] {
			p.changedType(cur, prev, wireJSONRulesNote)
			return
		}
		if prev.proto.GetTypeName() == cur.proto.GetTypeName() {
			return
		}
		switch ck {
		case protoreflect.EnumKind:
			p.enumWireCompatible(cur, prev)
		case protoreflect.GroupKind, protoreflect.MessageKind:
			p.changedTypeName(cur, prev)
		}
	})
}

// enumWireCompatible accepts an enum field that now names another enum only when that enum has
// the same short name and keeps every previous value with its number.
func (p *pass) enumWireCompatible(cur, prev *field) {
	pe := p.prevIdx.enums[strings.TrimPrefix(prev.proto.GetTypeName(), ".")]
	ce := p.curIdx.enums[strings.TrimPrefix(cur.proto.GetTypeName(), ".")]
	if pe == nil || ce == nil || pe.proto.GetName() != ce.proto.GetName() || !enumIsSubset(ce, pe) {
		p.changedTypeName(cur, prev)
	}
}

// enumIsSubset reports whether every value of sub exists in super by name with the same number.
func enumIsSubset(super, sub *enum) bool {
	byName := make(map[string]int32, len(super.values))
	for _, v := range super.values {
		byName[v.proto.GetName()] = v.proto.GetNumber()
	}
	for _, v := range sub.values {
		n, ok := byName[v.proto.GetName()]
		if !ok || n != v.proto.GetNumber() {
			return false
		}
	}
	return true
}

func checkFieldSameJSType(p *pass) {
	const tag = 6 // FieldOptions.jstype
	p.fieldPairs(func(cur, prev *field) {
		if !is64BitInteger(prev.proto.GetType()) || !is64BitInteger(cur.proto.GetType()) {
			return
		}
		pj, cj := prev.proto.GetOptions().GetJstype(), cur.proto.GetOptions().GetJstype()
		if pj == cj {
			return
		}
		p.report(firstOf(locate(cur.file, cur.at(fieldOptionsTag, tag)), cur.loc()),
			firstOf(locate(prev.file, prev.at(fieldOptionsTag, tag)), prev.loc()), cur.file.Path,
			`%s changed option "jstype" from %q to %q.`, fieldDescription(cur), pj.String(), cj.String())
	})
}

func checkFieldSameJSONName(p *pass) {
	p.fieldPairs(func(cur, prev *field) {
		if prev.proto.GetExtendee() != "" {
			return
		}
		if prev.proto.GetJsonName() == cur.proto.GetJsonName() {
			return
		}
		p.report(firstOf(locate(cur.file, cur.at(fieldJSONNameTag)), cur.loc()),
			firstOf(locate(prev.file, prev.at(fieldJSONNameTag)), prev.loc()), cur.file.Path,
			`%s changed option "json_name" from %q to %q.`, fieldDescription(cur), prev.proto.GetJsonName(), cur.proto.GetJsonName())
	})
}

func checkFieldSameName(p *pass) {
	p.fieldPairs(func(cur, prev *field) {
		pn, cn := prev.displayName(), cur.displayName()
		if pn == cn {
			return
		}
		p.report(cur.nameLoc(), prev.nameLoc(), cur.file.Path, "%s changed name from %q to %q.",
			fieldDescriptionWithName(cur, ""), pn, cn)
	})
}

func checkFieldSameDefault(p *pass) {
	p.fieldPairs(func(cur, prev *field) {
		if !canHaveDefault(prev.desc) || !canHaveDefault(cur.desc) {
			return
		}
		pd, cd := defaultOf(prev.desc), defaultOf(cur.desc)
		if pd.isZero() && cd.isZero() {
			return
		}
		if defaultsEqual(pd, cd) {
			return
		}
		p.report(firstOf(locate(cur.file, cur.at(fieldDefaultTag)), cur.loc()),
			firstOf(locate(prev.file, prev.at(fieldDefaultTag)), prev.loc()), cur.file.Path,
			"%s changed default value from %s to %s.", fieldDescription(cur), pd.printable, cd.printable)
	})
}

// realOneof returns the oneof a field belongs to, ignoring the synthetic oneofs of proto3
// optional fields.
func realOneof(f *field) protoreflect.OneofDescriptor {
	o := f.desc.ContainingOneof()
	if o == nil || o.IsSynthetic() {
		return nil
	}
	return o
}

func checkFieldSameOneof(p *pass) {
	p.fieldPairs(func(cur, prev *field) {
		if prev.proto.GetExtendee() != "" {
			return
		}
		po, co := realOneof(prev), realOneof(cur)
		switch {
		case po == nil && co == nil:
			return
		case po != nil && co != nil:
			if po.Name() != co.Name() {
				// buf's message has a stray "q" after the field description; kept for tools
				// that match it.
				p.report(cur.loc(), prev.loc(), cur.file.Path, "%sq moved from oneof %q to oneof %q.",
					fieldDescription(cur), string(po.Name()), string(co.Name()))
			}
			return
		}
		from, to := "inside", "outside"
		if co != nil {
			from, to = to, from
		}
		p.report(cur.loc(), prev.loc(), cur.file.Path, "%s moved from %s to %s a oneof.", fieldDescription(cur), from, to)
	})
}

func checkFieldSameUTF8Validation(p *pass) {
	p.fieldPairs(func(cur, prev *field) {
		if prev.desc.Kind() != protoreflect.StringKind || cur.desc.Kind() != protoreflect.StringKind {
			return
		}
		pv, cv := feature(prev.desc, featureUTF8Validation), feature(cur.desc, featureUTF8Validation)
		if pv == cv {
			return
		}
		p.report(firstOf(cur.optionLoc(fieldFeaturesTag, featureUTF8Validation), cur.loc()),
			firstOf(prev.optionLoc(fieldFeaturesTag, featureUTF8Validation), prev.loc()), cur.file.Path,
			"%s changed UTF8 validation from %s to %s.", fieldDescription(cur),
			featureName(featureUTF8Validation, pv), featureName(featureUTF8Validation, cv))
	})
}

// javaUTF8Validation is how Java validates a string field: java_string_check_utf8 in files
// that set it (or any proto2/proto3 file), else the (pb.java).utf8_validation feature, on top of
// the standard utf8_validation feature.
func javaUTF8Validation(f *field) protoreflect.EnumNumber {
	base := feature(f.desc, featureUTF8Validation)
	verify := descriptorpb.FeatureSet_VERIFY.Number()
	opts := f.file.proto.GetOptions()
	if f.desc.ParentFile().Syntax() != protoreflect.Editions || (opts != nil && opts.JavaStringCheckUtf8 != nil) {
		if opts.GetJavaStringCheckUtf8() {
			return verify
		}
		return base
	}
	if v, ok := customFeature(f.file, f.desc, "pb.java", "utf8_validation"); ok && v == 2 { // JavaFeatures.VERIFY
		return verify
	}
	return base
}

func checkFieldSameJavaUTF8Validation(p *pass) {
	const checkUTF8Tag = 27 // FileOptions.java_string_check_utf8
	const javaUTF8Tag = 2   // JavaFeatures.utf8_validation
	p.fieldPairs(func(cur, prev *field) {
		if prev.desc.Kind() != protoreflect.StringKind || cur.desc.Kind() != protoreflect.StringKind {
			return
		}
		pv, cv := javaUTF8Validation(prev), javaUTF8Validation(cur)
		if pv == cv {
			return
		}
		p.report(firstOf(locate(cur.file, []int32{fileOptionsTag, checkUTF8Tag}), cur.optionLoc(fieldFeaturesTag, javaFeaturesExt, javaUTF8Tag), cur.loc()),
			firstOf(locate(prev.file, []int32{fileOptionsTag, checkUTF8Tag}), prev.optionLoc(fieldFeaturesTag, javaFeaturesExt, javaUTF8Tag), prev.loc()),
			cur.file.Path, "%s changed Java string UTF8 validation from %q to %q.", fieldDescription(cur),
			featureName(featureUTF8Validation, pv), featureName(featureUTF8Validation, cv))
	})
}

// cppStringType is the C++ representation of a string or bytes field: from the ctype option
// where it is set (outside editions 2024), else the (pb.cpp).string_type feature. piece marks
// the legacy STRING_PIECE ctype.
func cppStringType(f *field) (name string, piece bool) {
	opts := f.proto.GetOptions()
	if opts != nil && opts.Ctype != nil && f.file.proto.GetEdition() < descriptorpb.Edition_EDITION_2024 {
		switch opts.GetCtype() {
		case descriptorpb.FieldOptions_CORD:
			return "CORD", false
		case descriptorpb.FieldOptions_STRING_PIECE:
			return "STRING", true
		case descriptorpb.FieldOptions_STRING:
			return "STRING", false
		default:
			if f.desc.ParentFile().Syntax() != protoreflect.Editions {
				return "STRING", false
			}
		}
	}
	if f.desc.ParentFile().Syntax() != protoreflect.Editions {
		return "STRING", false // (pb.cpp).string_type's default before edition 2024
	}
	v, ok := customFeature(f.file, f.desc, "pb.cpp", "string_type")
	if !ok {
		return "STRING", false
	}
	switch v {
	case 1:
		return "VIEW", false
	case 2:
		return "CORD", false
	case 3:
		return "STRING", false
	}
	return "STRING_TYPE_UNKNOWN", false
}

func checkFieldSameCppStringType(p *pass) {
	const ctypeTag = 1      // FieldOptions.ctype
	const stringTypeTag = 2 // CppFeatures.string_type
	p.fieldPairs(func(cur, prev *field) {
		if bothMapEntries(cur, prev) {
			return
		}
		isString := func(k protoreflect.Kind) bool { return k == protoreflect.StringKind || k == protoreflect.BytesKind }
		if !isString(prev.desc.Kind()) || !isString(cur.desc.Kind()) {
			return
		}
		pt, pp := cppStringType(prev)
		ct, cp := cppStringType(cur)
		if (pt == ct && pp == cp) || (pp && ct == "STRING") {
			return
		}
		show := func(t string, piece bool) string {
			if piece {
				return "STRING_PIECE"
			}
			return t
		}
		p.report(firstOf(locate(cur.file, cur.at(fieldOptionsTag, ctypeTag)), cur.optionLoc(fieldFeaturesTag, cppFeaturesExt, stringTypeTag), cur.loc()),
			firstOf(locate(prev.file, prev.at(fieldOptionsTag, ctypeTag)), prev.optionLoc(fieldFeaturesTag, cppFeaturesExt, stringTypeTag), prev.loc()),
			cur.file.Path, "%s changed C++ string type from %q to %q.", fieldDescription(cur), show(pt, pp), show(ct, cp))
	})
}
