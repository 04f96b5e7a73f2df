package main

import (
	"fmt"
	"math"
	"runtime/debug"
	"strconv"
	"strings"
)

// memoryLimit is the --memory-limit flag: a soft limit of the process's memory, set with
// debug.SetMemoryLimit when the flag is parsed, so that the collector works harder as the emulator
// nears it (a CI machine with little memory). It takes GOMEMLIMIT's form: bytes with an optional
// B, KiB, MiB, GiB or TiB suffix, or "off". Without the flag the runtime reads GOMEMLIMIT itself.
type memoryLimit struct{ text string }

func (m *memoryLimit) String() string { return m.text }

func (m *memoryLimit) Set(s string) error {
	n, err := parseMemoryLimit(s)
	if err != nil {
		return err
	}
	m.text = s
	debug.SetMemoryLimit(n)
	return nil
}

// parseMemoryLimit reads a limit in GOMEMLIMIT's form; "off" is no limit.
func parseMemoryLimit(s string) (int64, error) {
	if s == "off" {
		return math.MaxInt64, nil
	}
	num, mult := s, int64(1)
	for _, u := range []struct {
		suffix string
		mult   int64
	}{{"TiB", 1 << 40}, {"GiB", 1 << 30}, {"MiB", 1 << 20}, {"KiB", 1 << 10}, {"B", 1}} {
		if rest, ok := strings.CutSuffix(s, u.suffix); ok {
			num, mult = rest, u.mult
			break
		}
	}
	n, err := strconv.ParseInt(num, 10, 64)
	if err != nil || n < 0 || n > math.MaxInt64/mult {
		return 0, fmt.Errorf("memory limit %q: want bytes with an optional B, KiB, MiB, GiB or TiB suffix, or off", s)
	}
	return n * mult, nil
}
