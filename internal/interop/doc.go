// Package interop finds the tools outside Go that the interop tests drive (the AWS CLI, Node and
// the npm packages under tools/node, Docker, buf) and fails the test, naming the tool and the
// command that installs it, when one is missing. Interop tests never skip.
package interop
