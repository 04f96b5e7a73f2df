package esm_test

import (
	"errors"
	"reflect"
	"testing"

	"github.com/pelicanhq/pelican/lambda/esm"
	"github.com/pelicanhq/pelican/pelicantest"
)

// The records every filter test puts, and which of them each operator lets through.
var filterRecords = []string{
	`{"kind":"order","city":"Berlin","amount":10,"customer":{"tier":"gold"},"tags":["new","eu"]}`,
	`{"kind":"ORDER","city":"Bern","amount":250.5,"customer":{"tier":"silver"}}`,
	`{"kind":"refund","city":"Boston","amount":-3,"note":null}`,
	`{"kind":"ping","city":"","amount":0}`,
	`not json at all`,
	`"order"`,
}

func TestFilterOperators(t *testing.T) {
	for _, tc := range []struct {
		operator string
		patterns []string
		want     []int // indexes into filterRecords
	}{
		{"exact", []string{`{"data":{"kind":["order"]}}`}, []int{0}},
		{"exact number", []string{`{"data":{"amount":[250.5]}}`}, []int{1}},
		{"exact null", []string{`{"data":{"note":[null]}}`}, []int{2}},
		{"empty string", []string{`{"data":{"city":[""]}}`}, []int{3}},
		{"exact on a whole data string", []string{`{"data":["order"]}`}, []int{5}},
		{"array value matches any element", []string{`{"data":{"tags":["eu"]}}`}, []int{0}},
		{"prefix", []string{`{"data":{"city":[{"prefix":"Ber"}]}}`}, []int{0, 1}},
		{"prefix ignoring case", []string{`{"data":{"city":[{"prefix":{"equals-ignore-case":"ber"}}]}}`}, []int{0, 1}},
		{"suffix", []string{`{"data":{"city":[{"suffix":"ton"}]}}`}, []int{2}},
		{"anything-but", []string{`{"data":{"kind":[{"anything-but":["order","ping"]}]}}`}, []int{1, 2}},
		{"anything-but prefix", []string{`{"data":{"city":[{"anything-but":{"prefix":"B"}}]}}`}, []int{3}},
		{"numeric equals", []string{`{"data":{"amount":[{"numeric":["=",10]}]}}`}, []int{0}},
		{"numeric greater", []string{`{"data":{"amount":[{"numeric":[">",0]}]}}`}, []int{0, 1}},
		{"numeric less or equal", []string{`{"data":{"amount":[{"numeric":["<=",0]}]}}`}, []int{2, 3}},
		{"numeric range", []string{`{"data":{"amount":[{"numeric":[">=",0,"<",100]}]}}`}, []int{0, 3}},
		{"exists", []string{`{"data":{"customer":{"tier":[{"exists":true}]}}}`}, []int{0, 1}},
		// A JSON string as data has no keys, so it too lacks "customer".
		{"does not exist", []string{`{"data":{"customer":[{"exists":false}]}}`}, []int{2, 3, 5}},
		{"equals-ignore-case", []string{`{"data":{"kind":[{"equals-ignore-case":"order"}]}}`}, []int{0, 1}},
		{"nested key", []string{`{"data":{"customer":{"tier":["silver"]}}}`}, []int{1}},
		{"several keys are and", []string{`{"data":{"kind":["order"],"city":["Bern"]}}`}, nil},
		{"rules of a key are or", []string{`{"data":{"kind":["refund","ping"]}}`}, []int{2, 3}},
		{"$or", []string{`{"data":{"$or":[{"kind":["refund"]},{"amount":[{"numeric":[">",100]}]}]}}`}, []int{1, 2}},
		{"filters are or", []string{`{"data":{"kind":["order"]}}`, `{"data":{"kind":["ping"]}}`}, []int{0, 3}},
	} {
		t.Run(tc.operator, func(t *testing.T) {
			var filters []esm.Filter
			for _, p := range tc.patterns {
				filters = append(filters, esm.Filter{Pattern: p})
			}
			e := newEnv(t, 1)
			e.put(t, "k", filterRecords...)
			var r recorder
			l := attach(t, e, &r, esm.Mapping{FilterCriteria: &esm.FilterCriteria{Filters: filters}})
			l.WaitIdle(t)
			var want []string
			for _, i := range tc.want {
				want = append(want, filterRecords[i])
			}
			if got := r.delivered(); !reflect.DeepEqual(got, want) {
				t.Fatalf("delivered:\n got %q\nwant %q", got, want)
			}
			s := l.Stats()
			if s.Filtered != len(filterRecords)-len(want) {
				t.Fatalf("filtered = %d, want %d", s.Filtered, len(filterRecords)-len(want))
			}
		})
	}
}

// TestFilteredRecordsAreCheckpointedPast: records no filter matches are dropped and the
// checkpoint passes them, as Lambda does; a stream of only dropped records invokes nothing.
func TestFilteredRecordsAreCheckpointedPast(t *testing.T) {
	bothSources(t, 1, func(t *testing.T, e *env, arn string) {
		seqs := e.put(t, "k", `{"kind":"ping"}`, `{"kind":"ping"}`, `plain text`)
		var r recorder
		l := attach(t, e, &r, esm.Mapping{EventSourceArn: arn, FilterCriteria: &esm.FilterCriteria{Filters: []esm.Filter{{Pattern: `{"data":{"kind":["order"]}}`}}}})
		l.WaitIdle(t)
		if n := len(r.invocations()); n != 0 {
			t.Fatalf("invoked %d times for records that no filter matches", n)
		}
		if cp := l.Stats().Shards[pelicantest.ShardIDs(t, e.client, e.stream)[0]].Checkpoint; cp != seqs[2] {
			t.Fatalf("checkpoint = %s, want %s (past the dropped records)", cp, seqs[2])
		}
	})
}

func TestFilterPatternErrors(t *testing.T) {
	for _, p := range []string{
		``, `[]`, `{}`, `{"data":`, `{"data":"order"}`, `{"data":{"kind":[]}}`,
		`{"partitionKey":["1"]}`, // Kinesis mappings filter on data only
		`{"data":{"kind":[{"prefix":1}]}}`, `{"data":{"kind":[{"wildcardish":"x"}]}}`,
		`{"data":{"n":[{"numeric":[">"]}]}}`, `{"data":{"n":[{"numeric":["<",1,"<",2]}]}}`,
		`{"data":{"n":[{"numeric":["~",1]}]}}`, `{"data":{"k":[{"exists":"yes"}]}}`,
		`{"data":{"$or":[{"k":["a"]}]}}`, `{"data":{"k":[{"prefix":"a","suffix":"b"}]}}`,
	} {
		err := esm.ParsePattern(p)
		var ve *esm.ValidationError
		if !errors.As(err, &ve) || ve.Code != "InvalidParameterValueException" {
			t.Errorf("ParsePattern(%q) = %v, want an InvalidParameterValueException", p, err)
		}
	}
}

func FuzzParsePattern(f *testing.F) {
	for _, p := range []string{
		`{"data":{"kind":["order"]}}`, `{"data":{"a":{"b":[{"exists":false}]}}}`,
		`{"data":{"$or":[{"k":["a"]},{"n":[{"numeric":[">",0,"<=",5]}]}]}}`,
		`{"data":{"k":[{"anything-but":{"prefix":"x"}}]}}`, `{"data":[{"equals-ignore-case":"A"}]}`,
	} {
		f.Add(p, `{"kind":"order","a":{"b":1},"k":"ab","n":3}`)
	}
	f.Fuzz(func(t *testing.T, pattern, data string) {
		if err := esm.ParsePattern(pattern); err != nil {
			var ve *esm.ValidationError
			if !errors.As(err, &ve) {
				t.Fatalf("ParsePattern(%q) = %v, not a ValidationError", pattern, err)
			}
			return
		}
		fs := esm.FilterCriteria{Filters: []esm.Filter{{Pattern: pattern}}}
		m := esm.Mapping{FunctionName: "f", EventSourceArn: "arn:aws:kinesis:us-east-1:123456789012:stream/s", StartingPosition: esm.Latest, FilterCriteria: &fs}
		if err := m.Validate(); err != nil {
			t.Fatalf("pattern %q parses but its mapping does not validate: %v", pattern, err)
		}
		esm.MatchForTest(fs, []byte(data)) // must not panic
	})
}
