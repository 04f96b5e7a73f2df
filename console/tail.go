package console

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strings"
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
// without leases or checkpoints, and follows a shard's children when it closes.
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
	w.Header().Set("Content-Type", "text/event-stream")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(http.StatusOK)
	fmt.Fprint(w, "retry: 2000\n\n")
	fl.Flush()
	out := make(chan []userRecord, 64)
	status := make(chan string, 8)
	tctx, cancel := context.WithCancel(ctx)
	defer cancel()
	for _, sh := range shards {
		if shardlist.Closed(sh) {
			continue
		}
		id := aws.ToString(sh.ShardId)
		if len(v.Shards) > 0 && !containsStr(v.Shards, id) {
			continue
		}
		go c.tailShard(tctx, v, id, types.ShardIteratorTypeLatest, out, status)
	}
	keepalive := time.NewTicker(15 * time.Second)
	defer keepalive.Stop()
	var buf bytes.Buffer
	for {
		select {
		case <-ctx.Done():
			return
		case <-keepalive.C:
			fmt.Fprint(w, ": keepalive\n\n")
		case s := <-status:
			fmt.Fprintf(w, "event: status\ndata: %s\n\n", strings.ReplaceAll(s, "\n", " "))
		case recs := <-out:
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

func containsStr(xs []string, s string) bool {
	for _, x := range xs {
		if x == s {
			return true
		}
	}
	return false
}

// tailShard reads one shard from LATEST (its children from their start) and sends what matches the view, then its children.
func (c *Console) tailShard(ctx context.Context, v *view, shard string, from types.ShardIteratorType, out chan<- []userRecord, status chan<- string) {
	it, err := c.client.GetShardIterator(ctx, &kinesis.GetShardIteratorInput{StreamName: &v.Stream, ShardId: &shard, ShardIteratorType: from})
	if err != nil {
		trySend(ctx, status, "shard "+shard+": "+err.Error())
		return
	}
	iter := it.ShardIterator
	backoff := tailPoll
	for iter != nil {
		res, err := c.client.GetRecords(ctx, &kinesis.GetRecordsInput{ShardIterator: iter})
		var pte *types.ProvisionedThroughputExceededException
		switch {
		case ctx.Err() != nil:
			return
		case errors.As(err, &pte):
			trySend(ctx, status, "shard "+shard+" is throttled; the tail slows down")
			backoff = min(backoff*2, 5*time.Second)
			if !sleep(ctx, backoff) {
				return
			}
			continue
		case err != nil:
			trySend(ctx, status, "shard "+shard+": "+err.Error())
			return
		}
		backoff = tailPoll
		var recs []userRecord
		for _, r := range res.Records {
			for _, u := range decodeRecord(v.Stream, shard, r, c.schemas) {
				if v.match(&u) {
					recs = append(recs, u)
				}
			}
		}
		if len(recs) > 0 {
			select {
			case out <- recs:
			case <-ctx.Done():
				return
			}
		}
		iter = res.NextShardIterator
		if iter == nil {
			// A merged child has two parents; the one that lists it first as its own
			// (the child's first parent) follows it, so that it is read once.
			for _, child := range res.ChildShards {
				if len(child.ParentShards) == 0 || child.ParentShards[0] == shard {
					go c.tailShard(ctx, v, aws.ToString(child.ShardId), types.ShardIteratorTypeTrimHorizon, out, status)
				}
			}
			return
		}
		if len(res.Records) == 0 || aws.ToInt64(res.MillisBehindLatest) == 0 {
			if !sleep(ctx, tailPoll) {
				return
			}
		}
	}
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
