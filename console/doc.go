// Package console is a web console for Kinesis data streams: the streams and their shards, the
// shard map and its lineage of splits and merges, per-shard rates and throttles (from the
// emulator's admin endpoints), a records browser that shows every record decoded (Pelican
// envelopes as typed events with the team's .proto files, KPL aggregates expanded, JSON, text
// or a hex dump), a live tail, a publish form, enhanced fan-out consumers and lease-table lag,
// the emulator's faults, and export of a view as a fixture file.
//
// A Console is an http.Handler serving server-rendered pages under a prefix
// (/_pelican/console/ by default). It speaks to Kinesis only through the aws-sdk-go-v2 client it
// is given, so it works against the emulator and against Amazon Kinesis alike; emulator-only
// views use the emulator's documented admin HTTP endpoints. Every asset is embedded; pages work
// without JavaScript except the live tail, which uses server-sent events and a few lines of
// script. A Console made WithReadOnly never writes.
package console
