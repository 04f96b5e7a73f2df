package notify

import (
	"fmt"
	"path/filepath"
	"testing"
)

// BenchmarkOutboxDeliver measures sending a new notification: a JSON line appended and synced to
// disk, or kept in memory when there is no data directory.
func BenchmarkOutboxDeliver(b *testing.B) {
	for _, c := range []struct{ name, path string }{{"file", "outbox.jsonl"}, {"memory", ""}} {
		b.Run(c.name, func(b *testing.B) {
			path := c.path
			if path != "" {
				path = filepath.Join(b.TempDir(), path)
			}
			o, err := OpenOutbox(path)
			if err != nil {
				b.Fatal(err)
			}
			defer o.Close()
			b.ReportAllocs()
			i := 0
			for b.Loop() {
				if _, _, err := o.deliver(note(fmt.Sprint(i))); err != nil {
					b.Fatal(err)
				}
				i++
			}
		})
	}
}
