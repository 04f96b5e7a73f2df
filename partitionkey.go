package pelican

import (
	"fmt"
	"strconv"
	"sync"
	"unicode/utf8"

	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/reflect/protoreflect"
	"google.golang.org/protobuf/reflect/protoregistry"
	"google.golang.org/protobuf/types/descriptorpb"

	pelicanv1 "github.com/pelicanhq/pelican/proto/pelican/v1"
)

// MaxPartitionKeyLength is the longest partition key Kinesis accepts, in Unicode characters.
const MaxPartitionKeyLength = 256

// keyFields remembers, per message descriptor, which field is marked as the partition key, so
// the options are read once per event type rather than once per publish.
type keyFields struct {
	m sync.Map // protoreflect.MessageDescriptor -> keyField
}

type keyField struct {
	fd  protoreflect.FieldDescriptor // nil when no field is marked
	err error
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

func (k *keyFields) field(md protoreflect.MessageDescriptor) (protoreflect.FieldDescriptor, error) {
	if v, ok := k.m.Load(md); ok {
		kf := v.(keyField)
		return kf.fd, kf.err
	}
	fd, err := PartitionKeyField(md)
	k.m.Store(md, keyField{fd: fd, err: err})
	return fd, err
}

// partitionKey chooses the key of msg: explicit when given, else the marked field, else the
// event id.
func (k *keyFields) partitionKey(msg proto.Message, explicit *string, eventID string) (string, error) {
	var key string
	switch {
	case explicit != nil:
		key = *explicit
	default:
		m := msg.ProtoReflect()
		fd, err := k.field(m.Descriptor())
		if err != nil {
			return "", err
		}
		if fd == nil {
			key = eventID
			break
		}
		key = fieldKey(m.Get(fd), fd.Kind())
		if key == "" {
			return "", fmt.Errorf("%w: %s, the partition-key field, is empty", ErrPartitionKey, fd.FullName())
		}
	}
	name := msg.ProtoReflect().Descriptor().FullName()
	if key == "" {
		return "", fmt.Errorf("%w: empty, for %s", ErrPartitionKey, name)
	}
	if n := utf8.RuneCountInString(key); n > MaxPartitionKeyLength {
		return "", fmt.Errorf("%w: %d characters for %s, Kinesis takes at most %d", ErrPartitionKey, n, name, MaxPartitionKeyLength)
	}
	if !utf8.ValidString(key) {
		return "", fmt.Errorf("%w: not valid UTF-8, for %s", ErrPartitionKey, name)
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
