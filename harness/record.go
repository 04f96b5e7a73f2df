package harness

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"slices"
	"sync"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/kinesis/types"

	"github.com/pelicanhq/pelican/aggregation"
	"github.com/pelicanhq/pelican/internal/shardlist"
)

// Progress is how far a recording has come.
type Progress struct {
	// Records is the number of entries written.
	Records int
	// Dropped is the number of entries filters, redaction or transforms left out.
	Dropped int
	// Reading is the number of shards being read now; Done, those read to their end.
	Reading, Done int
	// MillisBehindLatest is how far behind the tip the furthest shard was at its last read.
	MillisBehindLatest int64
}

// Stats sums up a Record, Replay or Republish.
type Stats struct {
	// Records is the number of entries written, delivered or sent.
	Records int
	// Dropped is the number of entries filters, redaction or transforms left out.
	Dropped int
	// Shards is the number of shards the entries came from.
	Shards int
}

// errLimit ends a recording that has written its WithLimit entries.
var errLimit = errors.New("harness: record limit reached")

// Record reads stream (a name, or an ARN when it starts with "arn:") and writes a fixture of
// its records to w. It reads each shard with its own GetShardIterator and GetRecords calls, from
// the WithStart position: it takes no lease and writes no checkpoint, so the stream's consumers
// go on undisturbed. It reads a shard's parents to their end before the shard, follows splits
// and merges that happen while it records, deaggregates KPL records into their user records
// (keeping their sub-sequence numbers), and calls GetRecords at most five times a second per
// shard.
//
// Record writes the records of one shard in sequence order; the shards' records interleave as
// they are read. It decodes each event with the WithTypes resolver, and applies
// WithEventTypes, WithoutEventTypes, WithRedaction and WithTransform. It stops once it has
// written WithLimit entries, after WithDuration, or when ctx is done: each is a normal end, and
// returns nil with what was written. A read that fails for good (the stream does not exist, the
// caller may not read it) returns the error.
func Record(ctx context.Context, client KinesisAPI, stream string, w io.Writer, opts ...Option) (Stats, error) {
	cfg := newConfig(opts)
	pl, err := newPipeline(&cfg, true)
	if err != nil {
		return Stats{}, err
	}
	ref := streamRef(stream)
	fw, err := NewWriter(w, Header{Stream: ref.name(), Redacted: pl.redacted()})
	if err != nil {
		return Stats{}, err
	}
	rec := &recorder{cfg: cfg, client: client, stream: ref, pipeline: pl, w: fw, behind: make(map[string]int64)}
	runCtx, stop := context.WithCancelCause(ctx)
	defer stop(nil)
	if cfg.duration > 0 {
		var cancel context.CancelFunc
		runCtx, cancel = context.WithTimeout(runCtx, cfg.duration)
		defer cancel()
	}
	rec.stop = stop
	err = rec.run(runCtx)
	rec.mu.Lock()
	defer rec.mu.Unlock()
	if ferr := fw.Flush(); err == nil {
		err = ferr
	}
	stats := Stats{Records: rec.progress.Records, Dropped: rec.progress.Dropped, Shards: rec.shards}
	return stats, err
}

// recorder is one Record call: shard readers deliver batches to it, and it writes them.
type recorder struct {
	cfg      config
	client   KinesisAPI
	stream   streamRef
	pipeline *pipeline
	stop     context.CancelCauseFunc

	mu       sync.Mutex
	w        *Writer
	progress Progress
	behind   map[string]int64
	shards   int
	stopped  bool
}

// node is a shard in the recorder's view of the stream's lineage.
type node struct {
	id      string
	parents []string
	start   Position
	state   int
}

const (
	pending = iota
	reading
	done
)

type shardResult struct {
	id       string
	children []types.ChildShard
	err      error
}

// run reads the shards, parents first, until all are read to their end or ctx ends.
func (r *recorder) run(ctx context.Context) error {
	shards, err := shardlist.List(ctx, r.client, string(r.stream))
	if err != nil {
		if ctx.Err() != nil {
			return nil
		}
		return fmt.Errorf("harness: list shards of %s: %w", r.stream, err)
	}
	nodes := make(map[string]*node, len(shards))
	var order []string
	add := func(n *node) {
		nodes[n.id] = n
		order = append(order, n.id)
		slices.Sort(order)
	}
	for _, sh := range shards {
		n := &node{id: aws.ToString(sh.ShardId), parents: shardlist.Parents(sh), start: r.cfg.start}
		if r.cfg.start.kind == types.ShardIteratorTypeLatest && shardlist.Closed(sh) {
			// A closed shard gets no new records.
			n.state = done
		}
		add(n)
	}
	ready := func(n *node) bool {
		for _, p := range n.parents {
			if pn, ok := nodes[p]; ok && pn.state != done {
				return false
			}
		}
		return true
	}
	results := make(chan shardResult)
	running := 0
	var firstErr error
	for {
		if ctx.Err() == nil {
			for _, id := range order {
				n := nodes[id]
				if n.state != pending || !ready(n) {
					continue
				}
				n.state = reading
				running++
				r.shardStarted()
				sr := &shardReader{client: r.client, stream: r.stream, shard: n.id, start: n.start, idle: r.cfg.pollInterval, deliver: r.deliver}
				go func() {
					children, err := sr.read(ctx)
					results <- shardResult{id: sr.shard, children: children, err: err}
				}()
			}
		}
		if running == 0 {
			break
		}
		res := <-results
		running--
		nodes[res.id].state = done
		r.shardDone(res.id)
		if res.err != nil {
			if ctx.Err() == nil && firstErr == nil {
				firstErr = fmt.Errorf("harness: read %s of %s: %w", res.id, r.stream, res.err)
				r.stop(firstErr)
			}
			continue
		}
		if ctx.Err() != nil {
			continue
		}
		children := res.children
		if len(children) == 0 {
			children = r.childrenFromList(ctx, res.id)
		}
		for _, c := range children {
			id := aws.ToString(c.ShardId)
			if _, known := nodes[id]; !known && id != "" {
				// A shard born while recording: all its records are new.
				add(&node{id: id, parents: c.ParentShards, start: TrimHorizon()})
			}
		}
	}
	return firstErr
}

// childrenFromList finds a closed shard's children by listing the shards, for endpoints whose
// GetRecords does not name them.
func (r *recorder) childrenFromList(ctx context.Context, parent string) []types.ChildShard {
	shards, err := shardlist.List(ctx, r.client, string(r.stream))
	if err != nil {
		r.cfg.logger.Warn("harness: list shards to find children", "shard_id", parent, "err", err)
		return nil
	}
	return shardlist.Children(shards, parent)
}

func (r *recorder) shardStarted() {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.progress.Reading++
	r.shards++
}

func (r *recorder) shardDone(id string) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.progress.Reading--
	r.progress.Done++
	delete(r.behind, id)
}

// deliver writes a batch of one shard's records, in order.
func (r *recorder) deliver(shard string, recs []types.Record, behind int64) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.stopped {
		return errLimit
	}
	r.behind[shard] = behind
	for _, kr := range recs {
		for _, e := range userEntries(r.stream.name(), shard, kr, r.cfg.logger) {
			keep, err := r.pipeline.process(e)
			if err != nil {
				return err
			}
			if !keep {
				r.progress.Dropped++
				continue
			}
			if err := r.w.Write(e); err != nil {
				return err
			}
			r.progress.Records++
			if r.cfg.limit > 0 && r.progress.Records >= r.cfg.limit {
				r.stopped = true
				r.report()
				r.stop(errLimit)
				return errLimit
			}
		}
	}
	if err := r.w.Flush(); err != nil {
		return err
	}
	if len(recs) > 0 {
		r.report()
	}
	return nil
}

// report calls the progress callback; r.mu is held.
func (r *recorder) report() {
	if r.cfg.progress == nil {
		return
	}
	p := r.progress
	for _, b := range r.behind {
		p.MillisBehindLatest = max(p.MillisBehindLatest, b)
	}
	r.cfg.progress(p)
}

// userEntries turns a Kinesis record into entries: one for a plain record, one per user record
// for a KPL aggregate. An aggregate whose body does not decode is kept as a plain record.
func userEntries(stream, shard string, kr types.Record, log *slog.Logger) []*Entry {
	base := Entry{
		Stream:         stream,
		ShardID:        shard,
		SequenceNumber: aws.ToString(kr.SequenceNumber),
		PartitionKey:   aws.ToString(kr.PartitionKey),
		ArrivedAt:      aws.ToTime(kr.ApproximateArrivalTimestamp).UTC(),
		Data:           kr.Data,
	}
	subs, aggregated, err := aggregation.Deaggregate(kr.Data)
	if err != nil {
		log.Warn("harness: aggregated record does not decode; kept as a plain record", "shard_id", shard, "sequence_number", base.SequenceNumber, "err", err)
		aggregated = false
	}
	if !aggregated {
		return []*Entry{&base}
	}
	out := make([]*Entry, len(subs))
	for i, u := range subs {
		e := base
		e.Aggregated, e.SubSequenceNumber = true, int64(i)
		e.PartitionKey, e.ExplicitHashKey, e.Data = u.PartitionKey, u.ExplicitHashKey, u.Data
		out[i] = &e
	}
	return out
}
