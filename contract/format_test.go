package contract

import (
	"bytes"
	"encoding/json"
	"encoding/xml"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// formatFindings covers what the formats treat differently: a finding without a file, one
// without a position, and ones with full spans in two files.
var formatFindings = []Finding{
	{Type: "FILE_NO_DELETE", Message: `Previously present file "acme/v1/gone.proto" was deleted.`},
	{Path: "proto/acme/v1/a.proto", Type: "MESSAGE_NO_DELETE", Message: `Previously present message "Gone" was deleted from file.`},
	{Path: "proto/acme/v1/a.proto", StartLine: 5, StartColumn: 3, EndLine: 5, EndColumn: 8, Type: "FIELD_SAME_TYPE",
		Message: `Field "1" with name "id" on message "Order" changed type from "int32" to "int64".`},
	{Path: "proto/acme/v1/b.proto", StartLine: 12, StartColumn: 1, EndLine: 14, EndColumn: 2, Type: "EVENT_NO_DELETE",
		Message: `Event "acme.v1.Placed" was renamed to "acme.v1.Ordered"; consumers <look> events up by "type" & name.`},
}

// TestFormats compares each error format with its golden file (testdata/formats/<format>.golden;
// go test -update rewrites them). TestInteropBufErrorFormats holds the same code to buf's bytes.
func TestFormats(t *testing.T) {
	for _, format := range Formats {
		t.Run(string(format), func(t *testing.T) {
			var got bytes.Buffer
			if err := WriteFindings(&got, formatFindings, format); err != nil {
				t.Fatal(err)
			}
			golden := filepath.Join("testdata", "formats", string(format)+".golden")
			if *update {
				if err := os.MkdirAll(filepath.Dir(golden), 0o755); err != nil {
					t.Fatal(err)
				}
				if err := os.WriteFile(golden, got.Bytes(), 0o644); err != nil {
					t.Fatal(err)
				}
				return
			}
			want, err := os.ReadFile(golden)
			if err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(got.Bytes(), want) {
				t.Errorf("--- got\n%s--- want\n%s", got.Bytes(), want)
			}
		})
	}
}

func TestFormatsAreWellFormed(t *testing.T) {
	var b bytes.Buffer
	if err := WriteFindings(&b, formatFindings, FormatJUnit); err != nil {
		t.Fatal(err)
	}
	var suites struct {
		Suites []struct {
			Name  string `xml:"name,attr"`
			Cases []struct {
				Name    string `xml:"name,attr"`
				Failure struct {
					Message string `xml:"message,attr"`
				} `xml:"failure"`
			} `xml:"testcase"`
		} `xml:"testsuite"`
	}
	if err := xml.Unmarshal(b.Bytes(), &suites); err != nil {
		t.Fatalf("junit output is not XML: %v", err)
	}
	if len(suites.Suites) != 3 || suites.Suites[0].Name != "<input>" || suites.Suites[1].Name != "proto/acme/v1/a" {
		t.Errorf("junit suites = %+v", suites.Suites)
	}
	if c := suites.Suites[2].Cases[0]; c.Name != "EVENT_NO_DELETE_12_1" || !strings.Contains(c.Failure.Message, `"type" & name`) {
		t.Errorf("junit case = %+v", c)
	}

	b.Reset()
	if err := WriteFindings(&b, formatFindings, FormatGitLabCodeQuality); err != nil {
		t.Fatal(err)
	}
	var issues []gitLabIssue
	if err := json.Unmarshal(b.Bytes(), &issues); err != nil {
		t.Fatalf("gitlab output is not JSON: %v", err)
	}
	seen := map[string]bool{}
	for _, is := range issues {
		if len(is.Fingerprint) != 128 || seen[is.Fingerprint] {
			t.Errorf("fingerprint %q: want 128 hex digits, unique", is.Fingerprint)
		}
		seen[is.Fingerprint] = true
	}

	// buf prints nothing at all when it finds nothing, whatever the format.
	for _, format := range Formats {
		b.Reset()
		if err := WriteFindings(&b, nil, format); err != nil || b.Len() != 0 {
			t.Errorf("no findings in %s format = %q, %v; want nothing", format, b.String(), err)
		}
	}
	if err := WriteFindings(&b, nil, "yaml"); err == nil {
		t.Error("WriteFindings accepted an unknown format")
	}
}

func TestParseFormat(t *testing.T) {
	for _, f := range Formats {
		if got, err := ParseFormat(string(f)); err != nil || got != f {
			t.Errorf("ParseFormat(%q) = %q, %v", f, got, err)
		}
	}
	_, err := ParseFormat("config-ignore-yaml")
	if err == nil || !strings.Contains(err.Error(), "[text,json,msvs,junit,github-actions,gitlab-code-quality]") {
		t.Errorf("ParseFormat of an unknown format: %v", err)
	}
}
