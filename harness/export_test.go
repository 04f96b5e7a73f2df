package harness

import (
	"context"
	"time"
)

// WithPacer replaces the clock and the sleep that pace Republish.
func WithPacer(now func() time.Time, sleep func(ctx context.Context, d time.Duration) error) Option {
	return func(c *config) { c.now, c.sleep = now, sleep }
}
