package consumer

import (
	"testing"
	"time"
)

func TestRetryPolicy(t *testing.T) {
	p := RetryPolicy{MaxAttempts: 3, InitialBackoff: 100 * time.Millisecond, MaxBackoff: time.Second}
	tests := []struct {
		attempts int
		lo, hi   time.Duration
	}{
		{1, 50 * time.Millisecond, 100 * time.Millisecond},
		{2, 100 * time.Millisecond, 200 * time.Millisecond},
		{4, 400 * time.Millisecond, 800 * time.Millisecond},
		{10, 500 * time.Millisecond, time.Second},
	}
	for _, tt := range tests {
		for range 50 {
			if d := p.backoff(tt.attempts); d < tt.lo || d > tt.hi {
				t.Fatalf("backoff(%d) = %v, want within [%v, %v]", tt.attempts, d, tt.lo, tt.hi)
			}
		}
	}
	if p.exhausted(2) || !p.exhausted(3) {
		t.Fatal("MaxAttempts 3 must be exhausted after 3 attempts, not 2")
	}
	if (RetryPolicy{}).exhausted(1 << 20) {
		t.Fatal("MaxAttempts 0 must retry forever")
	}
}
