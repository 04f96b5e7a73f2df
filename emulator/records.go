package emulator

import (
	"errors"
	"sync"
	"sync/atomic"

	"github.com/pelicanhq/pelican/emulator/internal/store"
	"github.com/pelicanhq/pelican/emulator/internal/wire"
)

// The data plane: PutRecord, PutRecords, GetRecords.

// The models of PutRecords and GetRecords, and the records subscriptions carry, are wire's: it
// writes and reads them with codecs of their own.
type (
	putRecordsInput        = wire.PutRecordsInput
	putRecordsRequestEntry = wire.PutRecordsRequestEntry
	putRecordsOutput       = wire.PutRecordsOutput
	putRecordsResultEntry  = wire.PutRecordsResultEntry
	getRecordsOutput       = wire.GetRecordsOutput
	record                 = wire.Record
	childShard             = wire.ChildShard
	hashKeyRange           = wire.HashKeyRange
)

func recordOperations() map[string]operation {
	return map[string]operation{
		"PutRecord":  dataOp((*Server).putRecord),
		"PutRecords": dataOp((*Server).putRecords),
		"GetRecords": dataOp((*Server).getRecords),
	}
}

const (
	maxRecordsPerPut   = 500
	maxPutRecordsBytes = 10 << 20 // the whole PutRecords request, partition keys included
	maxDataBytes       = 10 << 20 // the model's limit on one Data blob
	maxGetRecords      = 10000
	maxGetBytes        = 10 << 20
)

// putRecordInput is the PutRecord request.
type putRecordInput struct {
	StreamName                string `json:"StreamName,omitempty"`
	StreamARN                 string `json:"StreamARN,omitempty"`
	PartitionKey              string `json:"PartitionKey"`
	Data                      []byte `json:"Data"`
	ExplicitHashKey           string `json:"ExplicitHashKey,omitempty"`
	SequenceNumberForOrdering string `json:"SequenceNumberForOrdering,omitempty"`
	DryRun                    *bool  `json:"DryRun,omitempty"`
}

// putRecordOutput is the PutRecord answer.
type putRecordOutput struct {
	ShardId        string `json:"ShardId"`
	SequenceNumber string `json:"SequenceNumber"`
	EncryptionType string `json:"EncryptionType,omitempty"`
}

var hashKeyPattern = mustPattern(`^0|([1-9]\d{0,38})$`)

func (s *Server) putRecord(c *call, in *putRecordInput) (*putRecordOutput, error) {
	v := &validator{}
	v.streamName("streamName", in.StreamName, false)
	v.streamARN("streamARN", in.StreamARN)
	v.required("partitionKey", in.PartitionKey != "")
	if in.PartitionKey != "" {
		v.stringLen("partitionKey", in.PartitionKey, 1, 256)
	}
	v.required("data", in.Data != nil)
	v.blobLen("data", in.Data, maxDataBytes)
	if in.ExplicitHashKey != "" {
		v.pattern("explicitHashKey", in.ExplicitHashKey, hashKeyPattern, `0|([1-9]\d{0,38})`)
	}
	if in.SequenceNumberForOrdering != "" {
		v.pattern("sequenceNumberForOrdering", in.SequenceNumberForOrdering, sequencePattern, `0|([1-9]\d{0,128})`)
	}
	if err := v.err(); err != nil {
		return nil, err
	}
	st, err := s.activeStream(c, in.StreamName, in.StreamARN, true)
	if err != nil {
		return nil, err
	}
	if in.SequenceNumberForOrdering != "" {
		// Any number of the service's layouts will do, even one never issued; others, and numbers
		// from the future, are refused.
		if q, ok := parseClientSequence(in.SequenceNumberForOrdering); !ok || q.inFuture(c.now) {
			return nil, errInvalidArgument("ExclusiveMinimumSequenceNumber %s used in PutRecord on stream %s under account %s is invalid.", in.SequenceNumberForOrdering, st.Key.Name, st.Key.Account)
		}
	}
	for attempt := 0; ; attempt++ {
		w, err := s.newWrite(st)
		if err != nil {
			return nil, err
		}
		sh, err := w.route(in.PartitionKey, in.ExplicitHashKey)
		if err != nil {
			return nil, err
		}
		if err := w.checkSize(in.PartitionKey, in.Data); err != nil {
			return nil, err
		}
		if in.DryRun != nil && *in.DryRun {
			return nil, errDryRun()
		}
		if err := s.limits.write(c.now, st, sh, 1, len(in.Data)+len(in.PartitionKey)); err != nil {
			return nil, err
		}
		recs, err := s.appendRecords(c, st, sh, []store.Pending{{PartitionKey: in.PartitionKey, Data: in.Data}})
		if errors.Is(err, store.ErrShardClosed) && attempt < maxReroutes {
			continue // a reshard closed the shard after routing: its children take the record
		}
		if err != nil {
			return nil, writeError(st, sh, err)
		}
		return &putRecordOutput{ShardId: sh.ID, SequenceNumber: recs[0].Sequence, EncryptionType: w.encryption}, nil
	}
}

// maxReroutes bounds how often a write follows reshards that close its shard under it.
const maxReroutes = 8

// writeError is the answer for an append that failed.
func writeError(st *store.Stream, sh *store.Shard, err error) error {
	if errors.Is(err, store.ErrShardClosed) {
		return errResourceInUse("Shard %s in stream %s under account %s closed while the record was written; retry.", sh.ID, st.Key.Name, st.Key.Account)
	}
	var e *Error
	if errors.As(err, &e) {
		return e
	}
	return errInternalServiceFailure()
}

func (s *Server) putRecords(c *call, in *putRecordsInput) (*putRecordsOutput, error) {
	v := &validator{}
	v.streamName("streamName", in.StreamName, false)
	v.streamARN("streamARN", in.StreamARN)
	v.required("records", in.Records != nil)
	if in.Records != nil && len(in.Records) == 0 {
		v.add("[]", "records", "must have length greater than or equal to 1")
	}
	if len(in.Records) > maxRecordsPerPut {
		v.errs = append(v.errs, "Value '["+"...]' at 'records' failed to satisfy constraint: Member must have length less than or equal to 500")
	}
	for i, r := range in.Records {
		if plainEntry(&r) {
			continue // the common case, checked without building member names
		}
		m := "records." + itoa(i+1) + ".member."
		v.required(m+"partitionKey", r.PartitionKey != "")
		if r.PartitionKey != "" {
			v.stringLen(m+"partitionKey", r.PartitionKey, 1, 256)
		}
		v.required(m+"data", r.Data != nil)
		v.blobLen(m+"data", r.Data, maxDataBytes)
		if r.ExplicitHashKey != "" {
			v.pattern(m+"explicitHashKey", r.ExplicitHashKey, hashKeyPattern, `0|([1-9]\d{0,38})`)
		}
	}
	if err := v.err(); err != nil {
		return nil, err
	}
	total := 0
	for _, r := range in.Records {
		total += len(r.Data) + len(r.PartitionKey)
	}
	if total > maxPutRecordsBytes {
		return nil, errInvalidArgument("Records size exceeds 10 MB limit")
	}
	st, err := s.activeStream(c, in.StreamName, in.StreamARN, true)
	if err != nil {
		return nil, err
	}
	w, err := s.newWrite(st)
	if err != nil {
		return nil, err
	}
	// Route every record first, so that a bad one fails the request before anything is written.
	shards := make([]*store.Shard, len(in.Records))
	for i, r := range in.Records {
		if shards[i], err = w.route(r.PartitionKey, r.ExplicitHashKey); err != nil {
			return nil, err
		}
		if err := w.checkSize(r.PartitionKey, r.Data); err != nil {
			return nil, err
		}
	}
	if in.DryRun != nil && *in.DryRun {
		return nil, errDryRun()
	}
	out := &putRecordsOutput{Records: make([]putRecordsResultEntry, len(in.Records)), EncryptionType: w.encryption}
	todo := s.failRecords(c, st, shards, out) // what an injected record fault leaves to write
	for attempt := 0; len(todo) > 0; attempt++ {
		if attempt > 0 {
			// A reshard closed shards after routing: route what is left to their children.
			if w, err = s.newWrite(st); err != nil {
				return nil, err
			}
			for _, i := range todo {
				if shards[i], err = w.route(in.Records[i].PartitionKey, in.Records[i].ExplicitHashKey); err != nil {
					return nil, err
				}
			}
		}
		todo = s.writeRecords(c, st, in.Records, todo, shards, out, attempt < maxReroutes)
	}
	return out, nil
}

// plainEntry reports whether a PutRecords entry passes every check of the model without looking
// closer: a key of 1 to 256 bytes (so at most 256 characters), data within the limit, no explicit
// hash key.
func plainEntry(r *putRecordsRequestEntry) bool {
	return r.PartitionKey != "" && len(r.PartitionKey) <= 256 && r.Data != nil && len(r.Data) <= maxDataBytes && r.ExplicitHashKey == ""
}

// writeRecords appends the records at slots todo to their routed shards, filling out. Throughput is
// charged record by record so that a throttled record fails alone, as in Kinesis. It returns the
// slots whose shard a reshard closed under them, to be routed again when reroute is true (they fail
// otherwise).
func (s *Server) writeRecords(c *call, st *store.Stream, records []putRecordsRequestEntry, todo []int, shards []*store.Shard, out *putRecordsOutput, reroute bool) []int {
	type group struct {
		shard   *store.Shard
		pending []store.Pending
		slots   []int
	}
	var groups []*group
	byShard := make(map[*store.Shard]*group)
	fail := func(i int, e *Error) {
		out.Records[i] = putRecordsResultEntry{ErrorCode: e.Code, ErrorMessage: e.Message}
		out.FailedRecordCount++
	}
	for _, i := range todo {
		r, sh := records[i], shards[i]
		if err := s.limits.write(c.now, st, sh, 1, len(r.Data)+len(r.PartitionKey)); err != nil {
			fail(i, err.(*Error))
			continue
		}
		g := byShard[sh]
		if g == nil {
			g = &group{shard: sh}
			byShard[sh] = g
			groups = append(groups, g)
		}
		g.pending = append(g.pending, store.Pending{PartitionKey: r.PartitionKey, Data: r.Data})
		g.slots = append(g.slots, i)
	}
	// With a data directory, the shards' appends go to the journal together, so that one request
	// waits on one shared fsync rather than one per shard.
	results := make([][]store.Record, len(groups))
	errs := make([]error, len(groups))
	if s.store.Journal().Durable() && len(groups) > 1 {
		var wg sync.WaitGroup
		for gi, g := range groups {
			wg.Add(1)
			go func() {
				defer wg.Done()
				results[gi], errs[gi] = s.appendRecords(c, st, g.shard, g.pending)
			}()
		}
		wg.Wait()
	} else {
		for gi, g := range groups {
			results[gi], errs[gi] = s.appendRecords(c, st, g.shard, g.pending)
		}
	}
	var again []int
	for gi, g := range groups {
		if err := errs[gi]; err != nil {
			if errors.Is(err, store.ErrShardClosed) && reroute {
				again = append(again, g.slots...)
				continue
			}
			e := writeError(st, g.shard, err).(*Error)
			for _, i := range g.slots {
				fail(i, e)
			}
			continue
		}
		for j, i := range g.slots {
			out.Records[i] = putRecordsResultEntry{SequenceNumber: results[gi][j].Sequence, ShardId: g.shard.ID}
		}
	}
	return again
}

// write is what a put needs of a stream, read once under the stream's lock.
type write struct {
	st         *store.Stream
	open       []*store.Shard
	maxBytes   int
	auto       bool
	encryption string
	next       *atomic.Uint64
}

func (s *Server) newWrite(st *store.Stream) (*write, error) {
	return store.ViewStream(st, func() (*write, error) {
		w := &write{st: st, open: st.OpenShards(), maxBytes: st.MaxRecordSizeKiB * 1024,
			auto: st.Distribution == distributionAuto, encryption: answeredEncryption(st.EncryptionType), next: s.autoCounter(st)}
		if len(w.open) == 0 {
			return nil, errResourceInUse("Stream %s under account %s has no open shards.", st.Key.Name, st.Key.Account)
		}
		return w, nil
	})
}

// route picks the open shard for a record: the MD5 of the partition key, or the explicit hash key;
// with the AUTO distribution strategy, the next shard in turn whatever the key or explicit hash key.
func (w *write) route(partitionKey, explicit string) (*store.Shard, error) {
	if w.auto {
		return w.open[int(w.next.Add(1)-1)%len(w.open)], nil
	}
	var k store.HashKey
	if explicit == "" {
		k = store.HashPartitionKey(partitionKey)
	} else {
		var ok bool
		if k, ok = store.ParseHashKey(explicit); !ok {
			return nil, errInvalidArgument("Invalid ExplicitHashKey. ExplicitHashKey must be in the range: [0, 2^128-1]. Specified value was %s", explicit)
		}
	}
	lo, hi := 0, len(w.open)-1
	for lo <= hi {
		mid := (lo + hi) / 2
		sh := w.open[mid]
		switch {
		case k.Cmp(sh.StartHash) < 0:
			hi = mid - 1
		case k.Cmp(sh.EndHash) > 0:
			lo = mid + 1
		default:
			return sh, nil
		}
	}
	return nil, errInternalFailure("no open shard holds hash key %s", k)
}

func (w *write) checkSize(partitionKey string, data []byte) error {
	if n := len(data) + len(partitionKey); n > w.maxBytes {
		return errInvalidArgument("Record size %d bytes (data plus partition key) exceeds the maximum record size of %d KiB of stream %s under account %s.", n, w.maxBytes/1024, w.st.Key.Name, w.st.Key.Account)
	}
	return nil
}

// appendRecords writes records to a shard: durable before they are visible and acknowledged when
// the store has a journal.
func (s *Server) appendRecords(c *call, st *store.Stream, sh *store.Shard, pending []store.Pending) ([]store.Record, error) {
	j := s.store.Journal()
	durable := j.Durable()
	recs, err := sh.Append(c.now, pending, !durable)
	if err != nil {
		return nil, err // store.ErrShardClosed: the caller routes again
	}
	if durable {
		if err := j.Records(st, sh, recs); err != nil {
			s.log.Error("emulator: journal write failed", "stream", st.Key.Name, "shard", sh.ID, "err", err)
			return nil, errInternalServiceFailure()
		}
		sh.Publish(recs[len(recs)-1].Index + 1)
	}
	s.limits.stats.stored(c.now, sh, recs)
	return recs, nil
}

// getRecordsInput is the GetRecords request.
type getRecordsInput struct {
	ShardIterator string `json:"ShardIterator"`
	Limit         *int32 `json:"Limit,omitempty"`
	StreamARN     string `json:"StreamARN,omitempty"`
	DryRun        *bool  `json:"DryRun,omitempty"`
}

func (s *Server) getRecords(c *call, in *getRecordsInput) (*getRecordsOutput, error) {
	v := &validator{}
	v.required("shardIterator", in.ShardIterator != "")
	if in.ShardIterator != "" {
		v.stringLen("shardIterator", in.ShardIterator, 1, 512)
	}
	v.intRange("limit", in.Limit, 1, maxGetRecords)
	v.streamARN("streamARN", in.StreamARN)
	if err := v.err(); err != nil {
		return nil, err
	}
	it, st, sh, err := s.openIterator(c, in.ShardIterator)
	if err != nil {
		return nil, err
	}
	if in.StreamARN != "" && in.StreamARN != st.ARN {
		return nil, errInvalidArgument("StreamARN %s does not match the stream of the shard iterator.", in.StreamARN)
	}
	if in.DryRun != nil && *in.DryRun {
		return nil, errDryRun()
	}
	limit := maxGetRecords
	if in.Limit != nil {
		limit = int(*in.Limit)
	}
	if err := s.limits.readCall(c.now, st, sh); err != nil {
		return nil, err
	}
	s.trimStream(st, c.now)
	var encryption string
	st.View(func() { encryption = answeredEncryption(st.EncryptionType) })
	recs, next := sh.Read(it.Position, limit, maxGetBytes)
	bytes := 0
	out := &getRecordsOutput{Records: make([]record, len(recs))}
	for i := range recs {
		r := &recs[i]
		bytes += r.Size()
		out.Records[i] = record{SequenceNumber: r.Sequence, ApproximateArrivalTimestamp: wire.NewTimestamp(r.Arrival),
			Data: r.Data, PartitionKey: r.PartitionKey, EncryptionType: encryption}
	}
	s.limits.readBytes(c.now, st, sh, bytes)
	s.limits.stats.read(c.now, sh, len(recs), bytes)
	out.MillisBehindLatest = s.millisBehind(c, sh, next)
	if sh.Closed() && next >= sh.Next() {
		out.ChildShards = s.childShards(st, sh)
		return out, nil
	}
	it.Position, it.Issued = next, c.now.UnixMilli()
	token := s.seal(it)
	out.NextShardIterator = &token
	return out, nil
}

// millisBehind is how far a reader at next is behind the tip of the shard: zero when caught up,
// otherwise the age of the next unread record.
func (s *Server) millisBehind(c *call, sh *store.Shard, next uint64) int64 {
	if next >= sh.Visible() {
		return 0
	}
	recs, _ := sh.Read(next, 1, maxGetBytes)
	if len(recs) == 0 {
		return 0
	}
	ms := c.now.Sub(recs[0].Arrival).Milliseconds()
	if ms < 0 {
		return 0
	}
	return ms
}

// childShards lists the shards that a closed shard became.
func (s *Server) childShards(st *store.Stream, sh *store.Shard) []childShard {
	out, _ := store.ViewStream(st, func() ([]childShard, error) {
		out := []childShard{}
		for _, child := range st.Shards {
			if child.Parent != sh.ID && child.AdjacentParent != sh.ID {
				continue
			}
			parents := []string{child.Parent}
			if child.AdjacentParent != "" {
				parents = append(parents, child.AdjacentParent)
			}
			out = append(out, childShard{ShardId: child.ID, ParentShards: parents,
				HashKeyRange: hashKeyRange{StartingHashKey: child.StartHash.String(), EndingHashKey: child.EndHash.String()}})
		}
		return out, nil
	})
	return out
}

// answeredEncryption is the EncryptionType that PutRecord, PutRecords, GetRecords and
// SubscribeToShard answer with: the service leaves the member out for an unencrypted stream.
func answeredEncryption(t string) string {
	if t == encryptionNone {
		return ""
	}
	return t
}
