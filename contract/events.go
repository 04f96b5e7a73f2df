package contract

import (
	"fmt"
	"sort"
	"strings"

	"google.golang.org/protobuf/encoding/protowire"
	"google.golang.org/protobuf/reflect/protoreflect"
)

// DefaultPartitionKeyOption is the field option that marks an event's partition key:
// `(pelican.v1.partition_key) = true`, declared in proto/pelican/v1/options.proto.
const DefaultPartitionKeyOption = "pelican.v1.partition_key"

// isEvent reports whether m is an event type: a top-level message of a file whose package ends
// in a version (acme.orders.v1).
func isEvent(m *message) bool {
	if m.parent != nil || m.desc.IsMapEntry() {
		return false
	}
	_, ok := packageVersion(m.file.proto.GetPackage())
	return ok
}

// events returns a schema's event types by full name.
func events(x *index) map[string]*message {
	out := make(map[string]*message)
	for _, fi := range x.files {
		for _, m := range fi.messages {
			if isEvent(m) {
				out[string(m.desc.FullName())] = m
			}
		}
	}
	return out
}

// keyOptionNumber finds the extension number of the partition-key option by its full name in
// the schema's own descriptors, so that contract needs no generated code; 0 when no file of
// the schema declares it.
func keyOptionNumber(x *index, name string) protoreflect.FieldNumber {
	for _, fi := range x.files {
		for _, ext := range fi.extensions {
			if string(ext.desc.FullName()) == name && ext.proto.GetExtendee() == ".google.protobuf.FieldOptions" {
				return ext.desc.Number()
			}
		}
	}
	return 0
}

// partitionKey returns the event's partition-key field: the first field whose options set the
// key option to true.
func partitionKey(m *message, name string, number protoreflect.FieldNumber) *field {
	for _, f := range m.fields {
		if boolOption(f.proto.GetOptions().ProtoReflect(), protoreflect.FullName(name), number) {
			return f
		}
	}
	return nil
}

// boolOption reads a boolean extension from an options message, whether the runtime knows the
// extension (a generated package registered it) or kept it as unknown bytes.
func boolOption(opts protoreflect.Message, name protoreflect.FullName, number protoreflect.FieldNumber) bool {
	if !opts.IsValid() {
		return false
	}
	found, value := false, false
	opts.Range(func(fd protoreflect.FieldDescriptor, v protoreflect.Value) bool {
		if fd.IsExtension() && (fd.FullName() == name || (number != 0 && fd.Number() == number)) {
			found = true
			value = fd.Kind() == protoreflect.BoolKind && v.Bool()
			return false
		}
		return true
	})
	if found || number == 0 {
		return value
	}
	b := opts.GetUnknown()
	for len(b) > 0 {
		num, typ, n := protowire.ConsumeTag(b)
		if n < 0 {
			return false
		}
		b = b[n:]
		if num == number && typ == protowire.VarintType {
			v, m := protowire.ConsumeVarint(b)
			if m < 0 {
				return false
			}
			value = v != 0
			b = b[m:]
			continue
		}
		m := protowire.ConsumeFieldValue(num, typ, b)
		if m < 0 {
			return false
		}
		b = b[m:]
	}
	return value
}

// typeString describes a field's type for Pelican's messages: the scalar kind, or the full
// name of its message or enum, with its cardinality when it is not a plain singular field.
func typeString(f *field) string {
	t := kindString(f.desc)
	switch f.desc.Kind() {
	case protoreflect.MessageKind, protoreflect.GroupKind, protoreflect.EnumKind:
		t = strings.TrimPrefix(f.proto.GetTypeName(), ".")
	}
	switch {
	case f.desc.IsMap():
		k, v := f.desc.MapKey(), f.desc.MapValue()
		vt := v.Kind().String()
		if v.Message() != nil {
			vt = string(v.Message().FullName())
		} else if v.Enum() != nil {
			vt = string(v.Enum().FullName())
		}
		return fmt.Sprintf("map<%s, %s>", k.Kind(), vt)
	case f.desc.IsList():
		return "repeated " + t
	}
	return t
}

// shape is a message's fields by number, for telling a renamed event from a new one.
func shape(m *message) string {
	parts := make([]string, 0, len(m.fields))
	for _, f := range m.fields {
		parts = append(parts, fmt.Sprintf("%d:%s", f.proto.GetNumber(), typeString(f)))
	}
	sort.Strings(parts)
	return strings.Join(parts, ",")
}

func checkEventNoDelete(p *pass) {
	prev, cur := events(p.prevIdx), events(p.curIdx)
	added := make(map[string][]*message)
	for name, m := range cur {
		if _, ok := prev[name]; !ok {
			added[shape(m)] = append(added[shape(m)], m)
		}
	}
	for _, name := range sortedKeys(prev) {
		if _, ok := cur[name]; ok {
			continue
		}
		pm := prev[name]
		if cands := added[shape(pm)]; len(cands) == 1 && len(pm.fields) > 0 {
			nm := cands[0]
			p.report(nm.loc(), pm.loc(), nm.file.Path,
				"Event %q was renamed to %q; consumers look events up by type name, so this is a deleted event type.",
				name, string(nm.desc.FullName()))
			continue
		}
		fallback := ""
		if _, ok := p.curIdx.byPath[pm.file.Path]; ok {
			fallback = pm.file.Path
		}
		p.report(nil, pm.loc(), fallback, "Previously present event %q was deleted.", name)
	}
}

func checkEventSamePartitionKey(p *pass) {
	name := p.env.keyOption
	prevNum, curNum := keyOptionNumber(p.prevIdx, name), keyOptionNumber(p.curIdx, name)
	if prevNum == 0 && curNum == 0 {
		return
	}
	cur := events(p.curIdx)
	for evName, pm := range events(p.prevIdx) {
		cm, ok := cur[evName]
		if !ok {
			continue
		}
		pk := partitionKey(pm, name, prevNum)
		if pk == nil {
			continue
		}
		ck := partitionKey(cm, name, curNum)
		switch {
		case ck == nil:
			p.report(cm.loc(), pk.loc(), cm.file.Path,
				"Event %q no longer marks a partition key; it was field %q (%d). Records would be routed to other shards, breaking per-key order.",
				cm.proto.GetName(), pk.proto.GetName(), pk.proto.GetNumber())
		case ck.proto.GetNumber() != pk.proto.GetNumber():
			p.report(ck.loc(), pk.loc(), cm.file.Path,
				"Event %q changed its partition key from field %q (%d) to field %q (%d). Records would be routed to other shards, breaking per-key order.",
				cm.proto.GetName(), pk.proto.GetName(), pk.proto.GetNumber(), ck.proto.GetName(), ck.proto.GetNumber())
		case typeString(ck) != typeString(pk):
			p.report(firstOf(ck.typeNameLoc(), ck.typeLoc(), ck.loc()), pk.loc(), cm.file.Path,
				"Partition key field %q of event %q changed type from %q to %q. The same key would hash to another shard.",
				ck.proto.GetName(), cm.proto.GetName(), typeString(pk), typeString(ck))
		}
	}
}
