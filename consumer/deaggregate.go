package consumer

import (
	"bytes"
	"crypto/md5"
	"log/slog"
	"math/big"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/kinesis/types"

	"github.com/pelicanhq/pelican/aggregation"
	"github.com/pelicanhq/pelican/consumer/lease"
)

// userRecords turns Kinesis records into user records, deaggregating KPL aggregates, and drops
// the user records at or before the checkpoint from (a read restarted at the checkpoint's
// sequence number sees them again). An aggregate whose prefix and digest match but whose body
// does not decode is delivered whole as a plain record rather than dropped. User records of an
// aggregate whose hash key lies outside the shard's range are dropped, as the KCL does: after a
// reshard a producer sends those again to the right shard, so delivering them here too would
// duplicate them.
func userRecords(shardID string, recs []types.Record, from lease.Checkpoint, keys hashRange, log *slog.Logger) []Record {
	out := make([]Record, 0, len(recs))
	for _, r := range recs {
		seq := aws.ToString(r.SequenceNumber)
		base := Record{
			ShardID:                     shardID,
			SequenceNumber:              seq,
			PartitionKey:                aws.ToString(r.PartitionKey),
			Data:                        r.Data,
			ApproximateArrivalTimestamp: aws.ToTime(r.ApproximateArrivalTimestamp),
		}
		subs, aggregated, err := aggregation.Deaggregate(r.Data)
		if err != nil {
			log.Warn("aggregated record does not decode; delivered as a plain record", "shard", shardID, "sequence", seq, "err", err)
			aggregated = false
		}
		if !aggregated {
			if after(seq, 0, from) {
				out = append(out, base)
			}
			continue
		}
		for i, u := range subs {
			if !after(seq, int64(i), from) {
				continue
			}
			if !keys.holds(u.PartitionKey, u.ExplicitHashKey) {
				log.Debug("user record outside the shard's hash key range; skipped", "shard", shardID, "sequence", seq, "subsequence", i)
				continue
			}
			rec := base
			rec.SubSequenceNumber = int64(i)
			rec.Aggregated = true
			rec.PartitionKey = u.PartitionKey
			rec.ExplicitHashKey = u.ExplicitHashKey
			rec.Data = u.Data
			out = append(out, rec)
		}
	}
	return out
}

// hashRange is a shard's range of hash keys as 16-byte big-endian numbers; the zero value holds
// every key.
type hashRange struct {
	known     bool
	low, high [16]byte
}

// newHashRange reads a shard's decimal hash key range; a range that does not parse holds every key.
func newHashRange(start, end string) hashRange {
	lo, ok1 := new(big.Int).SetString(start, 10)
	hi, ok2 := new(big.Int).SetString(end, 10)
	if !ok1 || !ok2 || lo.Sign() < 0 || hi.BitLen() > 128 || lo.Cmp(hi) > 0 {
		return hashRange{}
	}
	r := hashRange{known: true}
	lo.FillBytes(r.low[:])
	hi.FillBytes(r.high[:])
	return r
}

// holds reports whether a user record's hash key (its explicit hash key, or the MD5 of its
// partition key) is in the range.
func (r hashRange) holds(partitionKey, explicitHashKey string) bool {
	if !r.known {
		return true
	}
	var k [16]byte
	if explicitHashKey != "" {
		n, ok := new(big.Int).SetString(explicitHashKey, 10)
		if !ok || n.Sign() < 0 || n.BitLen() > 128 {
			return true // not ours to judge; deliver it
		}
		n.FillBytes(k[:])
	} else {
		k = md5.Sum([]byte(partitionKey))
	}
	return bytes.Compare(k[:], r.low[:]) >= 0 && bytes.Compare(k[:], r.high[:]) <= 0
}
