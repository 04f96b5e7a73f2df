package contract

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// writeTree writes a schema tree of files .proto files in packages of ten files each, as a
// large event platform's might look: a common package that every package imports, files that
// import the files before them in their package, and messages with scalar, enum, message, map,
// repeated and oneof fields, nested types and services. With changed set, one file in fifty
// changes in ways that break: a field retyped, a field deleted, an enum value deleted.
func writeTree(tb testing.TB, dir string, files int, changed bool) {
	tb.Helper()
	common := "syntax = \"proto3\";\n\npackage acme.common.v1;\n\nmessage Money {\n  int64 units = 1;\n  string currency = 2;\n}\n"
	if err := os.MkdirAll(filepath.Join(dir, "acme/common/v1"), 0o755); err != nil {
		tb.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "acme/common/v1/common.proto"), []byte(common), 0o644); err != nil {
		tb.Fatal(err)
	}
	for i := 0; i < files; i++ {
		pkg := i / 10
		var b strings.Builder
		fmt.Fprintf(&b, "syntax = \"proto3\";\n\npackage acme.domain%d.v1;\n\n", pkg)
		fmt.Fprintf(&b, "option go_package = \"example.com/acme/domain%d/v1;domainv1\";\n\n", pkg)
		b.WriteString("import \"acme/common/v1/common.proto\";\n")
		b.WriteString("import \"google/protobuf/timestamp.proto\";\n")
		if i%10 > 0 {
			fmt.Fprintf(&b, "import \"acme/domain%d/v1/file%d.proto\";\n", pkg, i-1)
		}
		b.WriteString("\n")
		breaking := changed && i%50 == 7
		fmt.Fprintf(&b, "enum Status%d {\n  STATUS%d_UNSPECIFIED = 0;\n  STATUS%d_ACTIVE = 1;\n", i, i, i)
		if !breaking {
			fmt.Fprintf(&b, "  STATUS%d_CLOSED = 2;\n", i)
		}
		b.WriteString("}\n\n")
		for m := 0; m < 4; m++ {
			fmt.Fprintf(&b, "message Event%dx%d {\n", i, m)
			idType := "string"
			if breaking && m == 0 {
				idType = "int64"
			}
			fmt.Fprintf(&b, "  %s id = 1;\n", idType)
			fmt.Fprintf(&b, "  google.protobuf.Timestamp at = 2;\n")
			fmt.Fprintf(&b, "  Status%d status = 3;\n", i)
			if !(breaking && m == 1) {
				fmt.Fprintf(&b, "  repeated string tags = 4;\n")
			}
			fmt.Fprintf(&b, "  map<string, int64> counters = 5;\n")
			fmt.Fprintf(&b, "  Detail detail = 6;\n")
			fmt.Fprintf(&b, "  acme.common.v1.Money amount = 10;\n")
			if i%10 > 0 {
				fmt.Fprintf(&b, "  Event%dx%d previous = 7;\n", i-1, m)
			}
			fmt.Fprintf(&b, "  oneof payload {\n    string text = 8;\n    bytes blob = 9;\n  }\n")
			fmt.Fprintf(&b, "  message Detail {\n    string note = 1;\n    int32 weight = 2;\n    reserved 3 to 5;\n  }\n")
			b.WriteString("}\n\n")
		}
		fmt.Fprintf(&b, "service Service%d {\n  rpc Get(Event%dx0) returns (Event%dx1);\n}\n", i, i, i)
		p := filepath.Join(dir, fmt.Sprintf("acme/domain%d/v1/file%d.proto", pkg, i))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			tb.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(b.String()), 0o644); err != nil {
			tb.Fatal(err)
		}
	}
}

// benchTree writes the previous and current versions of a 1,000-file tree.
func benchTree(tb testing.TB) (cur, prev string) {
	tb.Helper()
	root := tb.TempDir()
	cur, prev = filepath.Join(root, "current"), filepath.Join(root, "previous")
	writeTree(tb, prev, 1000, false)
	writeTree(tb, cur, 1000, true)
	return cur, prev
}

// BenchmarkBreaking runs `pelican contract breaking current --against previous` on a 1,000-file
// tree with buf's default rules (a buf.yaml that selects none): compile both versions and
// compare them. BenchmarkBufBreaking (build tag interop) times buf on the same tree, so that
// go test -tags interop -bench Breaking compares the two in one run.
func BenchmarkBreaking(b *testing.B) {
	cur, prev := benchTree(b)
	config := filepath.Join(b.TempDir(), "buf.yaml")
	if err := os.WriteFile(config, []byte("version: v2\n"), 0o644); err != nil {
		b.Fatal(err)
	}
	ctx := context.Background()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		fs, err := Check(ctx, cur, WithAgainst(prev), WithConfigFile(config))
		if err != nil {
			b.Fatal(err)
		}
		if len(fs) == 0 {
			b.Fatal("the changed tree has no breaking changes")
		}
	}
}
