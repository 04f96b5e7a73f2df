package console

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/kinesis"
	"github.com/aws/aws-sdk-go-v2/service/kinesis/types"

	"github.com/pelicanhq/pelican/internal/shardlist"
)

// Starting points of the records view.
const (
	startTrimHorizon = "trim_horizon"
	startLatest      = "latest"
	startTime        = "at_timestamp"
	startSequence    = "at_sequence"
)

// maxCallsPerShard bounds the GetRecords calls one page makes per shard, so that a filter that
// matches nothing answers in bounded time; the page then offers to read on.
const maxCallsPerShard = 8

// view is what a records page shows: the stream, shards, starting point and filters, all from
// the URL's query, so that a view can be shared and reloaded.
type view struct {
	Stream   string
	Shards   []string // empty for all
	Start    string
	At       string // RFC 3339 or a datetime-local value, for at_timestamp
	Seq      string // for at_sequence
	Type     string
	Key      string
	From, To string // arrival time range
	Q        string
	Cursor   string // where the previous page ended: shard=seq.sub,...
	from, to time.Time
	at       time.Time
	cursor   map[string]position
}

// position is a point in a shard after which a page continues.
type position struct {
	seq string
	sub int // the last shown user record of an aggregate; -1 for the whole record
}

func parseView(stream string, q url.Values) (*view, error) {
	v := &view{Stream: stream, Shards: q["shard"], Start: q.Get("start"), At: q.Get("at"), Seq: q.Get("seq"),
		Type: strings.TrimSpace(q.Get("type")), Key: q.Get("key"), From: q.Get("from"), To: q.Get("to"), Q: q.Get("q"), Cursor: q.Get("cursor")}
	v.Shards = slices.DeleteFunc(v.Shards, func(s string) bool { return s == "" || s == "all" })
	if v.Start == "" {
		v.Start = startTrimHorizon
	}
	var err error
	switch v.Start {
	case startTrimHorizon, startLatest:
	case startTime:
		if v.at, err = parseTime(v.At); err != nil || v.At == "" {
			return nil, fmt.Errorf("start at a time needs a time (at=%q): %v", v.At, err)
		}
	case startSequence:
		if v.Seq == "" || strings.Trim(v.Seq, "0123456789") != "" {
			return nil, fmt.Errorf("start at a sequence number needs one in decimal digits, not %q", v.Seq)
		}
	default:
		return nil, fmt.Errorf("unknown starting point %q: use trim_horizon, latest, at_timestamp or at_sequence", v.Start)
	}
	if v.from, err = parseTime(v.From); err != nil {
		return nil, fmt.Errorf("from: %w", err)
	}
	if v.to, err = parseTime(v.To); err != nil {
		return nil, fmt.Errorf("to: %w", err)
	}
	if v.cursor, err = parseCursor(v.Cursor); err != nil {
		return nil, err
	}
	return v, nil
}

// parseTime reads RFC 3339 or an HTML datetime-local value (taken as UTC); "" is the zero time.
func parseTime(s string) (time.Time, error) {
	if s == "" {
		return time.Time{}, nil
	}
	for _, layout := range []string{time.RFC3339Nano, "2006-01-02T15:04:05", "2006-01-02T15:04"} {
		if t, err := time.Parse(layout, s); err == nil {
			return t, nil
		}
	}
	return time.Time{}, fmt.Errorf("%q is not a time (RFC 3339, or YYYY-MM-DDTHH:MM in UTC)", s)
}

func parseCursor(s string) (map[string]position, error) {
	out := map[string]position{}
	if s == "" {
		return out, nil
	}
	for _, part := range strings.Split(s, ",") {
		shard, pos, ok := strings.Cut(part, "=")
		seq, subs, hasSub := strings.Cut(pos, ".")
		sub := -1
		if hasSub {
			n, err := strconv.Atoi(subs)
			if err != nil || n < 0 {
				ok = false
			}
			sub = n
		}
		if !ok || shard == "" || seq == "" || strings.Trim(seq, "0123456789") != "" {
			return nil, fmt.Errorf("cursor %q is not one this console wrote", s)
		}
		out[shard] = position{seq: seq, sub: sub}
	}
	return out, nil
}

func formatCursor(c map[string]position) string {
	keys := make([]string, 0, len(c))
	for k := range c {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	parts := make([]string, len(keys))
	for i, k := range keys {
		parts[i] = k + "=" + c[k].seq
		if c[k].sub >= 0 {
			parts[i] += "." + strconv.Itoa(c[k].sub)
		}
	}
	return strings.Join(parts, ",")
}

// query is the view's URL query, without its cursor.
func (v *view) query() url.Values {
	q := url.Values{}
	for _, s := range v.Shards {
		q.Add("shard", s)
	}
	set := func(k, val string) {
		if val != "" {
			q.Set(k, val)
		}
	}
	set("start", v.Start)
	if v.Start == startTime {
		set("at", v.At)
	}
	if v.Start == startSequence {
		set("seq", v.Seq)
	}
	set("type", v.Type)
	set("key", v.Key)
	set("from", v.From)
	set("to", v.To)
	set("q", v.Q)
	return q
}

// match reports whether a decoded record passes the view's filters.
func (v *view) match(u *userRecord) bool {
	if v.Type != "" && u.EventType != v.Type {
		return false
	}
	if v.Key != "" && u.PartitionKey != v.Key {
		return false
	}
	if !v.from.IsZero() && u.Arrival.Before(v.from) {
		return false
	}
	if !v.to.IsZero() && u.Arrival.After(v.to) {
		return false
	}
	if v.Q != "" && !strings.Contains(strings.ToLower(u.searchText()), strings.ToLower(v.Q)) {
		return false
	}
	return true
}

// pageResult is one page of a view.
type pageResult struct {
	Records []userRecord
	Next    map[string]position // the cursor of the next page
	More    bool                // some shard has records beyond the page, or was not read to its end
	Shards  []string            // the shards read
	ReadAt  time.Time           // when the page was read, where "latest" was
}

// readPage reads up to n matching user records of the view, oldest arrival first across shards.
func (c *Console) readPage(ctx context.Context, v *view, n int) (*pageResult, error) {
	all, err := shardlist.List(ctx, c.client, v.Stream)
	if err != nil {
		return nil, err
	}
	var shards []string
	for _, sh := range shardlist.ParentsFirst(all) {
		id := aws.ToString(sh.ShardId)
		if len(v.Shards) == 0 || slices.Contains(v.Shards, id) {
			shards = append(shards, id)
		}
	}
	for _, s := range v.Shards {
		if !slices.Contains(shards, s) {
			return nil, fmt.Errorf("stream %s has no shard %q", v.Stream, s)
		}
	}
	res := &pageResult{Next: map[string]position{}, Shards: shards, ReadAt: time.Now()}
	var got []userRecord
	for _, id := range shards {
		recs, more, err := c.readShard(ctx, v, id, n)
		if err != nil {
			return nil, err
		}
		got = append(got, recs...)
		res.More = res.More || more
		if p, ok := v.cursor[id]; ok {
			res.Next[id] = p
		}
	}
	sort.SliceStable(got, func(i, j int) bool { return got[i].Arrival.Before(got[j].Arrival) })
	if len(got) > n {
		got, res.More = got[:n], true
	}
	for _, u := range got {
		res.Next[u.ShardID] = position{seq: u.Sequence, sub: u.SubSequence}
	}
	res.Records = got
	return res, nil
}

// readShard reads up to n matching user records of one shard from the view's position; more is
// true when the shard has records it did not read.
func (c *Console) readShard(ctx context.Context, v *view, shard string, n int) (recs []userRecord, more bool, err error) {
	in := &kinesis.GetShardIteratorInput{StreamName: &v.Stream, ShardId: &shard}
	pos, resume := v.cursor[shard]
	switch {
	case resume:
		in.ShardIteratorType, in.StartingSequenceNumber = types.ShardIteratorTypeAtSequenceNumber, aws.String(pos.seq)
	case v.Start == startLatest:
		in.ShardIteratorType = types.ShardIteratorTypeLatest
	case v.Start == startTime:
		in.ShardIteratorType, in.Timestamp = types.ShardIteratorTypeAtTimestamp, aws.Time(v.at)
	case v.Start == startSequence:
		in.ShardIteratorType, in.StartingSequenceNumber = types.ShardIteratorTypeAtSequenceNumber, aws.String(v.Seq)
	default:
		in.ShardIteratorType = types.ShardIteratorTypeTrimHorizon
	}
	it, err := c.client.GetShardIterator(ctx, in)
	if err != nil {
		var inv *types.InvalidArgumentException
		if v.Start == startSequence && !resume && errors.As(err, &inv) {
			return nil, false, nil // the sequence number belongs to another shard of an all-shards view
		}
		return nil, false, fmt.Errorf("shard %s: %w", shard, err)
	}
	iter := it.ShardIterator
	for call := 0; iter != nil && call < maxCallsPerShard; call++ {
		out, err := c.client.GetRecords(ctx, &kinesis.GetRecordsInput{ShardIterator: iter, Limit: aws.Int32(int32(min(n+1, 10000)))})
		if err != nil {
			return nil, false, fmt.Errorf("shard %s: %w", shard, err)
		}
		for _, r := range out.Records {
			for _, u := range decodeRecord(v.Stream, shard, r, c.schemas) {
				if resume && u.Sequence == pos.seq && (pos.sub < 0 || u.SubSequence <= pos.sub) {
					continue // shown on the page before
				}
				if !v.match(&u) {
					continue
				}
				if len(recs) == n {
					return recs, true, nil
				}
				recs = append(recs, u)
			}
		}
		iter = out.NextShardIterator
		if len(out.Records) == 0 && aws.ToInt64(out.MillisBehindLatest) == 0 {
			return recs, false, nil
		}
	}
	return recs, iter != nil, nil
}

type recordsData struct {
	base
	View      *view
	Shards    []string
	Types     []string
	Records   []userRecord
	NextURL   string
	FirstURL  string
	ExportURL string
	TailURL   string
	More      bool
	PageSize  int
	Elapsed   time.Duration
	Action    string // where the filters form goes
	ShowStart bool   // the filters offer a starting point (not in the live tail)
}

func (c *Console) recordsPage(w http.ResponseWriter, r *http.Request) {
	start := time.Now()
	name := r.PathValue("name")
	v, err := parseView(name, r.URL.Query())
	if err != nil {
		c.errorPage(w, r, http.StatusBadRequest, err)
		return
	}
	res, err := c.readPage(r.Context(), v, c.cfg.pageSize)
	if err != nil {
		c.fail(w, r, err)
		return
	}
	d := c.recordsData(v, res, "records")
	d.Elapsed = time.Since(start).Round(time.Millisecond)
	c.render(w, r, http.StatusOK, "records", d)
}

func (c *Console) recordsData(v *view, res *pageResult, nav string) recordsData {
	base := c.cfg.prefix + "streams/" + url.PathEscape(v.Stream)
	q := v.query()
	d := recordsData{base: c.base("Records of "+v.Stream, v.Stream, nav), View: v, Shards: res.Shards, Types: c.schemas.typeNames(),
		Records: res.Records, More: res.More, PageSize: c.cfg.pageSize,
		FirstURL: base + "/records?" + q.Encode(), TailURL: base + "/tail?" + q.Encode(),
		Action: base + "/" + nav, ShowStart: nav == "records"}
	if res.More || len(res.Records) > 0 || v.Start == startLatest {
		nq := v.query()
		if v.Start == startLatest && !res.ReadAt.IsZero() {
			// "Latest" moves; the next page goes on from where it was when this one was read.
			// Arrival times and AT_TIMESTAMP have milliseconds, so a record of the read's
			// millisecond cannot be told before or after the read: it counts as before (the
			// next page starts at the following millisecond), so that an old record never
			// shows up as new.
			nq.Set("start", startTime)
			nq.Set("at", res.ReadAt.UTC().Truncate(time.Millisecond).Add(time.Millisecond).Format(time.RFC3339Nano))
		}
		if len(res.Next) > 0 {
			nq.Set("cursor", formatCursor(res.Next))
		}
		d.NextURL = base + "/records?" + nq.Encode()
	}
	eq := v.query()
	if v.Cursor != "" {
		eq.Set("cursor", v.Cursor)
	}
	d.ExportURL = base + "/export?" + eq.Encode()
	return d
}
