package harness

import (
	"encoding/base64"
	"encoding/json"
	"os"
	"path/filepath"
	"reflect"
	"testing"

	"google.golang.org/protobuf/encoding/protojson"
	"google.golang.org/protobuf/reflect/protoreflect"
)

const personProto = `syntax = "proto3";
package acme.people.v1;

message Address {
  string street = 1;
  string city = 2;
}

message PersonMoved {
  string person_id = 1;
  string name = 2;
  repeated string emails = 3;
  Address from = 4;
  Address to = 5;
  repeated Address history = 6;
  map<string, Address> by_label = 7;
  map<string, string> notes = 8;
  int64 birth_year = 9;
  bytes photo = 10;
  repeated int32 lucky = 11;
}
`

// TestRedactor replaces each kind of field as docs/fixtures.md says, at any depth, and leaves the
// rest alone.
func TestRedactor(t *testing.T) {
	dir := t.TempDir()
	if err := os.MkdirAll(filepath.Join(dir, "acme", "people", "v1"), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "acme", "people", "v1", "people.proto"), []byte(personProto), 0o644); err != nil {
		t.Fatal(err)
	}
	types, err := LoadTypes(t.Context(), dir)
	if err != nil {
		t.Fatal(err)
	}
	mt, err := types.FindMessageByName("acme.people.v1.PersonMoved")
	if err != nil {
		t.Fatal(err)
	}
	msg := mt.New().Interface()
	in := `{"person_id":"p-1","name":"Ada","emails":["ada@example.com","ada@example.org"],
		"from":{"street":"Bahnhofstrasse 1","city":"Zurich"},"to":{"street":"Kramgasse 49","city":"Bern"},
		"history":[{"street":"Rue du Rhone 2","city":"Geneva"}],"by_label":{"home":{"street":"Kramgasse 49","city":"Bern"}},
		"notes":{"k":"v"},"birth_year":"1815","photo":"AAEC","lucky":[7,11]}`
	if err := (protojson.UnmarshalOptions{Resolver: types}).Unmarshal([]byte(in), msg); err != nil {
		t.Fatal(err)
	}
	r := &redactor{key: []byte("k"), replaced: map[string]string{}, fields: map[string]bool{
		"acme.people.v1.PersonMoved.name":       true,
		"acme.people.v1.PersonMoved.emails":     true,
		"acme.people.v1.Address.street":         true,
		"acme.people.v1.PersonMoved.notes":      true,
		"acme.people.v1.PersonMoved.birth_year": true,
		"acme.people.v1.PersonMoved.photo":      true,
		"acme.people.v1.PersonMoved.lucky":      true,
	}}
	if !r.redact(msg.ProtoReflect()) {
		t.Fatal("redact reported no change")
	}
	out, err := eventJSON(msg, types)
	if err != nil {
		t.Fatal(err)
	}
	var got map[string]any
	if err := json.Unmarshal(out, &got); err != nil {
		t.Fatal(err)
	}
	p := func(v string) string { return r.pseudonym(v) }
	want := map[string]any{
		"person_id": "p-1",
		"name":      p("Ada"),
		"emails":    []any{p("ada@example.com"), p("ada@example.org")},
		"from":      map[string]any{"street": p("Bahnhofstrasse 1"), "city": "Zurich"},
		"to":        map[string]any{"street": p("Kramgasse 49"), "city": "Bern"},
		"history":   []any{map[string]any{"street": p("Rue du Rhone 2"), "city": "Geneva"}},
		"by_label":  map[string]any{"home": map[string]any{"street": p("Kramgasse 49"), "city": "Bern"}},
		"photo":     base64.StdEncoding.EncodeToString([]byte(p("\x00\x01\x02"))),
	}
	if !reflect.DeepEqual(got, want) {
		gotJSON, _ := json.MarshalIndent(got, "", " ")
		wantJSON, _ := json.MarshalIndent(want, "", " ")
		t.Errorf("redacted:\n%s\nwant:\n%s", gotJSON, wantJSON)
	}
	if r.replaced["Kramgasse 49"] == "" || len(r.replaced["Ada"]) != len("redacted:")+16 {
		t.Errorf("replaced values %v", r.replaced)
	}

	// A message without any of the fields is left as it is.
	clean := mt.New()
	clean.Set(mt.Descriptor().Fields().ByName("person_id"), protoreflect.ValueOfString("p-2"))
	if r.redact(clean) {
		t.Error("redact changed a message without redacted fields")
	}
}
