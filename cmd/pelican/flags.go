package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
)

// flagSet wraps flag.FlagSet so that a bad flag becomes a usageError (one line on stderr, exit 2)
// and --help prints the flags and ends the command successfully.
type flagSet struct {
	*flag.FlagSet
	usage  string
	stderr io.Writer
}

func newFlagSet(name, usage string, stderr io.Writer) *flagSet {
	fs := flag.NewFlagSet("pelican "+name, flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	return &flagSet{FlagSet: fs, usage: usage, stderr: stderr}
}

// parse parses args; help reports that --help was asked for and printed.
func (fs *flagSet) parse(args []string) (help bool, err error) {
	err = fs.Parse(args)
	if errors.Is(err, flag.ErrHelp) {
		fs.printUsage()
		return true, nil
	}
	if err != nil {
		return false, usageError{err}
	}
	return false, nil
}

func (fs *flagSet) printUsage() {
	fmt.Fprintf(fs.stderr, "Usage: pelican %s\n\nFlags:\n", fs.usage)
	fs.SetOutput(fs.stderr)
	fs.PrintDefaults()
	fs.SetOutput(io.Discard)
}

// stringList is a repeatable string flag.
type stringList []string

func (s *stringList) String() string { return fmt.Sprint([]string(*s)) }

// Set appends one value.
func (s *stringList) Set(v string) error { *s = append(*s, v); return nil }
