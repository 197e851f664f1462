/**
 * The application write helper, with its outputs sent to a real DynamoDB Local.
 */
import {
  DynamoDBClient,
  GetItemCommand,
  PutItemCommand,
  QueryCommand,
  ScanCommand,
  TransactWriteItemsCommand,
  UpdateItemCommand,
} from '@aws-sdk/client-dynamodb';
import { replicatedWrites } from '../../handlers/client';
import { compareVersions, Item, parseVersion } from '../../handlers/lww';
import { DynamoDbLocal, dynamoClient, startDynamoDbLocal } from '../support/dynamodb-local';
import { createStreamTable } from '../support/streams';

const TABLE = 'client-helper';
const NOW = Date.UTC(2026, 0, 1);
let local: DynamoDbLocal;
let ddb: DynamoDBClient;
const lww = replicatedWrites({ region: 'eu-west-1', now: () => NOW });

beforeAll(async () => {
  local = await startDynamoDbLocal();
  ddb = dynamoClient(local.endpoint);
  await createStreamTable(ddb, TABLE);
});
afterAll(async () => {
  ddb?.destroy();
  await local?.stop();
});

const get = async (pk: string) =>
  (await ddb.send(new GetItemCommand({ TableName: TABLE, Key: { pk: { S: pk } }, ConsistentRead: true }))).Item as Item | undefined;

test('GIVEN a put WHEN stamped THEN the item carries a version of this region and time, and a copied tombstone marker is dropped', async () => {
  await ddb.send(new PutItemCommand(lww.put({ TableName: TABLE, Item: { pk: { S: 'p' }, a: { S: '1' }, _d: { BOOL: true } } })));
  const item = (await get('p'))!;
  expect(parseVersion(item._v.S!)).toMatchObject({ ms: NOW, region: 'eu-west-1' });
  expect(item._o).toEqual({ S: 'eu-west-1' });
  expect(item._d).toBeUndefined();
  expect(item.a).toEqual({ S: '1' });
});

test('GIVEN a deleted key WHEN it is updated through the helper, with SET, REMOVE or neither in the expression THEN it is revived, versioned, and keeps the update', async () => {
  await ddb.send(new PutItemCommand(lww.delete({ TableName: TABLE, Key: { pk: { S: 'u' } } })));
  expect(lww.visible(await get('u'))).toBeUndefined();
  await ddb.send(
    new UpdateItemCommand(
      lww.update({
        TableName: TABLE,
        Key: { pk: { S: 'u' } },
        UpdateExpression: 'SET a = :a REMOVE gone',
        ExpressionAttributeValues: { ':a': { N: '1' } },
      }),
    ),
  );
  let item = (await get('u'))!;
  expect(lww.visible(item)).toBeDefined();
  expect(item._d).toBeUndefined();
  expect(item._ttl).toBeUndefined();
  expect(item.a).toEqual({ N: '1' });
  const first = item._v.S!;
  await ddb.send(
    new UpdateItemCommand(
      lww.update({
        TableName: TABLE,
        Key: { pk: { S: 'u' } },
        UpdateExpression: 'ADD a :one',
        ExpressionAttributeValues: { ':one': { N: '1' } },
      }),
    ),
  );
  item = (await get('u'))!;
  expect(item.a).toEqual({ N: '2' });
  expect(item._v.S).not.toBe(first);
});

test('GIVEN an update that sets the TTL attribute itself WHEN stamped THEN its TTL is kept', async () => {
  await ddb.send(
    new UpdateItemCommand(
      lww.update({
        TableName: TABLE,
        Key: { pk: { S: 'ttl' } },
        UpdateExpression: 'SET #t = :t',
        ExpressionAttributeNames: { '#t': '_ttl' },
        ExpressionAttributeValues: { ':t': { N: '99' } },
      }),
    ),
  );
  expect((await get('ttl'))!._ttl).toEqual({ N: '99' });
});

test('GIVEN a conditional delete WHEN it becomes a tombstone THEN the condition still guards it and the tombstone expires after 7 days', async () => {
  await ddb.send(new PutItemCommand(lww.put({ TableName: TABLE, Item: { pk: { S: 'd' }, state: { S: 'open' } } })));
  const guarded = lww.delete({
    TableName: TABLE,
    Key: { pk: { S: 'd' } },
    ConditionExpression: '#s = :s',
    ExpressionAttributeNames: { '#s': 'state' },
    ExpressionAttributeValues: { ':s': { S: 'closed' } },
  });
  await expect(ddb.send(new PutItemCommand(guarded))).rejects.toMatchObject({ name: 'ConditionalCheckFailedException' });
  await ddb.send(new PutItemCommand({ ...guarded, ExpressionAttributeValues: { ':s': { S: 'open' } } }));
  const tomb = (await get('d'))!;
  expect(tomb._d).toEqual({ BOOL: true });
  expect(tomb._ttl).toEqual({ N: String(NOW / 1000 + 7 * 24 * 3600) });
  expect(tomb.state).toBeUndefined();
});

test('GIVEN a transaction of put, update, delete and condition check WHEN stamped THEN every write is versioned and the delete is a tombstone', async () => {
  await ddb.send(new PutItemCommand(lww.put({ TableName: TABLE, Item: { pk: { S: 't-del' } } })));
  await ddb.send(
    new TransactWriteItemsCommand(
      lww.transactWrite({
        TransactItems: [
          { Put: { TableName: TABLE, Item: { pk: { S: 't-put' } } } },
          {
            Update: {
              TableName: TABLE,
              Key: { pk: { S: 't-upd' } },
              UpdateExpression: 'SET c = :c',
              ExpressionAttributeValues: { ':c': { S: 'x' } },
            },
          },
          { Delete: { TableName: TABLE, Key: { pk: { S: 't-del' } } } },
          { ConditionCheck: { TableName: TABLE, Key: { pk: { S: 'p' } }, ConditionExpression: 'attribute_exists(pk)' } },
        ],
      }),
    ),
  );
  const [put, upd, del] = await Promise.all(['t-put', 't-upd', 't-del'].map(get));
  for (const i of [put, upd, del]) expect(parseVersion(i!._v.S!)?.region).toBe('eu-west-1');
  expect(del!._d).toEqual({ BOOL: true });
  expect(upd!.c).toEqual({ S: 'x' });
});

test('GIVEN tombstones in a table WHEN read through the helpers THEN get, query and scan hide them', async () => {
  await ddb.send(new PutItemCommand(lww.put({ TableName: TABLE, Item: { pk: { S: 'r-live' } } })));
  await ddb.send(new PutItemCommand(lww.delete({ TableName: TABLE, Key: { pk: { S: 'r-dead' } } })));
  expect(lww.get(await ddb.send(new GetItemCommand({ TableName: TABLE, Key: { pk: { S: 'r-dead' } } }))).Item).toBeUndefined();
  expect(lww.get(await ddb.send(new GetItemCommand({ TableName: TABLE, Key: { pk: { S: 'r-live' } } }))).Item).toBeDefined();
  const q = lww.page(
    await ddb.send(
      new QueryCommand({ TableName: TABLE, KeyConditionExpression: 'pk = :p', ExpressionAttributeValues: { ':p': { S: 'r-dead' } } }),
    ),
  );
  expect(q.Items).toEqual([]);
  expect(q.Count).toBe(0);
  const scan = lww.page(await ddb.send(new ScanCommand({ TableName: TABLE })));
  const filtered = await ddb.send(new ScanCommand(lww.excludeTombstones({ TableName: TABLE, FilterExpression: 'attribute_exists(pk)' })));
  const names = (items?: Item[]) => (items ?? []).map((i) => i.pk.S).sort();
  expect(names(scan.Items)).toEqual(names(filtered.Items));
  expect(names(scan.Items)).toContain('r-live');
  expect(names(scan.Items)).not.toContain('r-dead');
  expect(names(scan.Items)).not.toContain('d');
});

test('GIVEN two helpers in different regions writing in the same millisecond WHEN versions are compared THEN they differ and order by region', () => {
  const a = replicatedWrites({ region: 'eu-west-1', now: () => NOW }).version();
  const b = replicatedWrites({ region: 'us-east-1', now: () => NOW }).version();
  expect(compareVersions(a, b)).toBe(-1);
});
