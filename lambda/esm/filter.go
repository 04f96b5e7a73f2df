package esm

import (
	"bytes"
	"encoding/json"
	"fmt"
	"math"
	"sort"
	"strconv"
	"strings"
)

// filterSet is a mapping's compiled FilterCriteria: a record is kept when any pattern matches.
type filterSet struct {
	patterns []*pattern
}

// pattern is one compiled filter pattern: every field must match (AND), and one branch of each
// $or.
type pattern struct {
	fields []field
	ors    [][]*pattern
}

// field matches the value under one key: a nested pattern for an object, or a list of matchers
// of which one must match (OR).
type field struct {
	key      string
	sub      *pattern
	matchers []matcher
}

// matcher tests one value of an event; present is false when the key is absent.
type matcher func(v any, present bool) bool

// ParsePattern compiles one filter pattern (Lambda's event filtering syntax, which is
// EventBridge's) as Lambda would accept it for a Kinesis mapping, whose records can be filtered
// on their data key only.
func ParsePattern(s string) error {
	_, err := compilePattern(s)
	return err
}

// maxFilters is the most filters a mapping may have once its quota (five by default) is raised.
const maxFilters = 10

func compileFilters(fc FilterCriteria) (*filterSet, error) {
	if len(fc.Filters) > maxFilters {
		return nil, invalid("FilterCriteria has %d filters; an event source mapping takes at most %d (five under the default quota).", len(fc.Filters), maxFilters)
	}
	fs := &filterSet{}
	for _, f := range fc.Filters {
		p, err := compilePattern(f.Pattern)
		if err != nil {
			return nil, err
		}
		fs.patterns = append(fs.patterns, p)
	}
	return fs, nil
}

func compilePattern(s string) (*pattern, error) {
	dec := json.NewDecoder(strings.NewReader(s))
	dec.UseNumber()
	var v any
	if err := dec.Decode(&v); err != nil || dec.More() {
		return nil, invalid("Invalid filter pattern definition: %q is not a JSON object.", s)
	}
	obj, ok := v.(map[string]any)
	if !ok || len(obj) == 0 {
		return nil, invalid("Invalid filter pattern definition: %q is not a JSON object with filter rules.", s)
	}
	p, err := compileObject(obj, 0)
	if err != nil {
		return nil, invalid("Invalid filter pattern definition: %v.", err)
	}
	if err := onlyData(p); err != nil {
		return nil, invalid("Invalid filter pattern definition: %v.", err)
	}
	return p, nil
}

// onlyData checks that a pattern filters on the data key alone, as Kinesis mappings allow.
func onlyData(p *pattern) error {
	for _, f := range p.fields {
		if f.key != "data" {
			return fmt.Errorf("Kinesis event source mappings only support filtering on the data key, not %q", f.key)
		}
	}
	for _, branches := range p.ors {
		for _, b := range branches {
			if err := onlyData(b); err != nil {
				return err
			}
		}
	}
	return nil
}

const maxPatternDepth = 32

func compileObject(obj map[string]any, depth int) (*pattern, error) {
	if depth > maxPatternDepth {
		return nil, fmt.Errorf("nested deeper than %d levels", maxPatternDepth)
	}
	keys := make([]string, 0, len(obj))
	for k := range obj {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	p := &pattern{}
	for _, k := range keys {
		v := obj[k]
		if k == "$or" {
			list, ok := v.([]any)
			if !ok || len(list) < 2 {
				return nil, fmt.Errorf("$or takes a list of at least two patterns")
			}
			var branches []*pattern
			for _, item := range list {
				o, ok := item.(map[string]any)
				if !ok || len(o) == 0 {
					return nil, fmt.Errorf("$or takes a list of patterns (objects)")
				}
				b, err := compileObject(o, depth+1)
				if err != nil {
					return nil, err
				}
				branches = append(branches, b)
			}
			p.ors = append(p.ors, branches)
			continue
		}
		switch v := v.(type) {
		case map[string]any:
			if len(v) == 0 {
				return nil, fmt.Errorf("key %q has an empty object", k)
			}
			sub, err := compileObject(v, depth+1)
			if err != nil {
				return nil, err
			}
			p.fields = append(p.fields, field{key: k, sub: sub})
		case []any:
			if len(v) == 0 {
				return nil, fmt.Errorf("key %q has an empty list of rules", k)
			}
			f := field{key: k}
			for _, item := range v {
				m, err := compileMatcher(item)
				if err != nil {
					return nil, fmt.Errorf("key %q: %w", k, err)
				}
				f.matchers = append(f.matchers, m)
			}
			p.fields = append(p.fields, f)
		default:
			return nil, fmt.Errorf("key %q must hold a list of rules or an object, not %s", k, jsonText(v))
		}
	}
	return p, nil
}

// compileMatcher compiles one element of a rule list: a literal to equal, or an operator object.
func compileMatcher(item any) (matcher, error) {
	switch x := item.(type) {
	case string, bool, nil:
		return func(v any, present bool) bool { return present && equalLiteral(x, v) }, nil
	case json.Number:
		f, err := x.Float64()
		if err != nil {
			return nil, fmt.Errorf("bad number %s", x)
		}
		return func(v any, present bool) bool { return present && equalNumber(f, v) }, nil
	case map[string]any:
		if len(x) != 1 {
			return nil, fmt.Errorf("an operator object has exactly one operator, not %d", len(x))
		}
		for op, arg := range x {
			return compileOperator(op, arg)
		}
	}
	return nil, fmt.Errorf("rule %s is neither a literal nor an operator object", jsonText(item))
}

func compileOperator(op string, arg any) (matcher, error) {
	switch op {
	case "prefix", "suffix":
		if o, ok := arg.(map[string]any); ok {
			s, ok := o["equals-ignore-case"].(string)
			if len(o) != 1 || !ok {
				return nil, fmt.Errorf("%s takes a string or {\"equals-ignore-case\": string}", op)
			}
			return stringMatcher(op, s, true), nil
		}
		s, ok := arg.(string)
		if !ok {
			return nil, fmt.Errorf("%s takes a string", op)
		}
		return stringMatcher(op, s, false), nil
	case "equals-ignore-case":
		s, ok := arg.(string)
		if !ok {
			return nil, fmt.Errorf("equals-ignore-case takes a string")
		}
		return stringMatcher(op, s, true), nil
	case "exists":
		want, ok := arg.(bool)
		if !ok {
			return nil, fmt.Errorf("exists takes true or false")
		}
		return func(_ any, present bool) bool { return present == want }, nil
	case "numeric":
		return compileNumeric(arg)
	case "anything-but":
		return compileAnythingBut(arg)
	}
	return nil, fmt.Errorf("unknown operator %q", op)
}

func stringMatcher(op, s string, fold bool) matcher {
	test := func(v string) bool {
		a, b := v, s
		if fold {
			a, b = strings.ToLower(a), strings.ToLower(b)
		}
		switch op {
		case "prefix":
			return strings.HasPrefix(a, b)
		case "suffix":
			return strings.HasSuffix(a, b)
		}
		return a == b
	}
	return func(v any, present bool) bool {
		str, ok := v.(string)
		return present && ok && test(str)
	}
}

// compileNumeric compiles ["=", n] or one or two comparisons, [">", a, "<=", b].
func compileNumeric(arg any) (matcher, error) {
	list, ok := arg.([]any)
	if !ok || len(list) == 0 || len(list)%2 != 0 || len(list) > 4 {
		return nil, fmt.Errorf("numeric takes [op, number] or [op, number, op, number]")
	}
	type cmp struct {
		op string
		n  float64
	}
	var cmps []cmp
	for i := 0; i < len(list); i += 2 {
		op, ok := list[i].(string)
		num, ok2 := list[i+1].(json.Number)
		if !ok || !ok2 {
			return nil, fmt.Errorf("numeric takes operators and numbers")
		}
		n, err := num.Float64()
		if err != nil || math.IsInf(n, 0) {
			return nil, fmt.Errorf("numeric: bad number %s", num)
		}
		switch op {
		case "=", "<", "<=", ">", ">=":
		default:
			return nil, fmt.Errorf("numeric: unknown operator %q", op)
		}
		cmps = append(cmps, cmp{op, n})
	}
	if len(cmps) == 2 {
		lower := func(op string) bool { return op == ">" || op == ">=" }
		upper := func(op string) bool { return op == "<" || op == "<=" }
		if !(lower(cmps[0].op) && upper(cmps[1].op) || upper(cmps[0].op) && lower(cmps[1].op)) {
			return nil, fmt.Errorf("numeric: a range has one lower and one upper bound")
		}
	}
	return func(v any, present bool) bool {
		x, ok := number(v)
		if !present || !ok {
			return false
		}
		for _, c := range cmps {
			var r bool
			switch c.op {
			case "=":
				r = x == c.n
			case "<":
				r = x < c.n
			case "<=":
				r = x <= c.n
			case ">":
				r = x > c.n
			case ">=":
				r = x >= c.n
			}
			if !r {
				return false
			}
		}
		return true
	}, nil
}

// compileAnythingBut compiles anything-but of a literal, a list of literals, or a prefix, suffix
// or equals-ignore-case rule. An absent key matches nothing.
func compileAnythingBut(arg any) (matcher, error) {
	var inner []matcher
	switch x := arg.(type) {
	case map[string]any:
		if len(x) != 1 {
			return nil, fmt.Errorf("anything-but takes one rule")
		}
		for op, a := range x {
			if op != "prefix" && op != "suffix" && op != "equals-ignore-case" {
				return nil, fmt.Errorf("anything-but does not take %q", op)
			}
			m, err := compileOperator(op, a)
			if err != nil {
				return nil, err
			}
			inner = append(inner, m)
		}
	case []any:
		if len(x) == 0 {
			return nil, fmt.Errorf("anything-but takes a non-empty list")
		}
		for _, item := range x {
			if _, isObj := item.(map[string]any); isObj {
				return nil, fmt.Errorf("anything-but takes a list of literals")
			}
			m, err := compileMatcher(item)
			if err != nil {
				return nil, err
			}
			inner = append(inner, m)
		}
	default:
		m, err := compileMatcher(x)
		if err != nil {
			return nil, err
		}
		inner = append(inner, m)
	}
	return func(v any, present bool) bool {
		if !present {
			return false
		}
		for _, m := range inner {
			if m(v, true) {
				return false
			}
		}
		return true
	}, nil
}

func equalLiteral(lit, v any) bool {
	switch l := lit.(type) {
	case string:
		s, ok := v.(string)
		return ok && s == l
	case bool:
		b, ok := v.(bool)
		return ok && b == l
	case nil:
		return v == nil
	}
	return false
}

func equalNumber(f float64, v any) bool {
	x, ok := number(v)
	return ok && x == f
}

func number(v any) (float64, bool) {
	n, ok := v.(json.Number)
	if !ok {
		return 0, false
	}
	f, err := strconv.ParseFloat(string(n), 64)
	return f, err == nil
}

func jsonText(v any) string {
	b, _ := json.Marshal(v)
	return string(b)
}

// match reports whether a record's data passes the filters. Data that is not JSON passes none:
// Kinesis patterns filter on data, which they can read only as JSON.
func (fs *filterSet) match(data []byte) bool {
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.UseNumber()
	var v any
	if err := dec.Decode(&v); err != nil || dec.More() {
		return false
	}
	root := map[string]any{"data": v}
	for _, p := range fs.patterns {
		if p.match(root) {
			return true
		}
	}
	return false
}

func (p *pattern) match(obj map[string]any) bool {
	for _, f := range p.fields {
		v, present := obj[f.key]
		if !f.match(v, present) {
			return false
		}
	}
	for _, branches := range p.ors {
		ok := false
		for _, b := range branches {
			if b.match(obj) {
				ok = true
				break
			}
		}
		if !ok {
			return false
		}
	}
	return true
}

func (f field) match(v any, present bool) bool {
	if f.sub != nil {
		switch x := v.(type) {
		case map[string]any:
			return f.sub.match(x)
		case []any:
			for _, el := range x {
				if o, ok := el.(map[string]any); ok && f.sub.match(o) {
					return true
				}
			}
		}
		return f.sub.match(nil)
	}
	if list, ok := v.([]any); ok && present {
		for _, el := range list {
			for _, m := range f.matchers {
				if m(el, true) {
					return true
				}
			}
		}
		return false
	}
	for _, m := range f.matchers {
		if m(v, present) {
			return true
		}
	}
	return false
}
