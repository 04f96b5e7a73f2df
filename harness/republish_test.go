package harness_test

import (
	"context"
	"fmt"
	"math/big"
	"testing"
	"time"

	"github.com/pelicanhq/pelican/harness"
)

// TestRepublish puts a recorded day on another stream and records that stream: every key's
// records come back in order, with their keys and bytes.
func TestRepublish(t *testing.T) {
	em, stream := newEmulator(t, 3)
	f := dayOfTicks(t)
	stats, err := harness.Republish(t.Context(), em.Client(), stream, f)
	if err != nil {
		t.Fatal(err)
	}
	if stats.Records != 48 || stats.Dropped != 0 {
		t.Fatalf("stats %+v", stats)
	}
	back, _ := record(t, em.Client(), stream, 48)
	want := map[string][]string{}
	for _, e := range f.Entries {
		want[e.PartitionKey] = append(want[e.PartitionKey], string(e.Data))
	}
	got := map[string][]string{}
	for _, e := range back.Entries {
		got[e.PartitionKey] = append(got[e.PartitionKey], string(e.Data))
	}
	for k, w := range want {
		if fmt.Sprint(got[k]) != fmt.Sprint(w) {
			t.Errorf("key %s came back as %d records, not the %d recorded in order", k, len(got[k]), len(w))
		}
	}
	if len(got) != len(want) {
		t.Errorf("keys %d, want %d", len(got), len(want))
	}
}

// TestRepublishKeepsExplicitHashKeys: a user record put with an explicit hash key goes to the
// shard that owns the hash key, not the one its partition key hashes to.
func TestRepublishKeepsExplicitHashKeys(t *testing.T) {
	em, stream := newEmulator(t, 2)
	top := new(big.Int).Sub(new(big.Int).Lsh(big.NewInt(1), 128), big.NewInt(1)).String()
	bottom := "0"
	f := &harness.Fixture{Entries: []*harness.Entry{
		{ShardID: "shardId-000000000000", SequenceNumber: "1", PartitionKey: "k", ExplicitHashKey: top, ArrivedAt: at(0), Data: []byte("top")},
		{ShardID: "shardId-000000000000", SequenceNumber: "2", PartitionKey: "k", ExplicitHashKey: bottom, ArrivedAt: at(0), Data: []byte("bottom")},
	}}
	if _, err := harness.Republish(t.Context(), em.Client(), stream, f); err != nil {
		t.Fatal(err)
	}
	back, _ := record(t, em.Client(), stream, 2)
	for _, e := range back.Entries {
		want := map[string]string{"top": "shardId-000000000001", "bottom": "shardId-000000000000"}[string(e.Data)]
		if e.ShardID != want {
			t.Errorf("%s landed on %s, want %s", e.Data, e.ShardID, want)
		}
	}
}

// TestRepublishPacing: at speed 60 a day of hourly ticks is due a minute apart; at speed 0
// nothing waits. The pacer is the test's, so no time passes.
func TestRepublishPacing(t *testing.T) {
	em, stream := newEmulator(t, 1)
	f := dayOfTicks(t)
	for _, c := range []struct {
		speed     float64
		wantTotal time.Duration
		wantWaits int
	}{
		{0, 0, 0},
		{60, 23 * time.Minute, 23},
		{1, 23 * time.Hour, 23},
	} {
		t.Run(fmt.Sprint(c.speed), func(t *testing.T) {
			now := time.Date(2030, 1, 1, 0, 0, 0, 0, time.UTC)
			start := now
			waits := 0
			pacer := harness.WithPacer(func() time.Time { return now }, func(ctx context.Context, d time.Duration) error {
				if d > 0 {
					waits++
					now = now.Add(d)
				}
				return ctx.Err()
			})
			if _, err := harness.Republish(t.Context(), em.Client(), stream, f, harness.WithSpeed(c.speed), pacer); err != nil {
				t.Fatal(err)
			}
			if total := now.Sub(start); total != c.wantTotal || waits != c.wantWaits {
				t.Errorf("waited %v in %d waits, want %v in %d", total, waits, c.wantTotal, c.wantWaits)
			}
		})
	}
	if _, err := harness.Republish(t.Context(), em.Client(), stream, f, harness.WithSpeed(-1)); err == nil {
		t.Error("a negative speed was accepted")
	}
}

// TestRepublishStopsWithItsContext: a paced republish whose context ends sends no more.
func TestRepublishStopsWithItsContext(t *testing.T) {
	em, stream := newEmulator(t, 1)
	ctx, cancel := context.WithTimeout(t.Context(), 300*time.Millisecond)
	defer cancel()
	stats, err := harness.Republish(ctx, em.Client(), stream, dayOfTicks(t), harness.WithSpeed(1))
	if err == nil || stats.Records > 2 {
		t.Fatalf("stats %+v, err %v; want an error after the first tick or two", stats, err)
	}
}
