/**
 * The local servers, tables and order histories of kinesis-source.test.ts (moved from it):
 * DynamoDB Local, kinesis-local, s3rver and a fake SQS parked queue, started once for the file.
 * Importing this module registers their beforeAll/afterAll in the importing test file.
 */
import { mkdtempSync } from 'fs';
import { tmpdir } from 'os';
import { join } from 'path';
import S3rver from 's3rver';
import {
  CreateTableCommand,
  DeleteItemCommand,
  DynamoDBClient,
  PutItemCommand,
  ScanCommand,
  UpdateItemCommand,
} from '@aws-sdk/client-dynamodb';
import { DynamoDBStreamsClient } from '@aws-sdk/client-dynamodb-streams';
import { KinesisClient } from '@aws-sdk/client-kinesis';
import { S3Client } from '@aws-sdk/client-s3';
import { unmarshall } from '@aws-sdk/util-dynamodb';
import { DynamoDbLocal, dynamoClient, FAKE_CREDENTIALS, startDynamoDbLocal, streamsClient } from '../../support/dynamodb-local';
import { FakeSqs, startFakeSqs } from '../../support/fake-sqs';
import { createKinesisStream, KinesisLocal, startKinesisLocal } from '../../support/kinesis-local';
import { DynamoDbToKinesisBridge } from '../../support/kinesis-bridge';
import { KinesisShardReader } from '../../support/kinesis-reader';
import { createStreamTable } from '../../support/streams';

process.env.POWERTOOLS_LOG_LEVEL ??= 'SILENT';
process.env.POWERTOOLS_METRICS_DISABLED ??= 'true';

export const REGION = 'eu-west-1';
export const FUNCTION_ARN = 'arn:aws:lambda:eu-west-1:000000000000:function:orders-consumer';
export const ROLE_ARN = 'arn:aws:iam::000000000000:role/orders-consumer';
export let local: DynamoDbLocal;
export let kinesisLocal: KinesisLocal;
export let s3server: S3rver;
export let parked: FakeSqs;
export let ddb: DynamoDBClient;
export let streams: DynamoDBStreamsClient;
export let kinesis: KinesisClient;
export let s3: S3Client;
let counter = 0;
/** A number no other table or stream of this file's run has used. */
export const nextId = () => ++counter;
export const savedEnv = { ...process.env };

beforeAll(async () => {
  let s3port: number;
  s3server = new S3rver({
    port: 0,
    address: '127.0.0.1',
    silent: true,
    directory: mkdtempSync(join(tmpdir(), 's3rver-')),
    configureBuckets: [{ name: 'orders-failures', configs: [] }],
  });
  [local, kinesisLocal, parked, { port: s3port }] = await Promise.all([
    startDynamoDbLocal(),
    startKinesisLocal(),
    startFakeSqs('kinesis-parked'),
    s3server.run(),
  ]);
  ddb = dynamoClient(local.endpoint, REGION);
  streams = streamsClient(local.endpoint, REGION);
  kinesis = kinesisLocal.client(REGION);
  s3 = new S3Client({
    region: REGION,
    endpoint: `http://127.0.0.1:${s3port}`,
    forcePathStyle: true,
    credentials: { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' },
  });
  // The example consumers build their own DynamoDB client, as in Lambda: point it at DynamoDB Local.
  Object.assign(process.env, {
    AWS_ENDPOINT_URL_DYNAMODB: local.endpoint,
    AWS_REGION: REGION,
    AWS_ACCESS_KEY_ID: FAKE_CREDENTIALS.accessKeyId,
    AWS_SECRET_ACCESS_KEY: FAKE_CREDENTIALS.secretAccessKey,
  });
}, 120_000);

afterAll(async () => {
  process.env = savedEnv;
  s3?.destroy();
  await Promise.all([kinesisLocal?.stop(), local?.stop(), parked?.stop(), s3server?.close()]);
});
beforeEach(() => parked.messages.splice(0));

/** Monotonic creation times in ms, as DynamoDB assigns them per item in write order (DynamoDB Local only has seconds). */
export function monotonicClock(): () => number {
  let last = Date.now();
  return () => (last += 1 + Math.floor(Math.random() * 3));
}

/** An orders table with its DynamoDB Local stream, a Kinesis stream, and the bridge between them. */
export async function fixture(inject?: ConstructorParameters<typeof DynamoDbToKinesisBridge>[0]['inject'], shards = 1) {
  const n = nextId();
  const tableName = `hv-orders-${n}`;
  const tableStreamArn = await createStreamTable(ddb, tableName, { partitionKey: 'orderId' });
  const kinesisStreamName = `hv-order-changes-${n}`;
  const streamArn = await createKinesisStream(kinesis, kinesisStreamName, shards);
  const bridge = new DynamoDbToKinesisBridge({
    streams,
    tableStreamArn,
    tableName,
    region: REGION,
    kinesis,
    kinesisStreamName,
    inject,
    creationTimeMs: monotonicClock(),
  });
  return {
    tableName,
    tableStreamArn,
    streamArn,
    kinesisStreamName,
    bridge,
    reader: new KinesisShardReader(kinesis, streamArn, REGION, { invokeIdentityArn: ROLE_ARN }),
  };
}

export async function table(name: string, key: string, sortKey?: [string, 'S' | 'N']) {
  const keys = [
    { AttributeName: key, KeyType: 'HASH' as const },
    ...(sortKey ? [{ AttributeName: sortKey[0], KeyType: 'RANGE' as const }] : []),
  ];
  await ddb.send(
    new CreateTableCommand({
      TableName: name,
      BillingMode: 'PAY_PER_REQUEST',
      KeySchema: keys,
      AttributeDefinitions: [
        { AttributeName: key, AttributeType: 'S' },
        ...(sortKey ? [{ AttributeName: sortKey[0], AttributeType: sortKey[1] }] : []),
      ],
    }),
  );
}

export async function scan(name: string) {
  return ((await ddb.send(new ScanCommand({ TableName: name, ConsistentRead: true }))).Items ?? []).map((i) => unmarshall(i));
}

/** The ground truth of a history of order writes: the last status of each order (DELETED when deleted last). */
export type Write = { orderId: string; status?: string; del?: boolean };
export async function writeOrders(tableName: string, writes: Write[]): Promise<Map<string, string>> {
  const truth = new Map<string, string>();
  for (const w of writes) {
    if (w.del) await ddb.send(new DeleteItemCommand({ TableName: tableName, Key: { orderId: { S: w.orderId } } }));
    else if (truth.has(w.orderId) && truth.get(w.orderId) !== 'DELETED') {
      await ddb.send(
        new UpdateItemCommand({
          TableName: tableName,
          Key: { orderId: { S: w.orderId } },
          UpdateExpression: 'SET #s = :s',
          ExpressionAttributeNames: { '#s': 'status' },
          ExpressionAttributeValues: { ':s': { S: w.status! } },
        }),
      );
    } else {
      await ddb.send(
        new PutItemCommand({
          TableName: tableName,
          Item: {
            orderId: { S: w.orderId },
            status: { S: w.status! },
            customerId: { S: `c-${w.orderId}` },
            receipt: { B: Buffer.from([0, 255, w.orderId.length]) },
            extras: { M: {} },
          },
        }),
      );
    }
    truth.set(w.orderId, w.del ? 'DELETED' : w.status!);
  }
  return truth;
}

export const HISTORY: Write[] = [
  { orderId: 'o1', status: 'NEW' },
  { orderId: 'o2', status: 'NEW' },
  { orderId: 'o1', status: 'PAID' },
  { orderId: 'o3', status: 'NEW' },
  { orderId: 'o2', del: true },
  { orderId: 'o1', status: 'SHIPPED' },
  { orderId: 'o3', status: 'PAID' },
  { orderId: 'o2', status: 'NEW' },
  { orderId: 'o4', status: 'NEW' },
  { orderId: 'o4', del: true },
  { orderId: 'o3', status: 'CANCELLED' },
];
