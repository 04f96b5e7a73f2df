// Package clockv1 holds the generated Go code of the clock service's events: TimeTicked, published
// when a cuckoo clock strikes the hour. It is an example of a team's own event contract, used by
// Pelican's tests and documentation. Generated from clock.proto by `make proto`.
package clockv1
