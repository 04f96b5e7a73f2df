// Package archtest checks the module's imports against the map of ARCHITECTURE.md (which package
// may import whom), in code and in tests, so that no change breaks the map silently.
//
// The rules are rows of a table (Rules), each with an ID, the reason it exists and the imports it
// forbids; Check holds a list of packages, as `go list` describes them, against them and returns
// the imports that break one. The test of this package runs `go list` over the module, with and
// without the interop build tag, and fails with the list of offending imports and the files that
// make them.
package archtest
