package contract

import (
	"context"
	"errors"
	"path/filepath"
	"testing"

	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/types/descriptorpb"
)

// TestSelfComparison is a property of every rule: a schema compared with itself breaks nothing.
// It runs all rules (every category, Pelican's included) over every version in testdata.
func TestSelfComparison(t *testing.T) {
	ctx := context.Background()
	all := &Config{Source: "test", Version: "v2", Modules: []Module{{Path: ".", Breaking: BreakingConfig{
		Use: []string{"FILE", "PACKAGE", "WIRE_JSON", "WIRE", "EVENT", "CONSUMER"},
	}}}}
	dirs, err := filepath.Glob(filepath.Join("testdata", "*", "*"))
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for _, dir := range dirs {
		if base := filepath.Base(dir); base != "current" && base != "previous" {
			continue
		}
		layout, err := FindConfig(dir)
		if err != nil {
			t.Fatal(err)
		}
		if layout == nil {
			layout = all
		}
		s, err := LoadDir(ctx, dir, layout)
		if err != nil {
			t.Fatal(err)
		}
		got, err := Breaking(ctx, s, s, WithConfig(all))
		if err != nil {
			t.Fatal(err)
		}
		if len(got) > 0 {
			t.Errorf("%s compared with itself: %q", dir, strs(got))
		}
		n++
	}
	if n < 2*len(ruleTable) {
		t.Errorf("compared %d versions; want every rule's two", n)
	}
}

func TestBreakingCancelled(t *testing.T) {
	s := loadFiles(t, ordersV1)
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := Breaking(ctx, s, s); !errors.Is(err, context.Canceled) {
		t.Errorf("err = %v; want context.Canceled", err)
	}
}

func TestSchemaFromFileDescriptorSetErrors(t *testing.T) {
	s := loadFiles(t, map[string]string{
		"a.proto": "syntax = \"proto3\";\npackage a;\nimport \"b.proto\";\nmessage A { B b = 1; }\n",
		"b.proto": "syntax = \"proto3\";\npackage a;\nmessage B {}\n",
	})
	a, b := s.File("a.proto").Proto(), s.File("b.proto").Proto()
	for _, tc := range []struct {
		name  string
		files []*descriptorpb.FileDescriptorProto
	}{
		{"missing import", []*descriptorpb.FileDescriptorProto{a}},
		{"duplicate", []*descriptorpb.FileDescriptorProto{b, a, b}},
	} {
		if _, err := SchemaFromFileDescriptorSet(&descriptorpb.FileDescriptorSet{File: tc.files}); err == nil {
			t.Errorf("%s: accepted", tc.name)
		}
	}
	// Files may come in any order.
	got, err := SchemaFromFileDescriptorSet(&descriptorpb.FileDescriptorSet{File: []*descriptorpb.FileDescriptorProto{a, b}})
	if err != nil || got.File("a.proto") == nil || got.File("b.proto") == nil {
		t.Errorf("dependents first: %v", err)
	}
}

// FuzzSchemaFromFileDescriptorSet feeds arbitrary bytes as an image: decoding and building a
// schema must fail cleanly or give a schema that compares with itself without findings.
func FuzzSchemaFromFileDescriptorSet(f *testing.F) {
	for _, dir := range []string{"testdata/FIELD_SAME_TYPE/previous", "testdata/EVENT_SAME_PARTITION_KEY/current", "testdata/RESERVED_MESSAGE_NO_DELETE/current"} {
		s, err := LoadDir(context.Background(), dir, nil)
		if err != nil {
			f.Fatal(err)
		}
		set := &descriptorpb.FileDescriptorSet{}
		for _, file := range s.Files() {
			set.File = append(set.File, file.Proto())
		}
		data, err := proto.Marshal(set)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(data)
	}
	f.Add([]byte{})
	all := &Config{Source: "fuzz", Version: "v2", Modules: []Module{{Path: ".", Breaking: BreakingConfig{Use: []string{"FILE", "PACKAGE", "WIRE", "EVENT"}}}}}
	f.Fuzz(func(t *testing.T, data []byte) {
		s, err := ParseImage(data, false)
		if err != nil {
			return
		}
		got, err := Breaking(context.Background(), s, s, WithConfig(all))
		if err != nil {
			t.Fatal(err)
		}
		if len(got) > 0 {
			t.Fatalf("an image compared with itself: %q", strs(got))
		}
	})
}
