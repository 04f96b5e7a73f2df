package harness

import (
	"sync"
	"time"
)

// Clock is virtual time for replays. Code under test reads Now instead of time.Now; Replay,
// given the clock WithClock, moves it to each record's arrival time before delivering the
// record, so a day of recorded traffic replays at once and the code sees the day go by.
type Clock struct {
	mu  sync.Mutex
	now time.Time
}

// NewClock returns a clock that reads start until it is moved.
func NewClock(start time.Time) *Clock { return &Clock{now: start} }

// Now returns the clock's time.
func (c *Clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

// Set moves the clock to t. A clock never goes back: a t before its time is ignored, as records
// of different shards may have arrived in a slightly different order than they are replayed.
func (c *Clock) Set(t time.Time) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if t.After(c.now) {
		c.now = t
	}
}
