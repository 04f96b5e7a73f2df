// Package harness records the events of a Kinesis data stream into fixture files and replays
// them: into a subscriber's handlers inside go test, on virtual time, or onto a stream again.
//
// A fixture is a JSON Lines file (docs/fixtures.md is its specification): a header line with the
// format version, then one line per user record with its stream, shard, sequence number,
// partition key, arrival time and data, and, when the data is a Pelican envelope of a known type,
// the event decoded as protojson. Fields come in a fixed order and event keys are sorted, so a
// fixture diffs well in review.
//
// Record taps a stream with its own GetShardIterator and GetRecords calls: it takes no lease
// and writes no checkpoint, so the stream's consumers do not notice it. It reads parents before
// children across resharding, deaggregates KPL records (keeping their sub-sequence numbers),
// keeps to five GetRecords calls a second per shard, and can filter by event type, transform
// events and redact chosen fields while it records.
//
// Replay feeds a fixture to a Subscriber (any Deliverer) in order, per shard and so per key,
// without sleeping: the handlers see the recorded arrival and occurred-at times through
// pelican.MetadataFromContext, and a Clock given WithClock follows the recorded arrival times,
// so a day of traffic replays at once. Effects and Golden turn what the handlers did into golden
// files, rewritten with go test -update.
//
//	sub := pelican.NewSubscriber()
//	fx := harness.NewEffects()
//	pelican.Handle(sub, func(ctx context.Context, e *clockv1.TimeTicked) error {
//		fx.Add(e.GetClockId(), "cuckoo x%d", e.GetHour()%12)
//		return nil
//	})
//	harness.Replay(t, "fixtures/clock.jsonl", sub)
//	harness.Golden(t, "testdata/clock.golden", fx.Bytes())
//
// Republish puts a fixture's records on a stream again with their original partition keys, as
// fast as possible or at the recorded pacing scaled by WithSpeed. Check holds fixtures against
// the current schemas: every event must still decode, and fields that are unknown, gone or
// retyped are reported as findings, which ties the contract checks to real traffic.
package harness
