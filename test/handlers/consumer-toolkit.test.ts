/**
 * The consumer toolkit (`cdktf-dynamodb-streams/consumer`) on DynamoDB Local's real stream, driven
 * by the local event source mapping's delivery rules (local/mapping/batch-delivery.ts): batches of
 * 7 with bisection and partial batch responses, invocations that crash part way (every DynamoDB
 * call fails from a chosen call on, as if the process died), batches delivered again, and a final
 * redrive of every record. The oracle is what the test wrote, not the toolkit: each change applied
 * exactly once to the sink, and the per-key sum of amounts equal to the model of the writes.
 * Faked: nothing but the Lambda runtime (the handler runs in this process).
 */
import { BatchGetItemCommand, BatchWriteItemCommand, CreateTableCommand, DynamoDBClient, PutItemCommand } from '@aws-sdk/client-dynamodb';
import type { DynamoDBRecord, KinesisStreamRecord } from 'aws-lambda';
import {
  changeHandler,
  DynamoDBIdempotencyStore,
  ImageNotInViewError,
  processRecords,
  toChange,
  TransientError,
} from '../../handlers/consumer';
import { toLambdaKinesisRecord } from '../../handlers/redrive/kinesis-lambda-record';
import { DynamoDbLocal, dynamoClient, startDynamoDbLocal, streamsClient } from '../../local/dynamodb-local';
import { deliverInOrder } from '../../local/mapping/batch-delivery';
import { createStreamTable, createTable, StreamReader } from '../../local/stream-reader';
import { kinesisChangeOf, seededRandom } from '../support/kinesis-bridge';
import { Crash, readSink, sinkHandler, writeWorkload } from './support/consumer-proof';

let db: DynamoDbLocal;
let ddb: DynamoDBClient;
let tableNo = 0;

beforeAll(async () => {
  db = await startDynamoDbLocal();
  ddb = dynamoClient(db.endpoint);
}, 120_000);
afterAll(async () => {
  ddb?.destroy();
  await db?.stop();
});

async function tables(view: 'NEW_AND_OLD_IMAGES' | 'KEYS_ONLY' = 'NEW_AND_OLD_IMAGES') {
  const n = ++tableNo;
  const source = `source${n}`;
  let streamArn: string;
  if (view === 'NEW_AND_OLD_IMAGES') streamArn = await createStreamTable(ddb, source);
  else {
    const out = await ddb.send(
      new CreateTableCommand({
        TableName: source,
        BillingMode: 'PAY_PER_REQUEST',
        KeySchema: [{ AttributeName: 'pk', KeyType: 'HASH' }],
        AttributeDefinitions: [{ AttributeName: 'pk', AttributeType: 'S' }],
        StreamSpecification: { StreamEnabled: true, StreamViewType: view },
      }),
    );
    streamArn = out.TableDescription!.LatestStreamArn!;
  }
  await createTable(ddb, `sink${n}`);
  await createTable(ddb, `idem${n}`, { partitionKey: 'id' });
  return { source, sink: `sink${n}`, idem: `idem${n}`, reader: new StreamReader(streamsClient(db.endpoint), streamArn, 'eu-west-1') };
}

describe('consumer toolkit on DynamoDB Local streams', () => {
  test('GIVEN crashes mid-batch, re-delivered batches and a redrive of everything WHEN the sink is read THEN each change was applied exactly once AND the per-key sums equal the model of the writes', async () => {
    const t = await tables();
    const random = seededRandom(19);
    const model = await writeWorkload(ddb, t.source, random, { writes: 60, keys: 6 });
    const records = await t.reader.readNew();
    expect(records.length).toBe(Object.values(model).reduce((a, m) => a + m.changes, 0));

    const crash = new Crash();
    const handler = sinkHandler(crash.client(ddb), t.sink, t.idem);
    let crashes = 0;
    const delivered: DynamoDBRecord[][] = [];
    const invoke = async (batch: DynamoDBRecord[]) => {
      delivered.push(batch);
      if (random() < 0.4) crash.arm(Math.floor(random() * batch.length * 3));
      try {
        return { ok: true as const, payload: await handler({ Records: batch }) };
      } catch (e) {
        crashes++;
        return { ok: false as const, errorType: (e as Error).name, errorMessage: (e as Error).message };
      } finally {
        crash.disarm();
        // At-least-once: now and then an earlier batch comes again.
        if (random() < 0.2 && delivered.length > 1) await handler({ Records: delivered[Math.floor(random() * delivered.length)] });
      }
    };
    await deliverInOrder(
      records,
      { batchSize: 7, maxRetryAttempts: -1, maxRecordAgeSeconds: -1, bisectOnError: true, reportBatchItemFailures: true },
      {
        invoke,
        discard: async (d) => fail(`discarded ${d.records.length} records`),
        createdAt: () => Date.now(),
        now: Date.now,
        backoff: async () => undefined,
      },
    );
    // The redrive re-sends every record once more.
    expect((await handler({ Records: records })).batchItemFailures).toEqual([]);

    expect(crashes).toBeGreaterThan(0);
    // Exactly the calls StreamConsumer grants on the idempotency table (IDEMPOTENCY_ACTIONS); the
    // transaction's Put on it is authorised as a PutItem.
    expect(new Set(crash.calls.filter((c) => c.endsWith(` ${t.idem}`)))).toEqual(
      new Set([`PutItemCommand ${t.idem}`, `DeleteItemCommand ${t.idem}`]),
    );
    const sink = await readSink(ddb, t.sink);
    expect(sink.applied.length).toBe(records.length);
    expect(sink.applied.every((n) => n === 1)).toBe(true);
    expect(sink.perKey).toEqual(model);
  }, 180_000);

  test("GIVEN a key whose second change fails permanently WHEN the batch is processed THEN the key's later changes are not processed and are reported failed in order AND other keys are processed", async () => {
    const t = await tables();
    for (const [pk, n] of [
      ['a', 1],
      ['b', 1],
      ['a', 2],
      ['b', 2],
      ['a', 3],
    ] as const)
      await ddb.send(new PutItemCommand({ TableName: t.source, Item: { pk: { S: pk }, n: { N: String(n) } } }));
    const records = await t.reader.readNew();
    const seen: string[] = [];
    const outcome = await processRecords<{ pk: string; n: number }, { pk: string }>(
      records,
      (change) => {
        const img = change.newImage!;
        if (img.pk === 'a' && img.n === 2) throw new Error('downstream rejected a#2');
        seen.push(`${img.pk}#${img.n}`);
      },
      { backoff: false },
    );
    expect(seen).toEqual(['a#1', 'b#1', 'b#2']);
    expect(outcome.response.batchItemFailures.map((f) => f.itemIdentifier)).toEqual(
      [records[2], records[4]].map((r) => r.dynamodb!.SequenceNumber),
    );
  }, 60_000);

  test('GIVEN a downstream that throttles twice WHEN the change is processed THEN it is retried with backoff and succeeds AND a permanent error is not retried', async () => {
    const t = await tables();
    await ddb.send(new PutItemCommand({ TableName: t.source, Item: { pk: { S: 'x' } } }));
    const records = await t.reader.readNew();
    let calls = 0;
    const waits: number[] = [];
    const flaky = await processRecords(
      records,
      () => {
        if (++calls <= 2) throw Object.assign(new Error('Rate exceeded'), { name: 'ThrottlingException' });
      },
      { backoff: { sleep: async (ms) => void waits.push(ms), random: () => 0.999 }, remainingMs: () => 60_000 },
    );
    expect([calls, flaky.processed, flaky.response.batchItemFailures]).toEqual([3, 1, []]);
    expect(waits).toEqual([99, 199]);
    let permanent = 0;
    const denied = await processRecords(
      records,
      () => {
        permanent++;
        throw Object.assign(new Error('not authorized'), { name: 'AccessDeniedException' });
      },
      { backoff: { sleep: async () => undefined } },
    );
    expect([permanent, denied.failed]).toEqual([1, 1]);
    // Out of time: no wait the invocation cannot afford.
    let late = 0;
    const out = await processRecords(
      records,
      () => {
        late++;
        throw new TransientError('busy');
      },
      { backoff: { sleep: async () => undefined, random: () => 0.5 }, remainingMs: () => 1000 },
    );
    expect([late, out.failed]).toEqual([1, 1]);
  }, 60_000);

  test('GIVEN a KEYS_ONLY stream WHEN a handler reads the new image THEN the error names the view type', async () => {
    const t = await tables('KEYS_ONLY');
    await ddb.send(new PutItemCommand({ TableName: t.source, Item: { pk: { S: 'k' }, v: { N: '1' } } }));
    const [record] = await t.reader.readNew();
    const change = toChange(record);
    expect(change.keys).toEqual({ pk: 'k' });
    expect(() => change.newImage).toThrow(ImageNotInViewError);
    expect(() => change.newImage).toThrow(/stream view type is KEYS_ONLY.*NEW_IMAGE or NEW_AND_OLD_IMAGES/);
  }, 60_000);

  test('GIVEN the idempotency table is unreachable WHEN a batch comes THEN the invocation fails (nothing processed, Lambda retries the batch)', async () => {
    const t = await tables();
    await ddb.send(new PutItemCommand({ TableName: t.source, Item: { pk: { S: 'k' } } }));
    const records = await t.reader.readNew();
    const down = new DynamoDBClient({
      endpoint: 'http://127.0.0.1:9',
      region: 'eu-west-1',
      credentials: { accessKeyId: 'x', secretAccessKey: 'y' },
      maxAttempts: 1,
    });
    let processed = 0;
    const handler = changeHandler(() => void processed++, {
      idempotency: new DynamoDBIdempotencyStore({ client: down, tableName: t.idem }),
    });
    await expect(handler({ Records: records })).rejects.toThrow();
    expect(processed).toBe(0);
    down.destroy();
  }, 60_000);

  test('GIVEN DynamoDB Local changes put into Kinesis twice (a duplicate) and out of order WHEN processed THEN each change has one identity, is processed once per key in creation order, and keeps millisecond precision', async () => {
    const t = await tables();
    for (const n of [1, 2]) await ddb.send(new PutItemCommand({ TableName: t.source, Item: { pk: { S: 'k' }, n: { N: String(n) } } }));
    const [first, second] = await t.reader.readNew();
    // The bridge's format for Kinesis Data Streams for DynamoDB (test/support/kinesis-bridge.ts), with distinct milliseconds.
    let seq = 100;
    const kinesis = (r: DynamoDBRecord, ms: number): KinesisStreamRecord => {
      const data = kinesisChangeOf(r, { tableName: t.source, region: 'eu-west-1', creationTimeMs: () => ms });
      return toLambdaKinesisRecord(
        {
          SequenceNumber: String(++seq),
          PartitionKey: 'p',
          Data: Buffer.from(JSON.stringify(data)),
          ApproximateArrivalTimestamp: new Date(0),
        },
        { streamArn: 'arn:aws:kinesis:eu-west-1:123456789012:stream/changes', shardId: 'shardId-000000000000', region: 'eu-west-1' },
      );
    };
    const later = kinesis(second, 1_700_000_000_456);
    const earlier = kinesis(first, 1_700_000_000_123);
    const duplicate = kinesis(first, 1_700_000_000_123);
    expect(toChange(duplicate).id).toBe(toChange(earlier).id);
    expect(toChange(later).id).not.toBe(toChange(earlier).id);
    expect(toChange(earlier).createdAt).toEqual({ epochMicros: 1_700_000_000_123_000, precision: 'MILLISECOND' });
    const seen: number[] = [];
    const out = await processRecords<{ n: number }, { pk: string }>([later, earlier, duplicate], (c) => void seen.push(c.newImage!.n), {
      backoff: false,
    });
    expect(seen).toEqual([1, 2]);
    expect(out).toMatchObject({ processed: 2, failed: 0, response: { batchItemFailures: [] } });
  }, 60_000);

  test('GIVEN markers of flushes committed, released, expired, held and of this window WHEN a later window asks which changes were folded elsewhere THEN only those of committed flushes of other windows are skipped AND a held flush fails the batch', async () => {
    const t = await tables();
    let now = 1_800_000_000_000;
    const store = new DynamoDBIdempotencyStore({ client: ddb, tableName: t.idem, now: () => now, ttlSeconds: 86_400 });
    const ids = (prefix: string, n: number) => Array.from({ length: n }, (_, i) => `${prefix}${i}`);
    // 130 changes of a committed flush (more than one BatchWriteItem and one BatchGetItem hold).
    const committed = await store.claim('window#w1#0#a', now + 1000);
    await store.markFolded(ids('c', 130), 'window#w1#0#a', 'w1');
    if (committed.state === 'claimed') await store.complete('window#w1#0#a');
    // A flush that crashed before its commit and was released: its changes were never counted.
    const released = await store.claim('window#w1#1#b', now + 1000);
    await store.markFolded(ids('r', 3), 'window#w1#1#b', 'w1');
    if (released.state === 'claimed') await store.release('window#w1#1#b', released.token);
    // A flush whose invocation died: its lock ran out.
    await store.claim('window#w1#2#c', now + 1000);
    await store.markFolded(['dead'], 'window#w1#2#c', 'w1');
    const asked = [...ids('c', 130), ...ids('r', 3), 'dead', 'new'];
    now += 5000;
    expect([...(await store.foldedElsewhere(asked, 'w2'))].sort()).toEqual(ids('c', 130).sort());
    // The window that wrote the markers decides by its own state: they are not read as "elsewhere".
    expect(await store.foldedElsewhere(asked, 'w1')).toEqual(new Set());
    // A flush held by a live invocation: not known yet whether it counts.
    await store.claim('window#w3#0#d', now + 60_000);
    await store.markFolded(['held'], 'window#w3#0#d', 'w3');
    await expect(store.foldedElsewhere(['held'], 'w4')).rejects.toThrow(/folded into flush window#w3#0#d, which another invocation holds/);
    // Past the TTL (before DynamoDB's sweeper removes the records) nothing is remembered.
    now += 86_400_000 + 1000;
    expect(await store.foldedElsewhere(asked, 'w2')).toEqual(new Set());
  }, 60_000);

  test('GIVEN DynamoDB leaves part of each batch call unprocessed (FAKE throttling around DynamoDB Local) WHEN markers are written and read THEN the rest is retried with backoff until done AND a table that stays throttled fails the call after the bounded attempts', async () => {
    const t = await tables();
    // FAKE: DynamoDB Local never returns UnprocessedItems/UnprocessedKeys; this client hands back the
    // second half of each batch request (all of it with `all`) unsent, as throttled DynamoDB does, on the first `throttled` calls.
    const throttling = (throttled: number, all = false) => {
      const seen = { calls: 0 };
      const client = {
        send: async (command: any) => {
          const items = command.input.RequestItems?.[t.idem];
          if (!items || ++seen.calls > throttled) return ddb.send(command);
          if (command instanceof BatchWriteItemCommand) {
            const half = all ? 0 : Math.ceil(items.length / 2);
            if (half) await ddb.send(new BatchWriteItemCommand({ RequestItems: { [t.idem]: items.slice(0, half) } }));
            return { UnprocessedItems: items.length > half ? { [t.idem]: items.slice(half) } : {} };
          }
          const half = all ? 0 : Math.ceil(items.Keys.length / 2);
          const out = half
            ? await ddb.send(new BatchGetItemCommand({ RequestItems: { [t.idem]: { ...items, Keys: items.Keys.slice(0, half) } } }))
            : {};
          return { ...out, UnprocessedKeys: items.Keys.length > half ? { [t.idem]: { ...items, Keys: items.Keys.slice(half) } } : {} };
        },
      };
      return { client, seen };
    };
    const waits: number[] = [];
    const flaky = throttling(4);
    const store = new DynamoDBIdempotencyStore({ client: flaky.client, tableName: t.idem, sleep: async (ms) => void waits.push(ms) });
    const ids = Array.from({ length: 20 }, (_, i) => `u${i}`);
    const claim = await store.claim('window#w1#0#u', Date.now() + 1000);
    await store.markFolded(ids, 'window#w1#0#u', 'w1');
    if (claim.state === 'claimed') await store.complete('window#w1#0#u');
    expect([...(await store.foldedElsewhere(ids, 'w2'))].sort()).toEqual([...ids].sort());
    expect(waits.length).toBeGreaterThan(0);
    expect(waits.every((ms) => ms >= 0 && ms <= 2000)).toBe(true);
    const stuck = throttling(Infinity, true);
    const throttled = new DynamoDBIdempotencyStore({ client: stuck.client, tableName: t.idem, sleep: async () => undefined });
    await expect(throttled.markFolded(ids, 'window#w1#0#v', 'w1')).rejects.toThrow(
      /BatchWriteItem on idem\d+ left 20 items unprocessed after 8 attempts/,
    );
    expect(stuck.seen.calls).toBe(8);
  }, 60_000);
});
