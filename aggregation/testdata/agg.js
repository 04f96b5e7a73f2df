// Drives the official aws-kinesis-agg package for the interop test: reads a JSON request on stdin,
// aggregates each list of user records with RecordAggregator, deaggregates each given Kinesis
// record with checksums on, and writes the results as JSON on stdout. Binary fields are base64.
const agg = require('aws-kinesis-agg');

let input = '';
process.stdin.setEncoding('utf8');
process.stdin.on('data', (chunk) => { input += chunk; });
process.stdin.on('end', () => {
  const req = JSON.parse(input);
  const out = { aggregated: [], deaggregated: [] };
  for (const recs of req.aggregate || []) {
    const ra = new agg.RecordAggregator();
    for (const r of recs) {
      const rec = { partitionKey: r.partitionKey, data: Buffer.from(r.data, 'base64') };
      if (r.explicitHashKey) rec.explicitHashKey = r.explicitHashKey;
      ra.addUserRecord(rec);
    }
    const enc = ra.build();
    out.aggregated.push({
      partitionKey: enc.partitionKey,
      explicitHashKey: enc.ExplicitHashKey || '',
      data: enc.data.toString('base64'),
    });
  }
  for (const data of req.deaggregate || []) {
    const kinesisRecord = { data, partitionKey: 'outer', sequenceNumber: '1' };
    agg.deaggregateSync(kinesisRecord, true, (err, recs) => {
      if (err) throw err;
      out.deaggregated.push(recs.map((u) => ({
        partitionKey: u.partitionKey,
        explicitHashKey: u.explicitPartitionKey === undefined ? null : String(u.explicitPartitionKey),
        subSequenceNumber: u.subSequenceNumber === undefined ? null : u.subSequenceNumber,
        data: u.data,
      })));
    });
  }
  process.stdout.write(JSON.stringify(out));
});
