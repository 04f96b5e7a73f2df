package producer

import (
	"context"
	"fmt"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/kinesis"
	"github.com/aws/aws-sdk-go-v2/service/kinesis/types"
)

// unverified is an aggregate that a shard other than the predicted one acknowledged. Which of
// its user records belong there is known once the shard map is read again.
type unverified struct {
	e       *entry
	shardID string
	seq     string
}

// send makes one PutRecords call and settles its records.
func (p *Producer) send(req *request) {
	defer p.wg.Done()
	in := &kinesis.PutRecordsInput{Records: make([]types.PutRecordsRequestEntry, len(req.entries))}
	p.stream.setPut(in)
	for i, e := range req.entries {
		out := &in.Records[i]
		if e.agg != nil {
			// Encoded here, not under the lock: the MD5 of a 1 MiB aggregate takes a while.
			out.Data = e.agg.Bytes()
			out.PartitionKey = aws.String(aggregatePartitionKey)
			out.ExplicitHashKey = aws.String(e.recs[0].hash.String())
			e.agg.Reset()
			p.aggs.Put(e.agg)
			e.agg = nil
			continue
		}
		r := e.recs[0]
		out.Data = r.data
		if out.Data == nil {
			out.Data = []byte{} // the API takes empty data, but not a missing member
		}
		out.PartitionKey = aws.String(r.pk)
		if r.ehk != "" {
			out.ExplicitHashKey = aws.String(r.ehk)
		}
	}
	ctx, cancel := context.WithTimeout(p.runCtx, p.cfg.requestTimeout)
	start := time.Now()
	out, err := p.client.PutRecords(ctx, in, oneAttempt)
	took := time.Since(start)
	cancel()
	p.complete(req, out, err, took)
}

// complete settles every record of a finished call: written, retried or failed.
func (p *Producer) complete(req *request, out *kinesis.PutRecordsOutput, err error, took time.Duration) {
	ev := &events{}
	stats := RequestStats{KinesisRecords: len(req.entries), UserRecords: req.users, Bytes: req.bytes, Duration: took}
	p.mu.Lock()
	delete(p.inFlight, req)
	if p.aborted {
		p.mu.Unlock()
		return
	}
	now := time.Now()
	switch {
	case err != nil:
		f := classifyCall(err)
		stats.ErrorCode = f.code
		stats.FailedRecords = len(req.entries)
		for _, e := range req.entries {
			p.settleFailed(e, f, now, ev)
		}
		p.log.Debug("PutRecords failed", "code", f.code, "retryable", f.retryable, "ambiguous", f.ambiguous, "err", err)
	case out == nil || len(out.Records) != len(req.entries):
		// The answer cannot be matched to the records: try them again, as possibly written.
		f := failure{code: "RecordCountMismatch", retryable: true, ambiguous: true,
			err: fmt.Errorf("producer: PutRecords answer does not match its %d entries", len(req.entries))}
		stats.ErrorCode = f.code
		for _, e := range req.entries {
			p.settleFailed(e, f, now, ev)
		}
		p.log.Warn("PutRecords answer does not match the request", "sent", len(req.entries))
	default:
		for i, e := range req.entries {
			res := out.Records[i]
			if code := aws.ToString(res.ErrorCode); code != "" {
				stats.FailedRecords++
				p.settleFailed(e, classifyEntry(code, aws.ToString(res.ErrorMessage)), now, ev)
				continue
			}
			p.delivered(e, aws.ToString(res.ShardId), aws.ToString(res.SequenceNumber), now, ev)
		}
	}
	ev.request = &stats
	p.mu.Unlock()
	p.signal()
	p.emit(ev)
}

// delivered settles an entry that a shard acknowledged.
func (p *Producer) delivered(e *entry, shardID, seq string, now time.Time, ev *events) {
	if shardID != e.lane.shard.id && !p.serviceRouted {
		if e.gen == p.mapGen {
			p.mismatch = true
		}
		p.markStale("a record landed on another shard than predicted", shardID, e.lane.shard.id)
		if e.aggregated() {
			// The aggregate went where its first record's hash key points. Unless the shard it
			// reached is known to own every record's key, wait for the new map to tell.
			sh, ok := p.smap.byID[shardID]
			if !ok || !sh.open || !containsAll(sh, e.recs) {
				p.unverified = append(p.unverified, &unverified{e: e, shardID: shardID, seq: seq})
				return
			}
		}
	}
	p.succeed(e, e.recs, shardID, seq, now, ev)
	for _, k := range e.keys {
		p.release(k)
	}
}

func containsAll(sh shard, recs []*Result) bool {
	for _, r := range recs {
		if !sh.contains(r.hash) {
			return false
		}
	}
	return true
}

// succeed marks recs, user records of entry e, written.
func (p *Producer) succeed(e *entry, recs []*Result, shardID, seq string, now time.Time, ev *events) {
	bytes := 0
	oldest := now
	for _, r := range recs {
		r.shardID, r.seqNumber = shardID, seq
		r.aggregated = e.aggregated()
		if !r.aggregated {
			r.subSeq = 0
		}
		bytes += len(r.data)
		if r.accepted.Before(oldest) {
			oldest = r.accepted
		}
		p.finish(r, nil, ev)
	}
	ev.count(countSent, shardID, len(recs), bytes)
	if len(recs) > 0 {
		ev.latencies = append(ev.latencies, now.Sub(oldest))
	}
}

// settleFailed retries or fails the records of an entry that was not written (or may not have
// been: f.ambiguous).
func (p *Producer) settleFailed(e *entry, f failure, now time.Time, ev *events) {
	if f.throttled {
		e.lane.bucket.drain(now)
		ev.count(countThrottled, e.lane.shard.id, 1, 0)
	}
	for _, r := range e.recs {
		r.lastErr = f.err
		if f.ambiguous {
			r.ambiguous = true
		}
	}
	if !f.retryable {
		for _, r := range e.recs {
			p.finish(r, f.err, ev)
		}
		ev.count(countFailed, f.code, len(e.recs), 0)
		p.log.Warn("records failed", "code", f.code, "records", len(e.recs), "err", f.err)
		for _, k := range e.keys {
			p.release(k)
		}
		return
	}
	p.retry(e.recs, e.keys, f.code, now, ev, true)
}

// retry puts records back in front of their keys, which wait out a backoff when backoff is set
// and are ready at once otherwise. Records past their deadline fail instead.
func (p *Producer) retry(recs []*Result, keys []*keyQueue, code string, now time.Time, ev *events, backoff bool) {
	byKey := make(map[*keyQueue][]*Result, len(keys))
	retried, expired := 0, 0
	for _, r := range recs {
		if expiredAt(r, now) {
			p.finish(r, expiredError(r), ev)
			expired++
			continue
		}
		k := p.keys[keyID{r.pk, r.ehk}]
		byKey[k] = append(byKey[k], r)
		retried++
	}
	ev.count(countRetried, code, retried, 0)
	ev.count(countFailed, "Expired", expired, 0)
	for _, k := range keys {
		rs := byKey[k]
		if len(rs) == 0 {
			p.release(k)
			continue
		}
		k.requeue(rs)
		if backoff {
			p.backoffKey(k, now.Add(p.backoffDelay(rs[0].attempts)))
		} else {
			p.release(k)
		}
	}
}

func expiredError(r *Result) error {
	if r.lastErr != nil {
		return fmt.Errorf("%w after %d attempts: %w", ErrExpired, r.attempts, r.lastErr)
	}
	return fmt.Errorf("%w after %d attempts", ErrExpired, r.attempts)
}
