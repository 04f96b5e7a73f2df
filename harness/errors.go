package harness

import (
	"errors"
	"fmt"
)

// Errors that callers branch on with errors.Is.
var (
	// ErrFormat means a fixture's bytes do not follow the fixture format; the error names the
	// line.
	ErrFormat = errors.New("harness: malformed fixture")
	// ErrUnsupportedVersion means a fixture was written in a later format version than this
	// package reads.
	ErrUnsupportedVersion = errors.New("harness: unsupported fixture version")
)

// LineError is a problem with one line of a fixture.
type LineError struct {
	// Line is the line's number, counting from 1.
	Line int
	// Err says what is wrong; it matches ErrFormat or ErrUnsupportedVersion.
	Err error
}

// Error names the line and the problem.
func (e *LineError) Error() string { return fmt.Sprintf("line %d: %v", e.Line, e.Err) }

// Unwrap returns Err.
func (e *LineError) Unwrap() error { return e.Err }
