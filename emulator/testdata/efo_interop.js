// Enhanced fan-out through the AWS SDK for JavaScript v3, which speaks HTTP/2 for every call (h2c
// with prior knowledge on an http:// endpoint). Run by TestInteropJavaScriptEnhancedFanOut with
// NODE_PATH set to tools/node/node_modules and PELICAN_ENDPOINT, PELICAN_STREAM set. It prints one
// JSON document describing what it saw; the Go test checks it.
"use strict";

const {
  KinesisClient,
  ListStreamsCommand,
  DescribeStreamSummaryCommand,
  PutRecordCommand,
  RegisterStreamConsumerCommand,
  DescribeStreamConsumerCommand,
  SubscribeToShardCommand,
  SplitShardCommand,
} = require("@aws-sdk/client-kinesis");
const { NodeHttp2Handler } = require("@smithy/node-http-handler");

const endpoint = process.env.PELICAN_ENDPOINT;
const stream = process.env.PELICAN_STREAM;
const shard = "shardId-000000000000";

const client = new KinesisClient({
  endpoint,
  region: "us-east-1",
  credentials: { accessKeyId: "AKIDJS", secretAccessKey: "secret" },
  maxAttempts: 1,
  // The client's default; named here so that the test cannot pass over HTTP/1.1.
  requestHandler: new NodeHttp2Handler({ disableConcurrentStreams: false }),
});

async function put(data) {
  const out = await client.send(new PutRecordCommand({
    StreamName: stream, PartitionKey: "js", ExplicitHashKey: "0", Data: Buffer.from(data),
  }));
  if (out.ShardId !== shard) throw new Error(`record went to ${out.ShardId}`);
  return out.SequenceNumber;
}

async function main() {
  const result = { puts: [], records: [], events: 0 };
  const list = await client.send(new ListStreamsCommand({}));
  result.streams = list.StreamNames;
  const summary = await client.send(new DescribeStreamSummaryCommand({ StreamName: stream }));
  const streamARN = summary.StreamDescriptionSummary.StreamARN;

  const reg = await client.send(new RegisterStreamConsumerCommand({ StreamARN: streamARN, ConsumerName: "js-consumer" }));
  const consumerARN = reg.Consumer.ConsumerARN;
  result.consumerARN = consumerARN;
  for (let i = 0; ; i++) {
    const d = await client.send(new DescribeStreamConsumerCommand({ ConsumerARN: consumerARN }));
    if (d.ConsumerDescription.ConsumerStatus === "ACTIVE") break;
    if (i > 100) throw new Error("consumer never became ACTIVE");
    await new Promise((r) => setTimeout(r, 50));
  }

  for (const d of ["js-0", "js-1", "js-2"]) result.puts.push(await put(d));

  const sub = await client.send(new SubscribeToShardCommand({
    ConsumerARN: consumerARN, ShardId: shard, StartingPosition: { Type: "TRIM_HORIZON" },
  }));
  let wroteMore = false;
  let split = false;
  for await (const event of sub.EventStream) {
    const ev = event.SubscribeToShardEvent;
    if (!ev) throw new Error(`unexpected event ${JSON.stringify(Object.keys(event))}`);
    result.events++;
    for (const r of ev.Records) {
      result.records.push({
        SequenceNumber: r.SequenceNumber,
        PartitionKey: r.PartitionKey,
        Data: Buffer.from(r.Data).toString("utf8"),
        Arrival: r.ApproximateArrivalTimestamp instanceof Date ? r.ApproximateArrivalTimestamp.getTime() : null,
      });
    }
    if (ev.ChildShards && ev.ChildShards.length > 0) {
      result.childShards = ev.ChildShards.map((c) => ({ ShardId: c.ShardId, ParentShards: c.ParentShards }));
      result.endContinuation = ev.ContinuationSequenceNumber === undefined ? null : ev.ContinuationSequenceNumber;
      continue;
    }
    result.lastContinuation = ev.ContinuationSequenceNumber;
    if (result.records.length === 3 && !wroteMore) {
      wroteMore = true;
      for (const d of ["js-3", "js-4"]) result.puts.push(await put(d));
    }
    if (result.records.length === 5 && !split) {
      split = true;
      await client.send(new SplitShardCommand({
        StreamName: stream, ShardToSplit: shard, NewStartingHashKey: "170141183460469231731687303715884105728",
      }));
    }
  }
  result.ended = true;
  client.destroy();
  process.stdout.write(JSON.stringify(result) + "\n");
}

main().catch((err) => {
  process.stderr.write(`${err.name}: ${err.message}\n${err.stack}\n`);
  process.exit(1);
});
