package contract

import (
	"fmt"
	"strings"

	"google.golang.org/protobuf/types/descriptorpb"
)

// Rules that compare messages with the same full name.

func (m *message) featureLoc(feature int32) *location {
	return optionLoc(m.file, m.at(messageOptionsTag), messageFeaturesTag, feature)
}

func (m *message) maxTag() int {
	if m.proto.GetOptions().GetMessageSetWireFormat() {
		return messageSetMaxTag
	}
	return messageMaxTag
}

// fieldDescription names a field as buf's messages do:
// Field "1" with name "id" on message "Order".
func fieldDescription(f *field) string {
	return fieldDescriptionWithName(f, f.displayName())
}

func fieldDescriptionWithName(f *field, name string) string {
	if name != "" {
		name = fmt.Sprintf(" with name %q", name)
	}
	kind, on := "Field", ""
	if extendee := f.proto.GetExtendee(); extendee != "" {
		kind, on = "Extension", strings.TrimPrefix(extendee, ".")
	} else {
		on = f.msg.proto.GetName()
	}
	return fmt.Sprintf("%s %q%s on message %q", kind, itoa(int64(f.proto.GetNumber())), name, on)
}

// fieldNoDelete builds FIELD_NO_DELETE and its two relaxed forms.
func fieldNoDelete(unlessNumberReserved, unlessNameReserved bool) func(*pass) {
	return func(p *pass) {
		p.messagePairs(func(cur, prev *message) {
			have := cur.fieldsByNumber()
			for _, f := range prev.fields {
				number := f.proto.GetNumber()
				if _, ok := have[number]; ok {
					continue
				}
				suffix := ""
				switch {
				case unlessNumberReserved:
					if inMessageReservedRanges(cur, number) {
						continue
					}
					suffix = fmt.Sprintf(` without reserving the number "%d"`, number)
				case unlessNameReserved:
					if allReserved([]string{f.proto.GetName()}, cur.proto.GetReservedName()) {
						continue
					}
					suffix = fmt.Sprintf(" without reserving the name %q", f.proto.GetName())
				}
				d := fieldDescription(f)
				d = strings.ToLower(d[:1]) + d[1:]
				p.report(cur.loc(), prev.loc(), cur.file.Path, "Previously present %s was deleted%s.", d, suffix)
			}
		})
	}
}

func inMessageReservedRanges(m *message, number int32) bool {
	for _, r := range m.proto.GetReservedRange() {
		if number >= r.GetStart() && number <= r.GetEnd()-1 {
			return true
		}
	}
	return false
}

func messageReservedRanges(m *message) []tagRange {
	out := make([]tagRange, len(m.proto.GetReservedRange()))
	for i, r := range m.proto.GetReservedRange() {
		out[i] = tagRange{int(r.GetStart()), int(r.GetEnd()) - 1}
	}
	return out
}

func extensionRanges(m *message) []tagRange {
	out := make([]tagRange, len(m.proto.GetExtensionRange()))
	for i, r := range m.proto.GetExtensionRange() {
		out[i] = tagRange{int(r.GetStart()), int(r.GetEnd()) - 1}
	}
	return out
}

func checkExtensionMessageNoDelete(p *pass) {
	p.messagePairs(func(cur, prev *message) {
		for _, r := range removedRanges(extensionRanges(prev), extensionRanges(cur), cur.maxTag()) {
			p.report(cur.loc(), prev.loc(), cur.file.Path,
				"Previously present extension range %q on message %q is missing values: %s were removed.",
				r.prev, cur.proto.GetName(), r.removed)
		}
	})
}

func checkReservedMessageNoDelete(p *pass) {
	p.messagePairs(func(cur, prev *message) {
		for _, r := range removedRanges(messageReservedRanges(prev), messageReservedRanges(cur), cur.maxTag()) {
			p.report(cur.loc(), prev.loc(), cur.file.Path,
				"Previously present reserved range %q on message %q is missing values: %s were removed.",
				r.prev, cur.proto.GetName(), r.removed)
		}
		reportDeletedReservedNames(p, prev.proto.GetReservedName(), cur.proto.GetReservedName(), func(name string) {
			p.report(cur.loc(), prev.loc(), cur.file.Path,
				"Previously present reserved name %q on message %q was deleted.", name, cur.proto.GetName())
		})
	})
}

func checkMessageNoRemoveStandardDescriptorAccessor(p *pass) {
	const tag = 2 // MessageOptions.no_standard_descriptor_accessor
	p.messagePairs(func(cur, prev *message) {
		from := prev.proto.GetOptions().GetNoStandardDescriptorAccessor()
		to := cur.proto.GetOptions().GetNoStandardDescriptorAccessor()
		if from || !to {
			return
		}
		p.report(locate(cur.file, cur.at(messageOptionsTag, tag)), locate(prev.file, prev.at(messageOptionsTag, tag)), cur.file.Path,
			`Message option "no_standard_descriptor_accessor" changed from %q to %q.`, boolString(from), boolString(to))
	})
}

func checkOneofNoDelete(p *pass) {
	p.messagePairs(func(cur, prev *message) {
		have := make(map[string]bool, len(cur.oneofs))
		for _, o := range cur.oneofs {
			have[string(o.desc.Name())] = true
		}
		for _, o := range prev.oneofs {
			if have[string(o.desc.Name())] || o.desc.IsSynthetic() {
				continue
			}
			p.report(cur.loc(), prev.loc(), cur.file.Path,
				"Previously present oneof %q on message %q was deleted.", string(o.desc.Name()), cur.proto.GetName())
		}
	})
}

func checkMessageSameJSONFormat(p *pass) {
	p.messagePairs(func(cur, prev *message) {
		pv, cv := feature(prev.desc, featureJSONFormat), feature(cur.desc, featureJSONFormat)
		allow := descriptorpb.FeatureSet_ALLOW.Number()
		if pv != allow || cv == allow {
			return
		}
		p.report(firstOf(cur.featureLoc(featureJSONFormat), cur.loc()), firstOf(prev.featureLoc(featureJSONFormat), prev.loc()),
			cur.file.Path, "Message %q JSON format support changed from %s to %s.", cur.proto.GetName(),
			featureName(featureJSONFormat, pv), featureName(featureJSONFormat, cv))
	})
}

func requiredFields(m *message) map[int32]*field {
	out := make(map[int32]*field)
	for _, f := range m.fields {
		if f.proto.GetLabel() == descriptorpb.FieldDescriptorProto_LABEL_REQUIRED {
			out[f.proto.GetNumber()] = f
		}
	}
	return out
}

func checkMessageSameRequiredFields(p *pass) {
	const why = "Required fields must always be sent, so if one side does not know about the required field, this will result in a breakage."
	p.messagePairs(func(cur, prev *message) {
		pr, cr := requiredFields(prev), requiredFields(cur)
		for n := range pr {
			if _, ok := cr[n]; !ok {
				p.report(cur.loc(), prev.loc(), cur.file.Path,
					`Message %q had required field "%d" deleted. %s`, prev.proto.GetName(), n, why)
			}
		}
		for n, f := range cr {
			if _, ok := pr[n]; !ok {
				p.report(f.loc(), nil, f.file.Path,
					`Message %q had required field "%d" added. %s`, cur.proto.GetName(), n, why)
			}
		}
	})
}
