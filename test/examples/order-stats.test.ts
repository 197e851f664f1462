import {
  DeleteItemCommand,
  DynamoDBClient,
  GetItemCommand,
  PutItemCommand,
  ScanCommand,
  UpdateItemCommand,
} from '@aws-sdk/client-dynamodb';
import type { DynamoDBRecord } from 'aws-lambda';
import { WindowState, fold, handler, isTtlDelete } from '../../examples/orders/order-stats';
import { DynamoDbLocal, dynamoClient, startDynamoDbLocal, streamsClient } from '../support/dynamodb-local';
import { StreamReader, createStreamTable } from '../support/streams';
import { CreateTableCommand } from '@aws-sdk/client-dynamodb';

function order(id: string, day: string, totalCents: number, status: string) {
  return { orderId: { S: id }, createdAt: { S: `${day}T10:00:00Z` }, totalCents: { N: String(totalCents) }, status: { S: status } };
}

describe('order-stats fold (pure)', () => {
  test('GIVEN a TTL delete WHEN folded THEN the stats do not change', () => {
    const ttl: DynamoDBRecord = {
      eventName: 'REMOVE',
      userIdentity: { type: 'Service', principalId: 'dynamodb.amazonaws.com' },
      dynamodb: { OldImage: order('o1', '2026-11-01', 500, 'PAID') as any },
    };
    expect(isTtlDelete(ttl)).toBe(true);
    expect(fold({}, ttl)).toEqual({});
  });

  test('GIVEN an order moved to another day WHEN folded THEN one day loses it and the other gains it', () => {
    const state = fold(
      {},
      {
        eventName: 'MODIFY',
        dynamodb: { OldImage: order('o1', '2026-11-01', 500, 'PAID') as any, NewImage: order('o1', '2026-11-02', 700, 'PAID') as any },
      },
    );
    expect(state).toEqual({
      '2026-11-01': { orders: -1, revenueCents: -500, byStatus: { PAID: -1 } },
      '2026-11-02': { orders: 1, revenueCents: 700, byStatus: { PAID: 1 } },
    });
  });
});

describe('order-stats handler against DynamoDB Local', () => {
  let db: DynamoDbLocal;
  let client: DynamoDBClient;

  beforeAll(async () => {
    db = await startDynamoDbLocal();
    client = dynamoClient(db.endpoint);
  });
  afterAll(async () => {
    client?.destroy();
    await db?.stop();
  });

  test('GIVEN real stream records split over invocations WHEN the window closes, and its flush is retried THEN the stats equal the table contents, counted once', async () => {
    const streamArn = await createStreamTable(client, 'orders', { partitionKey: 'orderId' });
    await client.send(
      new CreateTableCommand({
        TableName: 'stats',
        BillingMode: 'PAY_PER_REQUEST',
        KeySchema: [{ AttributeName: 'day', KeyType: 'HASH' }],
        AttributeDefinitions: [{ AttributeName: 'day', AttributeType: 'S' }],
      }),
    );
    process.env.STATS_TABLE_NAME = 'stats';
    process.env.AWS_REGION = 'eu-west-1';
    process.env.AWS_ACCESS_KEY_ID = 'AKIDLOCALTEST';
    process.env.AWS_SECRET_ACCESS_KEY = 'local-test-secret';
    process.env.AWS_ENDPOINT_URL_DYNAMODB = db.endpoint;

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
    let state: WindowState | undefined;
    for (const batch of [records.slice(0, 5), records.slice(5, 11)]) {
      ({ state } = await handler({ ...base, Records: batch, state, isFinalInvokeForWindow: false }));
    }
    const final = { ...base, Records: records.slice(11), state, isFinalInvokeForWindow: true };
    expect(await handler(final)).toEqual({ state: {} });
    // Lambda retries a final invocation that timed out after writing: nothing may count twice.
    await handler(final);

    const orders = (await client.send(new ScanCommand({ TableName: 'orders' }))).Items!;
    for (const day of ['2026-11-01', '2026-11-02']) {
      const expected = orders.filter((o) => o.createdAt.S!.startsWith(day));
      const stats = (await client.send(new GetItemCommand({ TableName: 'stats', Key: { day: { S: day } } }))).Item!;
      expect(Number(stats.orders.N)).toBe(expected.length);
      expect(Number(stats.revenueCents.N)).toBe(expected.reduce((n, o) => n + Number(o.totalCents.N), 0));
      for (const status of ['PLACED', 'SHIPPED']) {
        expect(Number(stats[`status_${status}`]?.N ?? 0)).toBe(expected.filter((o) => o.status.S === status).length);
      }
      expect(stats.appliedWindows.SS).toEqual([`shardId-1#${window.start}`]);
    }
  });
});
