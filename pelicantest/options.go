package pelicantest

import (
	"time"

	"github.com/pelicanhq/pelican/emulator"
)

// Option configures the emulator that NewEmulator starts. Tests build options with this
// package's With functions, so they need not import the emulator package.
type Option = emulator.Option

// Clock is a clock that moves only when the test tells it to (Advance). Timers fire during
// Advance, so retention, iterator expiry, subscriptions and Lambda windows run without sleeping.
type Clock = emulator.ManualClock

// NewClock returns a manual clock that starts at start.
func NewClock(start time.Time) *Clock { return emulator.NewManualClock(start) }

// WithClock makes the emulator read time from c.
func WithClock(c *Clock) Option { return emulator.WithClock(c) }

// WithThroughputLimits turns the per-shard throughput limits on (or off).
func WithThroughputLimits(on bool) Option { return emulator.WithThroughputLimits(on) }

// WithStream creates a stream of the given shards before NewEmulator returns.
func WithStream(name string, shards int) Option { return emulator.WithStream(name, shards) }

// WithDataDir keeps the emulator's streams and records in dir, so that an emulator started
// later on the same directory (after Close) finds them: how a test checks what survives a
// restart. Without it the emulator keeps everything in memory.
func WithDataDir(dir string) Option { return emulator.WithDataDir(dir) }

// Fault makes calls of one operation fail or slow down; inject it with Emulator.Faults().Inject.
type Fault = emulator.Fault

// Faults holds an emulator's injected faults; Emulator.Faults returns it.
type Faults = emulator.Faults
