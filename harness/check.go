package harness

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strings"

	"google.golang.org/protobuf/encoding/protojson"
	"google.golang.org/protobuf/encoding/protowire"
	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/reflect/protoreflect"
	"google.golang.org/protobuf/reflect/protoregistry"

	"github.com/pelicanhq/pelican"
	"github.com/pelicanhq/pelican/contract"
)

// The finding types of Check; docs/fixtures.md describes each.
const (
	// FindingFormat: the file does not follow the fixture format.
	FindingFormat = "FIXTURE_FORMAT"
	// FindingOrder: a shard's sequence numbers do not increase down the file.
	FindingOrder = "FIXTURE_ORDER"
	// FindingTypeMismatch: a line's event_type is not the type its data's envelope names.
	FindingTypeMismatch = "EVENT_TYPE_MISMATCH"
	// FindingTypeUnknown: the schema has no message of the event's type.
	FindingTypeUnknown = "EVENT_TYPE_UNKNOWN"
	// FindingUndecodable: the event's payload does not decode as its type.
	FindingUndecodable = "EVENT_UNDECODABLE"
	// FindingFieldUnknown: the payload holds a field number the schema does not define.
	FindingFieldUnknown = "FIELD_UNKNOWN"
	// FindingFieldRemoved: the recorded event has a field the schema no longer has by that name.
	FindingFieldRemoved = "FIELD_REMOVED"
	// FindingFieldRetyped: a field's recorded value, or its encoding in the payload, does not
	// fit the field's type in the schema.
	FindingFieldRetyped = "FIELD_RETYPED"
	// FindingFieldChanged: the payload now decodes to another value than was recorded.
	FindingFieldChanged = "FIELD_CHANGED"
)

// Check reads the fixtures at paths (files, or directories whose *.jsonl files are read) and
// holds each event against the schema of WithTypes, as CheckFixture does. A file that does not
// read as a fixture is a FIXTURE_FORMAT finding, not an error; errors are for files that cannot
// be read at all.
func Check(ctx context.Context, paths []string, opts ...Option) ([]contract.Finding, error) {
	cfg := newConfig(opts)
	files, err := fixtureFiles(paths)
	if err != nil {
		return nil, err
	}
	var out []contract.Finding
	for _, path := range files {
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		f, err := ReadFile(path)
		var le *LineError
		switch {
		case errors.As(err, &le):
			out = append(out, contract.Finding{Path: path, StartLine: le.Line, Type: FindingFormat, Message: le.Err.Error()})
			continue
		case err != nil:
			return nil, err
		}
		out = append(out, CheckFixture(f, cfg.types)...)
	}
	return out, nil
}

// fixtureFiles expands directories to the *.jsonl files in them, sorted.
func fixtureFiles(paths []string) ([]string, error) {
	var out []string
	for _, p := range paths {
		st, err := os.Stat(p)
		if err != nil {
			return nil, fmt.Errorf("harness: %w", err)
		}
		if !st.IsDir() {
			out = append(out, p)
			continue
		}
		matches, err := filepath.Glob(filepath.Join(p, "*.jsonl"))
		if err != nil {
			return nil, fmt.Errorf("harness: %w", err)
		}
		slices.Sort(matches)
		out = append(out, matches...)
	}
	return out, nil
}

// CheckFixture holds each event of f against the schema in types. Every event's type must be
// in the schema and its payload must decode; the payload must hold no field the schema does not
// define, none in an encoding its field's type cannot read; and each field of the recorded event
// (the line's event object) must still exist by name, accept the recorded value, and decode
// from the payload to that value. Records that are not events are only checked for order.
//
// A problem found in many records is reported once, at its first line, with the number of
// records that have it. A nil types means protoregistry.GlobalTypes.
func CheckFixture(f *Fixture, types TypeResolver) []contract.Finding {
	if types == nil {
		types = protoregistry.GlobalTypes
	}
	c := &checker{path: f.Path, types: types, seen: make(map[string]int)}
	last := make(map[string]*Entry)
	for _, e := range f.Entries {
		if prev := last[e.ShardID]; prev != nil && !after(e, prev) {
			c.add(e, FindingOrder, fmt.Sprintf("%s: sequence number %s (sub-sequence %d) does not follow %s (sub-sequence %d) of line %d",
				e.ShardID, e.SequenceNumber, e.SubSequenceNumber, prev.SequenceNumber, prev.SubSequenceNumber, prev.Line))
		}
		last[e.ShardID] = e
		c.entry(e)
	}
	for i := range c.findings {
		if n := c.counts[i]; n > 1 {
			c.findings[i].Message += fmt.Sprintf(" (in %d records)", n)
		}
	}
	sort.SliceStable(c.findings, func(i, j int) bool { return c.findings[i].StartLine < c.findings[j].StartLine })
	return c.findings
}

// after reports whether e comes after prev in their shard.
func after(e, prev *Entry) bool {
	if c := compareDecimal(e.SequenceNumber, prev.SequenceNumber); c != 0 {
		return c > 0
	}
	return e.SubSequenceNumber > prev.SubSequenceNumber
}

// compareDecimal compares two decimal numbers of any length.
func compareDecimal(a, b string) int {
	a, b = strings.TrimLeft(a, "0"), strings.TrimLeft(b, "0")
	if len(a) != len(b) {
		if len(a) < len(b) {
			return -1
		}
		return 1
	}
	return strings.Compare(a, b)
}

type checker struct {
	path     string
	types    TypeResolver
	findings []contract.Finding
	counts   []int
	seen     map[string]int // type and message -> index in findings
}

// add notes a finding. Findings of one type and key (what is wrong where, without the values
// of one record) count as one; the first one's message stands for all.
func (c *checker) add(e *Entry, typ, msg string) { c.addKeyed(e, typ, msg, msg) }

func (c *checker) addKeyed(e *Entry, typ, key, msg string) {
	k := typ + "\x00" + key
	if i, ok := c.seen[k]; ok {
		c.counts[i]++
		return
	}
	c.seen[k] = len(c.findings)
	c.findings = append(c.findings, contract.Finding{Path: c.path, StartLine: e.Line, Type: typ, Message: msg})
	c.counts = append(c.counts, 1)
}

func (c *checker) entry(e *Entry) {
	env, err := pelican.UnmarshalEnvelope(e.Data)
	if err != nil {
		if e.EventType != "" {
			c.add(e, FindingTypeMismatch, fmt.Sprintf("the line names event type %s, but its data is not an envelope: %v", e.EventType, err))
		}
		return
	}
	name := env.GetEventType()
	if e.EventType != "" && e.EventType != name {
		c.add(e, FindingTypeMismatch, fmt.Sprintf("the line names event type %s, but its envelope holds %s", e.EventType, name))
	}
	mt, err := c.types.FindMessageByName(protoreflect.FullName(name))
	if err != nil {
		if errors.Is(err, protoregistry.NotFound) {
			c.add(e, FindingTypeUnknown, fmt.Sprintf("event type %s is not in the schema (removed or renamed)", name))
		} else {
			c.add(e, FindingTypeUnknown, fmt.Sprintf("event type %s: %v", name, err))
		}
		return
	}
	md := mt.Descriptor()
	var problems []wireProblem
	walkWire(env.GetPayload(), md, string(md.FullName()), 0, &problems)
	retyped := make(map[protoreflect.FieldNumber]bool)
	for _, p := range problems {
		switch {
		case p.field == nil && p.reserved:
			c.add(e, FindingFieldUnknown, fmt.Sprintf("%s: the payload has field %d (%s), which the schema reserves: the field was removed", p.path, p.number, wireName(p.wire)))
		case p.field == nil:
			c.add(e, FindingFieldUnknown, fmt.Sprintf("%s: the payload has field %d (%s), which the schema does not define", p.path, p.number, wireName(p.wire)))
		default:
			if p.top {
				retyped[p.number] = true
			}
			c.add(e, FindingFieldRetyped, fmt.Sprintf("%s.%s is %s in the schema, but the payload holds field %d as %s", p.path, p.field.Name(), kindName(p.field), p.number, wireName(p.wire)))
		}
	}
	msg := mt.New().Interface()
	if err := (proto.UnmarshalOptions{Resolver: c.types}).Unmarshal(env.GetPayload(), msg); err != nil {
		c.addKeyed(e, FindingUndecodable, name, fmt.Sprintf("%s does not decode: %v", name, err))
		return
	}
	if len(e.Event) > 0 {
		c.recorded(e, mt, msg, retyped)
	}
}

// recorded holds the line's event object, field by field, against the schema and the payload.
func (c *checker) recorded(e *Entry, mt protoreflect.MessageType, msg proto.Message, retyped map[protoreflect.FieldNumber]bool) {
	md := mt.Descriptor()
	var fields map[string]json.RawMessage
	if err := json.Unmarshal(e.Event, &fields); err != nil {
		c.add(e, FindingFormat, fmt.Sprintf("event is not a JSON object: %v", err))
		return
	}
	for _, key := range slices.Sorted(func(yield func(string) bool) {
		for k := range fields {
			if !yield(k) {
				return
			}
		}
	}) {
		raw := fields[key]
		fd := c.fieldByKey(md, key)
		if fd == nil {
			c.add(e, FindingFieldRemoved, fmt.Sprintf("%s: the recorded event has field %q, which the schema does not have (removed or renamed)", md.FullName(), key))
			continue
		}
		if retyped[fd.Number()] {
			continue
		}
		one, err := json.Marshal(map[string]json.RawMessage{key: raw})
		if err != nil {
			continue
		}
		rec := mt.New().Interface()
		if err := (protojson.UnmarshalOptions{Resolver: c.types}).Unmarshal(one, rec); err != nil {
			c.addKeyed(e, FindingFieldRetyped, string(md.FullName())+"."+key,
				fmt.Sprintf("%s.%s: the recorded value %s does not fit its type in the schema, %s: %v", md.FullName(), key, clip(raw), kindName(fd), protojsonReason(err)))
			continue
		}
		now := mt.New().Interface()
		if v := msg.ProtoReflect(); v.Has(fd) {
			now.ProtoReflect().Set(fd, v.Get(fd))
		}
		if !proto.Equal(rec, now) {
			got := "nothing"
			if b, err := (protojson.MarshalOptions{UseProtoNames: true, Resolver: c.types}).Marshal(now); err == nil {
				var m map[string]json.RawMessage
				if json.Unmarshal(b, &m) == nil && len(m) == 1 {
					for _, v := range m {
						got = clip(v)
					}
				}
			}
			c.addKeyed(e, FindingFieldChanged, string(md.FullName())+"."+key,
				fmt.Sprintf("%s.%s: recorded as %s, the payload now decodes as %s (the schema's type is %s)", md.FullName(), key, clip(raw), got, kindName(fd)))
		}
	}
}

// fieldByKey finds the field a protojson key names: its proto name, its JSON name, or an
// extension in brackets.
func (c *checker) fieldByKey(md protoreflect.MessageDescriptor, key string) protoreflect.FieldDescriptor {
	if strings.HasPrefix(key, "[") && strings.HasSuffix(key, "]") {
		xt, err := c.types.FindExtensionByName(protoreflect.FullName(key[1 : len(key)-1]))
		if err != nil || xt.TypeDescriptor().ContainingMessage().FullName() != md.FullName() {
			return nil
		}
		return xt.TypeDescriptor()
	}
	if fd := md.Fields().ByTextName(key); fd != nil {
		return fd
	}
	return md.Fields().ByJSONName(key)
}

// wireProblem is a field of a payload that the schema cannot read.
type wireProblem struct {
	path     string
	number   protoreflect.FieldNumber
	wire     protowire.Type
	field    protoreflect.FieldDescriptor // nil for a field the schema does not define
	reserved bool
	top      bool // a field of the event itself, not of a nested message
}

// maxDepth bounds the walk into nested messages, as the protobuf runtime bounds recursion.
const maxDepth = 100

// walkWire reads b field by field against md, noting the fields md does not define and those
// whose wire type md's field cannot read, and walks into nested messages. Bytes that do not
// parse end the walk; decoding the payload reports them.
func walkWire(b []byte, md protoreflect.MessageDescriptor, path string, depth int, out *[]wireProblem) {
	if depth > maxDepth {
		return
	}
	for len(b) > 0 {
		num, typ, n := protowire.ConsumeTag(b)
		if n < 0 {
			return
		}
		b = b[n:]
		m := protowire.ConsumeFieldValue(num, typ, b)
		if m < 0 {
			return
		}
		val := b[:m]
		b = b[m:]
		fd := md.Fields().ByNumber(num)
		if fd == nil {
			if md.ExtensionRanges().Has(num) {
				continue
			}
			*out = append(*out, wireProblem{path: path, number: num, wire: typ, reserved: md.ReservedRanges().Has(num), top: depth == 0})
			continue
		}
		if !wireFits(fd, typ) {
			*out = append(*out, wireProblem{path: path, number: num, wire: typ, field: fd, top: depth == 0})
			continue
		}
		if fd.Kind() == protoreflect.MessageKind && typ == protowire.BytesType {
			sub, k := protowire.ConsumeBytes(val)
			if k < 0 {
				return
			}
			walkWire(sub, fd.Message(), path+"."+string(fd.Name()), depth+1, out)
		}
	}
}

// wireFits reports whether a field of fd's type can be read from wire type typ.
func wireFits(fd protoreflect.FieldDescriptor, typ protowire.Type) bool {
	switch fd.Kind() {
	case protoreflect.MessageKind, protoreflect.StringKind, protoreflect.BytesKind:
		return typ == protowire.BytesType
	case protoreflect.GroupKind:
		return typ == protowire.StartGroupType
	case protoreflect.BoolKind, protoreflect.EnumKind, protoreflect.Int32Kind, protoreflect.Sint32Kind,
		protoreflect.Uint32Kind, protoreflect.Int64Kind, protoreflect.Sint64Kind, protoreflect.Uint64Kind:
		return typ == protowire.VarintType || (fd.IsList() && typ == protowire.BytesType)
	case protoreflect.Fixed32Kind, protoreflect.Sfixed32Kind, protoreflect.FloatKind:
		return typ == protowire.Fixed32Type || (fd.IsList() && typ == protowire.BytesType)
	case protoreflect.Fixed64Kind, protoreflect.Sfixed64Kind, protoreflect.DoubleKind:
		return typ == protowire.Fixed64Type || (fd.IsList() && typ == protowire.BytesType)
	}
	return false
}

func wireName(t protowire.Type) string {
	switch t {
	case protowire.VarintType:
		return "a varint"
	case protowire.Fixed32Type:
		return "32-bit fixed"
	case protowire.Fixed64Type:
		return "64-bit fixed"
	case protowire.BytesType:
		return "length-delimited bytes"
	case protowire.StartGroupType:
		return "a group"
	}
	return fmt.Sprintf("wire type %d", t)
}

// kindName is a field's type as a .proto file declares it.
func kindName(fd protoreflect.FieldDescriptor) string {
	switch {
	case fd.IsMap():
		return fmt.Sprintf("map<%s, %s>", typeName(fd.MapKey()), typeName(fd.MapValue()))
	case fd.IsList():
		return "repeated " + typeName(fd)
	}
	return typeName(fd)
}

func typeName(fd protoreflect.FieldDescriptor) string {
	switch fd.Kind() {
	case protoreflect.MessageKind, protoreflect.GroupKind:
		return string(fd.Message().FullName())
	case protoreflect.EnumKind:
		return string(fd.Enum().FullName())
	}
	return fd.Kind().String()
}

// clip shortens a JSON value for a message.
func clip(raw []byte) string {
	s := string(raw)
	if len(s) > 80 {
		return s[:77] + "..."
	}
	return s
}

// protojsonReason drops protojson's "proto:" prefix, the position in the one-field object it
// parsed, and its unstable whitespace.
func protojsonReason(err error) string {
	s := strings.Join(strings.Fields(strings.TrimPrefix(err.Error(), "proto:")), " ")
	if strings.HasPrefix(s, "(line ") {
		if i := strings.Index(s, "): "); i >= 0 {
			s = s[i+3:]
		}
	}
	return s
}
