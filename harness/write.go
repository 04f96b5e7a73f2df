package harness

import (
	"bufio"
	"fmt"
	"io"
	"slices"
)

// Writer writes a fixture: the header when it is made, then one line per entry. Call Flush
// when done; a Writer is not safe for concurrent use.
type Writer struct {
	w   *bufio.Writer
	err error
}

// NewWriter writes h as the first line of a fixture on w. A zero h.Version writes
// FormatVersion; the redacted field names are written sorted.
func NewWriter(w io.Writer, h Header) (*Writer, error) {
	h.Redacted = slices.Sorted(slices.Values(h.Redacted))
	line, err := marshalHeader(h)
	if err != nil {
		return nil, fmt.Errorf("harness: header: %w", err)
	}
	fw := &Writer{w: bufio.NewWriter(w)}
	fw.writeLine(line)
	return fw, fw.err
}

// Write writes e as one line. Its Event, if any, is written compact with sorted keys.
func (w *Writer) Write(e *Entry) error {
	if w.err != nil {
		return w.err
	}
	line, err := marshalEntry(e)
	if err != nil {
		return err
	}
	w.writeLine(line)
	return w.err
}

// Flush writes any buffered lines to the underlying writer.
func (w *Writer) Flush() error {
	if w.err != nil {
		return w.err
	}
	if err := w.w.Flush(); err != nil {
		w.err = fmt.Errorf("harness: write fixture: %w", err)
	}
	return w.err
}

func (w *Writer) writeLine(line []byte) {
	if _, err := w.w.Write(line); err != nil {
		w.err = fmt.Errorf("harness: write fixture: %w", err)
		return
	}
	if err := w.w.WriteByte('\n'); err != nil {
		w.err = fmt.Errorf("harness: write fixture: %w", err)
	}
}

// WriteFixture writes f's header and entries to w.
func WriteFixture(w io.Writer, f *Fixture) error {
	fw, err := NewWriter(w, f.Header)
	if err != nil {
		return err
	}
	for _, e := range f.Entries {
		if err := fw.Write(e); err != nil {
			return err
		}
	}
	return fw.Flush()
}
