package consumer

import "time"

// Clock is where a worker reads the time by which it judges leases: how long its own leases have
// gone since their last renewal, and how long another worker's lease has gone without moving. A
// *pelicantest.Clock satisfies it, so a test can expire leases by moving the clock.
type Clock interface {
	Now() time.Time
}

type systemClock struct{}

func (systemClock) Now() time.Time { return time.Now() }
