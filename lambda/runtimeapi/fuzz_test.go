package runtimeapi

import (
	"encoding/json"
	"strings"
	"testing"
)

// FuzzParseFunctionError holds the error parser to encoding/json: whatever a runtime posts, the
// error has a type, keeps the body, and takes the document's fields when the body is one.
func FuzzParseFunctionError(f *testing.F) {
	f.Add("", []byte(`{"errorMessage":"boom","errorType":"Bad","stackTrace":["a"]}`))
	f.Add("Runtime.Custom", []byte(`{"errorMessage":"x"}`))
	f.Add("", []byte(`not json`))
	f.Add(" ", []byte(`{"errorType":null,"stackTrace":null}`))
	f.Add("T", []byte(`[1,2]`))
	f.Fuzz(func(t *testing.T, header string, body []byte) {
		fe := parseFunctionError("id", header, body)
		if fe.Type == "" || fe.RequestID != "id" || string(fe.Payload) != string(body) {
			t.Fatalf("parse(%q, %q) = %+v", header, body, fe)
		}
		var doc errorBody
		if json.Unmarshal(body, &doc) == nil {
			if doc.ErrorType != "" && fe.Type != doc.ErrorType {
				t.Fatalf("type %q, body says %q", fe.Type, doc.ErrorType)
			}
			if fe.Message != doc.ErrorMessage {
				t.Fatalf("message %q, body says %q", fe.Message, doc.ErrorMessage)
			}
		} else if fe.Message != strings.TrimSpace(string(body)) {
			t.Fatalf("message %q, want the body %q", fe.Message, body)
		}
		_ = fe.Error()
	})
}
