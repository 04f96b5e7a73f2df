package contract

import (
	"bytes"
	"encoding/hex"
	"encoding/json"
	"encoding/xml"
	"fmt"
	"io"
	"strconv"
	"strings"

	"crypto/sha3"
)

// Format is an error format, as buf's --error-format names them.
type Format string

// The error formats, with buf's names and layouts.
const (
	FormatText              Format = "text"
	FormatJSON              Format = "json"
	FormatMSVS              Format = "msvs"
	FormatJUnit             Format = "junit"
	FormatGitHubActions     Format = "github-actions"
	FormatGitLabCodeQuality Format = "gitlab-code-quality"
)

// Formats lists the error formats in buf's order.
var Formats = []Format{FormatText, FormatJSON, FormatMSVS, FormatJUnit, FormatGitHubActions, FormatGitLabCodeQuality}

// ParseFormat reads an error format name.
func ParseFormat(s string) (Format, error) {
	for _, f := range Formats {
		if string(f) == s {
			return f, nil
		}
	}
	names := make([]string, len(Formats))
	for i, f := range Formats {
		names[i] = string(f)
	}
	return "", fmt.Errorf("invalid error format %q: must be one of [%s]", s, strings.Join(names, ","))
}

// WriteFindings prints findings in the given format, byte for byte as buf prints them. Like
// buf, it prints nothing at all when there are no findings, in every format.
func WriteFindings(w io.Writer, findings []Finding, format Format) error {
	if len(findings) == 0 {
		if _, err := ParseFormat(string(format)); err != nil && format != "" {
			return err
		}
		return nil
	}
	switch format {
	case FormatText, "":
		return eachLine(w, findings, func(f Finding) ([]byte, error) { return []byte(f.String()), nil })
	case FormatJSON:
		return eachLine(w, findings, func(f Finding) ([]byte, error) {
			g := f
			g.StartLine, g.StartColumn = atLeast1(f.StartLine), atLeast1(f.StartColumn)
			g.EndLine, g.EndColumn = atLeast1(f.EndLine), atLeast1(f.EndColumn)
			return json.Marshal(g)
		})
	case FormatMSVS:
		return eachLine(w, findings, msvsLine)
	case FormatGitHubActions:
		return eachLine(w, findings, githubLine)
	case FormatJUnit:
		return writeJUnit(w, findings)
	case FormatGitLabCodeQuality:
		return writeGitLab(w, findings)
	}
	return fmt.Errorf("unknown error format %q", format)
}

func eachLine(w io.Writer, findings []Finding, line func(Finding) ([]byte, error)) error {
	for _, f := range findings {
		b, err := line(f)
		if err != nil {
			return err
		}
		if _, err := w.Write(append(b, '\n')); err != nil {
			return err
		}
	}
	return nil
}

func pathOrInput(f Finding) string {
	if f.Path == "" {
		return "<input>"
	}
	return f.Path
}

func msvsLine(f Finding) ([]byte, error) {
	typ := f.Type
	if typ == "" {
		typ = "FAILURE"
	}
	msg := f.Message
	if msg == "" {
		msg = typ
	}
	return []byte(fmt.Sprintf("%s(%d,%d) : error %s : %s", pathOrInput(f), atLeast1(f.StartLine), atLeast1(f.StartColumn), typ, msg)), nil
}

func githubLine(f Finding) ([]byte, error) {
	var b strings.Builder
	b.WriteString("::error file=")
	b.WriteString(pathOrInput(f))
	if f.StartLine > 0 {
		b.WriteString(",line=" + strconv.Itoa(f.StartLine))
		if f.StartColumn > 0 {
			b.WriteString(",col=" + strconv.Itoa(f.StartColumn))
		}
		if f.EndLine > 0 {
			b.WriteString(",endLine=" + strconv.Itoa(f.EndLine))
			if f.EndColumn > 0 {
				b.WriteString(",endColumn=" + strconv.Itoa(f.EndColumn))
			}
		}
	}
	b.WriteString("::")
	b.WriteString(f.Message)
	return []byte(b.String()), nil
}

func writeJUnit(w io.Writer, findings []Finding) error {
	var buf bytes.Buffer
	enc := xml.NewEncoder(&buf)
	enc.Indent("", "  ")
	suites := xml.StartElement{Name: xml.Name{Local: "testsuites"}}
	if err := enc.EncodeToken(suites); err != nil {
		return err
	}
	var order []string
	byPath := make(map[string][]Finding)
	for _, f := range findings {
		p := pathOrInput(f)
		if _, ok := byPath[p]; !ok {
			order = append(order, p)
		}
		byPath[p] = append(byPath[p], f)
	}
	for _, p := range order {
		fs := byPath[p]
		n := strconv.Itoa(len(fs))
		suite := xml.StartElement{Name: xml.Name{Local: "testsuite"}, Attr: []xml.Attr{
			{Name: xml.Name{Local: "name"}, Value: strings.TrimSuffix(p, ".proto")},
			{Name: xml.Name{Local: "tests"}, Value: n},
			{Name: xml.Name{Local: "failures"}, Value: n},
			{Name: xml.Name{Local: "errors"}, Value: "0"},
		}}
		if err := enc.EncodeToken(suite); err != nil {
			return err
		}
		for _, f := range fs {
			name := f.Type
			if f.StartColumn != 0 {
				name += fmt.Sprintf("_%d_%d", f.StartLine, f.StartColumn)
			} else if f.StartLine != 0 {
				name += fmt.Sprintf("_%d", f.StartLine)
			}
			tc := xml.StartElement{Name: xml.Name{Local: "testcase"}, Attr: []xml.Attr{{Name: xml.Name{Local: "name"}, Value: name}}}
			failure := xml.StartElement{Name: xml.Name{Local: "failure"}, Attr: []xml.Attr{
				{Name: xml.Name{Local: "message"}, Value: f.String()},
				{Name: xml.Name{Local: "type"}, Value: f.Type},
			}}
			for _, tok := range []xml.Token{tc, failure, failure.End(), tc.End()} {
				if err := enc.EncodeToken(tok); err != nil {
					return err
				}
			}
		}
		if err := enc.EncodeToken(suite.End()); err != nil {
			return err
		}
	}
	if err := enc.EncodeToken(suites.End()); err != nil {
		return err
	}
	if err := enc.Flush(); err != nil {
		return err
	}
	buf.WriteByte('\n')
	_, err := w.Write(buf.Bytes())
	return err
}

type gitLabIssue struct {
	Description string         `json:"description,omitempty"`
	CheckName   string         `json:"check_name,omitempty"`
	Fingerprint string         `json:"fingerprint,omitempty"`
	Location    gitLabLocation `json:"location"`
	Severity    string         `json:"severity,omitempty"`
}

type gitLabLocation struct {
	Path      string          `json:"path,omitempty"`
	Positions gitLabPositions `json:"positions"`
}

type gitLabPositions struct {
	Begin gitLabPosition `json:"begin"`
	End   gitLabPosition `json:"end"`
}

type gitLabPosition struct {
	Line   int `json:"line,omitempty"`
	Column int `json:"column,omitempty"`
}

// writeGitLab prints a GitLab Code Quality report; each issue's fingerprint is the 64-byte
// SHAKE256 digest of the issue's JSON without it, as buf computes it.
func writeGitLab(w io.Writer, findings []Finding) error {
	issues := make([]gitLabIssue, 0, len(findings))
	for _, f := range findings {
		is := gitLabIssue{
			Description: f.Message,
			CheckName:   f.Type,
			Location: gitLabLocation{Path: f.Path, Positions: gitLabPositions{
				Begin: gitLabPosition{Line: f.StartLine, Column: f.StartColumn},
				End:   gitLabPosition{Line: f.EndLine, Column: f.EndColumn},
			}},
			Severity: "minor",
		}
		content, err := json.Marshal(is)
		if err != nil {
			return err
		}
		sum := sha3.SumSHAKE256(content, 64)
		is.Fingerprint = hex.EncodeToString(sum)
		issues = append(issues, is)
	}
	return json.NewEncoder(w).Encode(issues)
}
