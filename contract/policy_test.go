package contract

import (
	"context"
	"strings"
	"testing"
)

func sample(fields string) map[string]string {
	return map[string]string{"proto/acme/pay/v1/pay.proto": "syntax = \"proto3\";\npackage acme.pay.v1;\n\nmessage Paid {\n  string id = 1;\n" + fields + "}\n"}
}

// TestHistoryNumberNeverComesBack is the reason for the TRANSITIVE policies: field 2 was an
// int64, was dropped, and comes back as a string. Against the previous version that is a new
// field; against the first, it is a retyped one.
func TestHistoryNumberNeverComesBack(t *testing.T) {
	ctx := context.Background()
	repo := newRepo(t)
	first := commit(t, repo, "amount", sample("  int64 amount = 2;\n"))[:12]
	commit(t, repo, "drop amount", sample(""))
	commit(t, repo, "unrelated", map[string]string{"README": "x"})
	writeFiles(t, repo, sample("  string note = 2;\n"))
	t.Chdir(repo)

	for _, tc := range []struct {
		policy Policy
		want   []string
	}{
		{PolicyBackward, nil},
		{PolicyForward, nil},
		{PolicyBackwardTransitive, []string{
			`proto/acme/pay/v1/pay.proto:6:3:Field "2" with name "note" on message "Paid" changed option "json_name" from "amount" to "note". (BACKWARD against ` + first + `)`,
			`proto/acme/pay/v1/pay.proto:6:3:Field "2" with name "note" on message "Paid" changed type from "int64" to "string". ` + wireJSONRulesNote + ` (BACKWARD against ` + first + `)`,
			`proto/acme/pay/v1/pay.proto:6:10:Field "2" on message "Paid" changed name from "amount" to "note". (BACKWARD against ` + first + `)`,
		}},
	} {
		t.Run(string(tc.policy), func(t *testing.T) {
			got, err := Check(ctx, "proto", WithAgainstHistory("main"), WithPolicy(tc.policy))
			if err != nil {
				t.Fatal(err)
			}
			if strings.Join(strs(got), "\n") != strings.Join(tc.want, "\n") {
				t.Errorf("findings:\n%s\nwant:\n%s", strings.Join(strs(got), "\n"), strings.Join(tc.want, "\n"))
			}
		})
	}
	if got, err := Check(ctx, "proto", WithAgainstHistory("main~1..main"), WithPolicy(PolicyBackwardTransitive)); err != nil || len(got) != 0 {
		t.Errorf("a range that leaves out the first version: %q, %v; want nothing", strs(got), err)
	}
}

// TestPolicyDirections checks which direction each policy guards, on changes that are safe one
// way only: string to bytes is safe for new readers of old data (BACKWARD) but not for old
// readers of new data (FORWARD), and a new field is safe both ways.
func TestPolicyDirections(t *testing.T) {
	ctx := context.Background()
	cfg := &Config{Source: "test", Version: "v2", Modules: []Module{{Path: ".", Breaking: BreakingConfig{Use: []string{"WIRE", "FIELD_SAME_NAME"}}}}}
	load := func(fields string) *Schema {
		t.Helper()
		dir := t.TempDir()
		writeFiles(t, dir, map[string]string{"a.proto": "syntax = \"proto3\";\npackage acme.pay.v1;\nmessage Paid {\n  string id = 1;\n" + fields + "}\n"})
		s, err := LoadDir(ctx, dir, cfg)
		if err != nil {
			t.Fatal(err)
		}
		return s
	}
	old := load("  string memo = 2;\n")
	cur := load("  bytes memo = 2;\n  int32 extra = 3;\n")
	versions := []Version{{Name: "v1", Schema: old}}
	for _, tc := range []struct {
		policy Policy
		want   []string
	}{
		{PolicyBackward, nil},
		{PolicyForward, []string{"FIELD_WIRE_COMPATIBLE_TYPE"}},
		{PolicyFull, []string{"FIELD_WIRE_COMPATIBLE_TYPE"}},
		{PolicyFullTransitive, []string{"FIELD_WIRE_COMPATIBLE_TYPE"}},
	} {
		got, err := CheckHistory(ctx, cur, versions, tc.policy, WithConfig(cfg))
		if err != nil {
			t.Fatal(err)
		}
		if strings.Join(findingTypes(got), ",") != strings.Join(tc.want, ",") {
			t.Errorf("%s: %q; want types %v", tc.policy, strs(got), tc.want)
			continue
		}
		for _, f := range got {
			if f.Path != cur.File("a.proto").ExternalPath || f.StartLine != 5 || !strings.HasSuffix(f.Message, "(FORWARD against v1)") {
				t.Errorf("%s: %q; want it at the current field, marked FORWARD against v1", tc.policy, f.String())
			}
		}
	}
	if got, err := CheckHistory(ctx, cur, nil, PolicyFull); err != nil || got != nil {
		t.Errorf("no history: %v, %v", got, err)
	}
}

func TestParsePolicy(t *testing.T) {
	for _, s := range []string{"backward", "BACKWARD_TRANSITIVE", " Forward ", "forward_transitive", "FULL", "full_transitive"} {
		if _, err := ParsePolicy(s); err != nil {
			t.Errorf("ParsePolicy(%q): %v", s, err)
		}
	}
	for _, s := range []string{"", "NONE", "TRANSITIVE", "BACKWARDS"} {
		if _, err := ParsePolicy(s); err == nil {
			t.Errorf("ParsePolicy(%q) accepted", s)
		}
	}
}
