package emulator

import (
	"time"

	"github.com/pelicanhq/pelican/emulator/internal/store"
	"github.com/pelicanhq/pelican/emulator/internal/wire"
)

// GetShardIterator, and the shard iterators GetRecords reads through.

func iteratorOperations() map[string]operation {
	return map[string]operation{
		"GetShardIterator": dataOp((*Server).getShardIterator),
	}
}

// shard iterator types.
const (
	iterAtSequence    = "AT_SEQUENCE_NUMBER"
	iterAfterSequence = "AFTER_SEQUENCE_NUMBER"
	iterTrimHorizon   = "TRIM_HORIZON"
	iterLatest        = "LATEST"
	iterAtTimestamp   = "AT_TIMESTAMP"
)

// iteratorLifetime is how long a shard iterator stays valid.
const iteratorLifetime = 5 * time.Minute

// iterator is the payload of a shard iterator: which shard of which incarnation of a stream, the
// record index to read from, and when it was issued.
type iterator struct {
	Account    string `json:"a"`
	Region     string `json:"r"`
	Stream     string `json:"s"`
	Generation int64  `json:"g"`
	Shard      string `json:"h"`
	Position   uint64 `json:"p"`
	Issued     int64  `json:"t"`
}

// getShardIteratorInput is the GetShardIterator request.
type getShardIteratorInput struct {
	StreamName             string          `json:"StreamName,omitempty"`
	StreamARN              string          `json:"StreamARN,omitempty"`
	ShardId                string          `json:"ShardId"`
	ShardIteratorType      string          `json:"ShardIteratorType"`
	StartingSequenceNumber string          `json:"StartingSequenceNumber,omitempty"`
	Timestamp              *wire.Timestamp `json:"Timestamp,omitempty"`
	DryRun                 *bool           `json:"DryRun,omitempty"`
}

// getShardIteratorOutput is the GetShardIterator answer.
type getShardIteratorOutput struct {
	ShardIterator string `json:"ShardIterator"`
}

var sequencePattern = mustPattern(`^0|([1-9]\d{0,128})$`)

func (s *Server) getShardIterator(c *call, in *getShardIteratorInput) (*getShardIteratorOutput, error) {
	v := &validator{}
	v.streamName("streamName", in.StreamName, false)
	v.streamARN("streamARN", in.StreamARN)
	v.shardID("shardId", in.ShardId, true)
	v.required("shardIteratorType", in.ShardIteratorType != "")
	v.enum("shardIteratorType", in.ShardIteratorType, iterAtSequence, iterAfterSequence, iterTrimHorizon, iterLatest, iterAtTimestamp)
	if in.StartingSequenceNumber != "" {
		v.pattern("startingSequenceNumber", in.StartingSequenceNumber, sequencePattern, `0|([1-9]\d{0,128})`)
	}
	if err := v.err(); err != nil {
		return nil, err
	}
	shardID, ok := resolveShardID(in.ShardId)
	if !ok {
		return nil, errCouldNotFindShard(in.ShardId, requestStreamName(in.StreamName, in.StreamARN), c.account)
	}
	in.ShardId = shardID
	st, err := s.activeStream(c, in.StreamName, in.StreamARN, true)
	if isStreamNotFound(err) {
		// The service answers for the shard of a stream it does not have as for a missing shard.
		return nil, errShardNotFound(shardID, requestStreamName(in.StreamName, in.StreamARN), c.account)
	}
	if err != nil {
		return nil, err
	}
	s.trimStream(st, c.now)
	var sh *store.Shard
	var gen int64
	st.View(func() { sh, gen = st.Shard(in.ShardId), st.Generation })
	if sh == nil {
		return nil, errShardNotFound(in.ShardId, st.Key.Name, st.Key.Account)
	}
	withSeq := in.ShardIteratorType == iterAtSequence || in.ShardIteratorType == iterAfterSequence
	switch {
	case withSeq && in.StartingSequenceNumber == "":
		return nil, errInvalidArgument("Must either specify (1) AT_SEQUENCE_NUMBER or AFTER_SEQUENCE_NUMBER and StartingSequenceNumber or (2) TRIM_HORIZON or LATEST and no StartingSequenceNumber. Request specified %s and no StartingSequenceNumber.", in.ShardIteratorType)
	case !withSeq && in.StartingSequenceNumber != "":
		return nil, errInvalidArgument("Must either specify (1) AT_SEQUENCE_NUMBER or AFTER_SEQUENCE_NUMBER and StartingSequenceNumber or (2) TRIM_HORIZON or LATEST and no StartingSequenceNumber. Request specified %s and also a StartingSequenceNumber.", in.ShardIteratorType)
	}
	if err := s.limits.shardIterators(c, st, sh); err != nil {
		return nil, err
	}
	pos, err := s.startPosition(c, st, sh, in.ShardIteratorType, in.StartingSequenceNumber, in.Timestamp)
	if err != nil {
		return nil, err
	}
	if in.DryRun != nil && *in.DryRun {
		return nil, errDryRun()
	}
	it := iterator{Account: st.Key.Account, Region: st.Key.Region, Stream: st.Key.Name, Generation: gen,
		Shard: sh.ID, Position: pos, Issued: c.now.UnixMilli()}
	return &getShardIteratorOutput{ShardIterator: s.seal(it)}, nil
}

// startPosition turns a starting position into a record index of sh. SubscribeToShard shares it.
func (s *Server) startPosition(c *call, st *store.Stream, sh *store.Shard, typ, seq string, ts *wire.Timestamp) (uint64, error) {
	switch typ {
	case iterTrimHorizon:
		return sh.Oldest(), nil
	case iterLatest:
		return sh.Next(), nil
	case iterAtTimestamp:
		if ts == nil || ts.IsZero() {
			return 0, errInvalidArgument("Must specify timestampInMillis parameter for iterator of type AT_TIMESTAMP. Current request has no timestamp parameter.")
		}
		if ts.After(c.now) {
			return 0, errInvalidArgument("The timestampInMillis parameter cannot be greater than the currentTimestampInMillis. timestampInMillis: %d, currentTimestampInMillis: %d", ts.UnixMilli(), c.now.UnixMilli())
		}
		return sh.IndexAt(ts.Time), nil
	case iterAtSequence, iterAfterSequence:
		q, ok := parseClientSequence(seq)
		if !ok {
			return 0, errInvalidArgument("StartingSequenceNumber %s used in GetShardIterator on shard %s in stream %s under account %s is invalid.", seq, sh.ID, st.Key.Name, st.Key.Account)
		}
		if q.shardIndex != int64(sh.Index) {
			return 0, errInvalidArgument("Invalid StartingSequenceNumber. It encodes %s, while it was used in a call to a shard with %s", store.ShardID(int(q.shardIndex)), sh.ID)
		}
		own, _ := parseClientSequence(sh.StartSequence)
		parsed, ok := store.ParseSequence(seq)
		if q.version != own.version || q.shardCreated != own.shardCreated || !ok {
			return 0, errInvalidArgument("StartingSequenceNumber %s used in GetShardIterator on shard %s in stream %s under account %s is invalid because it did not come from this stream.", q.shown, sh.ID, st.Key.Name, st.Key.Account)
		}
		pos := parsed.Index
		if typ == iterAfterSequence {
			pos++
		}
		if next := sh.Next(); pos > next {
			pos = next
		}
		if oldest := sh.Oldest(); pos < oldest {
			pos = oldest
		}
		return pos, nil
	}
	return 0, errInvalidArgument("Unknown ShardIteratorType %s", typ)
}

// openIterator checks a shard iterator and finds its stream and shard.
func (s *Server) openIterator(c *call, token string) (iterator, *store.Stream, *store.Shard, error) {
	var it iterator
	if !s.open(token, &it) {
		return it, nil, nil, errInvalidArgument("Invalid ShardIterator.")
	}
	issued := time.UnixMilli(it.Issued)
	if c.now.Sub(issued) > iteratorLifetime {
		return it, nil, nil, errExpiredIterator("Iterator expired. The iterator was created at time %s while right now it is %s which is further in the future than the tolerated delay of %d milliseconds.",
			awsTime(issued), awsTime(c.now), iteratorLifetime.Milliseconds())
	}
	// The service answers for the shard an iterator names: once its stream is gone, the shard
	// does not exist; when a stream of the same name has come back, an iterator of a shard it has
	// again reads that shard, from no further than its end.
	k := store.Key{Account: it.Account, Region: it.Region, Name: it.Stream}
	st := s.store.Get(k)
	if st == nil || s.settle(st, c.now) {
		return it, nil, nil, errShardNotFound(it.Shard, it.Stream, it.Account)
	}
	var gen int64
	var status string
	var sh *store.Shard
	st.View(func() { gen, status, sh = st.Generation, st.Status, st.Shard(it.Shard) })
	if sh == nil || status == store.StatusDeleting {
		return it, nil, nil, errShardNotFound(it.Shard, it.Stream, it.Account)
	}
	if gen != it.Generation {
		it.Generation = gen
		it.Position = min(it.Position, sh.Next())
	}
	return it, st, sh, nil
}

// awsTime formats a time as AWS does in iterator messages: Thu Jan 01 00:00:00 UTC 1970.
func awsTime(t time.Time) string { return t.UTC().Format("Mon Jan 02 15:04:05 MST 2006") }
