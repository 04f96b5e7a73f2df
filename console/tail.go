package console

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/kinesis"
	"github.com/aws/aws-sdk-go-v2/service/kinesis/types"

	"github.com/pelicanhq/pelican/internal/shardlist"
)

// tailPoll is how often the live tail reads each shard when it caught up: four GetRecords calls
// a second, within Kinesis's five per shard, leaving one for a consumer.
const tailPoll = 250 * time.Millisecond

// tailPage is the live tail: the records view's filters, and rows that the script adds as the
// server sends them.
func (c *Console) tailPage(w http.ResponseWriter, r *http.Request) {
	v, err := parseView(r.PathValue("name"), r.URL.Query())
	if err != nil {
		c.errorPage(w, r, http.StatusBadRequest, err)
		return
	}
	shards, err := shardlist.List(r.Context(), c.client, v.Stream)
	if err != nil {
		c.fail(w, r, err)
		return
	}
	if err := unknownShard(v, shards); err != nil {
		c.errorPage(w, r, http.StatusNotFound, err)
		return
	}
	res := &pageResult{}
	for _, sh := range shards {
		res.Shards = append(res.Shards, aws.ToString(sh.ShardId))
	}
	d := c.recordsData(v, res, "tail")
	d.Title = "Live tail of " + v.Stream
	q := v.query()
	q.Del("start")
	d.TailURL = c.cfg.prefix + "streams/" + url.PathEscape(v.Stream) + "/tail/events?" + q.Encode()
	c.render(w, r, http.StatusOK, "tail", d)
}

// tailEvents streams the view's new records as server-sent events: each an HTML table row,
// rendered by the same template as the records view. It reads the open shards from LATEST
// without leases or checkpoints and follows a closed shard's children (tailLineage): a child of
// a merge once both its parents are read to their end, so that every parent's records come
// before its children's and each child is read once.
func (c *Console) tailEvents(w http.ResponseWriter, r *http.Request) {
	v, err := parseView(r.PathValue("name"), r.URL.Query())
	if err != nil {
		http.Error(w, err.Error(), http.StatusBadRequest)
		return
	}
	fl, ok := w.(http.Flusher)
	if !ok {
		http.Error(w, "streaming is not supported here", http.StatusInternalServerError)
		return
	}
	ctx := r.Context()
	shards, err := shardlist.List(ctx, c.client, v.Stream)
	if err != nil {
		http.Error(w, err.Error(), http.StatusBadGateway)
		return
	}
	if err := unknownShard(v, shards); err != nil {
		http.Error(w, err.Error(), http.StatusNotFound)
		return
	}
	w.Header().Set("Content-Type", "text/event-stream")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(http.StatusOK)
	fmt.Fprint(w, "retry: 2000\n\n")
	fl.Flush()
	tctx, cancel := context.WithCancel(ctx)
	defer cancel()
	t := &tailLineage{c: c, v: v, out: make(chan []userRecord, 64), status: make(chan string, 8),
		tailed: map[string]bool{}, drained: map[string]bool{}}
	// The open shards' iterators are taken before the "ready" event, so that a record written
	// after it is in the tail.
	type start struct {
		shard string
		iter  *string
	}
	var starts []start
	for _, sh := range shards {
		id := aws.ToString(sh.ShardId)
		if shardlist.Closed(sh) || len(v.Shards) > 0 && !slices.Contains(v.Shards, id) {
			continue
		}
		it, err := c.client.GetShardIterator(ctx, &kinesis.GetShardIteratorInput{StreamName: &v.Stream, ShardId: &id, ShardIteratorType: types.ShardIteratorTypeLatest})
		if err != nil {
			fmt.Fprintf(w, "event: status\ndata: shard %s: %s\n\n", id, strings.ReplaceAll(err.Error(), "\n", " "))
			continue
		}
		t.tailed[id] = true
		starts = append(starts, start{id, it.ShardIterator})
	}
	for _, s := range starts {
		go t.read(tctx, s.shard, s.iter)
	}
	noun := "shards"
	if len(starts) == 1 {
		noun = "shard"
	}
	fmt.Fprintf(w, "event: ready\ndata: following %d %s\n\n", len(starts), noun)
	fl.Flush()
	keepalive := time.NewTicker(15 * time.Second)
	defer keepalive.Stop()
	var buf bytes.Buffer
	for {
		select {
		case <-ctx.Done():
			return
		case <-keepalive.C:
			fmt.Fprint(w, ": keepalive\n\n")
		case s := <-t.status:
			fmt.Fprintf(w, "event: status\ndata: %s\n\n", strings.ReplaceAll(s, "\n", " "))
		case recs := <-t.out:
			buf.Reset()
			for i := range recs {
				if err := c.pages["records"].ExecuteTemplate(&buf, "row", rowData{Prefix: c.cfg.prefix, R: &recs[i]}); err != nil {
					c.log.Error("console: tail row", "err", err)
					return
				}
			}
			fmt.Fprintf(w, "event: records\ndata: %s\n\n", strings.ReplaceAll(buf.String(), "\n", "\ndata: "))
		}
		fl.Flush()
	}
}

// unknownShard says which of the view's shards the stream does not have, if one.
func unknownShard(v *view, shards []types.Shard) error {
	for _, want := range v.Shards {
		if !slices.ContainsFunc(shards, func(sh types.Shard) bool { return aws.ToString(sh.ShardId) == want }) {
			return fmt.Errorf("stream %s has no shard %q", v.Stream, want)
		}
	}
	return nil
}

// tailLineage is one live tail's shards: which it reads and which it read to their end. A
// shard's records go to out in order, and a child starts only once the parents it waits for are
// drained, so that out carries every parent's records before its children's.
type tailLineage struct {
	c      *Console
	v      *view
	out    chan []userRecord
	status chan string

	mu      sync.Mutex
	tailed  map[string]bool // started, from LATEST or as a child
	drained map[string]bool // read to the end of a closed shard
}

// read reads one shard from iter and sends what matches the view; at the end of a closed shard
// it hands the shard's children to ended.
func (t *tailLineage) read(ctx context.Context, shard string, iter *string) {
	backoff := tailPoll
	for iter != nil {
		res, err := t.c.client.GetRecords(ctx, &kinesis.GetRecordsInput{ShardIterator: iter})
		var pte *types.ProvisionedThroughputExceededException
		switch {
		case ctx.Err() != nil:
			return
		case errors.As(err, &pte):
			trySend(ctx, t.status, "shard "+shard+" is throttled; the tail slows down")
			backoff = min(backoff*2, 5*time.Second)
			if !sleep(ctx, backoff) {
				return
			}
			continue
		case err != nil:
			trySend(ctx, t.status, "shard "+shard+": "+err.Error())
			return
		}
		backoff = tailPoll
		var recs []userRecord
		for _, r := range res.Records {
			for _, u := range decodeRecord(t.v.Stream, shard, r, t.c.schemas) {
				if t.v.match(&u) {
					recs = append(recs, u)
				}
			}
		}
		if len(recs) > 0 {
			select {
			case t.out <- recs:
			case <-ctx.Done():
				return
			}
		}
		iter = res.NextShardIterator
		if iter == nil {
			t.ended(ctx, shard, res.ChildShards)
			return
		}
		if len(res.Records) == 0 || aws.ToInt64(res.MillisBehindLatest) == 0 {
			if !sleep(ctx, tailPoll) {
				return
			}
		}
	}
}

// ended marks a shard drained (its last records are already in out) and starts each of its
// children whose other parents are drained too. A parent the tail does not read, and never will
// (a merge with a shard outside the view's shards), is not waited for.
func (t *tailLineage) ended(ctx context.Context, shard string, children []types.ChildShard) {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.drained[shard] = true
	var lineage map[string][]string // shard -> parents, listed once when a parent is unknown
	for _, child := range children {
		id := aws.ToString(child.ShardId)
		if t.tailed[id] {
			continue
		}
		ready := true
		for _, p := range child.ParentShards {
			if t.drained[p] {
				continue
			}
			if t.tailed[p] {
				ready = false
				break
			}
			if lineage == nil {
				lineage = t.lineage(ctx)
			}
			if t.descendsFromTailed(p, lineage, map[string]bool{}) {
				ready = false
				break
			}
		}
		if !ready {
			continue // the last of its parents to end starts it
		}
		it, err := t.c.client.GetShardIterator(ctx, &kinesis.GetShardIteratorInput{StreamName: &t.v.Stream, ShardId: &id, ShardIteratorType: types.ShardIteratorTypeTrimHorizon})
		if err != nil {
			trySend(ctx, t.status, "shard "+id+": "+err.Error())
			continue
		}
		t.tailed[id] = true
		go t.read(ctx, id, it.ShardIterator)
	}
}

// lineage lists the stream's shards as each one's parents; an empty map when the listing fails,
// so that a child then waits only for the parents the tail reads.
func (t *tailLineage) lineage(ctx context.Context) map[string][]string {
	out := map[string][]string{}
	shards, err := shardlist.List(ctx, t.c.client, t.v.Stream)
	if err != nil {
		trySend(ctx, t.status, "listing shards: "+err.Error())
		return out
	}
	for _, sh := range shards {
		out[aws.ToString(sh.ShardId)] = shardlist.Parents(sh)
	}
	return out
}

// descendsFromTailed tells whether shard descends from a shard the tail reads and has not
// drained: then the tail reaches shard later.
func (t *tailLineage) descendsFromTailed(shard string, lineage map[string][]string, seen map[string]bool) bool {
	if seen[shard] {
		return false
	}
	seen[shard] = true
	for _, p := range lineage[shard] {
		if t.tailed[p] && !t.drained[p] || t.descendsFromTailed(p, lineage, seen) {
			return true
		}
	}
	return false
}

func trySend(ctx context.Context, ch chan<- string, s string) {
	select {
	case ch <- s:
	case <-ctx.Done():
	default:
	}
}

func sleep(ctx context.Context, d time.Duration) bool {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return true
	case <-ctx.Done():
		return false
	}
}
