package producer

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"
)

// newTestProducer returns a producer on f, closed when the test ends.
func newTestProducer(t testing.TB, f Client, opts ...Option) *Producer {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	p, err := New(ctx, f, "test-stream", opts...)
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		_ = p.Close(ctx)
	})
	return p
}

// putRoundRobin puts perKey records for each of keys partition keys, going round the keys, with
// data of at least size bytes that names the key and the record's number.
func putRoundRobin(t testing.TB, p *Producer, keys, perKey, size int) []*Result {
	t.Helper()
	ctx := context.Background()
	var rs []*Result
	for i := range perKey {
		for k := range keys {
			r, err := p.Put(ctx, fmt.Sprintf("key-%d", k), payload(k, i, size))
			if err != nil {
				t.Fatalf("Put: %v", err)
			}
			rs = append(rs, r)
		}
	}
	return rs
}

func payload(k, i, size int) []byte {
	s := fmt.Sprintf("key-%d/%06d/", k, i)
	if len(s) < size {
		s += strings.Repeat("x", size-len(s))
	}
	return []byte(s)
}

func flush(t testing.TB, p *Producer) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	if err := p.Flush(ctx); err != nil {
		t.Fatalf("Flush: %v", err)
	}
}
