package wire

import (
	"regexp"
)

// The service reads a request against its model before any operation runs: every member must
// hold a value of its type (else SerializationException, in the service's words), then every
// constraint must hold (else ValidationException). Shape is the model of one member's type, as
// the service model gives it; the operations hold one per operation input.

// ShapeType is the type of a shape in the service model.
type ShapeType uint8

// The shape types of the Kinesis model.
const (
	ShapeStructure ShapeType = iota
	ShapeList
	ShapeMap
	ShapeString
	ShapeInteger
	ShapeLong
	ShapeBoolean
	ShapeBlob
	ShapeTimestamp
)

// Shape is a type of the service model with its constraints: lengths (strings, blobs, lists,
// maps) or values (integers) between Min and Max, a Pattern a string must match whole, the Enum
// values a string may take, Elem (list members and map values), Key (map keys) and Members
// (structures).
type Shape struct {
	Name     string
	Type     ShapeType
	Min, Max *int64
	Pattern  *Pattern
	Enum     []string
	Elem     *Shape
	Key      *Shape
	Members  []Member
}

// Member is a member of a structure shape.
type Member struct {
	Name     string
	Shape    *Shape
	Required bool
}

// Pattern is a model pattern: its text as the service shows it, and the expression that matches a
// whole value.
type Pattern struct {
	Text string
	re   *regexp.Regexp
}

// MatchString reports whether s matches the whole pattern.
func (p *Pattern) MatchString(s string) bool { return p.re.MatchString(s) }

// MustPattern compiles a model pattern, which a value must match whole.
func MustPattern(text string) *Pattern {
	return &Pattern{Text: text, re: regexp.MustCompile(`^(?:` + text + `)$`)}
}

// Bound is a length or value bound of a shape.
func Bound(n int64) *int64 { return &n }

// Member returns the member named name, or nil.
func (s *Shape) Member(name string) *Member {
	for i := range s.Members {
		if s.Members[i].Name == name {
			return &s.Members[i]
		}
	}
	return nil
}
