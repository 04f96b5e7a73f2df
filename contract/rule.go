package contract

import (
	"sort"
	"strings"
)

// Category groups rules; a configuration selects rules by category or by ID.
type Category string

// The categories of buf breaking, from strictest to loosest, then Pelican's own.
const (
	// CategoryFile guards generated code per file: nothing may move between files.
	CategoryFile Category = "FILE"
	// CategoryPackage guards generated code per package: elements may move between files of a package.
	CategoryPackage Category = "PACKAGE"
	// CategoryWireJSON guards the binary and JSON encodings.
	CategoryWireJSON Category = "WIRE_JSON"
	// CategoryWire guards the binary encoding only.
	CategoryWire Category = "WIRE"
	// CategoryCSR holds the rules that match Confluent Schema Registry's protobuf compatibility.
	CategoryCSR Category = "CSR"
	// CategoryEvent holds Pelican's rules for event types and partition keys.
	CategoryEvent Category = "EVENT"
	// CategoryConsumer holds Pelican's consumer-driven rules.
	CategoryConsumer Category = "CONSUMER"
)

// categoryOrder is the order buf lists categories in; CSR sorts apart (see sortRules).
var categoryOrder = map[Category]int{
	CategoryFile: 0, CategoryPackage: 1, CategoryWireJSON: 2, CategoryWire: 3,
	CategoryEvent: 4, CategoryConsumer: 5, CategoryCSR: 6,
}

// Rule is one row of the rule table.
type Rule struct {
	// ID names the rule in configuration and in findings ("FIELD_SAME_TYPE").
	ID string
	// Categories are the categories the rule belongs to, in buf's order.
	Categories []Category
	// Default marks the rules a buf.yaml runs when it selects none (buf's FILE set).
	Default bool
	// Purpose says what the rule checks, in one sentence.
	Purpose string
	// Origin is "buf" for the rules of buf breaking, "pelican" for Pelican's own.
	Origin string
	// NotInV1 marks buf rules that a buf.yaml of version v1 does not know.
	NotInV1 bool

	check func(*pass)
}

// In reports whether the rule belongs to category c.
func (r *Rule) In(c Category) bool {
	for _, rc := range r.Categories {
		if rc == c {
			return true
		}
	}
	return false
}

// Rules returns the rule table: buf's breaking rules in the order buf lists them, then
// Pelican's event and consumer rules. The slice is a copy.
func Rules() []Rule {
	out := make([]Rule, len(ruleTable))
	copy(out, ruleTable)
	return out
}

// RulesForVersion returns the rules a buf.yaml of the given version ("v1" or "v2") knows, as
// `buf config ls-breaking-rules --version` lists them: v1 has no CSR category and lacks three
// newer rules. Pelican's own rules follow buf's.
func RulesForVersion(version string) []Rule {
	var out []Rule
	for _, r := range ruleTable {
		if version == "v1" && r.NotInV1 {
			continue
		}
		if version == "v1" && r.Origin == originBuf {
			cats := make([]Category, 0, len(r.Categories))
			for _, c := range r.Categories {
				if c != CategoryCSR {
					cats = append(cats, c)
				}
			}
			r.Categories = cats
		}
		out = append(out, r)
	}
	sortRules(out)
	return out
}

// sortRules orders rules as buf lists them: by categories (CSR aside), then with CSR after
// without, then by ID; Pelican's rules come after buf's.
func sortRules(rules []Rule) {
	key := func(r Rule) (cats []int, csr bool) {
		for _, c := range r.Categories {
			if c == CategoryCSR {
				csr = true
				continue
			}
			cats = append(cats, categoryOrder[c])
		}
		return cats, csr
	}
	sort.SliceStable(rules, func(i, j int) bool {
		a, b := rules[i], rules[j]
		if a.Origin != b.Origin {
			return a.Origin == originBuf
		}
		ac, acsr := key(a)
		bc, bcsr := key(b)
		for k := 0; k < len(ac) && k < len(bc); k++ {
			if ac[k] != bc[k] {
				return ac[k] < bc[k]
			}
		}
		if len(ac) != len(bc) {
			return len(ac) < len(bc)
		}
		if acsr != bcsr {
			return !acsr
		}
		return a.ID < b.ID
	})
}

// CategoriesString joins a rule's categories as buf's listing prints them.
func (r *Rule) CategoriesString() string {
	parts := make([]string, len(r.Categories))
	for i, c := range r.Categories {
		parts[i] = string(c)
	}
	return strings.Join(parts, ", ")
}

const (
	originBuf     = "buf"
	originPelican = "pelican"
)

// deprecatedRules maps rule IDs that buf.yaml files may still name to the rules that replaced
// them (none: the rule no longer checks anything).
var deprecatedRules = map[string][]string{
	"FIELD_SAME_CTYPE":                     {"FIELD_SAME_CPP_STRING_TYPE"},
	"FIELD_SAME_LABEL":                     {"FIELD_SAME_CARDINALITY", "FIELD_WIRE_COMPATIBLE_CARDINALITY", "FIELD_WIRE_JSON_COMPATIBLE_CARDINALITY"},
	"FILE_SAME_JAVA_STRING_CHECK_UTF8":     {"FIELD_SAME_JAVA_UTF8_VALIDATION"},
	"FILE_SAME_PHP_GENERIC_SERVICES":       nil,
	"MESSAGE_SAME_MESSAGE_SET_WIRE_FORMAT": nil,
}
