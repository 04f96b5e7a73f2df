package emulator

import (
	"math"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/pelicanhq/pelican/emulator/internal/store"
	"github.com/pelicanhq/pelican/emulator/internal/wire"
)

// Shards and resharding: ListShards, SplitShard, MergeShards, UpdateShardCount. A reshard closes
// parents (they stay readable until retention passes them) and opens children that carry their
// parents' ids and the right hash ranges, once the stream's UPDATING delay has passed.

func shardOperations() map[string]operation {
	return map[string]operation{
		"ListShards":       controlOp((*Server).listShards, reads, perStream(1000)),
		"SplitShard":       controlOp((*Server).splitShard, changes, perAccount(5)),
		"MergeShards":      controlOp((*Server).mergeShards, changes, perAccount(5)),
		"UpdateShardCount": controlOp((*Server).updateShardCount, changes, undocumented()),
	}
}

// shard filter types of ListShards.
const (
	filterAfterShardID     = "AFTER_SHARD_ID"
	filterAtTrimHorizon    = "AT_TRIM_HORIZON"
	filterFromTrimHorizon  = "FROM_TRIM_HORIZON"
	filterAtLatest         = "AT_LATEST"
	filterAtTimestamp      = "AT_TIMESTAMP"
	filterFromTimestamp    = "FROM_TIMESTAMP"
	maxShardsPerStream     = 10000
	defaultListShardsLimit = 1000
)

// shardFilter narrows ListShards.
type shardFilter struct {
	Type      string          `json:"Type"`
	ShardId   string          `json:"ShardId,omitempty"`
	Timestamp *wire.Timestamp `json:"Timestamp,omitempty"`
}

// listShardsInput is the ListShards request.
type listShardsInput struct {
	StreamName              string          `json:"StreamName,omitempty"`
	StreamARN               string          `json:"StreamARN,omitempty"`
	NextToken               string          `json:"NextToken,omitempty"`
	ExclusiveStartShardId   string          `json:"ExclusiveStartShardId,omitempty"`
	MaxResults              *int32          `json:"MaxResults,omitempty"`
	StreamCreationTimestamp *wire.Timestamp `json:"StreamCreationTimestamp,omitempty"`
	ShardFilter             *shardFilter    `json:"ShardFilter,omitempty"`
}

// listShardsOutput is the ListShards answer.
type listShardsOutput struct {
	Shards    []shard `json:"Shards"`
	NextToken string  `json:"NextToken,omitempty"`
}

// listShardsPage is what a ListShards NextToken carries besides the position.
type listShardsPage struct {
	Filter shardFilter
}

func (s *Server) listShards(c *call, in *listShardsInput) (*listShardsOutput, error) {
	v := &validator{}
	v.streamName("streamName", in.StreamName, false)
	v.streamARN("streamARN", in.StreamARN)
	v.shardID("exclusiveStartShardId", in.ExclusiveStartShardId, false)
	v.intRange("maxResults", in.MaxResults, 1, 10000)
	if in.NextToken != "" {
		v.stringLen("nextToken", in.NextToken, 1, 1048576)
	}
	if in.ShardFilter != nil {
		v.required("shardFilter.type", in.ShardFilter.Type != "")
		v.enum("shardFilter.type", in.ShardFilter.Type, filterAfterShardID, filterAtTrimHorizon, filterFromTrimHorizon, filterAtLatest, filterAtTimestamp, filterFromTimestamp)
		v.shardID("shardFilter.shardId", in.ShardFilter.ShardId, false)
	}
	if err := v.err(); err != nil {
		return nil, err
	}
	name, arn, after := in.StreamName, in.StreamARN, startAfterShard(in.ExclusiveStartShardId)
	var filter *shardFilter
	if in.NextToken != "" {
		if in.StreamName != "" || in.StreamARN != "" {
			return nil, errInvalidArgument("NextToken and StreamName cannot be provided together.")
		}
		if in.ExclusiveStartShardId != "" || in.ShardFilter != nil || in.StreamCreationTimestamp != nil {
			return nil, errInvalidArgument("NextToken cannot be provided together with ExclusiveStartShardId, ShardFilter or StreamCreationTimestamp.")
		}
		tok, err := s.openToken(c, "ListShards", in.NextToken)
		if err != nil {
			return nil, err
		}
		name, after = tok.Stream, tok.After
		if tok.Extra != "" {
			var page listShardsPage
			if !s.open(tok.Extra, &page) {
				return nil, errInvalidNextToken()
			}
			filter = &page.Filter
		}
	} else if in.StreamName == "" && in.StreamARN == "" {
		return nil, errInvalidArgument("Either NextToken or StreamName should be provided.")
	} else {
		filter = in.ShardFilter
	}
	if filter != nil {
		if err := checkShardFilter(filter); err != nil {
			return nil, err
		}
	}
	st, err := s.stream(c, name, arn)
	if err != nil {
		return nil, err
	}
	var created time.Time
	var status string
	var retention time.Duration
	var shards []*store.Shard
	st.View(func() {
		created, status = st.Created, st.Status
		retention = time.Duration(st.RetentionHours) * time.Hour
		shards = s.visibleShards(st, c.now)
	})
	if status == store.StatusCreating {
		return nil, errStreamNotActive(st.Key.Name, st.Key.Account, status)
	}
	if in.StreamCreationTimestamp != nil && !in.StreamCreationTimestamp.IsZero() &&
		in.StreamCreationTimestamp.UnixMilli() != created.UnixMilli() {
		return nil, errResourceNotFound("Stream %s under account %s created at %s not found.", st.Key.Name, st.Key.Account, in.StreamCreationTimestamp.UTC().Format(time.RFC3339))
	}
	horizon := c.now.Add(-retention)
	if horizon.Before(created) {
		horizon = created
	}
	limit := defaultListShardsLimit
	if in.MaxResults != nil {
		limit = int(*in.MaxResults)
	}
	out := &listShardsOutput{Shards: []shard{}}
	for _, sh := range shards {
		if after != "" && sh.ID <= after {
			continue
		}
		if filter != nil && !filterKeeps(filter, sh, horizon) {
			continue
		}
		if len(out.Shards) == limit {
			extra := ""
			if filter != nil {
				extra = s.seal(listShardsPage{Filter: *filter})
			}
			out.NextToken = s.sealToken(c, "ListShards", pageToken{Stream: st.Key.Name, After: out.Shards[limit-1].ShardId, Extra: extra})
			break
		}
		out.Shards = append(out.Shards, describeShard(sh))
	}
	return out, nil
}

func checkShardFilter(f *shardFilter) error {
	switch f.Type {
	case filterAfterShardID:
		if f.ShardId == "" {
			return errInvalidArgument("ShardId must be provided with the ShardFilter type AFTER_SHARD_ID.")
		}
	case filterAtTimestamp, filterFromTimestamp:
		if f.Timestamp == nil || f.Timestamp.IsZero() {
			return errInvalidArgument("Timestamp must be provided with the ShardFilter type %s.", f.Type)
		}
	}
	if f.ShardId != "" && f.Type != filterAfterShardID {
		return errInvalidArgument("ShardId can be provided only with the ShardFilter type AFTER_SHARD_ID.")
	}
	if f.Timestamp != nil && f.Type != filterAtTimestamp && f.Type != filterFromTimestamp {
		return errInvalidArgument("Timestamp can be provided only with the ShardFilter types AT_TIMESTAMP and FROM_TIMESTAMP.")
	}
	return nil
}

// openAt reports whether sh was open at t: created by then and not yet closed.
func openAt(sh *store.Shard, t time.Time) bool {
	if sh.Created.After(t) {
		return false
	}
	closed := sh.ClosedAt()
	return closed.IsZero() || closed.After(t)
}

func filterKeeps(f *shardFilter, sh *store.Shard, horizon time.Time) bool {
	switch f.Type {
	case filterAfterShardID:
		return sh.ID > f.ShardId
	case filterAtTrimHorizon:
		return openAt(sh, horizon)
	case filterFromTrimHorizon:
		closed := sh.ClosedAt()
		return closed.IsZero() || !closed.Before(horizon)
	case filterAtLatest:
		return !sh.Closed()
	case filterAtTimestamp:
		return openAt(sh, f.Timestamp.Time)
	case filterFromTimestamp:
		closed := sh.ClosedAt()
		return closed.IsZero() || !closed.Before(f.Timestamp.Time)
	}
	return true
}

// splitShardInput is the SplitShard request.
type splitShardInput struct {
	StreamName         string `json:"StreamName,omitempty"`
	StreamARN          string `json:"StreamARN,omitempty"`
	ShardToSplit       string `json:"ShardToSplit"`
	NewStartingHashKey string `json:"NewStartingHashKey"`
}

func (s *Server) splitShard(c *call, in *splitShardInput) (*empty, error) {
	v := &validator{}
	v.streamName("streamName", in.StreamName, false)
	v.streamARN("streamARN", in.StreamARN)
	v.shardID("shardToSplit", in.ShardToSplit, true)
	v.required("newStartingHashKey", in.NewStartingHashKey != "")
	if in.NewStartingHashKey != "" {
		v.pattern("newStartingHashKey", in.NewStartingHashKey, hashKeyPattern, `0|([1-9]\d{0,38})`)
	}
	if err := v.err(); err != nil {
		return nil, err
	}
	if err := resolveShardIDs(c, in.StreamName, in.StreamARN, &in.ShardToSplit); err != nil {
		return nil, err
	}
	key, ok := store.ParseHashKey(in.NewStartingHashKey)
	return reshard(s, c, in.StreamName, in.StreamARN, func(st *store.Stream) (*empty, error) {
		sh := st.Shard(in.ShardToSplit)
		if sh == nil || sh.Closed() {
			return nil, errCouldNotFindShard(in.ShardToSplit, st.Key.Name, st.Key.Account)
		}
		if !ok || key.Cmp(sh.StartHash.Add1()) <= 0 || key.Cmp(sh.EndHash) >= 0 {
			return nil, errInvalidArgument("NewStartingHashKey %s used in SplitShard() on shard %s in stream %s under account %s is not both greater than one plus the shard's StartingHashKey %s and less than the shard's EndingHashKey %s.",
				in.NewStartingHashKey, sh.ID, st.Key.Name, st.Key.Account, sh.StartHash, sh.EndHash)
		}
		if err := s.checkShardLimit(c, 1); err != nil {
			return nil, err
		}
		s.beginUpdate(c, st, &store.Change{Kind: store.ChangeSplit, ShardToSplit: sh.ID, NewStartingHashKey: key.String()})
		return &empty{}, nil
	})
}

// mergeShardsInput is the MergeShards request.
type mergeShardsInput struct {
	StreamName           string `json:"StreamName,omitempty"`
	StreamARN            string `json:"StreamARN,omitempty"`
	ShardToMerge         string `json:"ShardToMerge"`
	AdjacentShardToMerge string `json:"AdjacentShardToMerge"`
}

func (s *Server) mergeShards(c *call, in *mergeShardsInput) (*empty, error) {
	v := &validator{}
	v.streamName("streamName", in.StreamName, false)
	v.streamARN("streamARN", in.StreamARN)
	v.shardID("shardToMerge", in.ShardToMerge, true)
	v.shardID("adjacentShardToMerge", in.AdjacentShardToMerge, true)
	if err := v.err(); err != nil {
		return nil, err
	}
	if err := resolveShardIDs(c, in.StreamName, in.StreamARN, &in.ShardToMerge, &in.AdjacentShardToMerge); err != nil {
		return nil, err
	}
	return reshard(s, c, in.StreamName, in.StreamARN, func(st *store.Stream) (*empty, error) {
		a, b := st.Shard(in.ShardToMerge), st.Shard(in.AdjacentShardToMerge)
		for _, pair := range []struct {
			sh *store.Shard
			id string
		}{{a, in.ShardToMerge}, {b, in.AdjacentShardToMerge}} {
			if pair.sh == nil || pair.sh.Closed() {
				return nil, errCouldNotFindShard(pair.id, st.Key.Name, st.Key.Account)
			}
		}
		// The pair is given in hash key order: ShardToMerge first, as the service requires.
		if a == b || !adjacent(a, b) {
			return nil, errInvalidArgument("Shards %s and %s in stream %s under account %s are not an adjacent pair of shards eligible for merging", a.ID, b.ID, st.Key.Name, st.Key.Account)
		}
		s.beginUpdate(c, st, &store.Change{Kind: store.ChangeMerge, ShardToMerge: a.ID, AdjacentShardToMerge: b.ID})
		return &empty{}, nil
	})
}

// resolveShardID reads a shard id as the service does: the number in the part after its first
// "-" (the whole id when it has none), 0 to 2^31-1, whatever comes before; "shardId-0", "shard-0"
// and "x-0" all name shardId-000000000000. ok is false for an id that has no such number.
func resolveShardID(id string) (canonical string, ok bool) {
	digits := id
	if parts := strings.Split(id, "-"); len(parts) > 1 && parts[1] != "" {
		digits = parts[1]
	}
	if digits == "" || strings.TrimLeft(digits, "0123456789") != "" {
		return "", false
	}
	n, err := strconv.ParseUint(digits, 10, 64)
	if err != nil || n > math.MaxInt32 {
		return "", false
	}
	return store.ShardID(int(n)), true
}

// startAfterShard is an ExclusiveStartShardId as the shard it names (shardId-1 is
// shardId-000000000001); an id that names no shard is compared as it is.
func startAfterShard(id string) string {
	if canonical, ok := resolveShardID(id); ok && id != "" {
		return canonical
	}
	return id
}

// requestStreamName is the name of the stream a request names, for messages written before the
// stream is looked up.
func requestStreamName(name, arn string) string {
	if name == "" {
		if k, ok := parseStreamARN(arn); ok {
			return k.Name
		}
	}
	return name
}

// resolveShardIDs reads the shard ids of a resharding request in order; an id that does not read
// is ResourceNotFoundException before the stream is looked up.
func resolveShardIDs(c *call, name, arn string, ids ...*string) error {
	for _, id := range ids {
		canonical, ok := resolveShardID(*id)
		if !ok {
			return errCouldNotFindShard(*id, requestStreamName(name, arn), c.account)
		}
		*id = canonical
	}
	return nil
}

// adjacent reports whether b starts right after a ends. The top of the hash key space has no
// successor: the last shard is not adjacent to the first.
func adjacent(a, b *store.Shard) bool {
	return a.EndHash != store.MaxHashKey && a.EndHash.Add1() == b.StartHash
}

// updateShardCountInput is the UpdateShardCount request.
type updateShardCountInput struct {
	StreamName       string `json:"StreamName,omitempty"`
	StreamARN        string `json:"StreamARN,omitempty"`
	TargetShardCount *int32 `json:"TargetShardCount"`
	ScalingType      string `json:"ScalingType"`
}

// updateShardCountOutput is the UpdateShardCount answer.
type updateShardCountOutput struct {
	StreamName        string `json:"StreamName"`
	StreamARN         string `json:"StreamARN"`
	CurrentShardCount int    `json:"CurrentShardCount"`
	TargetShardCount  int    `json:"TargetShardCount"`
}

func (s *Server) updateShardCount(c *call, in *updateShardCountInput) (*updateShardCountOutput, error) {
	v := &validator{}
	v.streamName("streamName", in.StreamName, false)
	v.streamARN("streamARN", in.StreamARN)
	v.required("targetShardCount", in.TargetShardCount != nil)
	v.intRange("targetShardCount", in.TargetShardCount, 1, 1<<31-1)
	v.required("scalingType", in.ScalingType != "")
	v.enum("scalingType", in.ScalingType, "UNIFORM_SCALING")
	if err := v.err(); err != nil {
		return nil, err
	}
	return reshard(s, c, in.StreamName, in.StreamARN, func(st *store.Stream) (*updateShardCountOutput, error) {
		if st.Mode == modeOnDemand {
			return nil, errValidation("UpdateShardCount is not supported for a stream in ON_DEMAND mode.")
		}
		current, target := len(st.OpenShards()), int(*in.TargetShardCount)
		switch {
		case target > 2*current:
			return nil, errLimitExceeded("UpdateShardCount cannot scale up over double your current open shard count. Current open shard count: %d Target shard count: %d", current, target)
		case 2*target < current:
			return nil, errLimitExceeded("UpdateShardCount cannot scale down below half your current open shard count. Current open shard count: %d Target shard count: %d", current, target)
		case target > maxShardsPerStream:
			return nil, errLimitExceeded("UpdateShardCount cannot scale up over %d shards in a stream. Target shard count: %d", maxShardsPerStream, target)
		}
		if target > current {
			if err := s.checkShardLimit(c, target-current); err != nil {
				return nil, err
			}
		}
		if err := s.limits.scaling(c, st); err != nil {
			return nil, err
		}
		out := &updateShardCountOutput{StreamName: st.Key.Name, StreamARN: st.ARN, CurrentShardCount: current, TargetShardCount: target}
		if target == current {
			return out, nil
		}
		s.beginUpdate(c, st, &store.Change{Kind: store.ChangeShardCount, TargetShardCount: target})
		return out, nil
	})
}

// reshard finds a stream and runs fn on it inside st.Update, for a reshard, which only an ACTIVE
// stream may take.
func reshard[T any](s *Server, c *call, name, arn string, fn func(st *store.Stream) (T, error)) (T, error) {
	var zero T
	st, err := s.activeStream(c, name, arn, false)
	if err != nil {
		return zero, err
	}
	return store.UpdateStream(st, func() (T, error) {
		if st.Status != store.StatusActive {
			return zero, errStreamNotActive(st.Key.Name, st.Key.Account, st.Status)
		}
		return fn(st)
	})
}

// checkShardLimit refuses a reshard that would take the account over its open-shard limit.
// Callers hold the stream's lock, so the count reads other streams only through the store.
func (s *Server) checkShardLimit(c *call, more int) error {
	limit := s.cfg.limits.ShardsPerRegion
	if limit <= 0 {
		return nil
	}
	n := 0
	for _, other := range s.store.List(c.account, c.region) {
		for _, sh := range other.Shards {
			if !sh.Closed() {
				n++
			}
		}
	}
	if n+more > limit {
		return errShardLimit(c.account, c.region, n, limit, more)
	}
	return nil
}

// beginUpdate puts a stream in UPDATING with ch pending until the update delay has passed (settle
// then applies it and saves the metadata). The change is data, so a data directory keeps it across
// a restart. Callers are inside st.Update and have checked that ch fits the stream; the handler saves the
// metadata once the operation has returned.
func (s *Server) beginUpdate(c *call, st *store.Stream, ch *store.Change) {
	st.Status = store.StatusUpdating
	st.PendingUntil = c.now.Add(s.cfg.delays.UpdateStream)
	st.Pending = ch
	if s.cfg.delays.UpdateStream == 0 {
		s.completeUpdate(st, c.now)
	}
}

// addShard opens a new shard with the next index. Callers are inside st.Update.
func addShard(st *store.Stream, start, end store.HashKey, parent, adjacent string, now time.Time) *store.Shard {
	sh := store.NewShard(len(st.Shards), start, end, now, parent, adjacent)
	st.Shards = append(st.Shards, sh)
	return sh
}

// split closes sh and opens its two children, divided at key.
func split(st *store.Stream, sh *store.Shard, key store.HashKey, now time.Time) (lo, hi *store.Shard) {
	sh.Close(now)
	lo = addShard(st, sh.StartHash, key.Sub1(), sh.ID, "", now)
	hi = addShard(st, key, sh.EndHash, sh.ID, "", now)
	return lo, hi
}

// merge closes a and b and opens their child: ParentShardId is a, AdjacentParentShardId is b.
func merge(st *store.Stream, a, b *store.Shard, now time.Time) *store.Shard {
	a.Close(now)
	b.Close(now)
	start, end := a.StartHash, b.EndHash
	if b.StartHash.Cmp(a.StartHash) < 0 {
		start, end = b.StartHash, a.EndHash
	}
	return addShard(st, start, end, a.ID, b.ID, now)
}

// rescale reaches target evenly sized open shards the way UpdateShardCount does: by splitting the
// open shards at the new boundaries, then merging the pieces of each new range pairwise. Every
// child has at most two parents, so readers can follow the lineage shard by shard; the pieces in
// between are closed at once and hold no records.
func rescale(st *store.Stream, target int, now time.Time) {
	ranges := store.SplitEvenly(store.HashKey{}, store.MaxHashKey, target)
	open := st.OpenShards()
	var pieces []*store.Shard
	for _, sh := range open {
		cur := sh
		for _, r := range ranges {
			if r[0].Cmp(cur.StartHash) > 0 && r[0].Cmp(cur.EndHash) <= 0 {
				var left *store.Shard
				left, cur = split(st, cur, r[0], now)
				pieces = append(pieces, left)
			}
		}
		pieces = append(pieces, cur)
	}
	sort.Slice(pieces, func(i, j int) bool { return pieces[i].StartHash.Cmp(pieces[j].StartHash) < 0 })
	i := 0
	for _, r := range ranges {
		acc := pieces[i]
		i++
		for i < len(pieces) && pieces[i].EndHash.Cmp(r[1]) <= 0 {
			acc = merge(st, acc, pieces[i], now)
			i++
		}
	}
}
