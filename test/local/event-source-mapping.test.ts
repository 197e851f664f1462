/**
 * The local event source mapping on DynamoDB Local's real stream, against what the Lambda guide
 * says a DynamoDB stream mapping does: batches in order, the batching window, parallelization
 * with order kept per partition key, filter criteria, shards followed as they close, and the
 * event and context a handler receives. Real DynamoDB Local, real handler processes; no fakes.
 */
import { DeleteItemCommand } from '@aws-sdk/client-dynamodb';
import { DynamoDbLocal, startDynamoDbLocal, streamsClient } from '../../local/dynamodb-local';
import { describeShards } from '../../local/stream/shards';
import { delivered, Pipeline, pipeline } from './support/harness';

let db: DynamoDbLocal;
const running: Pipeline[] = [];
const start = async (...args: Parameters<typeof pipeline> extends [any, ...infer R] ? R : never) => {
  const p = await pipeline(db, ...args);
  running.push(p);
  return p;
};

beforeAll(async () => {
  db = await startDynamoDbLocal();
});
afterAll(async () => {
  await Promise.all(running.map((p) => p.stop()));
  await db?.stop();
});

const OK = `exports.handler = async () => ({ batchItemFailures: [] });`;

describe('local event source mapping: batching and order', () => {
  test('GIVEN batch_size 10 WHEN 25 records are written THEN they arrive once each, in stream order, at most 10 per invocation', async () => {
    const p = await start(OK, { batch_size: 10 });
    for (let i = 0; i < 25; i++) await p.put(`k${i}`);
    await p.mapping.drain();
    expect(p.invocations.every((i) => i.records.length <= 10)).toBe(true);
    expect(p.invocations.flatMap((i) => i.keys)).toEqual(Array.from({ length: 25 }, (_, i) => `k${i}`));
    const seqs = delivered(p);
    expect([...seqs].sort((a, b) => (BigInt(a) < BigInt(b) ? -1 : 1))).toEqual(seqs);
  });

  test('GIVEN a 2 s batching window WHEN 5 records are written one after the other THEN one invocation carries all 5', async () => {
    const p = await start(OK, { batch_size: 100, maximum_batching_window_in_seconds: 2 });
    for (let i = 0; i < 5; i++) await p.put(`w${i}`);
    await p.mapping.drain();
    expect(p.invocations.map((i) => i.keys)).toEqual([['w0', 'w1', 'w2', 'w3', 'w4']]);
  });

  test("GIVEN no batching window and a slow poll WHEN records are written between polls THEN each poll's records make their own invocation", async () => {
    const p = await start(OK, { batch_size: 100 });
    await p.put('n0');
    await p.mapping.drain();
    await p.put('n1');
    await p.mapping.drain();
    expect(p.invocations.map((i) => i.keys)).toEqual([['n0'], ['n1']]);
  });

  test('GIVEN parallelization_factor 4 and a slow handler WHEN 8 keys are written 3 times each THEN batches of different keys overlap in time AND each key is delivered in write order', async () => {
    const slow = `exports.handler = async () => { await new Promise((r) => setTimeout(r, 300)); return {}; };`;
    const p = await start(slow, { batch_size: 2, parallelization_factor: 4 });
    for (let round = 0; round < 3; round++) for (let k = 0; k < 8; k++) await p.put(`key${k}`, { round: String(round) });
    await p.mapping.drain();
    const overlapping = p.invocations.some((a) => p.invocations.some((b) => a !== b && a.started < b.ended && b.started < a.ended));
    expect(overlapping).toBe(true);
    expect(new Set(p.invocations.flatMap((i) => (i.result.ok ? [] : ['failed']))).size).toBe(0);
    for (let k = 0; k < 8; k++) {
      const rounds = p.invocations
        .slice()
        .sort((a, b) => a.started - b.started)
        .flatMap((i) => i.records.filter((r) => r.dynamodb!.Keys!.pk.S === `key${k}`).map((r) => r.dynamodb!.NewImage!.round.S));
      expect(rounds).toEqual(['0', '1', '2']);
    }
  });

  test('GIVEN filter criteria on the event name and an attribute WHEN matching and other records are written THEN only matching records are delivered AND the rest are counted as filtered out', async () => {
    const p = await start(OK, {
      filter_criteria: {
        filter: [{ pattern: JSON.stringify({ eventName: ['INSERT'], dynamodb: { NewImage: { kind: { S: [{ prefix: 'keep' }] } } } }) }],
      },
    });
    await p.put('a', { kind: 'keep-1' });
    await p.put('b', { kind: 'drop' });
    await p.put('a', { kind: 'keep-2' }); // MODIFY: filtered out by eventName
    await p.client.send(new DeleteItemCommand({ TableName: p.table, Key: { pk: { S: 'b' } } }));
    await p.put('c', { kind: 'keeper' });
    await p.mapping.drain();
    expect(p.invocations.flatMap((i) => i.records.map((r) => `${r.eventName}:${r.dynamodb!.NewImage?.kind.S}`))).toEqual([
      'INSERT:keep-1',
      'INSERT:keeper',
    ]);
    expect(p.filtered.reduce((a, b) => a + b, 0)).toBe(3);
  });
});

describe('local event source mapping: shards', () => {
  test('GIVEN records in a shard that DynamoDB Local closes twice WHEN the mapping runs THEN every record of the parent and of each child arrives once, parents first', async () => {
    const p = await start(OK, { batch_size: 100 });
    await p.put('s1');
    await p.put('s2');
    await p.mapping.drain();
    await db.rolloverShards();
    await p.put('s3');
    await db.rolloverShards();
    await p.put('s4');
    await p.put('s5');
    await p.mapping.drain();
    expect(p.invocations.flatMap((i) => i.keys)).toEqual(['s1', 's2', 's3', 's4', 's5']);
    const shards = await describeShards(streamsClient(db.endpoint), p.streamArn);
    expect(shards.filter((s) => s.endingSequenceNumber)).toHaveLength(2);
    expect(shards).toHaveLength(3);
  });
});

describe('local event source mapping: what the handler receives', () => {
  test("GIVEN a handler that reports its event and context WHEN invoked THEN the event is Lambda-shaped AND the context has Lambda's fields and remaining time", async () => {
    const echo = `exports.handler = async (event, context) => ({ batchItemFailures: [], seen: {
      records: event.Records.length, source: event.Records[0].eventSource, arn: event.Records[0].eventSourceARN, region: event.Records[0].awsRegion,
      functionName: context.functionName, version: context.functionVersion, arnOfFunction: context.invokedFunctionArn, memory: context.memoryLimitInMB,
      requestId: context.awsRequestId, remaining: context.getRemainingTimeInMillis(), logGroup: context.logGroupName,
      env: { region: process.env.AWS_REGION, name: process.env.AWS_LAMBDA_FUNCTION_NAME, table: process.env.TABLE, handler: process.env._HANDLER } } });`;
    const p = await start(echo, {}, { timeout: 7 });
    await p.put('ctx');
    await p.mapping.drain();
    const seen = (p.invocations[0].result as any).payload.seen;
    expect(seen).toEqual({
      records: 1,
      source: 'aws:dynamodb',
      arn: expect.stringMatching(/^arn:aws:dynamodb:ddblocal:000000000000:table\/esm-.*\/stream\//),
      region: 'eu-west-1',
      functionName: `fn-${p.table}`,
      version: '$LATEST',
      arnOfFunction: `arn:aws:lambda:eu-west-1:000000000000:function:fn-${p.table}`,
      memory: '128',
      requestId: expect.stringMatching(/^[0-9a-f-]{36}$/),
      remaining: expect.any(Number),
      logGroup: `/aws/lambda/fn-${p.table}`,
      env: { region: 'eu-west-1', name: `fn-${p.table}`, table: p.table, handler: 'index.handler' },
    });
    expect(seen.remaining).toBeGreaterThan(0);
    expect(seen.remaining).toBeLessThanOrEqual(7000);
  });
});
