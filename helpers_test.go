package pelican_test

import (
	"context"
	"fmt"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/bufbuild/protocompile"
	"google.golang.org/protobuf/reflect/protoreflect"
	"google.golang.org/protobuf/types/dynamicpb"

	"github.com/pelicanhq/pelican"
)

// fixedTime is the occurred-at time of test events: a quarter to eight on a Zurich clock.
var fixedTime = time.Date(2025, 11, 25, 7, 45, 0, 0, time.UTC)

// sequentialIDs returns an event-id generator that counts, so tests can name the ids they expect.
func sequentialIDs() func() string {
	var mu sync.Mutex
	n := 0
	return func() string {
		mu.Lock()
		defer mu.Unlock()
		n++
		return fmt.Sprintf("event-%d", n)
	}
}

// newTestPublisher returns a Publisher with a fixed clock and counting event ids that sends
// into rec.
func newTestPublisher(rec *recorder, opts ...pelican.PublisherOption) *pelican.Publisher {
	base := []pelican.PublisherOption{
		pelican.WithClock(func() time.Time { return fixedTime }),
		pelican.WithEventIDs(sequentialIDs()),
		pelican.WithProducerName("clock-service"),
	}
	return pelican.NewPublisher(rec, append(base, opts...)...)
}

// recorder is a Sender that keeps what it is sent, as one shard would.
type recorder struct {
	mu      sync.Mutex
	records []pelican.Record
	err     error
}

func (r *recorder) Send(_ context.Context, partitionKey string, data []byte) (pelican.Placement, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.err != nil {
		return pelican.Placement{}, r.err
	}
	seq := fmt.Sprintf("%056d", len(r.records)+1)
	r.records = append(r.records, pelican.Record{
		Data: data, PartitionKey: partitionKey, ShardID: "shardId-000000000000", SequenceNumber: seq,
	})
	return pelican.Placement{ShardID: "shardId-000000000000", SequenceNumber: seq}, nil
}

func (r *recorder) all() []pelican.Record {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]pelican.Record(nil), r.records...)
}

// deliverAll delivers every recorded record to sub in order and fails the test on an error.
func (r *recorder) deliverAll(t *testing.T, sub *pelican.Subscriber) {
	t.Helper()
	for _, rec := range r.all() {
		if err := sub.Deliver(context.Background(), rec); err != nil {
			t.Fatalf("deliver %s: %v", rec.SequenceNumber, err)
		}
	}
}

// schemaVersion compiles testdata/evolution/<version>/example/clock/v1/clock.proto, with the
// committed pelican/v1 options, and returns its TimeTicked as a dynamic message type: a
// TimeTicked of an older or newer generation than the generated clockv1 code.
func schemaVersion(t testing.TB, version string) protoreflect.MessageType {
	t.Helper()
	c := protocompile.Compiler{
		Resolver: protocompile.WithStandardImports(&protocompile.SourceResolver{
			ImportPaths: []string{filepath.Join("testdata", "evolution", version), "proto"},
		}),
	}
	files, err := c.Compile(context.Background(), "example/clock/v1/clock.proto")
	if err != nil {
		t.Fatalf("compile %s schema: %v", version, err)
	}
	md := files[0].Messages().ByName("TimeTicked")
	if md == nil {
		t.Fatalf("%s schema has no TimeTicked", version)
	}
	return dynamicpb.NewMessageType(md)
}
