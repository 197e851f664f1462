/**
 * Parking: what the redrive cannot deliver goes to the "parked" SQS queue with the reason, never
 * dropped. A record is parked whole (images dropped only when the message would pass SQS's size
 * limit, keeping its stream coordinates); an unreadable range is parked as its coordinates; a
 * message that is not an on-failure record is parked as it came.
 */
import { SendMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import { MAX_SQS_MESSAGE_BYTES } from '../common/sqs-message-size';
import { isKinesisRecord, StreamRecord } from './records';
import type { OnFailureRecord, StreamRange } from './on-failure-record';

/** Where a parked message came from: the failure-queue message and the on-failure record in it. */
export interface ParkOrigin {
  readonly sourceMessageId: string;
  readonly functionArn?: string;
  readonly condition?: string;
  readonly range?: StreamRange;
  /** The S3 failure object the records came from (S3 destinations). */
  readonly object?: { readonly bucket: string; readonly key: string };
}

export type ParkedRedrive =
  | { kind: 'record'; reason: string; parkedAt: string; origin: ParkOrigin; omitted: string[]; record: StreamRecord }
  | { kind: 'range'; reason: string; parkedAt: string; origin: ParkOrigin }
  | { kind: 'message'; reason: string; parkedAt: string; origin: ParkOrigin; body: string };

export interface RedriveParker {
  park(message: ParkedRedrive): Promise<void>;
}

export function originOf(messageId: string, failure?: OnFailureRecord, object?: { bucket: string; key: string }): ParkOrigin {
  return {
    sourceMessageId: messageId,
    functionArn: failure?.functionArn,
    condition: failure?.condition,
    range: failure?.range,
    ...(object ? { object: { bucket: object.bucket, key: object.key } } : {}),
  };
}

/**
 * The message body, within `maxBytes`: a DynamoDB record loses OldImage, then NewImage, before
 * anything else; a Kinesis record loses its data (the whole change), keeping its coordinates.
 */
export function parkedBody(message: ParkedRedrive, maxBytes = MAX_SQS_MESSAGE_BYTES): string {
  if (message.kind !== 'record') {
    const text = JSON.stringify(message);
    if (Buffer.byteLength(text, 'utf8') <= maxBytes || message.kind === 'range') return text;
    return JSON.stringify({ ...message, body: message.body.slice(0, Math.floor(maxBytes / 4)), truncated: true });
  }
  const whole = JSON.stringify(message);
  if (Buffer.byteLength(whole, 'utf8') <= maxBytes) return whole;
  if (isKinesisRecord(message.record)) {
    const { data: _data, ...coordinates } = message.record.kinesis;
    return JSON.stringify({ ...message, omitted: ['kinesis.data'], record: { ...message.record, kinesis: coordinates } });
  }
  const record = { ...message.record, dynamodb: { ...message.record.dynamodb } };
  const omitted: string[] = [];
  for (;;) {
    const text = JSON.stringify({ ...message, omitted, record });
    if (Buffer.byteLength(text, 'utf8') <= maxBytes) return text;
    const next = (['OldImage', 'NewImage'] as const).find((k) => record.dynamodb?.[k] !== undefined);
    if (!next)
      return JSON.stringify({
        ...message,
        omitted,
        record: {
          eventID: record.eventID,
          eventSourceARN: record.eventSourceARN,
          dynamodb: { Keys: record.dynamodb?.Keys, SequenceNumber: record.dynamodb?.SequenceNumber },
        },
      });
    delete record.dynamodb![next];
    omitted.push(next);
  }
}

export function sqsRedriveParker(sqs: SQSClient, queueUrl: string, maxBytes = MAX_SQS_MESSAGE_BYTES): RedriveParker {
  return {
    async park(message) {
      await sqs.send(new SendMessageCommand({ QueueUrl: queueUrl, MessageBody: parkedBody(message, maxBytes) }));
    },
  };
}
