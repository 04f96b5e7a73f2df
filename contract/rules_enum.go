package contract

import (
	"fmt"
	"sort"
	"strconv"
	"strings"

	"google.golang.org/protobuf/types/descriptorpb"
)

// Rules that compare enums with the same full name, and their values by number.

func (e *enum) loc() *location { return locate(e.file, e.path) }

func (e *enum) featureLoc(feature int32) *location {
	return optionLoc(e.file, e.at(enumOptionsTag), enumFeaturesTag, feature)
}

func checkEnumSameType(p *pass) {
	p.enumPairs(func(cur, prev *enum) {
		if prev.desc.IsClosed() == cur.desc.IsClosed() {
			return
		}
		from, to := "closed", "open"
		if cur.desc.IsClosed() {
			from, to = to, from
		}
		p.report(firstOf(cur.featureLoc(featureEnumType), cur.loc()), firstOf(prev.featureLoc(featureEnumType), prev.loc()),
			cur.file.Path, "Enum %q changed from %s to %s.", cur.proto.GetName(), from, to)
	})
}

func checkEnumSameJSONFormat(p *pass) {
	p.enumPairs(func(cur, prev *enum) {
		pv, cv := feature(prev.desc, featureJSONFormat), feature(cur.desc, featureJSONFormat)
		allow := descriptorpb.FeatureSet_ALLOW.Number()
		if pv != allow || cv == allow {
			return
		}
		p.report(firstOf(cur.featureLoc(featureJSONFormat), cur.loc()), firstOf(prev.featureLoc(featureJSONFormat), prev.loc()),
			cur.file.Path, "Enum %q JSON format support changed from %s to %s.", cur.proto.GetName(),
			featureName(featureJSONFormat, pv), featureName(featureJSONFormat, cv))
	})
}

// enumValueNoDelete builds ENUM_VALUE_NO_DELETE and its two relaxed forms.
func enumValueNoDelete(unlessNumberReserved, unlessNameReserved bool) func(*pass) {
	return func(p *pass) {
		p.enumPairs(func(cur, prev *enum) {
			have := cur.valuesByNumber()
			for number, names := range prev.valuesByNumber() {
				if _, ok := have[number]; ok {
					continue
				}
				suffix := ""
				switch {
				case unlessNumberReserved:
					if inEnumReservedRanges(cur, number) {
						continue
					}
					suffix = fmt.Sprintf(` without reserving the number "%d"`, number)
				case unlessNameReserved:
					if allReserved(sortedKeys(names), cur.proto.GetReservedName()) {
						continue
					}
					plural := ""
					if len(names) > 1 {
						plural = "s"
					}
					suffix = fmt.Sprintf(" without reserving the name%s %s", plural, quoteJoin(sortedKeys(names)))
				}
				p.report(cur.loc(), prev.loc(), prev.file.Path,
					`Previously present enum value "%d" on enum %q was deleted%s.`, number, cur.proto.GetName(), suffix)
			}
		})
	}
}

func inEnumReservedRanges(e *enum, number int32) bool {
	for _, r := range e.proto.GetReservedRange() {
		if number >= r.GetStart() && number <= r.GetEnd() {
			return true
		}
	}
	return false
}

func allReserved(names, reserved []string) bool {
	for _, n := range names {
		found := false
		for _, r := range reserved {
			if n == r {
				found = true
				break
			}
		}
		if !found {
			return false
		}
	}
	return true
}

func quoteJoin(names []string) string {
	q := make([]string, len(names))
	for i, n := range names {
		q[i] = strconv.Quote(n)
	}
	return strings.Join(q, ", ")
}

func checkEnumValueSameName(p *pass) {
	p.enumPairs(func(cur, prev *enum) {
		have := cur.valuesByNumber()
		for number, prevNames := range prev.valuesByNumber() {
			names, ok := have[number]
			if !ok {
				continue
			}
			pn, cn := sortedKeys(prevNames), sortedKeys(names)
			// New aliases are fine; every previous name must survive.
			if allReserved(pn, cn) {
				continue
			}
			plural := ""
			if len(pn) > 1 && len(cn) > 1 {
				plural = "s"
			}
			for _, name := range cn {
				v := names[name]
				var prevLoc *location
				if pv, ok := prevNames[name]; ok {
					prevLoc = locate(pv.file, pv.at(enumValueNumTag))
				}
				p.report(locate(v.file, v.at(enumValueNumTag)), prevLoc, v.file.Path,
					`Enum value "%d" on enum %q changed name%s from %s to %s.`,
					number, cur.proto.GetName(), plural, quoteJoin(pn), quoteJoin(cn))
			}
		}
	})
}

func enumRanges(e *enum) []tagRange {
	out := make([]tagRange, len(e.proto.GetReservedRange()))
	for i, r := range e.proto.GetReservedRange() {
		out[i] = tagRange{int(r.GetStart()), int(r.GetEnd())}
	}
	return out
}

func checkReservedEnumNoDelete(p *pass) {
	p.enumPairs(func(cur, prev *enum) {
		for _, r := range removedRanges(enumRanges(prev), enumRanges(cur), enumMaxNumber) {
			p.report(cur.loc(), prev.loc(), cur.file.Path,
				"Previously present reserved range %q on enum %q is missing values: %s were removed.",
				r.prev, cur.proto.GetName(), r.removed)
		}
		reportDeletedReservedNames(p, prev.proto.GetReservedName(), cur.proto.GetReservedName(), func(name string) {
			p.report(cur.loc(), prev.loc(), cur.file.Path,
				"Previously present reserved name %q on enum %q was deleted.", name, cur.proto.GetName())
		})
	})
}

func reportDeletedReservedNames(p *pass, prev, cur []string, report func(string)) {
	have := make(map[string]bool, len(cur))
	for _, n := range cur {
		have[n] = true
	}
	seen := make(map[string]bool, len(prev))
	names := append([]string(nil), prev...)
	sort.Strings(names)
	for _, n := range names {
		if !have[n] && !seen[n] {
			seen[n] = true
			report(n)
		}
	}
}
