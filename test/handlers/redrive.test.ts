/**
 * Redrive function against a real DynamoDB Local and its real stream: on-failure records are built
 * for real sequence ranges of the table's stream, and the redrive reads them back through the
 * DynamoDB Streams API.
 * Stand-ins, said plainly:
 * - the Lambda service has no local counterpart, so the "invoke" is an in-process invoker that
 *   JSON-round-trips the event into a real consumer handler (which writes to a DynamoDB Local
 *   table) and answers as Lambda Invoke does (a FunctionError when the handler throws);
 * - the parked queue is a FAKE SQS (test/support/fake-sqs.ts): SQS has no local counterpart.
 */
import { GetItemCommand, PutItemCommand, CreateTableCommand, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBStreamsClient } from '@aws-sdk/client-dynamodb-streams';
import { SQSClient } from '@aws-sdk/client-sqs';
import type { DynamoDBBatchResponse, DynamoDBRecord, DynamoDBStreamEvent, SQSEvent } from 'aws-lambda';
import { createRedriveHandler, Invoker, RedriveTally } from '../../handlers/redrive';
import { sqsRedriveParker } from '../../handlers/redrive/park';
import { compareSequence } from '../../handlers/redrive/on-failure-record';
import { DynamoDbLocal, dynamoClient, FAKE_CREDENTIALS, startDynamoDbLocal, streamsClient } from '../support/dynamodb-local';
import { FakeSqs, startFakeSqs } from '../support/fake-sqs';
import { onFailureSqsMessage } from '../support/on-failure-message';
import { createStreamTable, StreamReader } from '../support/streams';

const REGION = 'eu-west-1';
const FUNCTION_ARN = 'arn:aws:lambda:eu-west-1:123456789012:function:orders-consumer';
let local: DynamoDbLocal;
let ddb: DynamoDBClient;
let streams: DynamoDBStreamsClient;
let parked: FakeSqs;
let counter = 0;

beforeAll(async () => {
  local = await startDynamoDbLocal();
  ddb = dynamoClient(local.endpoint, REGION);
  streams = streamsClient(local.endpoint, REGION);
  parked = await startFakeSqs('redrive-parked');
});
afterAll(async () => {
  await parked?.stop();
  await local?.stop();
});
beforeEach(() => parked.messages.splice(0));

/** A source table with a stream and a target table the consumer copies into. */
async function fixture(keys: string[]) {
  const n = ++counter;
  const source = `redrive-src-${n}`;
  const target = `redrive-dst-${n}`;
  const streamArn = await createStreamTable(ddb, source);
  await ddb.send(
    new CreateTableCommand({
      TableName: target,
      BillingMode: 'PAY_PER_REQUEST',
      KeySchema: [{ AttributeName: 'pk', KeyType: 'HASH' }],
      AttributeDefinitions: [{ AttributeName: 'pk', AttributeType: 'S' }],
    }),
  );
  for (const [i, pk] of keys.entries()) {
    await ddb.send(
      new PutItemCommand({ TableName: source, Item: { pk: { S: pk }, n: { N: String(i) }, payload: { S: `body of ${pk}` } } }),
    );
  }
  const records = await new StreamReader(streams, streamArn, REGION).readNew();
  expect(records.map((r) => r.dynamodb!.Keys!.pk.S)).toEqual(keys);
  return { source, target, streamArn, records };
}

/** Lambda's on-failure record for the batch `records` (one shard), as the mapping sends it to SQS. */
function onFailureMessage(
  records: DynamoDBRecord[],
  overrides: Partial<Record<'startSequenceNumber' | 'endSequenceNumber' | 'shardId', string>> = {},
  messageId = 'm-1',
) {
  const shardId = (records[0] as any).shardId ?? currentShards.get(records[0].eventSourceARN!)!;
  const batch = {
    functionArn: FUNCTION_ARN,
    shardId,
    startSequenceNumber: records[0].dynamodb!.SequenceNumber!,
    endSequenceNumber: records[records.length - 1].dynamodb!.SequenceNumber!,
    batchSize: records.length,
    streamArn: records[0].eventSourceARN!,
  };
  return onFailureSqsMessage({ ...batch, ...overrides }, messageId);
}

const currentShards = new Map<string, string>();
async function rememberShard(streamArn: string) {
  const { DescribeStreamCommand } = await import('@aws-sdk/client-dynamodb-streams');
  const d = await streams.send(new DescribeStreamCommand({ StreamArn: streamArn }));
  const shards = d.StreamDescription!.Shards!;
  expect(shards).toHaveLength(1);
  currentShards.set(streamArn, shards[0].ShardId!);
  return shards[0].ShardId!;
}

/**
 * A real consumer: copies each record's new image into `target`. Keys starting with "poison"
 * always fail; keys starting with "flaky" fail on their first delivery only.
 */
function copyConsumer(target: string, calls: string[][]) {
  const seen = new Set<string>();
  return async (event: DynamoDBStreamEvent): Promise<DynamoDBBatchResponse> => {
    calls.push(event.Records.map((r) => r.dynamodb!.Keys!.pk.S!));
    const batchItemFailures: DynamoDBBatchResponse['batchItemFailures'] = [];
    for (const r of event.Records) {
      const pk = r.dynamodb!.Keys!.pk.S!;
      const first = !seen.has(pk);
      seen.add(pk);
      if (pk.startsWith('poison') || (pk.startsWith('flaky') && first)) {
        batchItemFailures.push({ itemIdentifier: r.dynamodb!.SequenceNumber! });
        continue;
      }
      await ddb.send(new PutItemCommand({ TableName: target, Item: r.dynamodb!.NewImage as any }));
    }
    return { batchItemFailures };
  };
}

/** Invokes a handler in-process the way Lambda Invoke would: JSON in, JSON out, FunctionError on a throw. */
function inProcess(handler: (e: DynamoDBStreamEvent) => Promise<unknown>, invoked: string[] = []): Invoker {
  return async (functionArn, event) => {
    invoked.push(functionArn);
    try {
      return { response: JSON.parse(JSON.stringify((await handler(JSON.parse(JSON.stringify(event)))) ?? null)) };
    } catch (e) {
      return { functionError: 'Unhandled', response: { errorType: (e as Error).name, errorMessage: (e as Error).message } };
    }
  };
}

function redriveHandler(invoker: Invoker, tallies: RedriveTally[], sqsAttempts = 3, filterPatterns?: string[]) {
  return createRedriveHandler({
    config: { parkedQueueUrl: parked.queueUrl, maxAttempts: 3, invokeBatchSize: 2, filterPatterns },
    // DynamoDB Local names its region "ddblocal" in stream ARNs; the redrive takes the region from the ARN.
    streams: (region) => (region === 'ddblocal' ? streams : failStreams(region)),
    invoker,
    parker: sqsRedriveParker(new SQSClient({ region: REGION, credentials: FAKE_CREDENTIALS, maxAttempts: sqsAttempts }), parked.queueUrl),
    onInvocation: (t) => tallies.push(t),
  });
}

function failStreams(region: string): never {
  throw new Error(`the redrive asked for a streams client of region ${region}, not the stream ARN's`);
}

const parkedBodies = () => parked.messages.map((m) => JSON.parse(m.body));
const sqsEvent = (...records: any[]): SQSEvent => ({ Records: records });

async function itemIn(table: string, pk: string) {
  return (await ddb.send(new GetItemCommand({ TableName: table, Key: { pk: { S: pk } }, ConsistentRead: true }))).Item;
}

describe('redrive handler', () => {
  test('GIVEN an on-failure record for a real stream range WHEN the consumer fails some records once and one always THEN the transient ones succeed on retry, the persistent one is parked with its full record and reason, and records outside the range are not touched', async () => {
    const f = await fixture(['before', 'ok-1', 'flaky-1', 'poison-1', 'ok-2', 'flaky-2', 'after']);
    await rememberShard(f.streamArn);
    const inRange = f.records.slice(1, 6);
    const calls: string[][] = [];
    const invoked: string[] = [];
    const tallies: RedriveTally[] = [];
    const handler = redriveHandler(inProcess(copyConsumer(f.target, calls), invoked), tallies);

    const response = await handler(sqsEvent(onFailureMessage(inRange)));

    expect(response).toEqual({ batchItemFailures: [] });
    expect(new Set(invoked)).toEqual(new Set([FUNCTION_ARN]));
    // First attempt: the whole range in chunks of 2; then only what failed, until only the poison is left.
    expect(calls).toEqual([['ok-1', 'flaky-1'], ['poison-1', 'ok-2'], ['flaky-2'], ['flaky-1', 'poison-1'], ['flaky-2'], ['poison-1']]);
    for (const pk of ['ok-1', 'flaky-1', 'ok-2', 'flaky-2']) expect((await itemIn(f.target, pk))?.payload).toEqual({ S: `body of ${pk}` });
    for (const pk of ['poison-1', 'before', 'after']) expect(await itemIn(f.target, pk)).toBeUndefined();

    const bodies = parkedBodies();
    expect(bodies).toHaveLength(1);
    expect(bodies[0]).toMatchObject({
      kind: 'record',
      reason: 'reported in batchItemFailures (attempt 3 of 3)',
      origin: {
        sourceMessageId: 'm-1',
        functionArn: FUNCTION_ARN,
        condition: 'RetryAttemptsExhausted',
        range: { startSequenceNumber: inRange[0].dynamodb!.SequenceNumber, endSequenceNumber: inRange[4].dynamodb!.SequenceNumber },
      },
      omitted: [],
    });
    // The full record, exactly as the stream holds it (and as Lambda delivered it).
    // (awsRegion comes from the stream ARN, as in AWS, where they agree; DynamoDB Local's says "ddblocal".)
    expect(bodies[0].record).toEqual({ ...f.records[3], awsRegion: 'ddblocal' });
    expect(tallies).toEqual([
      {
        messages: 1,
        rangesRedriven: 1,
        rangesUnreadable: 0,
        recordsRead: 5,
        objectsRead: 0,
        recordsFiltered: 0,
        recordsRetried: 5 + 3 + 1,
        recordsSucceeded: 4,
        recordsParked: 1,
        messagesFailed: 0,
      },
    ]);
  });

  test('GIVEN a consumer mapping with filter criteria WHEN its range is redriven THEN only the records its filters match are delivered again, as the mapping delivered them', async () => {
    const f = await fixture(['keep-1', 'skip-1', 'keep-2']);
    await rememberShard(f.streamArn);
    const calls: string[][] = [];
    const tallies: RedriveTally[] = [];
    const handler = redriveHandler(inProcess(copyConsumer(f.target, calls)), tallies, 3, [
      '{"eventName":["INSERT"],"dynamodb":{"Keys":{"pk":{"S":[{"prefix":"keep"}]}}}}',
    ]);

    await handler(sqsEvent(onFailureMessage(f.records)));

    expect(calls).toEqual([['keep-1', 'keep-2']]);
    expect(await itemIn(f.target, 'skip-1')).toBeUndefined();
    expect(parked.messages).toHaveLength(0);
    expect(tallies[0]).toMatchObject({ recordsRead: 3, recordsFiltered: 1, recordsSucceeded: 2, recordsParked: 0 });
  });

  test('GIVEN a consumer that throws WHEN its range is redriven THEN every record of the range is parked with the FunctionError as reason after each attempt failed', async () => {
    const f = await fixture(['x-1', 'x-2']);
    await rememberShard(f.streamArn);
    let calls = 0;
    const tallies: RedriveTally[] = [];
    const handler = redriveHandler(
      inProcess(async () => {
        calls++;
        throw new Error('downstream refused');
      }),
      tallies,
    );

    await handler(sqsEvent(onFailureMessage(f.records)));

    expect(calls).toBe(3);
    const bodies = parkedBodies();
    expect(bodies.map((b) => b.record.dynamodb.Keys.pk.S)).toEqual(['x-1', 'x-2']);
    for (const b of bodies)
      expect(b.reason).toBe('FunctionError Unhandled: {"errorType":"Error","errorMessage":"downstream refused"} (attempt 3 of 3)');
    expect(tallies[0]).toMatchObject({ recordsSucceeded: 0, recordsParked: 2 });
  });

  test('GIVEN a range whose start sequence number the shard does not hold (before its first record: trimmed) WHEN it is redriven THEN nothing is invoked and the range coordinates are parked as unreadable with the reason', async () => {
    const f = await fixture(['a', 'b']);
    const shardId = await rememberShard(f.streamArn);
    const first = f.records[0].dynamodb!.SequenceNumber!;
    const before = '0'.repeat(first.length);
    expect(compareSequence(before, first)).toBe(-1);
    let calls = 0;
    const tallies: RedriveTally[] = [];
    const handler = redriveHandler(
      inProcess(async () => void calls++),
      tallies,
    );

    const response = await handler(sqsEvent(onFailureMessage(f.records, { startSequenceNumber: before }, 'm-gone')));

    expect(response).toEqual({ batchItemFailures: [] });
    expect(calls).toBe(0);
    const bodies = parkedBodies();
    expect(bodies).toHaveLength(1);
    expect(bodies[0]).toMatchObject({
      kind: 'range',
      reason: 'ValidationException: Invalid SequenceNumber for the shard',
      origin: {
        sourceMessageId: 'm-gone',
        functionArn: FUNCTION_ARN,
        range: {
          shardId,
          streamArn: f.streamArn,
          startSequenceNumber: before,
          endSequenceNumber: f.records[1].dynamodb!.SequenceNumber,
          batchSize: 2,
        },
      },
    });
    expect(bodies[0].record).toBeUndefined();
    expect(tallies[0]).toMatchObject({ rangesRedriven: 0, rangesUnreadable: 1, recordsParked: 0 });
  });

  test('GIVEN a range after the last record of the shard (no record of it can be read) WHEN it is redriven THEN nothing is invoked and the range is parked as empty', async () => {
    const f = await fixture(['a']);
    await rememberShard(f.streamArn);
    const last = f.records[0].dynamodb!.SequenceNumber!;
    const after = (BigInt(last) + 5n).toString().padStart(last.length, '0');
    let calls = 0;
    const handler = redriveHandler(
      inProcess(async () => void calls++),
      [],
    );

    await handler(sqsEvent(onFailureMessage(f.records, { startSequenceNumber: after, endSequenceNumber: after })));

    expect(calls).toBe(0);
    expect(parkedBodies()).toEqual([
      expect.objectContaining({
        kind: 'range',
        reason: `RangeEmpty: no record between ${after} and ${after} could be read from ${f.records.length && currentShards.get(f.streamArn)}`,
      }),
    ]);
  });

  test('GIVEN a range on a shard that does not exist (shard gone) WHEN it is redriven THEN its coordinates are parked as unreadable', async () => {
    const f = await fixture(['a']);
    await rememberShard(f.streamArn);
    const handler = redriveHandler(
      inProcess(async () => ({ batchItemFailures: [] })),
      [],
    );

    await handler(sqsEvent(onFailureMessage(f.records, { shardId: 'shardId-00000000000000000000-deadbeef' })));

    const bodies = parkedBodies();
    expect(bodies).toHaveLength(1);
    expect(bodies[0]).toMatchObject({ kind: 'range', origin: { range: { shardId: 'shardId-00000000000000000000-deadbeef' } } });
    expect(bodies[0].reason).toMatch(/^(ResourceNotFoundException|ValidationException|TrimmedDataAccessException): /);
  });

  test('GIVEN the parked queue failing WHEN a persistent failure must be parked THEN the SQS message is reported in batchItemFailures so SQS delivers it again, and a later delivery parks it', async () => {
    const f = await fixture(['poison-q']);
    await rememberShard(f.streamArn);
    const consumer = copyConsumer(f.target, []);
    const tallies: RedriveTally[] = [];
    const handler = redriveHandler(inProcess(consumer), tallies, 1);
    parked.failNext(1);

    const first = await handler(sqsEvent(onFailureMessage(f.records, {}, 'm-park')));
    expect(first).toEqual({ batchItemFailures: [{ itemIdentifier: 'm-park' }] });
    expect(parked.messages).toHaveLength(0);
    expect(tallies[0]).toMatchObject({ messagesFailed: 1 });

    const second = await handler(sqsEvent(onFailureMessage(f.records, {}, 'm-park')));
    expect(second).toEqual({ batchItemFailures: [] });
    expect(parkedBodies().map((b) => [b.kind, b.record.dynamodb.Keys.pk.S])).toEqual([['record', 'poison-q']]);
  });

  test('GIVEN a message that is not an on-failure record WHEN it arrives THEN it is parked as it came with the reason', async () => {
    const handler = redriveHandler(
      inProcess(async () => ({})),
      [],
    );
    const message = {
      ...onFailureMessage([{ eventSourceARN: 'arn:x', dynamodb: { SequenceNumber: '1' } } as any], { shardId: 's' }, 'm-bad'),
      body: '{"hello":"world"}',
    };

    const response = await handler(sqsEvent(message));

    expect(response).toEqual({ batchItemFailures: [] });
    expect(parkedBodies()).toEqual([
      expect.objectContaining({
        kind: 'message',
        body: '{"hello":"world"}',
        reason: expect.stringMatching(/^MalformedMessage: DDBStreamBatchInfo and KinesisBatchInfo are missing/),
      }),
    ]);
  });
});

describe('sequence numbers', () => {
  test('GIVEN sequence numbers of different lengths WHEN compared THEN they order as integers, not as strings', () => {
    expect(compareSequence('9', '10')).toBe(-1);
    expect(compareSequence('100000000000000000000000001', '99999999999999999999999999')).toBe(1);
    expect(compareSequence('000123', '123')).toBe(0);
    expect(compareSequence('400000000000000000000001', '400000000000000000000002')).toBe(-1);
  });
});
