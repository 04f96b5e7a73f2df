// Package leasetest is the conformance suite for lease stores: every lease.Store, the in-memory
// one, the DynamoDB one and any a user writes, must pass Run. The suite checks the fencing the
// consumer relies on: every change is conditional on the lease's counter and owner, bumps the
// counter, and fails with lease.ErrConflict once another worker has moved the lease.
package leasetest
