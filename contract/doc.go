// Package contract checks that protobuf event schemas evolve without breaking the services that
// publish and consume them.
//
// It compiles .proto files with protocompile (from a directory, a git ref or a FileDescriptorSet
// image), compares two versions with the rules of `buf breaking` (same rule IDs, categories,
// messages and positions, so that teams already on buf switch without surprises), and adds rules
// that only an event platform can know: an event type removed or renamed, a partition key moved
// or retyped, and the fields that subscribers declare they rely on. Evolution policies in the
// manner of schema registries (BACKWARD, FORWARD, FULL and their TRANSITIVE variants) run the same
// rules over git history.
//
// Descriptors go in and findings come out; the package knows nothing of AWS.
package contract
