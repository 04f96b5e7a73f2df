package pelican

import (
	"fmt"
	"strconv"
	"sync"
	"sync/atomic"
	"unicode/utf8"

	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/reflect/protoreflect"
	"google.golang.org/protobuf/reflect/protoregistry"
	"google.golang.org/protobuf/types/descriptorpb"

	pelicanv1 "github.com/pelicanhq/pelican/proto/pelican/v1"
)

// MaxPartitionKeyLength is the longest partition key Kinesis accepts, in Unicode characters.
const MaxPartitionKeyLength = 256

// keyFields remembers, per message descriptor, which field is marked as the partition key and the
// type's name, so the options are read once per event type rather than once per publish.
type keyFields struct {
	m    sync.Map                      // protoreflect.MessageDescriptor -> *eventTypeInfo
	last atomic.Pointer[eventTypeInfo] // the type of the last event, most often the next one's too
}

// eventTypeInfo is what publishing needs to know of an event's message type.
type eventTypeInfo struct {
	md   protoreflect.MessageDescriptor
	name string // md's full name
	// typeField is the envelope's event type field, the same in every record of the type.
	typeField []byte
	fd        protoreflect.FieldDescriptor // the partition-key field; nil when no field is marked
	err       error                        // why the marked field cannot be the key
}

// PartitionKeyField returns the field of md marked with (pelican.v1.partition_key) = true, or
// nil when none is. It fails when more than one field is marked, or when the marked field is not
// a singular string or integer.
func PartitionKeyField(md protoreflect.MessageDescriptor) (protoreflect.FieldDescriptor, error) {
	var found protoreflect.FieldDescriptor
	fields := md.Fields()
	for i := range fields.Len() {
		fd := fields.Get(i)
		if !isMarked(fd) {
			continue
		}
		if found != nil {
			return nil, fmt.Errorf("%w: %s marks both %s and %s", ErrPartitionKey, md.FullName(), found.Name(), fd.Name())
		}
		if fd.Cardinality() == protoreflect.Repeated || !keyKind(fd.Kind()) {
			return nil, fmt.Errorf("%w: %s is marked but is not a singular string or integer", ErrPartitionKey, fd.FullName())
		}
		found = fd
	}
	return found, nil
}

func keyKind(k protoreflect.Kind) bool {
	switch k {
	case protoreflect.StringKind,
		protoreflect.Int32Kind, protoreflect.Sint32Kind, protoreflect.Sfixed32Kind,
		protoreflect.Uint32Kind, protoreflect.Fixed32Kind,
		protoreflect.Int64Kind, protoreflect.Sint64Kind, protoreflect.Sfixed64Kind,
		protoreflect.Uint64Kind, protoreflect.Fixed64Kind:
		return true
	}
	return false
}

// optionResolver resolves the partition_key extension when options arrive as unknown fields, as
// they do from descriptors built at run time (dynamicpb, protocompile).
type optionResolver struct{}

func (optionResolver) FindExtensionByName(name protoreflect.FullName) (protoreflect.ExtensionType, error) {
	if name == pelicanv1.E_PartitionKey.TypeDescriptor().FullName() {
		return pelicanv1.E_PartitionKey, nil
	}
	return nil, protoregistry.NotFound
}

func (optionResolver) FindExtensionByNumber(message protoreflect.FullName, field protoreflect.FieldNumber) (protoreflect.ExtensionType, error) {
	xd := pelicanv1.E_PartitionKey.TypeDescriptor()
	if message == xd.ContainingMessage().FullName() && field == xd.Number() {
		return pelicanv1.E_PartitionKey, nil
	}
	return nil, protoregistry.NotFound
}

func isMarked(fd protoreflect.FieldDescriptor) bool {
	opts, ok := fd.Options().(*descriptorpb.FieldOptions)
	if !ok || opts == nil {
		return false
	}
	if proto.HasExtension(opts, pelicanv1.E_PartitionKey) {
		return proto.GetExtension(opts, pelicanv1.E_PartitionKey).(bool)
	}
	if len(opts.ProtoReflect().GetUnknown()) == 0 {
		return false
	}
	b, err := proto.Marshal(opts)
	if err != nil {
		return false
	}
	resolved := new(descriptorpb.FieldOptions)
	if err := (proto.UnmarshalOptions{Resolver: optionResolver{}}).Unmarshal(b, resolved); err != nil {
		return false
	}
	return proto.GetExtension(resolved, pelicanv1.E_PartitionKey).(bool)
}

// typeInfo returns what publishing needs to know of md.
func (k *keyFields) typeInfo(md protoreflect.MessageDescriptor) *eventTypeInfo {
	if ti := k.last.Load(); ti != nil && ti.md == md {
		return ti
	}
	if v, ok := k.m.Load(md); ok {
		ti := v.(*eventTypeInfo)
		k.last.Store(ti)
		return ti
	}
	fd, err := PartitionKeyField(md)
	name := string(md.FullName())
	ti := &eventTypeInfo{md: md, name: name, typeField: fieldBytes(envEventType, name), fd: fd, err: err}
	k.m.Store(md, ti)
	k.last.Store(ti)
	return ti
}

// partitionKey chooses the key of m, of the type ti: explicit when given, else the marked field,
// else the event id.
func partitionKey(m protoreflect.Message, ti *eventTypeInfo, explicit *string, eventID string) (string, error) {
	var key string
	switch {
	case explicit != nil:
		key = *explicit
	case ti.err != nil:
		return "", ti.err
	case ti.fd == nil:
		key = eventID
	default:
		key = fieldKey(m.Get(ti.fd), ti.fd.Kind())
		if key == "" {
			return "", fmt.Errorf("%w: %s, the partition-key field, is empty", ErrPartitionKey, ti.fd.FullName())
		}
	}
	if key == "" {
		return "", fmt.Errorf("%w: empty, for %s", ErrPartitionKey, ti.name)
	}
	// A key of at most MaxPartitionKeyLength bytes has at most as many characters.
	if len(key) > MaxPartitionKeyLength {
		if n := utf8.RuneCountInString(key); n > MaxPartitionKeyLength {
			return "", fmt.Errorf("%w: %d characters for %s, Kinesis takes at most %d", ErrPartitionKey, n, ti.name, MaxPartitionKeyLength)
		}
	}
	if !utf8.ValidString(key) {
		return "", fmt.Errorf("%w: not valid UTF-8, for %s", ErrPartitionKey, ti.name)
	}
	return key, nil
}

func fieldKey(v protoreflect.Value, kind protoreflect.Kind) string {
	switch kind {
	case protoreflect.StringKind:
		return v.String()
	case protoreflect.Uint32Kind, protoreflect.Fixed32Kind, protoreflect.Uint64Kind, protoreflect.Fixed64Kind:
		return strconv.FormatUint(v.Uint(), 10)
	default:
		return strconv.FormatInt(v.Int(), 10)
	}
}
