// Package aggregation reads and writes the Kinesis Producer Library's aggregated record format, in
// which one Kinesis record carries many user records.
//
// An aggregated record is the 4 magic bytes of Magic, a protobuf (proto2) AggregatedRecord, and
// the 16-byte MD5 digest of the protobuf bytes. The AggregatedRecord holds a table of partition
// keys, a table of explicit hash keys, and the user records, each pointing into the tables by
// index. Aggregator writes the same bytes as the KPL (fields in number order, each key once in
// its table, in order of first use); Deaggregate reads what the KPL, the official
// aws-kinesis-agg libraries and Aggregator write.
//
// Two behaviours of the npm package aws-kinesis-agg differ, and the interop tests pin them: its
// deaggregator reports the first explicit hash key of the table for records that have none, and
// its aggregator lists key tables in JavaScript's Object.keys order, which puts integer-like keys
// ("42") first, so records with such keys read back with the wrong key. The KPL and the KCL do
// neither; this package follows them.
//
// A Kinesis record is routed by one hash key, so only user records bound for the same shard may
// share an aggregate. Choosing those records is the caller's job (package producer does it with
// the stream's shard map); this package knows nothing of shards.
package aggregation
