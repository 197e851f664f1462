/**
 * Grants equal calls for the redrive (handlers/redrive/index.ts), for the example consumer
 * (examples/orders: order-stats.ts and the stats table it writes), and for a windowed consumer of
 * a Kinesis source (its idempotency table: the windows' markers). Each handler runs with its
 * default clients, configured by its synthesized environment, through every path that calls AWS;
 * every call is recorded on the wire with the key it was signed with (test/support/recording-
 * endpoint.ts). Each synthesized role must grant exactly those calls plus what the Lambda service
 * calls with it (test/support/lambda-service-calls.ts, each with its AWS documentation), on
 * exactly those resources: no more, no fewer.
 * Stand-ins, said plainly: one DynamoDB Local; the parked queue is a FAKE SQS
 * (test/support/fake-sqs.ts) and the consumer the redrive invokes runs behind a FAKE Lambda Invoke
 * endpoint (test/support/fake-lambda.ts): SQS and Lambda have no local counterparts. This file
 * plays the event source mappings (it reads the stream, and hands the redrive its SQS messages).
 */
import { CreateTableCommand, DeleteItemCommand, DynamoDBClient, PutItemCommand, UpdateItemCommand } from '@aws-sdk/client-dynamodb';
import { DescribeStreamCommand } from '@aws-sdk/client-dynamodb-streams';
import { AwsProvider } from '@cdktf/provider-aws/lib/provider';
import type { DynamoDBBatchResponse, DynamoDBRecord, DynamoDBStreamEvent, KinesisStreamRecord } from 'aws-lambda';
import { TerraformStack, Testing } from 'cdktf';
import { OrdersStack } from '../../examples/orders/stack';
import { handler as orderStats } from '../../examples/orders/order-stats';
import { windowHandler } from '../../handlers/consumer';
import { createRedriveHandler, RedriveTally, redriveConfigFromEnv } from '../../handlers/redrive';
import { TableKinesisStream } from '../../modules/kinesis-stream';
import { StreamConsumer } from '../../modules/stream-consumer';
import { StreamPipeline } from '../../modules/stream-pipeline';
import { StreamTable } from '../../modules/stream-table';
import { CACHE_DIR, HANDLER_ENTRY } from '../support/consumer-stack';
import { DynamoDbLocal, dynamoClient, startDynamoDbLocal, streamsClient } from '../support/dynamodb-local';
import { FakeLambda, startFakeLambda } from '../support/fake-lambda';
import { FakeSqs, quietLocalQueueUrlWarnings, startFakeSqs } from '../support/fake-sqs';
import { ACCOUNT, idOf, minus, pair, resolveValue, roleGrants, roleOfFunction } from '../support/iam-grants';
import { kinesisChangeOf } from '../support/kinesis-bridge';
import { lambdaServiceGrants } from '../support/lambda-service-calls';
import { onFailureSqsMessage } from '../support/on-failure-message';
import { RecordingEndpoint, startRecordingEndpoint } from '../support/recording-endpoint';
import { createStreamTable, StreamReader } from '../support/streams';

const REGION = 'eu-west-1';
const saved = { ...process.env };
let local: DynamoDbLocal;
let ddb: DynamoDBClient;
let sqs: FakeSqs;
let lambda: FakeLambda;
let dynamoEndpoint: RecordingEndpoint;
let sqsEndpoint: RecordingEndpoint;
let lambdaEndpoint: RecordingEndpoint;
const seen = new Set<string>();

/**
 * The consumer the redrive invokes again: keys starting with "poison" always fail, "flaky" fail on
 * their first delivery, and "crash" makes the whole invocation throw the first time.
 */
async function eventsConsumer(event: DynamoDBStreamEvent): Promise<DynamoDBBatchResponse> {
  const keys = event.Records.map((r) => r.dynamodb!.Keys!.pk.S!);
  const first = (k: string) => !seen.has(k) && !!seen.add(k);
  if (keys.some((k) => k.startsWith('crash') && first(k))) throw new Error('consumer crashed');
  const failed = event.Records.filter((r) => {
    const k = r.dynamodb!.Keys!.pk.S!;
    return k.startsWith('poison') || (k.startsWith('flaky') && first(k));
  });
  return { batchItemFailures: failed.map((r) => ({ itemIdentifier: r.dynamodb!.SequenceNumber! })) };
}

beforeAll(async () => {
  quietLocalQueueUrlWarnings();
  local = await startDynamoDbLocal();
  ddb = dynamoClient(local.endpoint, REGION);
  sqs = await startFakeSqs();
  lambda = await startFakeLambda({ 'events-consumer': eventsConsumer });
  dynamoEndpoint = await startRecordingEndpoint({ upstream: local.endpoint, account: ACCOUNT, streamArnsAs: REGION });
  sqsEndpoint = await startRecordingEndpoint({ upstream: new URL(sqs.queueUrl).origin, account: ACCOUNT });
  lambdaEndpoint = await startRecordingEndpoint({ upstream: lambda.endpoint, account: ACCOUNT });
  // What Lambda gives every function; the endpoint variables are the SDK's standard overrides.
  Object.assign(process.env, {
    AWS_REGION: REGION,
    AWS_SECRET_ACCESS_KEY: 'function-secret',
    AWS_ENDPOINT_URL_DYNAMODB: dynamoEndpoint.endpoint,
    AWS_ENDPOINT_URL_DYNAMODB_STREAMS: dynamoEndpoint.endpoint,
    AWS_ENDPOINT_URL_LAMBDA: lambdaEndpoint.endpoint,
    POWERTOOLS_LOG_LEVEL: 'SILENT',
    POWERTOOLS_METRICS_DISABLED: 'true',
  });
});

afterAll(async () => {
  process.env = saved;
  ddb?.destroy();
  await Promise.all([dynamoEndpoint, sqsEndpoint, lambdaEndpoint].map((e) => e?.stop()));
  await lambda?.stop();
  await sqs?.stop();
  await local?.stop();
});

const calledWith = (key: string) =>
  new Set(
    [dynamoEndpoint, sqsEndpoint, lambdaEndpoint]
      .flatMap((e) => e.calls)
      .filter((c) => c.accessKeyId === key)
      .flatMap((c) => c.itemGrants?.map((g) => pair(...(g.split(' ') as [string, string]))) ?? c.resources.map((r) => pair(c.action, r))),
  );

function expectGrantsEqualCalls(json: any, functionId: string, called: Set<string>): void {
  const needed = new Set([...called, ...lambdaServiceGrants(json, functionId)]);
  const granted = roleGrants(json, roleOfFunction(json, functionId));
  expect({ grantedNotCalled: minus(granted, needed), calledNotGranted: minus(needed, granted) }).toEqual({
    grantedNotCalled: [],
    calledNotGranted: [],
  });
}

/** Creates the stack's DynamoDB tables (names and partition keys from the JSON) in DynamoDB Local; returns stream ARNs by table name. */
async function createTables(json: any): Promise<Record<string, string>> {
  const streams: Record<string, string> = {};
  for (const t of Object.values(json.resource.aws_dynamodb_table) as any[]) {
    if (t.stream_enabled) streams[t.name] = await createStreamTable(ddb, t.name, { partitionKey: t.hash_key });
    else
      await ddb.send(
        new CreateTableCommand({
          TableName: t.name,
          BillingMode: 'PAY_PER_REQUEST',
          KeySchema: [{ AttributeName: t.hash_key, KeyType: 'HASH' }],
          AttributeDefinitions: [{ AttributeName: t.hash_key, AttributeType: 'S' }],
        }),
      );
  }
  return streams;
}

describe('example consumer (orders): grants equal calls', () => {
  const json = JSON.parse(Testing.synth(new OrdersStack(Testing.app(), 'orders')));
  const functionId = idOf(json, 'aws_lambda_function', 'Consumer_Function');
  const KEY = 'AKIDORDERSTATS';

  test('GIVEN orders placed, changed and deleted WHEN the consumer folds two windows and its final invocation is retried THEN it only updates the stats table and its idempotency table, and its role grants exactly that plus the Lambda service calls', async () => {
    const streams = await createTables(json);
    const env = json.resource.aws_lambda_function[functionId].environment.variables;
    process.env.AWS_ACCESS_KEY_ID = KEY;
    process.env.STATS_TABLE_NAME = resolveValue(json, env.STATS_TABLE_NAME);
    process.env.DDB_STREAMS_IDEMPOTENCY_TABLE = resolveValue(json, env.DDB_STREAMS_IDEMPOTENCY_TABLE);
    process.env.DDB_STREAMS_VIEW_TYPE = env.DDB_STREAMS_VIEW_TYPE;
    const orders = resolveValue(json, `\${aws_dynamodb_table.${idOf(json, 'aws_dynamodb_table', 'Orders_Table')}.name}`);
    const order = (id: string, cents: number) => ({
      orderId: { S: id },
      createdAt: { S: '2026-11-01T10:00:00Z' },
      totalCents: { N: String(cents) },
      status: { S: 'PLACED' },
    });
    for (const i of [1, 2, 3]) await ddb.send(new PutItemCommand({ TableName: orders, Item: order(`o${i}`, 100 * i) }));
    await ddb.send(
      new UpdateItemCommand({
        TableName: orders,
        Key: { orderId: { S: 'o1' } },
        UpdateExpression: 'SET #s = :s',
        ExpressionAttributeNames: { '#s': 'status' },
        ExpressionAttributeValues: { ':s': { S: 'SHIPPED' } },
      }),
    );
    await ddb.send(new DeleteItemCommand({ TableName: orders, Key: { orderId: { S: 'o2' } } }));
    const records = await new StreamReader(streamsClient(local.endpoint, REGION), streams[orders], REGION).readNew();
    const base = {
      window: { start: '2026-11-01T10:00:00Z', end: '2026-11-01T10:01:00Z' },
      shardId: 'shardId-1',
      eventSourceARN: streams[orders],
      isWindowTerminatedEarly: false,
    };
    let state: Record<string, string> = {};
    ({ state } = await orderStats({ ...base, Records: records.slice(0, 2), isFinalInvokeForWindow: false }));
    const final = { ...base, Records: records.slice(2), state, isFinalInvokeForWindow: true };
    // The stats table refuses the flush once (the day's item holds a string where the ADD needs a
    // number): the flush's claim is released (DeleteItem) so Lambda's retry can flush.
    const statsTable = process.env.STATS_TABLE_NAME;
    const day = { day: { S: '2026-11-01' } };
    await ddb.send(new PutItemCommand({ TableName: statsTable, Item: { ...day, orders: { S: 'not a number' } } }));
    await expect(orderStats(final)).rejects.toThrow(/incorrect data type/);
    await ddb.send(new DeleteItemCommand({ TableName: statsTable, Key: day }));
    await orderStats(final);
    await orderStats(final); // Lambda retries a final invocation that timed out: the flush is found done

    const called = calledWith(KEY);
    const arnOf = (table: string) => resolveValue(json, `\${aws_dynamodb_table.${idOf(json, 'aws_dynamodb_table', table)}.arn}`);
    // Claim (PutItem), the flush's TransactWriteItems (UpdateItem on stats, PutItem, the mark, on the
    // idempotency table), and the release of a failed flush's claim (DeleteItem).
    expect([...called].sort()).toEqual(
      [
        pair('dynamodb:PutItem', arnOf('IdempotencyTable')),
        pair('dynamodb:DeleteItem', arnOf('IdempotencyTable')),
        pair('dynamodb:UpdateItem', arnOf('OrderStats')),
      ].sort(),
    );
    expect(dynamoEndpoint.calls.filter((c) => c.accessKeyId === KEY).map((c) => `${c.operation} ${c.status}`)).toEqual([
      'PutItem 200',
      'TransactWriteItems 400',
      'DeleteItem 200',
      'PutItem 200',
      'TransactWriteItems 200',
      'PutItem 400', // the retry's claim finds the flush COMPLETED
    ]);
    expectGrantsEqualCalls(json, functionId, called);
  });
});

describe('redrive: grants equal calls', () => {
  /** A pipeline with the redrive on, as StreamPipeline builds it. */
  function synthesize(): any {
    const stack = new TerraformStack(Testing.app(), 'events');
    new AwsProvider(stack, 'aws', { region: REGION });
    new StreamPipeline(stack, 'Events', {
      table: { tableName: 'events', partitionKey: { name: 'pk', type: 'S' } },
      consumer: { functionName: 'events-consumer', code: { entry: HANDLER_ENTRY, bundling: { cacheDir: CACHE_DIR } } },
      redrive: true,
      alarms: false,
    });
    return JSON.parse(Testing.synth(stack));
  }
  const KEY = 'AKIDREDRIVE';

  test('GIVEN failed ranges that partly succeed again, a crashing consumer, a trimmed range and a stray message WHEN the redrive handles them THEN it reads the stream, invokes the consumer and parks, and its role grants exactly that plus the Lambda service calls', async () => {
    const json = synthesize();
    const functionId = idOf(json, 'aws_lambda_function', 'Redrive_Function');
    const env = json.resource.aws_lambda_function[functionId].environment.variables;
    const parkedName = resolveValue(json, env.REDRIVE_PARKED_QUEUE_URL.replace(/\.url\}$/, '.name}'));
    const streamArn = (await createTables(json)).events;
    process.env.AWS_ACCESS_KEY_ID = KEY;
    const tallies: RedriveTally[] = [];
    const redrive = createRedriveHandler({
      config: redriveConfigFromEnv({ ...env, REDRIVE_PARKED_QUEUE_URL: `${sqsEndpoint.endpoint}/${ACCOUNT}/${parkedName}` }),
      onInvocation: (t) => tallies.push(t),
    });

    const keys = ['ok-1', 'flaky-1', 'poison-1', 'crash-1', 'ok-2'];
    for (const pk of keys) await ddb.send(new PutItemCommand({ TableName: 'events', Item: { pk: { S: pk } } }));
    const records = await new StreamReader(streamsClient(local.endpoint, REGION), streamArn, REGION).readNew();
    const shardId = (await streamsClient(local.endpoint, REGION).send(new DescribeStreamCommand({ StreamArn: streamArn })))
      .StreamDescription!.Shards![0].ShardId!;
    const batch = {
      functionArn: resolveValue(json, `\${aws_lambda_function.${idOf(json, 'aws_lambda_function', 'Consumer_Function')}.arn}`),
      // As Lambda names it: the stream's ARN in its own region and account.
      streamArn: streamArn.replace('arn:aws:dynamodb:ddblocal:000000000000:', `arn:aws:dynamodb:${REGION}:${ACCOUNT}:`),
      shardId,
      startSequenceNumber: records[0].dynamodb!.SequenceNumber!,
      endSequenceNumber: records[records.length - 1].dynamodb!.SequenceNumber!,
      batchSize: records.length,
    };
    const trimmed = { ...batch, startSequenceNumber: '0'.repeat(batch.startSequenceNumber.length) };
    const stray = { ...onFailureSqsMessage(batch, 'm-stray'), body: '{"hello":"world"}' };
    const response = await redrive({ Records: [onFailureSqsMessage(batch, 'm-range'), onFailureSqsMessage(trimmed, 'm-trimmed'), stray] });

    expect(response).toEqual({ batchItemFailures: [] });
    expect(tallies).toEqual([
      {
        messages: 3,
        rangesRedriven: 1,
        rangesUnreadable: 1,
        objectsRead: 0,
        recordsRead: 5,
        recordsFiltered: 0,
        recordsRetried: expect.any(Number),
        recordsSucceeded: 4,
        recordsParked: 1,
        messagesFailed: 0,
      },
    ]);
    expect(sqs.messages.map((m) => JSON.parse(m.body).kind).sort()).toEqual(['message', 'range', 'record']);
    expect(lambda.invoked.length).toBeGreaterThan(1);
    const called = calledWith(KEY);
    const ref = (type: string, part: string, attr: string) => resolveValue(json, `\${${type}.${idOf(json, type, part)}.${attr}}`);
    expect([...called].sort()).toEqual(
      [
        pair('dynamodb:GetRecords', ref('aws_dynamodb_table', 'Events_Table', 'stream_arn')),
        pair('dynamodb:GetShardIterator', ref('aws_dynamodb_table', 'Events_Table', 'stream_arn')),
        pair('lambda:InvokeFunction', batch.functionArn),
        pair('sqs:SendMessage', ref('aws_sqs_queue', 'Redrive_Parked_Queue', 'arn')),
      ].sort(),
    );
    expectGrantsEqualCalls(json, functionId, called);
  });
});

describe('windowed consumer of a Kinesis source: grants equal calls', () => {
  /** A consumer of the table's Kinesis data stream with a tumbling window and `idempotency`. */
  function synthesize(): any {
    const stack = new TerraformStack(Testing.app(), 'window');
    new AwsProvider(stack, 'aws', { region: REGION });
    const table = new StreamTable(stack, 'Orders', { tableName: 'window-orders', partitionKey: { name: 'pk', type: 'S' } });
    const changes = new TableKinesisStream(stack, 'Changes', { table });
    new StreamConsumer(stack, 'Consumer', {
      source: changes,
      functionName: 'window-stats',
      code: { entry: HANDLER_ENTRY, bundling: { cacheDir: CACHE_DIR } },
      tumblingWindowSeconds: 60,
      idempotency: true,
    });
    return JSON.parse(Testing.synth(stack));
  }
  const KEY = 'AKIDWINDOWSTATS';

  test('GIVEN a change, a duplicate of it in the next window and a flush that fails once WHEN the handler folds the windows with its default store THEN the duplicate is skipped AND its role grants exactly its calls on the idempotency table plus the Lambda service calls (reading the Kinesis stream, logs)', async () => {
    const json = synthesize();
    const functionId = idOf(json, 'aws_lambda_function', 'Consumer_Function');
    const streams = await createTables(json);
    const env = json.resource.aws_lambda_function[functionId].environment.variables;
    process.env.AWS_ACCESS_KEY_ID = KEY;
    process.env.DDB_STREAMS_IDEMPOTENCY_TABLE = resolveValue(json, env.DDB_STREAMS_IDEMPOTENCY_TABLE);
    process.env.DDB_STREAMS_VIEW_TYPE = env.DDB_STREAMS_VIEW_TYPE;
    for (const [pk, n] of [
      ['a', 1],
      ['b', 2],
      ['c', 4],
    ] as const)
      await ddb.send(new PutItemCommand({ TableName: 'window-orders', Item: { pk: { S: pk }, n: { N: String(n) } } }));
    const [a, b, c] = await new StreamReader(streamsClient(local.endpoint, REGION), streams['window-orders'], REGION).readNew();
    let seq = 0;
    const kinesis = (r: DynamoDBRecord, ms: number): KinesisStreamRecord => {
      const data = kinesisChangeOf(r, { tableName: 'window-orders', region: REGION, creationTimeMs: () => ms });
      const sequenceNumber = String(++seq);
      return {
        eventSource: 'aws:kinesis',
        eventSourceARN: `arn:aws:kinesis:${REGION}:${ACCOUNT}:stream/window-orders`,
        eventID: `shardId-000000000000:${sequenceNumber}`,
        kinesis: { sequenceNumber, partitionKey: 'p', data: Buffer.from(JSON.stringify(data)).toString('base64') },
      } as unknown as KinesisStreamRecord;
    };
    const flushed: number[] = [];
    let failOnce = true;
    // The consumer's handler: sums `n` per window; its first flush fails (the claim is released).
    const handler = windowHandler<number, { n: number }>({
      initial: () => 0,
      add: (sum, change) => sum + (change.newImage?.n ?? 0),
      flush: async (sum) => {
        if (failOnce && !(failOnce = false)) throw new Error('downstream refused the flush');
        flushed.push(sum);
      },
    });
    const base = { shardId: 'shardId-000000000000', eventSourceARN: `arn:aws:kinesis:${REGION}:${ACCOUNT}:stream/window-orders` };
    const first = { ...base, window: { start: '2026-12-06T03:00:00Z', end: '2026-12-06T03:01:00Z' }, isFinalInvokeForWindow: true };
    const windowOne = [kinesis(a, 1_800_000_000_001), kinesis(b, 1_800_000_000_002)];
    await expect(handler({ ...first, Records: windowOne })).rejects.toThrow(/downstream refused/);
    await handler({ ...first, Records: windowOne });
    // The next window: a duplicate of `a` (the same change put again) and `c`.
    const second = { ...base, window: { start: '2026-12-06T03:01:00Z', end: '2026-12-06T03:02:00Z' }, isFinalInvokeForWindow: true };
    await handler({ ...second, Records: [kinesis(a, 1_800_000_000_001), kinesis(c, 1_800_000_000_003)] });
    expect(flushed).toEqual([3, 4]);

    const idemRef = `\${aws_dynamodb_table.${idOf(json, 'aws_dynamodb_table', 'IdempotencyTable')}.arn}`;
    const idem = pair('', resolveValue(json, idemRef)).trim();
    const called = calledWith(KEY);
    expect([...called].sort()).toEqual(
      ['dynamodb:BatchGetItem', 'dynamodb:BatchWriteItem', 'dynamodb:DeleteItem', 'dynamodb:PutItem'].map((a) => `${a} ${idem}`),
    );
    // The whole role: these calls, plus what the Lambda service calls for the function (reading the
    // Kinesis stream, writing logs), nothing else.
    expectGrantsEqualCalls(json, functionId, called);
  });
});
