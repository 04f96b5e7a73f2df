package pelican_test

import (
	"context"
	"errors"
	"strings"
	"testing"

	"google.golang.org/protobuf/encoding/protowire"
	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/reflect/protodesc"
	"google.golang.org/protobuf/reflect/protoreflect"
	"google.golang.org/protobuf/reflect/protoregistry"
	"google.golang.org/protobuf/types/descriptorpb"
	"google.golang.org/protobuf/types/dynamicpb"

	"github.com/pelicanhq/pelican"
	clockv1 "github.com/pelicanhq/pelican/proto/example/clock/v1"
	notificationv1 "github.com/pelicanhq/pelican/proto/example/notification/v1"
	pelicanv1 "github.com/pelicanhq/pelican/proto/pelican/v1"
)

// field describes one field of a message built at run time for the partition-key tests.
type field struct {
	name     string
	typ      descriptorpb.FieldDescriptorProto_Type
	repeated bool
	marked   bool
	// rawOption writes the mark as unknown bytes in the options, as a descriptor read from
	// another program's FileDescriptorSet arrives.
	rawOption bool
}

// buildMessage returns a dynamic message type test.v1.Event with the given fields.
func buildMessage(t *testing.T, fields ...field) protoreflect.MessageType {
	t.Helper()
	msg := &descriptorpb.DescriptorProto{Name: proto.String("Event")}
	for i, f := range fields {
		fd := &descriptorpb.FieldDescriptorProto{
			Name:   proto.String(f.name),
			Number: proto.Int32(int32(i + 1)),
			Type:   f.typ.Enum(),
			Label:  descriptorpb.FieldDescriptorProto_LABEL_OPTIONAL.Enum(),
		}
		if f.repeated {
			fd.Label = descriptorpb.FieldDescriptorProto_LABEL_REPEATED.Enum()
		}
		switch {
		case f.marked && f.rawOption:
			fd.Options = &descriptorpb.FieldOptions{}
			raw := protowire.AppendTag(nil, protowire.Number(pelicanv1.E_PartitionKey.TypeDescriptor().Number()), protowire.VarintType)
			fd.Options.ProtoReflect().SetUnknown(protowire.AppendVarint(raw, 1))
		case f.marked:
			fd.Options = &descriptorpb.FieldOptions{}
			proto.SetExtension(fd.Options, pelicanv1.E_PartitionKey, true)
		}
		msg.Field = append(msg.Field, fd)
	}
	file := &descriptorpb.FileDescriptorProto{
		Name:        proto.String("test/v1/event.proto"),
		Package:     proto.String("test.v1"),
		Syntax:      proto.String("proto3"),
		Dependency:  []string{"pelican/v1/options.proto"},
		MessageType: []*descriptorpb.DescriptorProto{msg},
	}
	fd, err := protodesc.NewFile(file, protoregistry.GlobalFiles)
	if err != nil {
		t.Fatal(err)
	}
	return dynamicpb.NewMessageType(fd.Messages().Get(0))
}

func TestPartitionKey(t *testing.T) {
	str := descriptorpb.FieldDescriptorProto_TYPE_STRING
	tests := []struct {
		name    string
		msg     func(t *testing.T) proto.Message
		opts    []pelican.PublishOption
		want    string
		wantErr error
	}{
		{
			name: "marked string field",
			msg:  func(*testing.T) proto.Message { return &clockv1.TimeTicked{ClockId: "zurich-hall", Hour: 7} },
			want: "zurich-hall",
		},
		{
			name: "explicit key beats the marked field",
			msg:  func(*testing.T) proto.Message { return &clockv1.TimeTicked{ClockId: "zurich-hall"} },
			opts: []pelican.PublishOption{pelican.WithPartitionKey("all-clocks")},
			want: "all-clocks",
		},
		{
			name: "explicit key when the marked field is empty",
			msg:  func(*testing.T) proto.Message { return &clockv1.TimeTicked{} },
			opts: []pelican.PublishOption{pelican.WithPartitionKey("all-clocks")},
			want: "all-clocks",
		},
		{
			name:    "marked field empty",
			msg:     func(*testing.T) proto.Message { return &clockv1.TimeTicked{Hour: 7} },
			wantErr: pelican.ErrPartitionKey,
		},
		{
			name:    "explicit key empty",
			msg:     func(*testing.T) proto.Message { return &clockv1.TimeTicked{ClockId: "zurich-hall"} },
			opts:    []pelican.PublishOption{pelican.WithPartitionKey("")},
			wantErr: pelican.ErrPartitionKey,
		},
		{
			name: "256 characters, multi-byte",
			msg:  func(*testing.T) proto.Message { return &clockv1.TimeTicked{ClockId: strings.Repeat("ü", 256)} },
			want: strings.Repeat("ü", 256),
		},
		{
			name:    "257 characters",
			msg:     func(*testing.T) proto.Message { return &clockv1.TimeTicked{ClockId: strings.Repeat("a", 257)} },
			wantErr: pelican.ErrPartitionKey,
		},
		{
			name:    "explicit key of 257 characters",
			msg:     func(*testing.T) proto.Message { return &clockv1.TimeTicked{ClockId: "zurich-hall"} },
			opts:    []pelican.PublishOption{pelican.WithPartitionKey(strings.Repeat("a", 257))},
			wantErr: pelican.ErrPartitionKey,
		},
		{
			name: "no marked field: the event id",
			msg: func(t *testing.T) proto.Message {
				return buildMessage(t, field{name: "note", typ: str}).New().Interface()
			},
			opts: []pelican.PublishOption{pelican.WithEventID("0193a1b2-7c3d-7e4f-8a5b-6c7d8e9f0a1b")},
			want: "0193a1b2-7c3d-7e4f-8a5b-6c7d8e9f0a1b",
		},
		{
			name: "marked integer field",
			msg: func(t *testing.T) proto.Message {
				m := buildMessage(t, field{name: "note", typ: str}, field{name: "account", typ: descriptorpb.FieldDescriptorProto_TYPE_SINT64, marked: true}).New()
				m.Set(m.Descriptor().Fields().ByName("account"), protoreflect.ValueOfInt64(-42))
				return m.Interface()
			},
			want: "-42",
		},
		{
			name: "marked unsigned field at zero",
			msg: func(t *testing.T) proto.Message {
				return buildMessage(t, field{name: "shard", typ: descriptorpb.FieldDescriptorProto_TYPE_UINT64, marked: true}).New().Interface()
			},
			want: "0",
		},
		{
			name: "mark read from unknown option bytes",
			msg: func(t *testing.T) proto.Message {
				m := buildMessage(t, field{name: "note", typ: str}, field{name: "id", typ: str, marked: true, rawOption: true}).New()
				m.Set(m.Descriptor().Fields().ByName("id"), protoreflect.ValueOfString("from-raw"))
				return m.Interface()
			},
			want: "from-raw",
		},
		{
			name: "two marked fields",
			msg: func(t *testing.T) proto.Message {
				return buildMessage(t, field{name: "a", typ: str, marked: true}, field{name: "b", typ: str, marked: true}).New().Interface()
			},
			wantErr: pelican.ErrPartitionKey,
		},
		{
			name: "marked bool field",
			msg: func(t *testing.T) proto.Message {
				return buildMessage(t, field{name: "flag", typ: descriptorpb.FieldDescriptorProto_TYPE_BOOL, marked: true}).New().Interface()
			},
			wantErr: pelican.ErrPartitionKey,
		},
		{
			name: "marked repeated field",
			msg: func(t *testing.T) proto.Message {
				return buildMessage(t, field{name: "ids", typ: str, repeated: true, marked: true}).New().Interface()
			},
			wantErr: pelican.ErrPartitionKey,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			pub := newTestPublisher(&recorder{})
			rec, err := pub.Encode(context.Background(), tt.msg(t), tt.opts...)
			if tt.wantErr != nil {
				if !errors.Is(err, tt.wantErr) {
					t.Fatalf("Encode error = %v, want %v", err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatalf("Encode: %v", err)
			}
			if rec.PartitionKey != tt.want {
				t.Errorf("partition key = %q, want %q", rec.PartitionKey, tt.want)
			}
		})
	}
}

func TestPartitionKeyFieldOfExampleEvents(t *testing.T) {
	tests := []struct {
		msg  proto.Message
		want protoreflect.Name
	}{
		{&clockv1.TimeTicked{}, "clock_id"},
		{&notificationv1.NotificationRequested{}, "notification_id"},
		{&notificationv1.NotificationSent{}, "notification_id"},
		{&notificationv1.NotificationFailed{}, "notification_id"},
		{&pelicanv1.Envelope{}, ""},
	}
	for _, tt := range tests {
		md := tt.msg.ProtoReflect().Descriptor()
		t.Run(string(md.FullName()), func(t *testing.T) {
			fd, err := pelican.PartitionKeyField(md)
			if err != nil {
				t.Fatal(err)
			}
			var got protoreflect.Name
			if fd != nil {
				got = fd.Name()
			}
			if got != tt.want {
				t.Errorf("PartitionKeyField = %q, want %q", got, tt.want)
			}
		})
	}
}
