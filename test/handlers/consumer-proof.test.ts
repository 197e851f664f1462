/**
 * The consumer toolkit's delivery proof on real local servers: windows on DynamoDB Local's stream,
 * and per-change and windowed consumers on kinesis-local, fed by the bridge (the DynamoDB
 * streaming destination, test/support/kinesis-bridge.ts) injecting what AWS documents for Kinesis:
 * every pump shuffled, every third change put twice, changes held back to a later pump. Crashes
 * mid-batch (every DynamoDB call fails from a random one on) and mid-window (before a flush
 * commits; and results lost after it committed), batches given up after their retries and sent
 * again by a redrive, then everything sent again once more.
 *
 * Oracle: the workload's model (test/handlers/support/consumer-proof.ts), never the toolkit: each
 * change applied exactly once to the sink (counted), per-key sums and counts equal to the model,
 * and the number of downstream writes of the windowed consumer.
 *
 * FAKES, said plainly: Lambda's tumbling-window protocol (state, window, isFinalInvokeForWindow)
 * and the redrive (the given-up batches re-sent as the redrive reads them back: the same records)
 * have no local counterpart; the Kinesis mapping is test/support/kinesis-reader.ts's
 * deliverInBatches. The DynamoDB stream per-change proof is in consumer-toolkit.test.ts.
 */
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { KinesisStreamRecord } from 'aws-lambda';
import { DynamoDbLocal, dynamoClient, startDynamoDbLocal, streamsClient } from '../../local/dynamodb-local';
import { createStreamTable, createTable, StreamReader } from '../../local/stream-reader';
import { BridgedChange, DynamoDbToKinesisBridge, duplicated, inOrder, seededRandom, shuffled } from '../support/kinesis-bridge';
import { createKinesisStream, KinesisLocal, startKinesisLocal } from '../support/kinesis-local';
import { deliverInBatches, GivenUpBatch, KinesisChangeFeed, KinesisShardReader } from '../support/kinesis-reader';
import { IDEMPOTENCY_ACTIONS, WINDOW_MARKER_ACTIONS } from '../../modules/internal/idempotency-table';
import { Crash, deliverWindow, Model, readSink, sinkHandler, WindowRun, windowSink, writeWorkload } from './support/consumer-proof';

const REGION = 'eu-west-1';
let db: DynamoDbLocal;
let kinesisLocal: KinesisLocal;
let ddb: DynamoDBClient;
let n = 0;

beforeAll(async () => {
  [db, kinesisLocal] = await Promise.all([startDynamoDbLocal(), startKinesisLocal()]);
  ddb = dynamoClient(db.endpoint, REGION);
}, 180_000);
afterAll(async () => {
  ddb?.destroy();
  await Promise.all([db?.stop(), kinesisLocal?.stop()]);
});

/** A source table with its stream, a sink and an idempotency table; with `kinesis`, a 2-shard Kinesis stream bridged from it. */
async function fixture(inject?: (c: BridgedChange[]) => BridgedChange[]) {
  const i = ++n;
  const source = `orders${i}`;
  const tableStreamArn = await createStreamTable(ddb, source);
  await createTable(ddb, `sink${i}`);
  await createTable(ddb, `idem${i}`, { partitionKey: 'id' });
  const kinesis = kinesisLocal.client(REGION);
  const streamArn = await createKinesisStream(kinesis, `changes${i}`, 2);
  let last = Date.now();
  const bridge = new DynamoDbToKinesisBridge({
    streams: streamsClient(db.endpoint, REGION),
    tableStreamArn,
    tableName: source,
    region: REGION,
    kinesis,
    kinesisStreamName: `changes${i}`,
    // DynamoDB Local's creation times are whole seconds: the bridge reads in stream order, so a
    // strictly increasing clock keeps every item's changes in their real order.
    creationTimeMs: () => (last += 1 + (i % 3)),
    inject,
  });
  const feed = new KinesisChangeFeed(bridge, new KinesisShardReader(kinesis, streamArn, REGION));
  return { source, sink: `sink${i}`, idem: `idem${i}`, tableStreamArn, streamArn, feed };
}

const total = (m: Model) => Object.values(m).reduce((a, x) => a + x.changes, 0);
/** The IAM actions of the calls recorded on `table` (a transaction's Put is authorised as PutItem, and names no table of its own). */
const actionsOn = (calls: string[], table: string) =>
  [...new Set(calls.filter((c) => c.endsWith(` ${table}`)).map((c) => `dynamodb:${c.split(' ')[0].replace(/Command$/, '')}`))].sort();
const byShard = (records: KinesisStreamRecord[]) => {
  const shards = new Map<string, KinesisStreamRecord[]>();
  for (const r of records) shards.set(r.eventID.split(':')[0], [...(shards.get(r.eventID.split(':')[0]) ?? []), r]);
  return shards;
};

/** Injection: each change held back, with probability 1/4, to the next pump; a pump with nothing new releases all. */
function heldBack(random: () => number) {
  let waiting: BridgedChange[] = [];
  const stats = { held: 0 };
  const inject = (changes: BridgedChange[]) => {
    const released = waiting;
    waiting = [];
    if (changes.length === 0) return released;
    const now: BridgedChange[] = [];
    for (const c of changes) {
      if (random() < 0.25) {
        waiting.push(c);
        stats.held++;
      } else now.push(c);
    }
    return [...released, ...now];
  };
  return { inject, stats, holding: () => waiting.length > 0 };
}

test('GIVEN Kinesis changes shuffled, duplicated and held back, crashes mid-batch, batches given up and redriven WHEN the sink is read THEN each change was applied exactly once AND the per-key sums equal the model', async () => {
  const random = seededRandom(1919);
  const hold = heldBack(random);
  const t = await fixture(inOrder(shuffled(19), duplicated(3), hold.inject));
  const crash = new Crash();
  const handler = sinkHandler(crash.client(ddb), t.sink, t.idem);
  const givenUp: GivenUpBatch[] = [];
  let crashes = 0;
  let delivered = 0;
  const invoke = async (event: { Records: KinesisStreamRecord[] }) => {
    delivered += event.Records.length;
    if (random() < 0.35) crash.arm(Math.floor(random() * event.Records.length * 3));
    try {
      return await handler(event);
    } catch (e) {
      crashes++;
      throw e;
    } finally {
      crash.disarm();
    }
  };
  const model: Model = {};
  const all: KinesisStreamRecord[] = [];
  // Four rounds of writes, each bridged and delivered; then pumps until nothing is held.
  for (let round = 0; round < 6; round++) {
    if (round < 4) await writeWorkload(ddb, t.source, random, { writes: 25, keys: 7, model });
    const read = await t.feed.readNew();
    all.push(...read);
    for (const records of byShard(read).values())
      await deliverInBatches(records, invoke, { batchSize: 6, retryAttempts: 1, onGiveUp: (b) => void givenUp.push(b) });
  }
  expect(hold.holding()).toBe(false);
  // The redrive: each given-up batch's records, read back as they were, sent to the function again.
  for (const b of givenUp) expect((await handler({ Records: b.records })).batchItemFailures).toEqual([]);
  // And every record once more (a redrive of everything), in one go.
  expect((await handler({ Records: all })).batchItemFailures).toEqual([]);
  const put = (t.feed.bridge as DynamoDbToKinesisBridge).put;
  expect(all.length).toBe(put.length);
  expect(delivered).toBeGreaterThanOrEqual(all.length);

  console.log(JSON.stringify({ changes: total(model), put: put.length, held: hold.stats.held, crashes, givenUp: givenUp.length }));
  expect([crashes > 0, givenUp.length > 0, hold.stats.held > 0, put.length > total(model)]).toEqual([true, true, true, true]);
  const sink = await readSink(ddb, t.sink);
  expect(sink.applied.length).toBe(total(model));
  expect(sink.applied.filter((x) => x !== 1)).toEqual([]);
  expect(sink.perKey).toEqual(model);
}, 300_000);

test('GIVEN 1,000 changes in two tumbling windows on the DynamoDB stream, crashes before flushes commit and results lost after WHEN aggregated THEN the sink holds the model AND it took at most 1% of the writes per-change processing makes', async () => {
  const t = await fixture();
  const model = await writeWorkload(ddb, t.source, seededRandom(7), { writes: 1100, keys: 20 });
  const records = await new StreamReader(streamsClient(db.endpoint, REGION), t.tableStreamArn, REGION).readNew();
  expect(records.length).toBe(total(model));
  expect(records.length).toBeGreaterThanOrEqual(1000);
  const random = seededRandom(8);
  const recorder = new Crash(); // never armed: it records the calls
  const sink = windowSink(recorder.client(ddb), t.sink, t.idem, 300);
  // The first attempt of every flushing invocation dies before its commit.
  let flushAttempt = 0;
  sink.counters.crashBeforeCommit = () => ++flushAttempt % 2 === 1;
  const run: WindowRun = { invocations: 0, crashes: 0, lostResults: 0 };
  const half = Math.ceil(records.length / 2);
  for (const [w, part] of [records.slice(0, half), records.slice(half)].entries()) {
    const window = { start: `2026-12-06T00:0${w}:00Z`, end: `2026-12-06T00:0${w + 1}:00Z` };
    const o = { window, shardId: 'shardId-1', eventSourceARN: t.tableStreamArn, batchSize: 100, loseResult: () => random() < 0.2 };
    await deliverWindow(sink.handler, part, o, run);
  }
  console.log(JSON.stringify({ changes: records.length, downstreamWrites: sink.counters.writes, ...run }));
  expect([run.crashes > 0, run.lostResults > 0]).toEqual([true, true]);
  expect((await readSink(ddb, t.sink)).perKey).toEqual(model);
  // Per-change processing writes once per change.
  expect(sink.counters.writes).toBeLessThanOrEqual(records.length / 100);
  // A DynamoDB stream has no duplicates across windows: no markers, exactly what StreamConsumer grants without them.
  expect(actionsOn(recorder.calls, t.idem)).toEqual([...IDEMPOTENCY_ACTIONS].sort());
}, 300_000);

test('GIVEN Kinesis changes shuffled, duplicated and held back over tumbling windows on two shards, with crashes mid-window and lost results WHEN aggregated THEN the sink holds the model, each duplicate folded once', async () => {
  const random = seededRandom(2026);
  const hold = heldBack(random);
  const t = await fixture(inOrder(shuffled(26), duplicated(3), hold.inject));
  const recorder = new Crash(); // never armed: it records the calls
  const sink = windowSink(recorder.client(ddb), t.sink, t.idem, 40);
  sink.counters.crashBeforeCommit = () => random() < 0.3;
  const run: WindowRun = { invocations: 0, crashes: 0, lostResults: 0 };
  const model: Model = {};
  // Two windows; each takes what Kinesis has after three rounds of writes, and closes when
  // nothing is held back (a change still held when its window closes arrives in the next).
  for (let w = 0; w < 2; w++) {
    const arrived: KinesisStreamRecord[] = [];
    for (let round = 0; round < 3; round++) {
      await writeWorkload(ddb, t.source, random, { writes: 30, keys: 9, model });
      arrived.push(...(await t.feed.readNew()));
    }
    while (hold.holding()) arrived.push(...(await t.feed.readNew()));
    const window = { start: `2026-12-06T01:0${w}:00Z`, end: `2026-12-06T01:0${w + 1}:00Z` };
    for (const [shardId, records] of byShard(arrived)) {
      const o = { window, shardId, eventSourceARN: t.streamArn, batchSize: 25, loseResult: () => random() < 0.2 };
      await deliverWindow(sink.handler, records, o, run);
    }
  }
  const put = (t.feed.bridge as DynamoDbToKinesisBridge).put;
  console.log(
    JSON.stringify({ changes: total(model), put: put.length, held: hold.stats.held, downstreamWrites: sink.counters.writes, ...run }),
  );
  expect([run.crashes > 0, run.lostResults > 0, hold.stats.held > 0, put.length > total(model)]).toEqual([true, true, true, true]);
  expect((await readSink(ddb, t.sink)).perKey).toEqual(model);
  // Exactly the calls StreamConsumer grants a windowed Kinesis consumer on its idempotency table.
  expect(actionsOn(recorder.calls, t.idem)).toEqual([...IDEMPOTENCY_ACTIONS, ...WINDOW_MARKER_ACTIONS].sort());
}, 300_000);

/** Injection: every `every`-th change is put again at the next pump (a duplicate that arrives later than its original). */
function lateDuplicates(every: number) {
  let stash: BridgedChange[] = [];
  const stats = { late: 0 };
  const inject = (changes: BridgedChange[]) => {
    const late = stash;
    stash = changes.filter((_, i) => (i + 1) % every === 0);
    stats.late += late.length;
    return [...changes, ...late];
  };
  return { inject, stats };
}

test('GIVEN Kinesis duplicates that arrive in the window after their original WHEN aggregated THEN the sink holds the model (each change counted once)', async () => {
  const late = lateDuplicates(4);
  const t = await fixture(late.inject);
  const recorder = new Crash(); // never armed: it records the calls
  const sink = windowSink(recorder.client(ddb), t.sink, t.idem, 1000);
  const run: WindowRun = { invocations: 0, crashes: 0, lostResults: 0 };
  const model: Model = {};
  const random = seededRandom(44);
  // Flushes die before their commit (after their markers are written) and results are lost after it.
  sink.counters.crashBeforeCommit = () => random() < 0.4;
  const perWindow: Record<string, number>[] = [];
  // Three windows: the third gets the second's late duplicates and new changes of its own.
  for (let w = 0; w < 3; w++) {
    if (w !== 1) await writeWorkload(ddb, t.source, random, { writes: 40, keys: 6, model });
    const arrived = await t.feed.readNew();
    const window = { start: `2026-12-06T02:0${w}:00Z`, end: `2026-12-06T02:0${w + 1}:00Z` };
    const before = recorder.calls.length;
    for (const [shardId, records] of byShard(arrived)) {
      const o = { window, shardId, eventSourceARN: t.streamArn, batchSize: 25, loseResult: () => random() < 0.2 };
      await deliverWindow(sink.handler, records, o, run);
    }
    const calls: Record<string, number> = { records: arrived.length };
    for (const c of recorder.calls.slice(before)) calls[c.split(' ')[0]] = (calls[c.split(' ')[0]] ?? 0) + 1;
    perWindow.push(calls);
  }
  console.log(JSON.stringify({ changes: total(model), late: late.stats.late, ...run, perWindow }));
  expect([late.stats.late > 0, run.crashes > 0, run.lostResults > 0]).toEqual([true, true, true]);
  expect((await readSink(ddb, t.sink)).perKey).toEqual(model);
}, 300_000);
