// Package dynalite starts dynalite, the DynamoDB-compatible server from npm installed under
// tools/node, on a loopback port for the interop tests of the DynamoDB lease store, and returns
// a DynamoDB client aimed at it. Only tests import it.
package dynalite
