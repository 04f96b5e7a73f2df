package consumer

import (
	"context"
	"math/rand/v2"
	"time"
)

// RetryPolicy says how often and how patiently a failing batch is retried. Whatever the policy, a
// batch is never skipped: once MaxAttempts attempts have failed, the worker stops the shard and
// releases its lease without a checkpoint, so the batch is read and delivered again.
type RetryPolicy struct {
	// MaxAttempts is the number of attempts before the shard is released; 0 retries forever.
	MaxAttempts int
	// InitialBackoff is the wait before the first retry (default 100ms); it doubles on each
	// retry up to MaxBackoff (default 10s), with jitter.
	InitialBackoff time.Duration
	MaxBackoff     time.Duration
}

// DefaultRetryPolicy retries forever, backing off from 100ms to 10s.
func DefaultRetryPolicy() RetryPolicy {
	return RetryPolicy{InitialBackoff: 100 * time.Millisecond, MaxBackoff: 10 * time.Second}
}

// exhausted reports whether attempts failed attempts use up the policy.
func (p RetryPolicy) exhausted(attempts int) bool {
	return p.MaxAttempts > 0 && attempts >= p.MaxAttempts
}

// backoff returns the wait after the given number of failed attempts (1 or more): exponential,
// with the upper half jittered so that workers retrying together spread out.
func (p RetryPolicy) backoff(attempts int) time.Duration {
	d := p.InitialBackoff
	if d <= 0 {
		d = 100 * time.Millisecond
	}
	limit := p.MaxBackoff
	if limit <= 0 {
		limit = 10 * time.Second
	}
	for i := 1; i < attempts && d < limit; i++ {
		d *= 2
	}
	d = min(d, limit)
	return d/2 + rand.N(d/2+1)
}

// sleep waits for d or until ctx is done, reporting whether the full wait passed.
func sleep(ctx context.Context, d time.Duration) bool {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return true
	case <-ctx.Done():
		return false
	}
}
