/**
 * The SQS message that carries Lambda's on-failure record for a DynamoDB stream batch it gave up
 * on (where the batch was, not its records: docs.aws.amazon.com/lambda/latest/dg/services-dynamodb-errors.html), as a redrive
 * function receives it from its event source mapping.
 */
import type { SQSRecord } from 'aws-lambda';

export interface FailedBatch {
  readonly functionArn: string;
  readonly streamArn: string;
  readonly shardId: string;
  readonly startSequenceNumber: string;
  readonly endSequenceNumber: string;
  readonly batchSize: number;
}

export function onFailureSqsMessage(
  batch: FailedBatch,
  messageId = 'm-1',
  queueArn = 'arn:aws:sqs:eu-west-1:123456789012:failures',
): SQSRecord {
  const { functionArn, ...info } = batch;
  const now = new Date().toISOString();
  const body = {
    requestContext: { requestId: 'req-1', functionArn, condition: 'RetryAttemptsExhausted', approximateInvokeCount: 4 },
    responseContext: { statusCode: 200, executedVersion: '$LATEST', functionError: 'Unhandled' },
    version: '1.0',
    timestamp: now,
    DDBStreamBatchInfo: { ...info, approximateArrivalOfFirstRecord: now, approximateArrivalOfLastRecord: now },
  };
  return {
    messageId,
    receiptHandle: 'rh',
    body: JSON.stringify(body),
    attributes: {} as SQSRecord['attributes'],
    messageAttributes: {},
    md5OfBody: '',
    eventSource: 'aws:sqs',
    eventSourceARN: queueArn,
    awsRegion: queueArn.split(':')[3],
  };
}
