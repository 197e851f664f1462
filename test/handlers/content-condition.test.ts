/**
 * The content check of a version set in place (handlers/replicate/content-condition.ts), evaluated
 * by real DynamoDB Local on images read from its real stream: it must pass exactly when the item
 * holds the record's content, as DynamoDB defines value equality (sets unordered, numbers by value).
 * The oracle below writes that definition out on its own rather than reuse the writer's canonical form.
 */
import type { AttributeValue } from '@aws-sdk/client-dynamodb';
import { DynamoDBClient, PutItemCommand, UpdateItemCommand } from '@aws-sdk/client-dynamodb';
import fc from 'fast-check';
import { CONTENT_CONDITION_BUDGET, contentCondition } from '../../handlers/replicate/content-condition';
import { decodeRecord } from '../../handlers/common/decode';
import { DEFAULT_ATTRIBUTE_NAMES, Item } from '../../handlers/lww';
import { DynamoDbLocal, dynamoClient, startDynamoDbLocal, streamsClient } from '../support/dynamodb-local';
import { createStreamTable, StreamReader } from '../support/streams';

const TABLE = 'content-condition';
let local: DynamoDbLocal;
let ddb: DynamoDBClient;
let streams: ReturnType<typeof streamsClient>;
let stream: StreamReader;

beforeAll(async () => {
  local = await startDynamoDbLocal();
  ddb = dynamoClient(local.endpoint);
  streams = streamsClient(local.endpoint);
  stream = new StreamReader(streams, await createStreamTable(ddb, TABLE), 'eu-west-1');
}, 120_000);
afterAll(async () => {
  ddb?.destroy();
  streams?.destroy();
  await local?.stop();
});

const bytes = (...b: number[]) => new Uint8Array(b);
const pick = <T>(pool: T[]) => fc.shuffledSubarray(pool, { minLength: 1 });
const scalar: fc.Arbitrary<AttributeValue> = fc.oneof(
  fc.constantFrom('', 'x', 'y', 'héllo').map((S) => ({ S })),
  // Different spellings of one number: DynamoDB compares numbers by value.
  fc.constantFrom('1', '1.0', '2', '10', '1e1', '-3.5').map((N) => ({ N })),
  fc.constantFrom(bytes(), bytes(0), bytes(1, 2)).map((B) => ({ B })),
  fc.boolean().map((BOOL) => ({ BOOL })),
  fc.constant({ NULL: true }),
);
const value: fc.Arbitrary<AttributeValue> = fc.oneof(
  { weight: 3, arbitrary: scalar },
  // Set members in any order: a set is unordered.
  pick(['a', 'b', 'c']).map((SS) => ({ SS })),
  pick(['1', '2', '3.5', '2.0'])
    .filter((ns) => !(ns.includes('2') && ns.includes('2.0')))
    .map((NS) => ({ NS })),
  pick([bytes(1), bytes(2), bytes(3, 4)]).map((BS) => ({ BS })),
  fc.array(scalar, { maxLength: 2 }).map((L) => ({ L })),
  fc.dictionary(fc.constantFrom('p', 'q'), scalar, { maxKeys: 2 }).map((M) => ({ M })),
);
const attributes = fc.dictionary(fc.constantFrom('a', 'b', 'c', 'd', 'e'), value, { minKeys: 1, maxKeys: 4 });
/** What an item may hold when the check runs: the record's content (respelled) or something near it. */
const around = (b: Record<string, AttributeValue>) =>
  fc.oneof(
    fc.constant(b),
    fc.constant(Object.fromEntries(Object.entries(b).map(([k, v]) => [k, respelled(v)]))),
    fc.tuple(fc.constantFrom('a', 'b', 'c', 'd', 'e'), value).map(([k, v]) => ({ ...b, [k]: v })),
    fc.constantFrom(...Object.keys(b)).map((k) => Object.fromEntries(Object.entries(b).filter(([n]) => n !== k))),
    attributes,
  );

let n = 0;
test('GIVEN an item written over another, and then whatever the item holds next WHEN the content check of its stream record is evaluated by DynamoDB THEN it passes exactly when the item holds that content', async () => {
  let passed = 0;
  await fc.assert(
    fc.asyncProperty(
      attributes,
      attributes.chain((b) => fc.tuple(fc.constant(b), around(b))),
      async (a, [b, c]) => {
        fc.pre(same(a, b) === false);
        const pk = { S: `k${++n}` };
        await ddb.send(new PutItemCommand({ TableName: TABLE, Item: { pk, ...a } }));
        await ddb.send(new PutItemCommand({ TableName: TABLE, Item: { pk, ...b } }));
        const records = (await stream.readNew()).filter((r) => r.dynamodb?.Keys?.pk?.S === pk.S);
        // Decoded as the writer decodes Lambda's JSON (binaries arrive as base64).
        const record = decodeRecord(records[records.length - 1]);
        const check = contentCondition(record.newImage!, record.oldImage, ['pk'], DEFAULT_ATTRIBUTE_NAMES);
        expect(check.unchecked).toBe(0);
        await ddb.send(new PutItemCommand({ TableName: TABLE, Item: { pk, ...c } }));
        const expected =
          Object.keys(b).every((k) => c[k] !== undefined && same(c[k], b[k])) && Object.keys(a).every((k) => k in b || !(k in c));
        expect(await holds(pk, check)).toBe(expected);
        if (expected) passed++;
      },
    ),
    { numRuns: 120 },
  );
  // Both outcomes were reached: a check that always passed (or never) would prove nothing.
  expect(passed).toBeGreaterThan(10);
  expect(passed).toBeLessThan(110);
}, 120_000);

test('GIVEN an item with more attributes than one expression can check WHEN a write changed and removed some THEN the check fits within the limits DynamoDB sets, covers those first, and refuses an item that differs in them', async () => {
  const pk = { S: 'wide' };
  const wide: Item = { pk };
  for (let i = 0; i < 500; i++) wide[`attribute_${i}`] = { S: `value ${i}` };
  await ddb.send(new PutItemCommand({ TableName: TABLE, Item: wide }));
  await ddb.send(
    new UpdateItemCommand({
      TableName: TABLE,
      Key: { pk },
      UpdateExpression: 'SET attribute_499 = :x REMOVE attribute_0',
      ExpressionAttributeValues: { ':x': { S: 'changed' } },
    }),
  );
  const records = (await stream.readNew()).filter((r) => r.dynamodb?.Keys?.pk?.S === 'wide');
  const record = decodeRecord(records[records.length - 1]);
  const check = contentCondition(record.newImage!, record.oldImage, ['pk'], DEFAULT_ATTRIBUTE_NAMES);
  expect(check.unchecked).toBeGreaterThan(0);
  expect(check.expression.length).toBeLessThanOrEqual(CONTENT_CONDITION_BUDGET.bytes);
  expect(Object.keys(check.names)).toHaveLength(CONTENT_CONDITION_BUDGET.terms);
  expect(Object.values(check.names).slice(0, 2)).toEqual(['attribute_499', 'attribute_0']);
  expect(await holds(pk, check)).toBe(true);
  const set = (expr: string, values?: Item) =>
    ddb.send(new UpdateItemCommand({ TableName: TABLE, Key: { pk }, UpdateExpression: expr, ExpressionAttributeValues: values }));
  await set('SET attribute_499 = :x', { ':x': { S: 'other' } });
  expect(await holds(pk, check)).toBe(false);
  await set('SET attribute_499 = :x, attribute_0 = :y', { ':x': { S: 'changed' }, ':y': { S: 'value 0' } });
  expect(await holds(pk, check)).toBe(false);
});

/** Whether a conditional update under the check passes on the item now stored under `pk`. */
async function holds(pk: AttributeValue, check: ReturnType<typeof contentCondition>): Promise<boolean> {
  try {
    await ddb.send(
      new UpdateItemCommand({
        TableName: TABLE,
        Key: { pk },
        UpdateExpression: 'SET #checked = :one',
        ConditionExpression: check.expression,
        ExpressionAttributeNames: { ...check.names, '#checked': 'checked' },
        ExpressionAttributeValues: { ...check.values, ':one': { N: '1' } },
      }),
    );
    await ddb.send(new UpdateItemCommand({ TableName: TABLE, Key: { pk }, UpdateExpression: 'REMOVE checked' }));
    return true;
  } catch (e) {
    if ((e as Error).name !== 'ConditionalCheckFailedException') throw e;
    return false;
  }
}

/** DynamoDB's value equality: types must match; numbers by value; sets by members; maps by entries. */
function same(x: AttributeValue | Record<string, AttributeValue>, y: AttributeValue | Record<string, AttributeValue>): boolean {
  return norm(x as AttributeValue) === norm(y as AttributeValue);
}

function norm(v: AttributeValue | Record<string, AttributeValue>): string {
  const a = v as AttributeValue;
  const hex = (b: Uint8Array) => Buffer.from(b).toString('hex');
  if (a.S !== undefined) return `S:${JSON.stringify(a.S)}`;
  if (a.N !== undefined) return `N:${Number(a.N)}`;
  if (a.B !== undefined) return `B:${hex(a.B)}`;
  if (a.BOOL !== undefined) return `BOOL:${a.BOOL}`;
  if (a.NULL !== undefined) return 'NULL';
  if (a.SS !== undefined) return `SS:${JSON.stringify([...a.SS].sort())}`;
  if (a.NS !== undefined) return `NS:${JSON.stringify(a.NS.map(Number).sort((p, q) => p - q))}`;
  if (a.BS !== undefined) return `BS:${JSON.stringify(a.BS.map(hex).sort())}`;
  if (a.L !== undefined) return `L:[${a.L.map(norm).join(',')}]`;
  const entries = (a.M ?? (v as Record<string, AttributeValue>)) as Record<string, AttributeValue>;
  return `M:{${Object.keys(entries)
    .sort()
    .map((k) => `${JSON.stringify(k)}=${norm(entries[k])}`)
    .join(',')}}`;
}

/** The same value written another way: set members reversed, numbers in another notation. */
function respelled(v: AttributeValue): AttributeValue {
  if (v.N !== undefined) return { N: `${v.N}`.includes('e') ? v.N : `${v.N}e0` };
  if (v.SS) return { SS: [...v.SS].reverse() };
  if (v.NS) return { NS: [...v.NS].reverse() };
  if (v.BS) return { BS: [...v.BS].reverse() };
  if (v.M) return { M: Object.fromEntries(Object.entries(v.M).reverse()) };
  return v;
}
