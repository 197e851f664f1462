/**
 * The change a Kinesis Data Streams for DynamoDB record carries, for the example consumers: the
 * record's data is the DynamoDB change as JSON, with the creation time in epoch milliseconds or
 * microseconds as the streaming destination is configured.
 */
import type { AttributeValue, KinesisStreamRecord } from 'aws-lambda';

export interface Change {
  readonly eventID: string;
  readonly eventName: 'INSERT' | 'MODIFY' | 'REMOVE';
  readonly dynamodb: {
    readonly ApproximateCreationDateTime: number;
    readonly ApproximateCreationDateTimePrecision?: string;
    readonly Keys: Record<string, AttributeValue>;
    readonly NewImage?: Record<string, AttributeValue>;
    readonly OldImage?: Record<string, AttributeValue>;
  };
}

export function changeOf(record: KinesisStreamRecord): Change {
  return JSON.parse(Buffer.from(record.kinesis.data, 'base64').toString('utf8')) as Change;
}

/** Epoch microseconds of a change, whichever precision the stream was configured with. */
export function changedAtMicros(change: Change): number {
  const t = change.dynamodb.ApproximateCreationDateTime;
  const precision = change.dynamodb.ApproximateCreationDateTimePrecision;
  return precision === 'MICROSECOND' || (precision === undefined && t >= 1e15) ? t : t * 1000;
}
