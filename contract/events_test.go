package contract

import (
	"context"
	"testing"

	"google.golang.org/protobuf/encoding/protowire"
	"google.golang.org/protobuf/reflect/protoreflect"
	"google.golang.org/protobuf/types/descriptorpb"
	"google.golang.org/protobuf/types/dynamicpb"
)

func TestBoolOption(t *testing.T) {
	const number = 50700
	unknown := func(fields ...[]byte) *descriptorpb.FieldOptions {
		o := &descriptorpb.FieldOptions{}
		var b []byte
		for _, f := range fields {
			b = append(b, f...)
		}
		o.ProtoReflect().SetUnknown(b)
		return o
	}
	varint := func(num protowire.Number, v uint64) []byte {
		return protowire.AppendVarint(protowire.AppendTag(nil, num, protowire.VarintType), v)
	}
	bytesField := func(num protowire.Number, v string) []byte {
		return protowire.AppendString(protowire.AppendTag(nil, num, protowire.BytesType), v)
	}
	for _, tc := range []struct {
		name string
		opts *descriptorpb.FieldOptions
		want bool
	}{
		{"unset", &descriptorpb.FieldOptions{}, false},
		{"true as unknown bytes", unknown(varint(number, 1)), true},
		{"false as unknown bytes", unknown(varint(number, 0)), false},
		{"last value wins", unknown(varint(number, 1), varint(number, 0)), false},
		{"among other options", unknown(bytesField(50701, "x"), varint(50699, 1), varint(number, 1)), true},
		{"another option", unknown(varint(50699, 1)), false},
		{"truncated", unknown([]byte{0xe0, 0xbc}), false},
	} {
		if got := boolOption(tc.opts.ProtoReflect(), "pelican.v1.partition_key", number); got != tc.want {
			t.Errorf("%s: boolOption = %v, want %v", tc.name, got, tc.want)
		}
	}

	// When a generated package registered the extension, options arrive as a known field.
	s := loadFiles(t, map[string]string{"pelican/v1/options.proto": `syntax = "proto3";
package pelican.v1;
import "google/protobuf/descriptor.proto";
extend google.protobuf.FieldOptions {
  bool partition_key = 50700;
}
`})
	xd := s.File("pelican/v1/options.proto").Descriptor().Extensions().ByName("partition_key")
	xt := dynamicpb.NewExtensionType(xd)
	opts := &descriptorpb.FieldOptions{}
	opts.ProtoReflect().Set(xt.TypeDescriptor(), protoreflect.ValueOfBool(true))
	if !boolOption(opts.ProtoReflect(), "pelican.v1.partition_key", 0) {
		t.Error("boolOption did not read a known extension by name")
	}
	if boolOption(opts.ProtoReflect(), "acme.v1.key", 0) {
		t.Error("boolOption read an extension of another name")
	}
}

// TestPartitionKeyOfTheRepository reads the partition-key option from the repository's own
// event schemas (proto/), as the gate does: the example events mark their keys.
func TestPartitionKeyOfTheRepository(t *testing.T) {
	s, err := LoadDir(context.Background(), "../proto", nil)
	if err != nil {
		t.Fatal(err)
	}
	x := s.index()
	num := keyOptionNumber(x, DefaultPartitionKeyOption)
	if num == 0 {
		t.Fatalf("%s is not declared in ../proto", DefaultPartitionKeyOption)
	}
	keyed := 0
	for _, m := range events(x) {
		if partitionKey(m, DefaultPartitionKeyOption, num) != nil {
			keyed++
		}
	}
	if keyed == 0 {
		t.Error("no event of ../proto marks a partition key")
	}
}

func TestIsEvent(t *testing.T) {
	s := loadFiles(t, map[string]string{
		"a/v1/a.proto":    "syntax = \"proto3\";\npackage acme.a.v1;\nmessage Top {\n  message Nested {}\n  map<string, string> m = 1;\n}\n",
		"b/b.proto":       "syntax = \"proto3\";\npackage acme.b;\nmessage Unversioned {}\n",
		"c/v1beta1.proto": "syntax = \"proto3\";\npackage acme.c.v1beta1;\nmessage Beta {}\n",
	})
	got := events(s.index())
	for _, name := range []string{"acme.a.v1.Top", "acme.c.v1beta1.Beta"} {
		if got[name] == nil {
			t.Errorf("%s is not an event", name)
		}
	}
	for _, name := range []string{"acme.a.v1.Top.Nested", "acme.a.v1.Top.MEntry", "acme.b.Unversioned"} {
		if got[name] != nil {
			t.Errorf("%s is an event", name)
		}
	}
}
