// Package emulator is a Kinesis Data Streams API server that unchanged AWS SDKs and the AWS CLI can
// use: AWS JSON 1.1 and CBOR, SigV4, sharding by MD5 of the partition key, sequence numbers shaped
// like AWS's, shard iterators, resharding, retention, throughput limits, fault injection, enhanced
// fan-out, and optional persistence.
//
// It runs in-process inside tests, like httptest or miniredis:
//
//	srv := emulator.RunT(t)            // 127.0.0.1 on a free port, closed by t.Cleanup
//	cfg.BaseEndpoint = aws.String(srv.URL())
//
// or standalone as `pelican emulator`. The layers are kept apart: internal/wire turns bytes into
// typed requests, the operation files of this package (streams.go, shards.go, records.go, ...)
// validate and decide, and internal/store keeps the state.
//
// Records are kept in pointer-free blocks over append-only byte chunks, so that neither appending
// nor the garbage collector walks what is stored. Every minute on the server's clock a sweep trims
// what retention has passed, whether or not anyone reads, and with WithDataDir compacts a record
// log once trimmed records are most of it. A data directory serves one server at a time.
package emulator
