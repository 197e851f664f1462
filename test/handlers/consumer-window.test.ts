/**
 * windowHandler (consumer toolkit) on DynamoDB Local's real stream, with Lambda's tumbling-window
 * protocol played by the test (Lambda's window state, shardId, window and isFinalInvokeForWindow
 * have no local counterpart: named here as the fake): 1,000 changes in two windows, invocations
 * that crash before their flush commits and invocations whose result is lost after it committed
 * (Lambda retries both with the state it gave them). Oracle: the per-key sums of what the test
 * wrote, and the count of downstream writes.
 */
import { DynamoDBClient, PutItemCommand, ScanCommand, TransactWriteItemsCommand } from '@aws-sdk/client-dynamodb';
import type { DynamoDBRecord } from 'aws-lambda';
import { DynamoDBIdempotencyStore, WindowResult, windowHandler } from '../../handlers/consumer';
import { DynamoDbLocal, dynamoClient, startDynamoDbLocal, streamsClient } from '../../local/dynamodb-local';
import { createStreamTable, createTable, StreamReader } from '../../local/stream-reader';
import { seededRandom } from '../support/kinesis-bridge';

let db: DynamoDbLocal;
let ddb: DynamoDBClient;

beforeAll(async () => {
  db = await startDynamoDbLocal();
  ddb = dynamoClient(db.endpoint);
}, 120_000);
afterAll(async () => {
  ddb?.destroy();
  await db?.stop();
});

test('GIVEN 1,000 changes in two tumbling windows with crashes before and after flushes WHEN aggregated THEN the sink holds the model sums AND it took at most 1% of the writes per-change processing makes', async () => {
  const streamArn = await createStreamTable(ddb, 'orders');
  await createTable(ddb, 'stats');
  await createTable(ddb, 'idem', { partitionKey: 'id' });
  const random = seededRandom(7);
  const model: Record<string, number> = {};
  for (let i = 0; i < 1000; i++) {
    const pk = `k${i % 20}`;
    const amount = 1 + Math.floor(random() * 50);
    await ddb.send(
      new PutItemCommand({ TableName: 'orders', Item: { pk: { S: pk }, amount: { N: String(amount) }, i: { N: String(i) } } }),
    );
    model[pk] = (model[pk] ?? 0) + amount;
  }
  const records = await new StreamReader(streamsClient(db.endpoint), streamArn, 'eu-west-1').readNew();
  expect(records.length).toBe(1000);

  let downstreamWrites = 0;
  let crashNextFlush = false;
  const handler = windowHandler<Record<string, number>, { pk: string; amount: number }>({
    initial: () => ({}),
    add: (sums, change) => ({
      ...sums,
      [change.keys.pk as string]: (sums[change.keys.pk as string] ?? 0) + (change.newImage?.amount ?? 0),
    }),
    flush: async (sums, flush) => {
      if (crashNextFlush) {
        crashNextFlush = false;
        throw Object.assign(new Error('injected crash before the flush committed'), { name: 'InjectedCrash' });
      }
      downstreamWrites++;
      await ddb.send(
        new TransactWriteItemsCommand({
          TransactItems: [
            ...Object.entries(sums).map(([pk, sum]) => ({
              Update: {
                TableName: 'stats',
                Key: { pk: { S: pk } },
                UpdateExpression: 'ADD amountSum :s',
                ExpressionAttributeValues: { ':s': { N: String(sum) } },
              },
            })),
            flush.completionWrite(),
          ],
        }),
      );
    },
    maxChanges: 300,
    store: new DynamoDBIdempotencyStore({ client: ddb, tableName: 'idem' }),
  });

  // Lambda's side (faked): batches of 100, the state carried, a retry with the same state after a failure or a lost result.
  let crashes = 0;
  let lostResults = 0;
  for (const [w, windowRecords] of [records.slice(0, 500), records.slice(500)].entries()) {
    let state: Record<string, string> = {};
    const window = { start: `2026-12-06T00:0${w}:00Z`, end: `2026-12-06T00:0${w + 1}:00Z` };
    for (let i = 0; i < windowRecords.length; i += 100) {
      const batch: DynamoDBRecord[] = windowRecords.slice(i, i + 100);
      const event = {
        Records: batch,
        window,
        state,
        shardId: 'shardId-1',
        eventSourceARN: streamArn,
        isFinalInvokeForWindow: i + 100 >= windowRecords.length,
      };
      // Every invocation's first attempt crashes if it flushes; now and then a finished one's result is lost.
      for (let attempt = 1; ; attempt++) {
        crashNextFlush = attempt === 1;
        let result: WindowResult;
        try {
          result = await handler(event);
        } catch {
          crashes++;
          continue;
        }
        crashNextFlush = false;
        if (attempt === 2 || random() < 0.2) {
          lostResults++; // the invocation finished, but Lambda saw a timeout: the same event again
          continue;
        }
        state = result.state;
        break;
      }
    }
    expect(state).toEqual({});
  }
  console.log(JSON.stringify({ changes: records.length, downstreamWrites, crashes, lostResults }));
  expect(crashes).toBeGreaterThan(0);
  expect(lostResults).toBeGreaterThan(0);
  const stats = (await ddb.send(new ScanCommand({ TableName: 'stats' }))).Items ?? [];
  expect(Object.fromEntries(stats.map((s) => [s.pk.S!, Number(s.amountSum.N)]))).toEqual(model);
  // Per-change processing writes once per change: 1,000 writes.
  expect(downstreamWrites).toBeLessThanOrEqual(10);
}, 180_000);
