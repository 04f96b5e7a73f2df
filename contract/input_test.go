package contract

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"google.golang.org/protobuf/encoding/protojson"
	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/types/descriptorpb"
)

var (
	ordersV1 = map[string]string{
		"acme/orders/v1/orders.proto": `syntax = "proto3";
package acme.orders.v1;

import "google/protobuf/timestamp.proto";

message OrderPlaced {
  string order_id = 1;
  int32 quantity = 2;
  google.protobuf.Timestamp at = 3;
}

message OrderShipped {
  string order_id = 1;
}
`,
	}
	ordersV2 = map[string]string{
		"acme/orders/v1/orders.proto": `syntax = "proto3";
package acme.orders.v1;

import "google/protobuf/timestamp.proto";

message OrderPlaced {
  string order_id = 1;
  string quantity = 2;
  google.protobuf.Timestamp at = 3;
}
`,
	}
	// ordersV2Findings is what the default configuration finds from ordersV1 to ordersV2.
	ordersV2Findings = []string{
		`proto/acme/orders/v1/orders.proto:1:1:Previously present event "acme.orders.v1.OrderShipped" was deleted.`,
		`proto/acme/orders/v1/orders.proto:8:3:Field "2" with name "quantity" on message "OrderPlaced" changed type from "int32" to "string". ` + wireJSONRulesNote,
	}
)

func strs(fs []Finding) []string {
	out := make([]string, len(fs))
	for i, f := range fs {
		out[i] = f.String()
	}
	return out
}

func underProto(files map[string]string) map[string]string {
	out := make(map[string]string, len(files))
	for k, v := range files {
		out["proto/"+k] = v
	}
	return out
}

// TestCheckInputs checks the same change through every form of --against: a directory, a git
// ref (plain, remote-tracking, and buf's .git# form), and images in binary and JSON, with and
// without source information.
func TestCheckInputs(t *testing.T) {
	ctx := context.Background()
	repo := newRepo(t)
	commit(t, repo, "v1", underProto(ordersV1))
	git(t, repo, "update-ref", "refs/remotes/origin/release", "HEAD")
	writeFiles(t, repo, underProto(ordersV2))
	t.Chdir(repo)

	prevDir := t.TempDir()
	writeFiles(t, prevDir, ordersV1)
	image := func(t *testing.T, name string, sourceInfo bool) string {
		s, err := LoadDir(ctx, prevDir, nil)
		if err != nil {
			t.Fatal(err)
		}
		set := &descriptorpb.FileDescriptorSet{}
		for _, f := range s.Files() {
			fdp := proto.Clone(f.Proto()).(*descriptorpb.FileDescriptorProto)
			if !sourceInfo {
				fdp.SourceCodeInfo = nil
			}
			set.File = append(set.File, fdp)
		}
		var data []byte
		if strings.HasSuffix(name, ".json") {
			data, err = protojson.Marshal(set)
		} else {
			data, err = proto.Marshal(set)
		}
		if err != nil {
			t.Fatal(err)
		}
		p := filepath.Join(t.TempDir(), name)
		if err := os.WriteFile(p, data, 0o644); err != nil {
			t.Fatal(err)
		}
		return p
	}

	for _, tc := range []struct {
		name    string
		against func(t *testing.T) string
	}{
		{"directory", func(*testing.T) string { return prevDir }},
		{"git branch", func(*testing.T) string { return "main" }},
		{"git commit", func(*testing.T) string { return "HEAD" }},
		{"remote-tracking branch", func(*testing.T) string { return "release" }},
		{"buf git form", func(*testing.T) string { return ".git#branch=main,subdir=proto" }},
		{"binary image", func(t *testing.T) string { return image(t, "orders.binpb", true) }},
		{"binary image without source info", func(t *testing.T) string { return image(t, "orders.binpb", false) }},
		{"JSON image", func(t *testing.T) string { return image(t, "orders.json", true) }},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, err := Check(ctx, "proto", WithAgainst(tc.against(t)))
			if err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(strs(got), ordersV2Findings) {
				t.Errorf("findings:\n%s\nwant:\n%s", strings.Join(strs(got), "\n"), strings.Join(ordersV2Findings, "\n"))
			}
		})
	}
}

func TestCheckBadInput(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	writeFiles(t, dir, ordersV1)
	for _, tc := range []struct {
		name string
		opts []Option
	}{
		{"nothing to compare against", nil},
		{"not a directory, file or repository", []Option{WithAgainst(filepath.Join(dir, "missing"))}},
		{"history outside a repository", []Option{WithAgainstHistory("main")}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := Check(ctx, dir, tc.opts...)
			if !errors.Is(err, ErrBadInput) {
				t.Fatalf("err = %v; want ErrBadInput", err)
			}
		})
	}
	if _, err := Check(ctx, filepath.Join(dir, "missing"), WithAgainst(dir)); !errors.Is(err, ErrBadInput) {
		t.Errorf("a missing schemas directory: err = %v; want ErrBadInput", err)
	}
	repo := newRepo(t)
	commit(t, repo, "v1", ordersV1)
	if _, err := Check(ctx, repo, WithAgainst("no-such-branch")); !errors.Is(err, ErrBadInput) {
		t.Errorf("unknown ref: err = %v; want ErrBadInput", err)
	}
	// A commit from before the schemas existed has nothing to break.
	empty := newRepo(t)
	commit(t, empty, "no schemas yet", map[string]string{"README": "x"})
	writeFiles(t, empty, ordersV1)
	if got, err := Check(ctx, empty, WithAgainst("main")); err != nil || len(got) != 0 {
		t.Errorf("against a commit without schemas: %q, %v; want nothing", strs(got), err)
	}
	if _, err := Check(ctx, repo, WithAgainst("--upload-pack=evil")); !errors.Is(err, ErrBadInput) {
		t.Errorf("a ref that looks like a flag: err = %v; want ErrBadInput", err)
	}
	notImage := filepath.Join(t.TempDir(), "x.binpb")
	if err := os.WriteFile(notImage, []byte("not protobuf \xff"), 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := Check(ctx, repo, WithAgainst(notImage)); err == nil || !strings.Contains(err.Error(), "not a FileDescriptorSet") {
		t.Errorf("a file that is not an image: err = %v", err)
	}
}

// TestCompileErrors checks that sources that do not compile name file, line and column, in
// the current version and in the version compared against.
func TestCompileErrors(t *testing.T) {
	ctx := context.Background()
	for _, tc := range []struct {
		name, body, want string
	}{
		{"syntax", "syntax = \"proto3\";\npackage a.v1;\nmessage A {\n  int32 x = ;\n}\n", "bad/a.proto:4:13:syntax error"},
		{"unknown type", "syntax = \"proto3\";\npackage a.v1;\nmessage A {\n  Missing x = 1;\n}\n", "bad/a.proto:4:3:field a.v1.A.x: unknown type Missing"},
		{"missing import", "syntax = \"proto3\";\npackage a.v1;\nimport \"nope.proto\";\n", `bad/a.proto:3:8:could not resolve path "nope.proto"`},
		{"duplicate", "syntax = \"proto3\";\npackage a.v1;\nmessage A {}\nmessage A {}\n", "bad/a.proto:4:9:"},
		// protocompile v0.14.1 compiles no edition after 2023; the check says so and stops.
		{"edition 2024", "edition = \"2024\";\npackage a.v1;\nmessage A {}\n",
			`bad/a.proto:1:11:edition "2024" is not supported: pelican contract compiles proto2, proto3 and edition "2023" files, so it cannot check this schema`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			root := t.TempDir()
			t.Chdir(root)
			writeFiles(t, root, map[string]string{"bad/a.proto": tc.body, "good/a.proto": "syntax = \"proto3\";\npackage a.v1;\n"})
			_, err := Check(ctx, "bad", WithAgainst("good"))
			var ce *CompileError
			if !errors.As(err, &ce) || ce.Input != "current" {
				t.Fatalf("err = %v; want a *CompileError of the current version", err)
			}
			if got := ce.Findings[0].String(); !strings.HasPrefix(got, tc.want) || ce.Findings[0].Type != "COMPILE" {
				t.Errorf("first problem = %q (%s); want it to start with %q", got, ce.Findings[0].Type, tc.want)
			}
			_, err = Check(ctx, "good", WithAgainst("bad"))
			if !errors.As(err, &ce) || !strings.HasPrefix(ce.Input, "against") {
				t.Fatalf("err = %v; want a *CompileError of the against version", err)
			}
		})
	}
}

// TestIncludePaths checks that imports resolve through include paths, that included files are
// imports rather than part of the schema, and that --exclude-imports leaves them out.
func TestIncludePaths(t *testing.T) {
	ctx := context.Background()
	root := t.TempDir()
	t.Chdir(root)
	vendor := func(typ string) string {
		return "syntax = \"proto3\";\npackage vendor.money.v1;\nmessage Money {\n  " + typ + " units = 1;\n}\n"
	}
	own := "syntax = \"proto3\";\npackage acme.pay.v1;\nimport \"vendor/money/v1/money.proto\";\nmessage Paid {\n  vendor.money.v1.Money amount = 1;\n}\n"
	writeFiles(t, root, map[string]string{
		"cur/proto/acme/pay/v1/pay.proto":              own,
		"cur/third_party/vendor/money/v1/money.proto":  vendor("int64"),
		"prev/proto/acme/pay/v1/pay.proto":             own,
		"prev/third_party/vendor/money/v1/money.proto": vendor("int32"),
		"prev/buf.yaml": "version: v2\nmodules:\n  - path: proto\n",
		"cur/buf.yaml":  "version: v2\nmodules:\n  - path: proto\nbreaking:\n  use: [FIELD_SAME_TYPE]\n",
	})
	if _, err := Check(ctx, "cur", WithAgainst("prev")); err == nil {
		t.Fatal("the import resolved without its include path")
	}
	got, err := Check(ctx, "cur", WithAgainst("prev"), WithIncludePaths("third_party"))
	if err != nil {
		t.Fatal(err)
	}
	want := []string{`cur/third_party/vendor/money/v1/money.proto:4:3:Field "1" with name "units" on message "Money" changed type from "int32" to "int64".`}
	if !reflect.DeepEqual(strs(got), want) {
		t.Errorf("findings = %q; want %q", strs(got), want)
	}
	cur, err := LoadDir(ctx, "cur", &Config{Modules: []Module{{Path: "proto"}}, Includes: []string{"third_party"}})
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range cur.Files() {
		if wantImport := f.Path != "acme/pay/v1/pay.proto"; f.Import != wantImport {
			t.Errorf("%s: Import = %v, want %v", f.Path, f.Import, wantImport)
		}
	}
	got, err = Check(ctx, "cur", WithAgainst("prev"), WithIncludePaths("third_party"), WithExcludeImports())
	if err != nil || len(got) != 0 {
		t.Errorf("with imports excluded: %q, %v; want nothing", strs(got), err)
	}
	// An include path outside the schemas' directory is read from the file system.
	writeFiles(t, root, map[string]string{"shared/vendor/money/v1/money.proto": vendor("int64")})
	if err := os.RemoveAll(filepath.Join(root, "cur", "third_party")); err != nil {
		t.Fatal(err)
	}
	got, err = Check(ctx, "cur", WithAgainst("prev"), WithIncludePaths("../shared"))
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 0 {
		t.Errorf("findings = %q; the previous version's include path ../shared is the same file", strs(got))
	}
}
