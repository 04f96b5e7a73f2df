package harness_test

import (
	"bytes"
	"context"
	"testing"
	"time"

	"github.com/pelicanhq/pelican/consumer"
	"github.com/pelicanhq/pelican/harness"
)

// TestRecordThenReplayGivesTheLiveEffects is the harness's promise: a live subscriber reads a
// stream while Record taps it; the stream is split halfway through and the producer aggregates
// records; replaying the recording into the same handlers gives the same effects, byte for
// byte: the same events per clock, in the same order, with the same metadata (event id,
// occurred-at and arrival times, shard, sequence and sub-sequence numbers).
func TestRecordThenReplayGivesTheLiveEffects(t *testing.T) {
	em, stream := newEmulator(t, 2)
	clocks := []string{"zurich-hall", "bern-tower", "basel-gate", "geneva-quay", "lucerne-bridge", "lugano-lake"}
	const hours = 24
	total := len(clocks) * hours

	live := harness.NewEffects()
	c, err := consumer.New(em.NewClient(), stream, cuckooSubscriber(live),
		consumer.WithFailoverTime(1500*time.Millisecond), consumer.WithRenewInterval(250*time.Millisecond),
		consumer.WithTakeInterval(300*time.Millisecond), consumer.WithShardSyncInterval(500*time.Millisecond),
		consumer.WithIdleInterval(200*time.Millisecond))
	if err != nil {
		t.Fatal(err)
	}
	ctx, stop := context.WithCancel(t.Context())
	consumerDone := make(chan error, 1)
	go func() { consumerDone <- c.Run(ctx) }()

	type result struct {
		stats harness.Stats
		err   error
	}
	var recording bytes.Buffer
	recorded := make(chan result, 1)
	go func() {
		rctx, cancel := context.WithTimeout(t.Context(), time.Minute)
		defer cancel()
		stats, err := harness.Record(rctx, em.NewClient(), stream, &recording, harness.WithLimit(total), harness.WithPollInterval(200*time.Millisecond))
		recorded <- result{stats, err}
	}()

	publishTicks(t, em.Client(), stream, clocks, 0, hours/2)
	split(t, em.Client(), stream, "shardId-000000000000")
	publishTicks(t, em.Client(), stream, clocks, hours/2, hours)

	// The live subscriber, read beside the recorder, handles every tick once.
	waitFor(t, time.Minute, "the live subscriber to handle every tick", func() bool { return live.Len() >= total })
	res := <-recorded
	stop()
	if err := <-consumerDone; err != nil {
		t.Fatalf("consumer: %v", err)
	}
	if res.err != nil {
		t.Fatalf("Record: %v", res.err)
	}
	if res.stats.Records != total || res.stats.Shards != 4 {
		t.Fatalf("Record stats %+v, want %d records from 4 shards", res.stats, total)
	}

	f, err := harness.Read(bytes.NewReader(recording.Bytes()))
	if err != nil {
		t.Fatal(err)
	}
	replayed := harness.NewEffects()
	clk := harness.NewClock(time.Time{})
	stats, err := harness.ReplayFixture(t.Context(), f, cuckooSubscriber(replayed), harness.WithClock(clk))
	if err != nil {
		t.Fatal(err)
	}
	if stats.Records != total {
		t.Fatalf("replayed %d records, want %d", stats.Records, total)
	}
	if live.Len() != total {
		t.Fatalf("the live subscriber handled %d events, want %d", live.Len(), total)
	}
	if !bytes.Equal(live.Bytes(), replayed.Bytes()) {
		t.Fatalf("replay differs from the live run\nlive:\n%s\nreplay:\n%s", live.Bytes(), replayed.Bytes())
	}
	for _, k := range clocks {
		if n := len(replayed.Of(k)); n != hours {
			t.Errorf("%s: %d effects, want %d", k, n, hours)
		}
	}

	// The recording itself: aggregated records with their sub-sequence numbers, and the split
	// parent's records before its children's.
	aggregated, lastParent, firstChild := 0, 0, len(f.Entries)
	for i, e := range f.Entries {
		if e.Aggregated {
			aggregated++
		}
		switch e.ShardID {
		case "shardId-000000000000":
			lastParent = i
		case "shardId-000000000002", "shardId-000000000003":
			firstChild = min(firstChild, i)
		}
		if e.EventType != "example.clock.v1.TimeTicked" || len(e.Event) == 0 {
			t.Fatalf("line %d: event %q %s, want a decoded TimeTicked", e.Line, e.EventType, e.Event)
		}
	}
	if aggregated == 0 {
		t.Error("no aggregated records were recorded; the test means to cover deaggregation")
	}
	if firstChild <= lastParent {
		t.Errorf("a child shard's record (entry %d) was written before the parent's last (entry %d)", firstChild, lastParent)
	}
	var last time.Time
	for _, e := range f.Entries {
		last = maxTime(last, e.ArrivedAt)
	}
	if !clk.Now().Equal(last) {
		t.Errorf("clock at %v after the replay, want the last arrival %v", clk.Now(), last)
	}

}

func maxTime(a, b time.Time) time.Time {
	if b.After(a) {
		return b
	}
	return a
}
