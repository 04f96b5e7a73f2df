package harness

import "context"

// TB is the part of testing.TB that Golden and Replay use. *testing.T and *testing.B satisfy it;
// taking this small interface keeps package testing out of binaries that link harness, such as
// the pelican command.
type TB interface {
	Helper()
	Context() context.Context
	Errorf(format string, args ...any)
	Fatalf(format string, args ...any)
}
