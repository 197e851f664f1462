/**
 * Replication throughput: records per second through the replica writer (the bundle Lambda runs,
 * when built) into DynamoDB Local, beside the raw conditional-PutItem ceiling of the same DynamoDB
 * Local at the same concurrency, in one run. A second workload has every key written twice per
 * batch (50% duplicate keys) to show what coalescing saves. Reports; never asserts.
 *
 * Standalone: `node dist/bench/replication.js` (after `npm run build`).
 */
import { DynamoDBClient, PutItemCommand } from '@aws-sdk/client-dynamodb';
import { SQSClient } from '@aws-sdk/client-sqs';
import type { DynamoDBRecord } from 'aws-lambda';
import { existsSync } from 'fs';
import { join } from 'path';
import { replicatedWrites } from '../handlers/client';
import type { ReplicateHandlerOptions, ReplicateHandler } from '../handlers/replicate';
import { decodeImage } from '../handlers/common/decode';
import { DEFAULT_ATTRIBUTE_NAMES, newerThanTargetCondition } from '../handlers/lww';
import { createStateTable } from '../test/handlers/support/state-table';
import { dynamoClient, FAKE_CREDENTIALS, startDynamoDbLocal, streamsClient } from '../local/dynamodb-local';
import { createStreamTable, StreamReader, streamEvent } from '../local/stream-reader';

const SOURCE = 'eu-west-1';
const TARGET = 'us-east-1';
/** In-flight PutItems, for the writer (keys per invocation) and for the raw ceiling alike. */
const CONCURRENCY = 16;
const RECORDS = 1000;
const BATCH = 1000;
const REPEATS = 5;

type Loader = (options: ReplicateHandlerOptions) => ReplicateHandler;

/** The bundled writer when `npm run build` made it, else the compiled sources. */
function loadWriter(): { create: Loader; from: string } {
  const bundle = join(__dirname, '..', '..', 'build', 'handlers', 'replicate', 'index.js');
  if (existsSync(bundle)) return { create: require(bundle).createReplicateHandler, from: 'build/handlers/replicate/index.js' };
  return { create: require('../handlers/replicate').createReplicateHandler, from: 'handlers/replicate/index.ts (not bundled)' };
}

async function makeRecords(
  ddb: DynamoDBClient,
  reader: StreamReader,
  table: string,
  keys: number,
  writesPerKey: number,
): Promise<DynamoDBRecord[]> {
  const app = replicatedWrites({ region: SOURCE });
  const payload = 'x'.repeat(200);
  // Each key's writes land next to each other, so every batch holds both writes of its keys.
  for (let k = 0; k < keys; k += CONCURRENCY) {
    await Promise.all(
      Array.from({ length: Math.min(CONCURRENCY, keys - k) }, async (_, i) => {
        for (let w = 0; w < writesPerKey; w++) {
          await ddb.send(
            new PutItemCommand(
              app.put({ TableName: table, Item: { pk: { S: `${table}-${k + i}` }, n: { N: String(w) }, payload: { S: payload } } }),
            ),
          );
        }
      }),
    );
  }
  const records = await reader.readNew();
  // Per-key order is kept; sort by key so duplicates share a batch, as bursts on hot keys do.
  return records.sort((a, b) =>
    a.dynamodb!.Keys!.pk.S! < b.dynamodb!.Keys!.pk.S! ? -1 : a.dynamodb!.Keys!.pk.S! > b.dynamodb!.Keys!.pk.S! ? 1 : 0,
  );
}

async function timeIt(fn: () => Promise<void>): Promise<number> {
  const t = process.hrtime.bigint();
  await fn();
  return Number(process.hrtime.bigint() - t) / 1e6;
}

async function rawCeiling(target: DynamoDBClient, table: string, records: DynamoDBRecord[]): Promise<number> {
  const items = records.map((r) => decodeImage(r.dynamodb!.NewImage, 'NewImage'));
  let next = 0;
  return timeIt(async () => {
    await Promise.all(
      Array.from({ length: CONCURRENCY }, async () => {
        while (next < items.length) {
          const item = items[next++];
          try {
            await target.send(new PutItemCommand({ TableName: table, Item: item, ...newerThanTargetCondition(item._v.S!) }));
          } catch (e) {
            if ((e as Error).name !== 'ConditionalCheckFailedException') throw e;
          }
        }
      }),
    );
  });
}

/** The writer's per-key state table in the source region (one for every run: keys never repeat). */
const STATE_TABLE = 'bench-replication-state';

/** Warm clients shared by every writer built here, as a warm Lambda container keeps its clients. */
let warmClients: ReplicateHandlerOptions['clients'];

async function throughWriter(
  create: Loader,
  endpoints: { source: string; target: string },
  table: string,
  records: DynamoDBRecord[],
): Promise<number> {
  const writer = create({
    clients: warmClients,
    config: {
      sourceRegion: SOURCE,
      sourceEndpoint: endpoints.source,
      targets: [{ region: TARGET, table, endpoint: endpoints.target }],
      failureQueueUrl: 'http://127.0.0.1:9/unused',
      stateTable: STATE_TABLE,
      names: DEFAULT_ATTRIBUTE_NAMES,
      tombstoneTtlSeconds: 604800,
      concurrency: CONCURRENCY,
      maxAttempts: 3,
    },
  });
  return timeIt(async () => {
    for (let i = 0; i < records.length; i += BATCH) {
      const res = await writer(streamEvent(records.slice(i, i + BATCH)));
      if (res.batchItemFailures.length) throw new Error(`writer reported failures: ${JSON.stringify(res.batchItemFailures.slice(0, 3))}`);
    }
  });
}

/**
 * Writes the writer makes in its own region per write made without the helper: a fresh table of
 * plain PutItems, one delivery of their records, every SDK call on the source counted by command.
 */
async function plainWriteCost(
  create: Loader,
  source: DynamoDbLocalLike,
  target: { endpoint: string },
  src: DynamoDBClient,
  dst: DynamoDBClient,
): Promise<Record<string, number>> {
  const table = 'bench-plain';
  const arn = await createStreamTable(src, table);
  await createStreamTable(dst, table);
  for (let k = 0; k < RECORDS; k += CONCURRENCY) {
    await Promise.all(
      Array.from({ length: Math.min(CONCURRENCY, RECORDS - k) }, (_, i) =>
        src.send(new PutItemCommand({ TableName: table, Item: { pk: { S: `plain-${k + i}` }, payload: { S: 'x'.repeat(200) } } })),
      ),
    );
  }
  const records = await new StreamReader(streamsClient(source.endpoint, SOURCE), arn, SOURCE).readNew();
  const calls: Record<string, number> = {};
  const counted = dynamoClient(source.endpoint, SOURCE, { maxAttempts: 3 });
  counted.middlewareStack.add(
    (next, context) => async (args) => {
      calls[context.commandName as string] = (calls[context.commandName as string] ?? 0) + 1;
      return next(args);
    },
    { step: 'initialize', name: 'countCalls' },
  );
  const targetClient = dynamoClient(target.endpoint, TARGET, { maxAttempts: 3 });
  const writer = create({
    clients: {
      dynamo: (t) => (t.endpoint === source.endpoint ? counted : targetClient),
      sqs: () => new SQSClient({ region: SOURCE, credentials: FAKE_CREDENTIALS }),
    },
    config: {
      sourceRegion: SOURCE,
      sourceEndpoint: source.endpoint,
      targets: [{ region: TARGET, table, endpoint: target.endpoint }],
      failureQueueUrl: 'http://127.0.0.1:9/unused',
      stateTable: STATE_TABLE,
      names: DEFAULT_ATTRIBUTE_NAMES,
      tombstoneTtlSeconds: 604800,
      concurrency: CONCURRENCY,
      maxAttempts: 3,
    },
  });
  for (let i = 0; i < records.length; i += 100) {
    const res = await writer(streamEvent(records.slice(i, i + 100)));
    if (res.batchItemFailures.length) throw new Error(`writer reported failures: ${JSON.stringify(res.batchItemFailures.slice(0, 3))}`);
  }
  counted.destroy();
  targetClient.destroy();
  const writes = (calls.UpdateItemCommand ?? 0) + (calls.PutItemCommand ?? 0);
  return {
    plainWrites: records.length,
    batchesOf100: Math.ceil(records.length / 100),
    extraWritesPerPlainWrite: Math.round((writes / records.length) * 1000) / 1000,
    stateReadsPerBatch: Math.round(((calls.BatchGetItemCommand ?? 0) / Math.ceil(records.length / 100)) * 100) / 100,
    ...Object.fromEntries(Object.entries(calls).map(([k, v]) => [`calls.${k}`, v])),
  };
}

type DynamoDbLocalLike = { endpoint: string };

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const perSecond = (n: number, ms: number) => Math.round((n * 1000) / ms);

export async function runReplicationBench(): Promise<object> {
  const saved = { ...process.env };
  Object.assign(process.env, {
    POWERTOOLS_LOG_LEVEL: 'SILENT',
    POWERTOOLS_METRICS_DISABLED: 'true',
    AWS_ACCESS_KEY_ID: FAKE_CREDENTIALS.accessKeyId,
    AWS_SECRET_ACCESS_KEY: FAKE_CREDENTIALS.secretAccessKey,
    AWS_REGION: SOURCE,
  });
  const [source, target] = await Promise.all([startDynamoDbLocal(), startDynamoDbLocal()]);
  try {
    const { create, from } = loadWriter();
    const src = dynamoClient(source.endpoint, SOURCE, { maxAttempts: 3 });
    const dst = dynamoClient(target.endpoint, TARGET, { maxAttempts: 3 });
    const endpoints = { source: source.endpoint, target: target.endpoint };
    // The raw loop reuses one warm client; so does the writer (fresh tables, same connections).
    const writerClients = {
      [source.endpoint]: dynamoClient(source.endpoint, SOURCE, { maxAttempts: 3 }),
      [target.endpoint]: dynamoClient(target.endpoint, TARGET, { maxAttempts: 3 }),
    };
    const sqs = new SQSClient({ region: SOURCE, credentials: FAKE_CREDENTIALS });
    warmClients = { dynamo: (t) => writerClients[t.endpoint!], sqs: () => sqs };
    let tables = 0;
    const freshTarget = async () => {
      const name = `bench-target-${++tables}`;
      await createStreamTable(dst, name);
      return name;
    };
    const workload = async (name: string, keys: number, writesPerKey: number) => {
      const arn = await createStreamTable(src, name);
      return makeRecords(src, new StreamReader(streamsClient(source.endpoint, SOURCE), arn, SOURCE), name, keys, writesPerKey);
    };
    await createStateTable(src, STATE_TABLE);
    const unique = await workload('bench-unique', RECORDS, 1);
    const duplicated = await workload('bench-dup', RECORDS / 2, 2);
    // Warm both paths (JIT in DynamoDB Local and in Node) before measuring.
    await rawCeiling(dst, await freshTarget(), unique.slice(0, 500));
    await throughWriter(create, endpoints, await freshTarget(), unique.slice(0, 500));

    const samples = { raw: [] as number[], writer: [] as number[], rawDup: [] as number[], writerDup: [] as number[] };
    // Pairs run back to back, in alternating order, so load from elsewhere on the machine hits
    // both sides of a pair alike; the share of the ceiling is the median of the pairs' ratios.
    const pair = async (first: 'raw' | 'writer', records: DynamoDBRecord[], raw: number[], writer: number[]) => {
      for (const side of first === 'raw' ? ['raw', 'writer'] : ['writer', 'raw']) {
        if (side === 'raw') raw.push(await rawCeiling(dst, await freshTarget(), records));
        else writer.push(await throughWriter(create, endpoints, await freshTarget(), records));
      }
    };
    for (let i = 0; i < REPEATS; i++) {
      await pair(i % 2 ? 'writer' : 'raw', unique, samples.raw, samples.writer);
      await pair(i % 2 ? 'raw' : 'writer', duplicated, samples.rawDup, samples.writerDup);
    }
    const plain = await plainWriteCost(create, source, target, src, dst);
    src.destroy();
    dst.destroy();
    for (const c of Object.values(writerClients)) c.destroy();
    const raw = perSecond(RECORDS, median(samples.raw));
    const writer = perSecond(RECORDS, median(samples.writer));
    const rawDup = perSecond(RECORDS, median(samples.rawDup));
    const writerDup = perSecond(RECORDS, median(samples.writerDup));
    const share = (rawMs: number[], writerMs: number[]) => Math.round(median(rawMs.map((r, i) => r / writerMs[i])) * 1000) / 1000;
    return {
      writer: from,
      records: RECORDS,
      batchSize: BATCH,
      concurrency: CONCURRENCY,
      repeats: REPEATS,
      uniqueKeys: { rawCeilingRecordsPerSec: raw, writerRecordsPerSec: writer, writerShareOfCeiling: share(samples.raw, samples.writer) },
      duplicateKeys50pct: {
        rawCeilingRecordsPerSec: rawDup,
        writerRecordsPerSec: writerDup,
        writerShareOfCeiling: share(samples.rawDup, samples.writerDup),
        putsPerRecordWriter: 0.5,
        putsPerRecordRaw: 1,
      },
      plainWrites: plain,
      medianMs: {
        raw: median(samples.raw),
        writer: median(samples.writer),
        rawDup: median(samples.rawDup),
        writerDup: median(samples.writerDup),
      },
    };
  } finally {
    await Promise.all([source.stop(), target.stop()]);
    for (const k of Object.keys(process.env)) if (!(k in saved)) delete process.env[k];
    Object.assign(process.env, saved);
  }
}

if (require.main === module) {
  runReplicationBench().then(
    (r) => console.log(JSON.stringify(r, null, 2)),
    (e) => {
      console.error(e);
      process.exit(1);
    },
  );
}
