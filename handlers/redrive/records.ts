/**
 * The records a redrive handles: DynamoDB stream records or Kinesis records, in the shapes Lambda
 * delivers them. A record is identified by its sequence number in both (what ReportBatchItemFailures names).
 */
import type { DynamoDBRecord, KinesisStreamRecord } from 'aws-lambda';

export type StreamRecord = DynamoDBRecord | KinesisStreamRecord;

export function isKinesisRecord(r: StreamRecord): r is KinesisStreamRecord {
  return (r as KinesisStreamRecord).kinesis !== undefined;
}

export function sequenceOf(r: StreamRecord): string | undefined {
  return isKinesisRecord(r) ? r.kinesis.sequenceNumber : r.dynamodb?.SequenceNumber;
}

/**
 * What Lambda's filter criteria match a record against: the DynamoDB stream record itself, or for
 * Kinesis the `data` key with the payload decoded from base64 and parsed when it is JSON (Lambda
 * filters Kinesis records on `data` only).
 */
export function filterView(r: StreamRecord): unknown {
  if (!isKinesisRecord(r)) return r;
  const text = Buffer.from(r.kinesis.data, 'base64').toString('utf8');
  try {
    return { data: JSON.parse(text) };
  } catch {
    return { data: text };
  }
}
