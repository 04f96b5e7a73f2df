package harness

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
)

// Fixture is a fixture file read into memory.
type Fixture struct {
	// Path is the file the fixture was read from; empty when it was read from a stream of bytes.
	Path string
	// Header is the fixture's first line.
	Header Header
	// Entries are the record lines, in file order.
	Entries []*Entry
}

// ReadFile reads the fixture at path.
func ReadFile(path string) (*Fixture, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("harness: %w", err)
	}
	defer f.Close()
	fx, err := Read(f)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	fx.Path = path
	return fx, nil
}

// Read reads a fixture. The first line must be the header; blank lines are skipped. A fixture
// that does not follow the format is a *LineError that matches ErrFormat, or
// ErrUnsupportedVersion for a fixture of a later format version.
func Read(r io.Reader) (*Fixture, error) {
	br := bufio.NewReader(r)
	fx := &Fixture{}
	header := false
	for n := 1; ; n++ {
		line, err := br.ReadBytes('\n')
		if err != nil && !errors.Is(err, io.EOF) {
			return nil, fmt.Errorf("harness: read fixture: %w", err)
		}
		eof := err != nil
		line = bytes.TrimRight(line, "\r\n")
		if len(bytes.TrimSpace(line)) > 0 {
			if !header {
				h, ok, perr := parseHeader(line)
				switch {
				case errors.Is(perr, ErrUnsupportedVersion):
					return nil, &LineError{Line: n, Err: perr}
				case perr != nil:
					return nil, &LineError{Line: n, Err: fmt.Errorf("%w: %w", ErrFormat, perr)}
				case !ok:
					return nil, &LineError{Line: n, Err: fmt.Errorf("%w: the first line must be the header, with the key pelican_fixture", ErrFormat)}
				}
				fx.Header, header = h, true
			} else {
				e, perr := parseEntry(line, fx.Header.Stream)
				if perr != nil {
					return nil, &LineError{Line: n, Err: fmt.Errorf("%w: %w", ErrFormat, perr)}
				}
				e.Line = n
				fx.Entries = append(fx.Entries, e)
			}
		}
		if eof {
			break
		}
	}
	if !header {
		return nil, &LineError{Line: 1, Err: fmt.Errorf("%w: empty, without a header line", ErrFormat)}
	}
	return fx, nil
}
