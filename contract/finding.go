package contract

import (
	"fmt"
	"sort"
	"strconv"
	"strings"
)

// Finding is one problem found in the schemas: a breaking change, a violated policy, or a
// compile error. Its fields are those of buf's JSON error format.
type Finding struct {
	// Path is the file the finding is attached to, as the user reaches it; empty when it belongs
	// to no file of the current schema (a deleted file, for example).
	Path string `json:"path,omitempty"`
	// StartLine, StartColumn, EndLine and EndColumn are 1-based; zero when only the file is known.
	StartLine   int `json:"start_line,omitempty"`
	StartColumn int `json:"start_column,omitempty"`
	EndLine     int `json:"end_line,omitempty"`
	EndColumn   int `json:"end_column,omitempty"`
	// Type is the ID of the rule that fired ("FIELD_SAME_TYPE"), or COMPILE.
	Type string `json:"type,omitempty"`
	// Message says what changed, in buf's words for buf's rules.
	Message string `json:"message,omitempty"`

	// file and againstFile are the files the finding touches in each version, for ignores;
	// againstSpan is the position in againstFile, when known.
	file        *File
	againstFile *File
	againstSpan []int32
	// baseMessage is Message before a history check added its version.
	baseMessage string
}

// String formats the finding as buf's text format does: path:line:column:message.
func (f Finding) String() string {
	var b strings.Builder
	if f.Path == "" {
		b.WriteString("<input>")
	} else {
		b.WriteString(f.Path)
	}
	b.WriteByte(':')
	b.WriteString(strconv.Itoa(atLeast1(f.StartLine)))
	b.WriteByte(':')
	b.WriteString(strconv.Itoa(atLeast1(f.StartColumn)))
	b.WriteByte(':')
	msg := f.Message
	if msg == "" {
		msg = f.Type
	}
	b.WriteString(msg)
	return b.String()
}

func atLeast1(n int) int {
	if n < 1 {
		return 1
	}
	return n
}

// sortFindings orders findings as buf does: by path (findings without a file first), position,
// type and message.
func sortFindings(fs []Finding) {
	sort.SliceStable(fs, func(i, j int) bool { return compareFindings(fs[i], fs[j]) < 0 })
}

func compareFindings(a, b Finding) int {
	switch {
	case a.Path == "" && b.Path != "":
		return -1
	case a.Path != "" && b.Path == "":
		return 1
	}
	if c := strings.Compare(a.Path, b.Path); c != 0 {
		return c
	}
	for _, p := range [][2]int{{a.StartLine, b.StartLine}, {a.StartColumn, b.StartColumn}} {
		if p[0] != p[1] {
			return cmpInt(p[0], p[1])
		}
	}
	if c := strings.Compare(a.Type, b.Type); c != 0 {
		return c
	}
	if c := strings.Compare(a.Message, b.Message); c != 0 {
		return c
	}
	if a.EndLine != b.EndLine {
		return cmpInt(a.EndLine, b.EndLine)
	}
	return cmpInt(a.EndColumn, b.EndColumn)
}

func cmpInt(a, b int) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}

// dedupeFindings drops findings equal to an earlier one in every printed field; fs is sorted.
func dedupeFindings(fs []Finding) []Finding {
	out := fs[:0]
	seen := make(map[string]bool, len(fs))
	for _, f := range fs {
		k := fmt.Sprintf("%s\x00%d\x00%d\x00%d\x00%d\x00%s\x00%s", f.Path, f.StartLine, f.StartColumn, f.EndLine, f.EndColumn, f.Type, f.Message)
		if seen[k] {
			continue
		}
		seen[k] = true
		out = append(out, f)
	}
	return out
}
