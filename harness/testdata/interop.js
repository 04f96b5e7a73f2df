// Writes records to a stream with the AWS SDK for JavaScript v3 (HTTP/2) and the official
// aws-kinesis-agg aggregator, then reads them back and deaggregates them with aws-kinesis-agg.
// Run by TestInteropRecordMatchesTheOfficialDeaggregator with NODE_PATH set to
// tools/node/node_modules and PELICAN_ENDPOINT, PELICAN_STREAM set. It prints one JSON array:
// the user records as the official library reads them.
"use strict";

const {
  KinesisClient,
  PutRecordCommand,
  PutRecordsCommand,
  ListShardsCommand,
  GetShardIteratorCommand,
  GetRecordsCommand,
} = require("@aws-sdk/client-kinesis");
const agg = require("aws-kinesis-agg");

const endpoint = process.env.PELICAN_ENDPOINT;
const stream = process.env.PELICAN_STREAM;

const client = new KinesisClient({
  endpoint,
  region: "us-east-1",
  credentials: { accessKeyId: "AKIDJS", secretAccessKey: "secret" },
  maxAttempts: 1,
});

async function write() {
  await client.send(new PutRecordsCommand({
    StreamName: stream,
    Records: ["alpha", "bravo", "charlie", "delta"].map((k) => ({ PartitionKey: k, Data: Buffer.from("plain " + k) })),
  }));
  for (const n of [3, 5]) {
    const ra = new agg.RecordAggregator();
    for (let i = 0; i < n; i++) {
      ra.addUserRecord({ partitionKey: `user-${n}-${i}`, data: Buffer.from(`aggregated ${n}/${i} \u00e9\u2603`) });
    }
    const enc = ra.build();
    await client.send(new PutRecordCommand({
      StreamName: stream, PartitionKey: enc.partitionKey, ExplicitHashKey: enc.ExplicitHashKey, Data: enc.data,
    }));
  }
}

function deaggregate(record) {
  return new Promise((resolve, reject) => {
    const kinesisRecord = {
      data: Buffer.from(record.Data).toString("base64"),
      partitionKey: record.PartitionKey,
      sequenceNumber: record.SequenceNumber,
    };
    agg.deaggregateSync(kinesisRecord, true, (err, recs) => (err ? reject(err) : resolve(recs)));
  });
}

async function read() {
  const out = [];
  const shards = await client.send(new ListShardsCommand({ StreamName: stream }));
  for (const shard of shards.Shards) {
    const it = await client.send(new GetShardIteratorCommand({
      StreamName: stream, ShardId: shard.ShardId, ShardIteratorType: "TRIM_HORIZON",
    }));
    const page = await client.send(new GetRecordsCommand({ ShardIterator: it.ShardIterator }));
    for (const r of page.Records) {
      for (const u of await deaggregate(r)) {
        out.push({
          shardId: shard.ShardId,
          sequenceNumber: r.SequenceNumber,
          subSequenceNumber: u.subSequenceNumber === undefined ? null : u.subSequenceNumber,
          partitionKey: u.partitionKey,
          data: u.data,
          arrivedAt: r.ApproximateArrivalTimestamp.toISOString(),
        });
      }
    }
  }
  return out;
}

write().then(read).then((out) => process.stdout.write(JSON.stringify(out))).catch((err) => {
  console.error(err);
  process.exit(1);
});
