package contract

import (
	"reflect"
	"sort"
	"strings"
	"testing"
)

func TestParseConfig(t *testing.T) {
	for _, tc := range []struct {
		name, file, data string
		want             *Config
	}{
		{
			name: "v1", file: "buf.yaml",
			data: "version: v1\nname: buf.build/acme/orders\ndeps: [buf.build/googleapis/googleapis]\nbuild:\n  excludes: [vendor]\nlint:\n  use: [DEFAULT]\nbreaking:\n  use: [FILE]\n  except: [FILE_SAME_GO_PACKAGE]\n  ignore: [acme/legacy]\n  ignore_only:\n    FIELD_SAME_TYPE: [acme/a.proto]\n  ignore_unstable_packages: true\n",
			want: &Config{Source: "buf.yaml", Version: "v1", Modules: []Module{{Path: ".", Excludes: []string{"vendor"}, Breaking: BreakingConfig{
				Use: []string{"FILE"}, Except: []string{"FILE_SAME_GO_PACKAGE"}, Ignore: []string{"acme/legacy"},
				IgnoreOnly: map[string][]string{"FIELD_SAME_TYPE": {"acme/a.proto"}}, IgnoreUnstablePackages: true,
			}}}},
		},
		{
			name: "v1beta1 roots", file: "buf.yaml",
			data: "version: v1beta1\nbuild:\n  roots: [proto, vendor]\nbreaking:\n  use: [WIRE]\n",
			want: &Config{Source: "buf.yaml", Version: "v1beta1", Modules: []Module{
				{Path: "proto", Breaking: BreakingConfig{Use: []string{"WIRE"}}},
				{Path: "vendor", Breaking: BreakingConfig{Use: []string{"WIRE"}}},
			}},
		},
		{
			name: "v2 without modules", file: "buf.yaml",
			data: "version: v2\nbreaking:\n  use: [WIRE_JSON]\n",
			want: &Config{Source: "buf.yaml", Version: "v2", Modules: []Module{{Path: ".", Breaking: BreakingConfig{Use: []string{"WIRE_JSON"}}}}},
		},
		{
			name: "v2 modules override the top-level rules", file: "buf.yaml",
			data: "version: v2\nmodules:\n  - path: proto\n    excludes: [proto/tmp]\n    breaking:\n      use: [PACKAGE]\n  - path: vendor\nbreaking:\n  use: [WIRE]\nplugins:\n  - plugin: buf-plugin-x\n",
			want: &Config{Source: "buf.yaml", Version: "v2", Modules: []Module{
				{Path: "proto", Excludes: []string{"proto/tmp"}, Breaking: BreakingConfig{Use: []string{"PACKAGE"}}},
				{Path: "vendor", Breaking: BreakingConfig{Use: []string{"WIRE"}}},
			}},
		},
		{
			name: "pelican", file: "pelican.yaml",
			data: "contract:\n  breaking:\n    use: [WIRE_JSON, EVENT]\n  includes: [third_party]\n  consumers: [services/billing]\n  policy: full_transitive\n  partition_key_option: .acme.v1.key\n",
			want: &Config{Source: "pelican.yaml", Version: "pelican", Modules: []Module{{Path: ".", Breaking: BreakingConfig{Use: []string{"WIRE_JSON", "EVENT"}}}},
				Includes: []string{"third_party"}, Consumers: []string{"services/billing"}, Policy: PolicyFullTransitive, PartitionKeyOption: "acme.v1.key"},
		},
		{
			name: "pelican without contract rules", file: "pelican.yaml",
			data: "contract: {}\n",
			want: &Config{Source: "pelican.yaml", Version: "pelican", Modules: []Module{{Path: "."}}},
		},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, err := ParseConfig(tc.file, []byte(tc.data))
			if err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(got, tc.want) {
				t.Errorf("got  %+v\nwant %+v", got, tc.want)
			}
		})
	}
}

func TestParseConfigErrors(t *testing.T) {
	for _, tc := range []struct{ name, data, want string }{
		{"no version", "breaking:\n  use: [FILE]\n", "no version"},
		{"unknown version", "version: v3\n", `unknown version "v3"`},
		{"unknown rule", "version: v2\nbreaking:\n  use: [FILE_SAME_COLOR]\n", `"FILE_SAME_COLOR" is not a known rule ID or category`},
		{"unknown except", "version: v1\nbreaking:\n  except: [NOPE]\n", `breaking.except: "NOPE"`},
		{"rule only in v2", "version: v1\nbreaking:\n  use: [FIELD_SAME_DEFAULT]\n", `"FIELD_SAME_DEFAULT" is not a known rule ID`},
		{"category only in v2", "version: v1\nbreaking:\n  use: [CSR]\n", `"CSR" is not a known rule ID or category`},
		{"ignore outside its module", "version: v2\nmodules:\n  - path: proto\n    breaking:\n      ignore: [vendor/x.proto]\n", `ignore path "vendor/x.proto" is not within module "proto"`},
		{"absolute module", "version: v2\nmodules:\n  - path: /etc\n", "must be relative"},
		{"module outside", "version: v2\nmodules:\n  - path: ../other\n", "must be relative"},
		{"not yaml", "version: [v2\n", "buf.yaml"},
		{"bad policy", "contract:\n  policy: SIDEWAYS\n", `unknown policy "SIDEWAYS"`},
		{"unknown pelican key", "contract:\n  rules: [FILE]\n", "field rules not found"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := ParseConfig("buf.yaml", []byte(tc.data))
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("err = %v; want it to mention %q", err, tc.want)
			}
		})
	}
}

func ruleIDs(t *testing.T, cfg *Config) []string {
	t.Helper()
	mods, err := cfg.resolve()
	if err != nil {
		t.Fatal(err)
	}
	var ids []string
	for id := range mods[0].rules {
		ids = append(ids, id)
	}
	sort.Strings(ids)
	return ids
}

func TestRuleSelection(t *testing.T) {
	count := func(pred func(Rule) bool, version string) int {
		n := 0
		for _, r := range RulesForVersion(version) {
			if pred(r) {
				n++
			}
		}
		return n
	}
	in := func(c Category) func(Rule) bool { return func(r Rule) bool { return r.In(c) } }
	for _, tc := range []struct {
		name string
		cfg  string
		want int
	}{
		{"v2 default is buf's FILE set", "version: v2\n", count(func(r Rule) bool { return r.Default }, "v2")},
		{"v1 default", "version: v1\n", count(func(r Rule) bool { return r.Default }, "v1")},
		{"category", "version: v2\nbreaking:\n  use: [WIRE]\n", count(in(CategoryWire), "v2")},
		{"v1 has no CSR", "version: v1\nbreaking:\n  use: [WIRE_JSON]\n", count(in(CategoryWireJSON), "v1")},
		{"except a category", "version: v2\nbreaking:\n  use: [FILE]\n  except: [WIRE_JSON]\n", count(func(r Rule) bool { return r.In(CategoryFile) && !r.In(CategoryWireJSON) }, "v2")},
		{"deprecated rule maps to its replacements", "version: v1\nbreaking:\n  use: [FIELD_SAME_LABEL]\n", 3},
		{"retired rule selects nothing", "version: v2\nbreaking:\n  use: [MESSAGE_SAME_MESSAGE_SET_WIRE_FORMAT, FIELD_SAME_NAME]\n", 1},
		{"pelican default", "contract: {}\n", count(func(r Rule) bool {
			return r.In(CategoryWireJSON) || r.In(CategoryEvent) || r.In(CategoryConsumer)
		}, "v2")},
	} {
		t.Run(tc.name, func(t *testing.T) {
			cfg, err := ParseConfig("x.yaml", []byte(tc.cfg))
			if err != nil {
				t.Fatal(err)
			}
			if got := ruleIDs(t, cfg); len(got) != tc.want {
				t.Errorf("%d rules selected, want %d: %v", len(got), tc.want, got)
			}
		})
	}
	if got := ruleIDs(t, DefaultConfig()); !contains(got, "EVENT_NO_DELETE") || !contains(got, "FIELD_WIRE_JSON_COMPATIBLE_TYPE") || contains(got, "FILE_SAME_GO_PACKAGE") {
		t.Errorf("DefaultConfig selects %v; want WIRE_JSON and EVENT, not FILE", got)
	}
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

// FuzzParseConfig feeds arbitrary bytes to the configuration parser: it must return a
// configuration or an error, never panic, and a configuration it returns must resolve.
func FuzzParseConfig(f *testing.F) {
	for _, seed := range []string{
		"version: v1\nbreaking:\n  use: [FILE]\n  ignore_only:\n    WIRE: [a]\n",
		"version: v2\nmodules:\n  - path: proto\n    breaking:\n      except: [FIELD_SAME_NAME]\n",
		"version: v1beta1\nbuild:\n  roots: [a, b]\n",
		"contract:\n  policy: FULL\n  consumers: [x]\n",
		"version: v2\nbreaking:\n  use: [\"\"]\n",
		"{}",
		"",
	} {
		f.Add([]byte(seed))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		cfg, err := ParseConfig("buf.yaml", data)
		if err != nil {
			return
		}
		if _, err := cfg.resolve(); err != nil {
			t.Fatalf("ParseConfig accepted a configuration that does not resolve: %v", err)
		}
	})
}
