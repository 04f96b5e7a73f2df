package consumer

import (
	"log/slog"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/kinesis/types"

	"github.com/pelicanhq/pelican/aggregation"
	"github.com/pelicanhq/pelican/consumer/lease"
)

// userRecords turns Kinesis records into user records, deaggregating KPL aggregates, and drops
// the user records at or before the checkpoint from (a read restarted at the checkpoint's
// sequence number sees them again). An aggregate whose prefix and digest match but whose body
// does not decode is delivered whole as a plain record rather than dropped.
func userRecords(shardID string, recs []types.Record, from lease.Checkpoint, log *slog.Logger) []Record {
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
