package harness

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/pelicanhq/pelican/producer"
)

// Republish puts f's entries on stream again through a producer (package producer: batching,
// aggregation, retries, each key's records in order), with their original partition keys and
// explicit hash keys, in the order Ordered gives. By default it sends as fast as the stream
// takes them; WithSpeed keeps the recorded pacing, scaled. It applies WithEventTypes,
// WithoutEventTypes and WithTransform (decoding events with WithTypes), and passes
// WithProducerOptions to the producer. It returns once every record is written, or with the
// first error; when ctx ends, the records not yet sent are not sent.
func Republish(ctx context.Context, client producer.Client, stream string, f *Fixture, opts ...Option) (Stats, error) {
	cfg := newConfig(opts)
	if cfg.speed < 0 {
		return Stats{}, fmt.Errorf("harness: speed %v is negative", cfg.speed)
	}
	pl, err := newPipeline(&cfg, false)
	if err != nil {
		return Stats{}, err
	}
	var entries []*Entry
	var stats Stats
	for _, src := range Ordered(f.Entries) {
		e := *src
		keep, err := pl.process(&e)
		if err != nil {
			return stats, fmt.Errorf("%s: %w", where(f, src), err)
		}
		if !keep {
			stats.Dropped++
			continue
		}
		entries = append(entries, &e)
	}
	p, err := producer.New(ctx, client, stream, append([]producer.Option{producer.WithLogger(cfg.logger)}, cfg.producerOpts...)...)
	if err != nil {
		return stats, fmt.Errorf("harness: producer for %s: %w", stream, err)
	}
	results := make([]*producer.Result, 0, len(entries))
	sent := make([]*Entry, 0, len(entries))
	offsets := schedule(entries, cfg.speed)
	start := cfg.now()
	var sendErr error
	for i, e := range entries {
		if offsets != nil {
			if err := cfg.sleep(ctx, offsets[i]-cfg.now().Sub(start)); err != nil {
				sendErr = err
				break
			}
		}
		var res *producer.Result
		if e.ExplicitHashKey != "" {
			res, err = p.PutWithHashKey(ctx, e.PartitionKey, e.ExplicitHashKey, e.Data)
		} else {
			res, err = p.Put(ctx, e.PartitionKey, e.Data)
		}
		if err != nil {
			sendErr = fmt.Errorf("%s: %w", where(f, e), err)
			break
		}
		results = append(results, res)
		sent = append(sent, e)
	}
	closeErr := p.Close(ctx)
	shards := make(map[string]bool)
	var failed error
	for i, res := range results {
		select {
		case <-res.Done():
		default:
			continue
		}
		if err := res.Err(); err != nil {
			if failed == nil {
				failed = fmt.Errorf("%s: %w", where(f, sent[i]), err)
			}
			continue
		}
		stats.Records++
		if !shards[res.ShardID()] {
			shards[res.ShardID()] = true
			stats.Shards++
		}
	}
	if err := errors.Join(sendErr, failed); err != nil {
		return stats, fmt.Errorf("harness: republish to %s: %w", stream, err)
	}
	if closeErr != nil {
		return stats, fmt.Errorf("harness: republish to %s: %w", stream, closeErr)
	}
	return stats, nil
}

// schedule returns when each entry is due, counted from the first, at the recorded pacing
// divided by speed; nil when speed is 0 (as fast as possible). An entry that arrived before the
// one ahead of it (records of different shards) is due at once after it.
func schedule(entries []*Entry, speed float64) []time.Duration {
	if speed == 0 || len(entries) == 0 {
		return nil
	}
	out := make([]time.Duration, len(entries))
	first := entries[0].ArrivedAt
	var prev time.Duration
	for i, e := range entries {
		d := time.Duration(float64(e.ArrivedAt.Sub(first)) / speed)
		d = max(d, prev)
		out[i], prev = d, d
	}
	return out
}
