/**
 * The record Lambda sends to a stream mapping's on-failure destination when it gives up on a
 * batch: where the batch was, not its records (the AWS Lambda developer guide, "Retaining
 * discarded records for a DynamoDB event source", docs.aws.amazon.com/lambda/latest/dg/services-dynamodb-errors.html). Field order and
 * formats follow AWS's example: `timestamp` with milliseconds, the arrival times in whole
 * seconds, sequence numbers as strings.
 */
import { randomUUID } from 'crypto';
import type { DynamoDBRecord } from 'aws-lambda';
import type { Discard } from './batch-delivery';

export interface OnFailureRecord {
  readonly requestContext: {
    readonly requestId: string;
    readonly functionArn: string;
    readonly condition: string;
    readonly approximateInvokeCount: number;
  };
  readonly responseContext?: { readonly statusCode: number; readonly executedVersion: string; readonly functionError?: string };
  readonly version: '1.0';
  readonly timestamp: string;
  readonly DDBStreamBatchInfo: {
    readonly shardId: string;
    readonly startSequenceNumber: string;
    readonly endSequenceNumber: string;
    readonly approximateArrivalOfFirstRecord: string;
    readonly approximateArrivalOfLastRecord: string;
    readonly batchSize: number;
    readonly streamArn: string;
  };
}

function arrival(record: DynamoDBRecord): string {
  const seconds = record.dynamodb?.ApproximateCreationDateTime ?? 0;
  return new Date(seconds * 1000).toISOString().replace(/\.\d{3}Z$/, 'Z');
}

export function onFailureRecord(
  discard: Discard,
  where: { functionArn: string; shardId: string; streamArn: string; now: number },
): OnFailureRecord {
  const first = discard.records[0];
  const last = discard.records[discard.records.length - 1];
  const result = discard.lastResult;
  return {
    requestContext: {
      requestId: randomUUID(),
      functionArn: where.functionArn,
      condition: discard.condition,
      approximateInvokeCount: discard.invokeCount,
    },
    // A function error is reported by Lambda as a 200 response with a function error; a batch
    // that aged out before any invocation has no response at all.
    ...(result
      ? { responseContext: { statusCode: 200, executedVersion: '$LATEST', ...(result.ok ? {} : { functionError: 'Unhandled' }) } }
      : {}),
    version: '1.0',
    timestamp: new Date(where.now).toISOString(),
    DDBStreamBatchInfo: {
      shardId: where.shardId,
      startSequenceNumber: first.dynamodb!.SequenceNumber!,
      endSequenceNumber: last.dynamodb!.SequenceNumber!,
      approximateArrivalOfFirstRecord: arrival(first),
      approximateArrivalOfLastRecord: arrival(last),
      batchSize: discard.records.length,
      streamArn: where.streamArn,
    },
  };
}
