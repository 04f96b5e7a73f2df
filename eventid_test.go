package pelican_test

import (
	"regexp"
	"testing"

	"github.com/pelicanhq/pelican"
)

var uuidV7 = regexp.MustCompile(`^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$`)

func TestNewEventID(t *testing.T) {
	seen := make(map[string]bool)
	prev := ""
	for range 1000 {
		id := pelican.NewEventID()
		if !uuidV7.MatchString(id) {
			t.Fatalf("NewEventID() = %q, not a version 7 UUID", id)
		}
		if seen[id] {
			t.Fatalf("NewEventID() repeated %q", id)
		}
		seen[id] = true
		// The first 48 bits are milliseconds, so ids never go back in time.
		if prev != "" && id[:13] < prev[:13] {
			t.Fatalf("NewEventID() = %q after %q: time went backwards", id, prev)
		}
		prev = id
	}
}

func BenchmarkNewEventID(b *testing.B) {
	for b.Loop() {
		_ = pelican.NewEventID()
	}
}
