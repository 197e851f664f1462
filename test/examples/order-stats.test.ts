/**
 * The order-stats example consumer (examples/orders/order-stats.ts, on windowHandler) against
 * DynamoDB Local's real stream. Lambda's tumbling-window protocol (window, state, shardId,
 * isFinalInvokeForWindow) has no local counterpart and is played by the test (the FAKE here).
 * Oracle: the orders table's contents after the writes, counted per day.
 */
import {
  CreateTableCommand,
  DeleteItemCommand,
  DynamoDBClient,
  PutItemCommand,
  ScanCommand,
  UpdateItemCommand,
} from '@aws-sdk/client-dynamodb';
import type { DynamoDBRecord } from 'aws-lambda';
import { fold, handler, writeFlush } from '../../examples/orders/order-stats';
import { DynamoDBIdempotencyStore, toChange, WindowFlush, windowHandler } from '../../handlers/consumer';
import { DynamoDbLocal, dynamoClient, startDynamoDbLocal, streamsClient } from '../support/dynamodb-local';
import { StreamReader, createStreamTable } from '../support/streams';

function order(id: string, day: string, totalCents: number, status: string) {
  return { orderId: { S: id }, createdAt: { S: `${day}T10:00:00Z` }, totalCents: { N: String(totalCents) }, status: { S: status } };
}
const record = (r: Partial<DynamoDBRecord['dynamodb']> & object, extra: Partial<DynamoDBRecord>): DynamoDBRecord => ({
  eventID: 'e1',
  eventSourceARN: 'arn:aws:dynamodb:eu-west-1:123456789012:table/orders/stream/2026-11-01T00:00:00.000',
  ...extra,
  dynamodb: { Keys: { orderId: { S: 'o1' } }, SequenceNumber: '100', StreamViewType: 'NEW_AND_OLD_IMAGES', ...r },
});

describe('order-stats fold (pure)', () => {
  test('GIVEN a TTL delete WHEN folded THEN the stats do not change', () => {
    const ttl = record(
      { OldImage: order('o1', '2026-11-01', 500, 'PAID') as any },
      { eventName: 'REMOVE', userIdentity: { type: 'Service', principalId: 'dynamodb.amazonaws.com' } },
    );
    expect(toChange(ttl).byTimeToLive).toBe(true);
    expect(fold({}, toChange(ttl))).toEqual({});
  });

  test('GIVEN an order moved to another day WHEN folded THEN one day loses it and the other gains it', () => {
    const moved = record(
      { OldImage: order('o1', '2026-11-01', 500, 'PAID') as any, NewImage: order('o1', '2026-11-02', 700, 'PAID') as any },
      { eventName: 'MODIFY' },
    );
    expect(fold({}, toChange(moved))).toEqual({
      '2026-11-01': { orders: -1, revenueCents: -500, byStatus: { PAID: -1 } },
      '2026-11-02': { orders: 1, revenueCents: 700, byStatus: { PAID: 1 } },
    });
  });
});

describe('order-stats handler against DynamoDB Local', () => {
  let db: DynamoDbLocal;
  let client: DynamoDBClient;
  const saved = { ...process.env };

  beforeAll(async () => {
    db = await startDynamoDbLocal();
    client = dynamoClient(db.endpoint);
    for (const [name, key] of [
      ['stats', 'day'],
      ['idem', 'id'],
    ])
      await client.send(
        new CreateTableCommand({
          TableName: name,
          BillingMode: 'PAY_PER_REQUEST',
          KeySchema: [{ AttributeName: key, KeyType: 'HASH' }],
          AttributeDefinitions: [{ AttributeName: key, AttributeType: 'S' }],
        }),
      );
    // What StreamConsumer sets (STATS_TABLE_NAME by the example's stack, the rest by `idempotency`).
    Object.assign(process.env, {
      STATS_TABLE_NAME: 'stats',
      DDB_STREAMS_IDEMPOTENCY_TABLE: 'idem',
      DDB_STREAMS_VIEW_TYPE: 'NEW_AND_OLD_IMAGES',
      AWS_REGION: 'eu-west-1',
      AWS_ACCESS_KEY_ID: 'AKIDLOCALTEST',
      AWS_SECRET_ACCESS_KEY: 'local-test-secret',
      AWS_ENDPOINT_URL_DYNAMODB: db.endpoint,
    });
  });
  afterAll(async () => {
    process.env = saved;
    client?.destroy();
    await db?.stop();
  });

  /** The stats table: per day, its number attributes. */
  async function stats(): Promise<Record<string, Record<string, number>>> {
    const items = (await client.send(new ScanCommand({ TableName: 'stats', ConsistentRead: true }))).Items ?? [];
    return Object.fromEntries(
      items.map((i) => [
        i.day.S!,
        Object.fromEntries(Object.entries(i).flatMap(([k, v]) => (v.N !== undefined ? [[k, Number(v.N)]] : []))),
      ]),
    );
  }

  test('GIVEN real stream records split over invocations WHEN the window closes, and its final invocation is retried THEN the stats equal the table contents, counted once', async () => {
    const streamArn = await createStreamTable(client, 'orders', { partitionKey: 'orderId' });
    for (let i = 0; i < 12; i++)
      await client.send(
        new PutItemCommand({ TableName: 'orders', Item: order(`o${i}`, i % 2 ? '2026-11-01' : '2026-11-02', 100 * (i + 1), 'PLACED') }),
      );
    for (const i of [1, 2, 3]) {
      await client.send(
        new UpdateItemCommand({
          TableName: 'orders',
          Key: { orderId: { S: `o${i}` } },
          UpdateExpression: 'SET #s = :s, totalCents = totalCents + :d',
          ExpressionAttributeNames: { '#s': 'status' },
          ExpressionAttributeValues: { ':s': { S: 'SHIPPED' }, ':d': { N: '5' } },
        }),
      );
    }
    await client.send(new DeleteItemCommand({ TableName: 'orders', Key: { orderId: { S: 'o4' } } }));

    const records = await new StreamReader(streamsClient(db.endpoint), streamArn, 'eu-west-1').readNew();
    expect(records).toHaveLength(16);
    const window = { start: '2026-11-23T10:00:00Z', end: '2026-11-23T10:01:00Z' };
    const base = { window, shardId: 'shardId-1', eventSourceARN: streamArn, isWindowTerminatedEarly: false };
    let state: Record<string, string> = {};
    for (const batch of [records.slice(0, 5), records.slice(5, 11)]) {
      ({ state } = await handler({ ...base, Records: batch, state, isFinalInvokeForWindow: false }));
    }
    const final = { ...base, Records: records.slice(11), state, isFinalInvokeForWindow: true };
    expect(await handler(final)).toEqual({ state: {}, batchItemFailures: [] });
    // Lambda retries a final invocation that timed out after writing: nothing may count twice.
    await handler(final);

    const orders = (await client.send(new ScanCommand({ TableName: 'orders' }))).Items!;
    for (const day of ['2026-11-01', '2026-11-02']) {
      const expected = orders.filter((o) => o.createdAt.S!.startsWith(day));
      const counted = (await stats())[day];
      expect(counted.orders).toBe(expected.length);
      expect(counted.revenueCents).toBe(expected.reduce((n, o) => n + Number(o.totalCents.N), 0));
      for (const status of ['PLACED', 'SHIPPED'])
        expect(counted[`status_${status}`] ?? 0).toBe(expected.filter((o) => o.status.S === status).length);
    }
  });

  test('GIVEN a flush over 150 days (two transactions) that crashes after its first part WHEN retried THEN every day is counted once', async () => {
    const deltas = Object.fromEntries(
      Array.from({ length: 150 }, (_, i) => [
        `2025-${String(1 + (i % 12)).padStart(2, '0')}-${String(1 + Math.floor(i / 12)).padStart(2, '0')}`,
        { orders: 1, revenueCents: 10, byStatus: { PAID: 1 } },
      ]),
    );
    expect(Object.keys(deltas)).toHaveLength(150);
    const store = new DynamoDBIdempotencyStore({ client, tableName: 'idem' });
    let calls = 0;
    // The client dies on the second transaction of the first attempt (the function crashed between parts).
    const dying = { send: (c: any) => (++calls === 2 ? Promise.reject(new Error('injected crash')) : client.send(c)) } as DynamoDBClient;
    const flushing = (sender: DynamoDBClient) =>
      windowHandler<typeof deltas>({
        initial: () => ({}),
        add: (a) => a,
        flush: (_, f: WindowFlush) => writeFlush(sender, 'stats', deltas, f),
        store,
      });
    const event = {
      Records: [record({ NewImage: order('o1', '2026-11-01', 1, 'PAID') as any }, { eventName: 'INSERT' })],
      window: { start: '2026-11-24T00:00:00Z', end: '2026-11-24T00:01:00Z' },
      shardId: 'shardId-9',
      isFinalInvokeForWindow: true,
    };
    await expect(flushing(dying)(event)).rejects.toThrow('injected crash');
    await flushing(client)(event);
    await flushing(client)(event);
    const after = await stats();
    for (const day of Object.keys(deltas)) expect([day, after[day]]).toEqual([day, { orders: 1, revenueCents: 10, status_PAID: 1 }]);
  });
});
