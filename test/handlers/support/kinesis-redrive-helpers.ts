/** The redrive helpers of kinesis-source.test.ts (moved from it). */
import { randomUUID } from 'crypto';
import { SQSClient } from '@aws-sdk/client-sqs';
import type { KinesisStreamEvent, KinesisStreamRecord, SQSRecord } from 'aws-lambda';
import { sqsRedriveParker } from '../../../handlers/redrive/park';
import { createRedriveHandler, Invoker, RedriveTally } from '../../../handlers/redrive';
import { FAKE_CREDENTIALS } from '../../support/dynamodb-local';
import { deliverInBatches, GivenUpBatch } from '../../support/kinesis-reader';
import { fixture, kinesis, parked, REGION, ROLE_ARN, s3, writeOrders, FUNCTION_ARN } from './kinesis-source-world';

/** A consumer that fails "poison" orders always and "flaky" orders on their first delivery. */
export function flakyConsumer(calls: string[][]) {
  const seen = new Set<string>();
  return async (event: KinesisStreamEvent) => {
    calls.push(event.Records.map((r) => keyOf(r)));
    const batchItemFailures: { itemIdentifier: string }[] = [];
    for (const r of event.Records) {
      const key = keyOf(r);
      const first = !seen.has(r.kinesis.sequenceNumber);
      seen.add(r.kinesis.sequenceNumber);
      if (key.startsWith('poison') || (key.startsWith('flaky') && first))
        batchItemFailures.push({ itemIdentifier: r.kinesis.sequenceNumber });
    }
    return { batchItemFailures };
  };
}
export const keyOf = (r: KinesisStreamRecord) =>
  JSON.parse(Buffer.from(r.kinesis.data, 'base64').toString()).dynamodb.Keys.orderId.S as string;

export function inProcess(handler: (e: KinesisStreamEvent) => Promise<unknown>): Invoker {
  return async (_arn, event) => ({ response: JSON.parse(JSON.stringify((await handler(JSON.parse(JSON.stringify(event)))) ?? null)) });
}

export function redriveHandler(invoker: Invoker, tallies: RedriveTally[]) {
  return createRedriveHandler({
    config: { parkedQueueUrl: parked.queueUrl, maxAttempts: 2, invokeBatchSize: 10, invokeIdentityArn: ROLE_ARN },
    kinesis: () => kinesis,
    s3: () => s3,
    streams: () => {
      throw new Error('a Kinesis range must not be read from DynamoDB Streams');
    },
    invoker,
    parker: sqsRedriveParker(new SQSClient({ region: REGION, credentials: FAKE_CREDENTIALS, maxAttempts: 1 }), parked.queueUrl),
    onInvocation: (t) => tallies.push(t),
  });
}

/** The on-failure record Lambda sends for a Kinesis batch it gave up on (`payload` only in S3). */
export function onFailureRecord(batch: GivenUpBatch, streamArn: string, withPayload: boolean) {
  return {
    requestContext: {
      requestId: randomUUID(),
      functionArn: FUNCTION_ARN,
      condition: 'RetryAttemptsExhausted',
      approximateInvokeCount: 2,
    },
    responseContext: { statusCode: 200, executedVersion: '$LATEST', functionError: 'Unhandled' },
    version: '1.0',
    timestamp: new Date().toISOString(),
    KinesisBatchInfo: {
      shardId: batch.shardId,
      startSequenceNumber: batch.startSequenceNumber,
      endSequenceNumber: batch.endSequenceNumber,
      approximateArrivalOfFirstRecord: new Date().toISOString(),
      approximateArrivalOfLastRecord: new Date().toISOString(),
      batchSize: batch.batchSize,
      streamArn,
    },
    ...(withPayload ? { payload: JSON.stringify({ Records: batch.records }) } : {}),
  };
}

export const sqsRecord = (body: string, messageId = 'm-1') =>
  ({
    messageId,
    receiptHandle: 'rh',
    body,
    attributes: {} as any,
    messageAttributes: {},
    md5OfBody: '',
    eventSource: 'aws:sqs',
    eventSourceARN: 'arn:aws:sqs:eu-west-1:000000000000:failures',
    awsRegion: REGION,
  }) as SQSRecord;

export async function givenUp(f: Awaited<ReturnType<typeof fixture>>) {
  await writeOrders(
    f.tableName,
    ['ok-1', 'flaky-1', 'poison-1', 'ok-2', 'flaky-2', 'ok-3'].map((orderId) => ({ orderId, status: 'NEW' })),
  );
  await f.bridge.pump();
  const records = await f.reader.readNew();
  const batches: GivenUpBatch[] = [];
  // The mapping gives up on the batch holding the poison record (batches of 3, no retries left).
  await deliverInBatches(
    records,
    async (e) => ({
      batchItemFailures: e.Records.filter((r) => keyOf(r).startsWith('poison') || keyOf(r).startsWith('flaky')).map((r) => ({
        itemIdentifier: r.kinesis.sequenceNumber,
      })),
    }),
    {
      batchSize: 3,
      retryAttempts: 0,
      onGiveUp: (b) => void batches.push(b),
    },
  );
  return { records, batches };
}
