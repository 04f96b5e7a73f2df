// Package shardlist lists a Kinesis stream's shards and walks their lineage, for every client in
// the module that reads or routes by shard: the consumer, the producer, the harness's recorder and
// pelicantest.
//
// List follows ListShards's NextToken (the SDK has no paginator for it); Parents, Closed and
// ParentsFirst read the lineage that resharding leaves behind, so that a reader can take a
// parent's records before its children's.
package shardlist
