/**
 * The Kinesis source end to end on real local servers: DynamoDB Local (tables and their streams),
 * kinesis-local (the Kinesis data stream, shared GetRecords and enhanced fan-out
 * SubscribeToShard), and s3rver (an S3-compatible server: the S3 failure bucket).
 *
 * Stand-ins, said plainly:
 * - DynamoDB Local has no Kinesis streaming destination: test/support/kinesis-bridge.ts copies its
 *   stream into kinesis-local in AWS's record format (checked here against the Powertools parser
 *   schema KinesisDynamoDBStreamSchema, an independent definition of that format);
 * - the event source mapping is played by test/support/kinesis-reader.ts (batches, partial batch
 *   responses, retries, giving up with the batch's coordinates); the Lambda service by an
 *   in-process invoker that JSON-round-trips events;
 * - S3 event notifications to SQS do not exist in s3rver: the notification message is built here
 *   in S3's documented format (a FAKE of that one delivery); the parked queue is a FAKE SQS.
 */
import { randomUUID } from 'crypto';
import { ListShardsCommand, RegisterStreamConsumerCommand, DescribeStreamConsumerCommand } from '@aws-sdk/client-kinesis';
import { PutObjectCommand } from '@aws-sdk/client-s3';
import { KinesisDynamoDBStreamSchema } from '@aws-lambda-powertools/parser/schemas';
import { handler as orderStatus } from '../../examples/orders-hv/order-status';
import { handler as orderHistory } from '../../examples/orders-hv/order-history';
import { decodeKinesisRecord } from '../../handlers/common/kinesis-record';
import { decodeRecord } from '../../handlers/common/decode';
import { RedriveTally } from '../../handlers/redrive';
import { duplicated, inOrder, shuffled } from '../support/kinesis-bridge';
import { deliverInBatches, KinesisChangeFeed, subscribeRecords } from '../support/kinesis-reader';
import { StreamReader } from '../support/streams';
import {
  nextId,
  fixture,
  HISTORY,
  kinesis,
  parked,
  REGION,
  ROLE_ARN,
  s3,
  scan,
  streams,
  table,
  writeOrders,
  kinesisLocal,
} from './support/kinesis-source-world';
import { flakyConsumer, keyOf, inProcess, redriveHandler, onFailureRecord, sqsRecord, givenUp } from './support/kinesis-redrive-helpers';

describe("the bridge writes AWS's Kinesis Data Streams for DynamoDB format", () => {
  test('GIVEN inserts, updates and deletes (binary and empty-map attributes included) WHEN bridged and read back as Lambda Kinesis records THEN the Powertools schema accepts the event and its images are the items written', async () => {
    const f = await fixture();
    await writeOrders(f.tableName, HISTORY.slice(0, 6));
    await f.bridge.pump();
    const records = await f.reader.readNew();
    expect(records).toHaveLength(6);
    const parsed = KinesisDynamoDBStreamSchema.parse({ Records: records });
    const changes = parsed.Records.map((r) => r.kinesis.data);
    expect(changes.map((c) => [c.eventName, c.tableName, c.awsRegion, c.recordFormat, c.eventSource, c.userIdentity])).toEqual(
      ['INSERT', 'INSERT', 'MODIFY', 'INSERT', 'REMOVE', 'MODIFY'].map((e) => [
        e,
        f.tableName,
        REGION,
        'application/json',
        'aws:dynamodb',
        null,
      ]),
    );
    // Binaries travel base64-encoded in the JSON (as in Lambda's DynamoDB events); empty maps as {"M":{}}.
    expect(changes[0].dynamodb.NewImage).toEqual({
      orderId: 'o1',
      status: 'NEW',
      customerId: 'c-o1',
      receipt: Buffer.from([0, 255, 2]).toString('base64'),
      extras: {},
    });
    expect(changes[2].dynamodb.OldImage).toMatchObject({ status: 'NEW' });
    expect(changes[2].dynamodb.NewImage).toMatchObject({ status: 'PAID' });
    expect(changes[4].dynamodb.NewImage).toBeUndefined();
    expect(changes[4].dynamodb.OldImage).toMatchObject({ orderId: 'o2' });
    // Millisecond creation times, and no DynamoDB stream sequence number or view type in the data.
    const raw = records.map((r) => JSON.parse(Buffer.from(r.kinesis.data, 'base64').toString()));
    for (const d of raw) {
      expect(String(d.dynamodb.ApproximateCreationDateTime)).toMatch(/^\d{13}$/);
      expect(d.dynamodb.ApproximateCreationDateTimePrecision).toBe('MILLISECOND');
      expect(d.dynamodb.SequenceNumber).toBeUndefined();
      expect(d.dynamodb.StreamViewType).toBeUndefined();
    }
    // One item, one partition key: its changes stay on one shard, in write order.
    expect(
      new Set(
        records
          .filter((_r, i) => (changes[i].dynamodb.Keys as Record<string, unknown>).orderId === 'o1')
          .map((r) => r.kinesis.partitionKey),
      ).size,
    ).toBe(1);
  });
});

describe('decodeKinesisRecord on real records', () => {
  test('GIVEN a change read from Kinesis and the same change read from the DynamoDB stream WHEN decoded THEN the replica writer sees the same change, with the Kinesis sequence number and exact creation time', async () => {
    const f = await fixture();
    await writeOrders(f.tableName, HISTORY.slice(0, 5));
    const bridged = await f.bridge.pump();
    const records = await f.reader.readNew();
    const fromStream = await new StreamReader(streams, f.tableStreamArn, REGION).readNew();
    expect(records).toHaveLength(fromStream.length);
    records.forEach((k, i) => {
      const viaKinesis = decodeKinesisRecord(k);
      const viaStream = decodeRecord(fromStream[i]);
      for (const field of ['eventName', 'keys', 'keyId', 'keyAttribute', 'newImage', 'oldImage', 'sourceTable'] as const)
        expect(viaKinesis[field]).toEqual(viaStream[field]);
      expect(viaKinesis.sequenceNumber).toBe(k.kinesis.sequenceNumber);
      expect(viaKinesis.kinesisSequenceNumber).toBe(k.kinesis.sequenceNumber);
      expect(viaKinesis.createdAtMicros).toBe(bridged[i].data.dynamodb.ApproximateCreationDateTime * 1000);
      expect(viaKinesis.createdAtPrecision).toBe('MILLISECOND');
      expect(viaKinesis.shardId).toMatch(/^shardId-\d+$/);
    });
  });
});

describe('the example consumers on the Kinesis source', () => {
  async function statusAndHistoryTables() {
    const n = nextId();
    const status = `hv-status-${n}`;
    const history = `hv-history-${n}`;
    await table(status, 'orderId');
    await table(history, 'orderId', ['changedAt', 'N']);
    process.env.STATUS_TABLE_NAME = status;
    process.env.HISTORY_TABLE_NAME = history;
    return { status, history };
  }

  async function expectProjected(tables: { status: string; history: string }, truth: Map<string, string>, changes: number) {
    const rows = await scan(tables.status);
    expect(new Map(rows.map((r) => [r.orderId, r.status]))).toEqual(truth);
    const history = await scan(tables.history);
    expect(history).toHaveLength(changes);
    for (const [orderId, last] of truth) {
      const mine = history.filter((h) => h.orderId === orderId).sort((a, b) => a.changedAt - b.changedAt);
      expect(mine[mine.length - 1].status).toBe(last);
    }
  }

  test("GIVEN changes delivered shuffled and with duplicates through shared throughput WHEN both consumers run THEN the status table holds each order's last write and the history one item per change", async () => {
    const f = await fixture(inOrder(shuffled(7), duplicated(3)));
    const tables = await statusAndHistoryTables();
    const truth = await writeOrders(f.tableName, HISTORY);
    const records = await new KinesisChangeFeed(f.bridge, f.reader).readNew();
    const put = f.bridge.put;
    expect(put.length).toBeGreaterThan(HISTORY.length);
    // Shuffled: the order of the changes in Kinesis is not the order they were made in.
    expect(put.map((c) => c.from.dynamodb!.SequenceNumber)).not.toEqual(put.map((c) => c.from.dynamodb!.SequenceNumber).sort());
    expect(records).toHaveLength(put.length);
    for (const fn of [orderStatus, orderHistory]) await deliverInBatches(records, fn, { batchSize: 4, retryAttempts: 2 });
    await expectProjected(tables, truth, HISTORY.length);
  });

  test('GIVEN an enhanced fan-out consumer WHEN records are pushed by SubscribeToShard THEN the consumer gets every record, in the same Lambda shape, and converges the same way', async () => {
    const f = await fixture(inOrder(shuffled(11), duplicated(2)));
    const tables = await statusAndHistoryTables();
    const truth = await writeOrders(f.tableName, HISTORY);
    const put = await f.bridge.pump();
    const reg = await kinesis.send(new RegisterStreamConsumerCommand({ StreamARN: f.streamArn, ConsumerName: 'order-status' }));
    for (
      let i = 0;
      i < 100 &&
      (await kinesis.send(new DescribeStreamConsumerCommand({ ConsumerARN: reg.Consumer!.ConsumerARN }))).ConsumerDescription
        ?.ConsumerStatus !== 'ACTIVE';
      i++
    )
      await new Promise((r) => setTimeout(r, 50));
    const [shard] = (await kinesis.send(new ListShardsCommand({ StreamARN: f.streamArn }))).Shards!;
    const pushed = await subscribeRecords(
      kinesisLocal.subscribeClient(REGION),
      {
        consumerArn: reg.Consumer!.ConsumerARN!,
        streamArn: f.streamArn,
        shardId: shard.ShardId!,
        region: REGION,
        invokeIdentityArn: ROLE_ARN,
      },
      { count: put.length },
    );
    expect(pushed).toEqual(await f.reader.readNew());
    for (const fn of [orderStatus, orderHistory]) await deliverInBatches(pushed, fn, { batchSize: 5, retryAttempts: 2 });
    await expectProjected(tables, truth, HISTORY.length);
  });
});

describe('the redrive on the Kinesis source', () => {
  test('GIVEN a KinesisBatchInfo on-failure record in the SQS queue WHEN redriven THEN the range is read back from Kinesis by sequence number, transient failures succeed, the poison record is parked whole, nothing outside the range is touched', async () => {
    const f = await fixture();
    const { records, batches } = await givenUp(f);
    // A retried batch starts at the lowest failed record; the mapping gives up on that batch.
    expect(batches.map((b) => b.records.map(keyOf))).toEqual([
      ['flaky-1', 'poison-1', 'ok-2'],
      ['flaky-2', 'ok-3'],
    ]);
    const calls: string[][] = [];
    const tallies: RedriveTally[] = [];
    const handler = redriveHandler(inProcess(flakyConsumer(calls)), tallies);

    const res = await handler({ Records: [sqsRecord(JSON.stringify(onFailureRecord(batches[0], f.streamArn, false)))] });

    expect(res).toEqual({ batchItemFailures: [] });
    expect(calls).toEqual([
      ['flaky-1', 'poison-1', 'ok-2'],
      ['flaky-1', 'poison-1'],
    ]);
    const bodies = parked.messages.map((m) => JSON.parse(m.body));
    expect(bodies).toHaveLength(1);
    // The record exactly as the mapping delivered it (Lambda's Kinesis shape, invokeIdentityArn included).
    expect(bodies[0]).toMatchObject({
      kind: 'record',
      reason: 'reported in batchItemFailures (attempt 2 of 2)',
      origin: { range: { startSequenceNumber: batches[0].startSequenceNumber } },
    });
    expect(bodies[0].record).toEqual(records.find((r) => keyOf(r) === 'poison-1'));
    expect(tallies[0]).toMatchObject({ rangesRedriven: 1, recordsRead: 3, objectsRead: 0, recordsSucceeded: 2, recordsParked: 1 });
  });

  test('GIVEN a range whose start sequence number the shard does not know WHEN redriven THEN nothing is invoked and the coordinates are parked as unreadable', async () => {
    const f = await fixture();
    const { batches } = await givenUp(f);
    const bogus = { ...batches[0], shardId: 'shardId-000000000042' };
    let calls = 0;
    const tallies: RedriveTally[] = [];
    await redriveHandler(
      inProcess(async () => void calls++),
      tallies,
    )({ Records: [sqsRecord(JSON.stringify(onFailureRecord(bogus, f.streamArn, false)))] });
    expect(calls).toBe(0);
    expect(parked.messages.map((m) => JSON.parse(m.body))).toEqual([
      expect.objectContaining({ kind: 'range', reason: expect.stringMatching(/^(ResourceNotFoundException|InvalidArgumentException): /) }),
    ]);
    expect(tallies[0]).toMatchObject({ rangesUnreadable: 1, rangesRedriven: 0 });
  });

  test('GIVEN an S3 failure object (on-failure record with payload) announced by an S3 notification WHEN redriven THEN its records are re-invoked from the object itself, and a test event or a vanished object are handled', async () => {
    const f = await fixture();
    const { records, batches } = await givenUp(f);
    const key = `aws/lambda/${randomUUID()}/${batches[1].shardId}/2026/12/01/2026-12-01T10.00.00-${randomUUID()}`;
    await s3.send(
      new PutObjectCommand({ Bucket: 'orders-failures', Key: key, Body: JSON.stringify(onFailureRecord(batches[1], f.streamArn, true)) }),
    );
    // FAKE of S3's notification to SQS (s3rver sends none), in S3's documented event format; keys arrive URL-encoded.
    const notification = (k: string) =>
      JSON.stringify({
        Records: [
          {
            eventVersion: '2.1',
            eventSource: 'aws:s3',
            awsRegion: REGION,
            eventTime: new Date().toISOString(),
            eventName: 'ObjectCreated:Put',
            s3: {
              s3SchemaVersion: '1.0',
              bucket: { name: 'orders-failures', arn: 'arn:aws:s3:::orders-failures' },
              object: { key: encodeURIComponent(k).replace(/%2F/g, '/'), size: 1 },
            },
          },
        ],
      });
    const calls: string[][] = [];
    const tallies: RedriveTally[] = [];
    const handler = redriveHandler(inProcess(flakyConsumer(calls)), tallies);

    const res = await handler({
      Records: [
        sqsRecord(
          JSON.stringify({ Service: 'Amazon S3', Event: 's3:TestEvent', Time: new Date().toISOString(), Bucket: 'orders-failures' }),
          'm-test',
        ),
        sqsRecord(notification(key), 'm-object'),
        sqsRecord(notification('aws/lambda/gone/shardId-0/2026/12/01/expired'), 'm-gone'),
      ],
    });

    expect(res).toEqual({ batchItemFailures: [] });
    expect(calls).toEqual([['flaky-2', 'ok-3'], ['flaky-2']]);
    expect(tallies[0]).toMatchObject({
      messages: 3,
      objectsRead: 1,
      rangesRedriven: 1,
      recordsRead: 2,
      recordsSucceeded: 2,
      recordsParked: 0,
    });
    const bodies = parked.messages.map((m) => JSON.parse(m.body));
    expect(bodies).toEqual([
      expect.objectContaining({
        kind: 'message',
        reason: 'FailureObjectGone: NoSuchKey: s3://orders-failures/aws/lambda/gone/shardId-0/2026/12/01/expired',
        origin: expect.objectContaining({ sourceMessageId: 'm-gone' }),
      }),
    ]);
    expect(records.length).toBe(6);
  });
});
