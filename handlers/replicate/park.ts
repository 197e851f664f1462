/**
 * Parks a record that can never be written (too large, undecodable, malformed version) in the
 * failure queue with the full record and the reason, so it neither blocks its shard nor is lost.
 * The message is the Lambda record itself plus why it was parked; a record too big for one SQS
 * message loses its OldImage first, then its NewImage, keeping the stream coordinates
 * (eventSourceARN + SequenceNumber) from which it can be read back within the 24 h retention.
 */
import { SendMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import type { DynamoDBRecord } from 'aws-lambda';
import { describeError } from '../common/sdk-errors';
import { MAX_SQS_MESSAGE_BYTES } from '../common/sqs-message-size';
import type { ExecuteDeps } from './execute-deps';
import { Transient } from './transient';

export interface ParkedRecord {
  readonly reason: string;
  readonly parkedAt: string;
  readonly sourceRegion: string;
  /** Names of images left out to fit one message, if any. */
  readonly omitted: string[];
  readonly record: DynamoDBRecord;
}

export interface Parker {
  park(record: DynamoDBRecord, reason: string): Promise<void>;
}

/** The message body for one parked record, within `maxBytes`. */
export function parkedMessage(
  record: DynamoDBRecord,
  reason: string,
  sourceRegion: string,
  now: Date,
  maxBytes = MAX_SQS_MESSAGE_BYTES,
): string {
  const kinesis = (record as { kinesis?: { data?: string } }).kinesis;
  if (kinesis) return parkedKinesisMessage(record, kinesis, reason, sourceRegion, now, maxBytes);
  const omitted: string[] = [];
  const copy: DynamoDBRecord = { ...record, dynamodb: { ...record.dynamodb } };
  for (;;) {
    const body: ParkedRecord = { reason, parkedAt: now.toISOString(), sourceRegion, omitted, record: copy };
    const text = JSON.stringify(body);
    if (Buffer.byteLength(text, 'utf8') <= maxBytes) return text;
    const next = (['OldImage', 'NewImage'] as const).find((k) => copy.dynamodb?.[k] !== undefined);
    if (!next)
      return JSON.stringify({
        ...body,
        record: {
          eventID: record.eventID,
          eventSourceARN: record.eventSourceARN,
          dynamodb: { SequenceNumber: record.dynamodb?.SequenceNumber },
        },
      });
    delete copy.dynamodb![next];
    omitted.push(next);
  }
}

export function sqsParker(sqs: SQSClient, queueUrl: string, sourceRegion: string, maxBytes = MAX_SQS_MESSAGE_BYTES): Parker {
  return {
    async park(record, reason) {
      await sqs.send(
        new SendMessageCommand({ QueueUrl: queueUrl, MessageBody: parkedMessage(record, reason, sourceRegion, new Date(), maxBytes) }),
      );
    },
  };
}

/**
 * A Kinesis record that could not be decoded: kept whole when it fits, else without its data,
 * keeping the coordinates (stream ARN, shard and sequence number) from which it can be read again
 * within the stream's retention.
 */
function parkedKinesisMessage(
  record: DynamoDBRecord,
  kinesis: { data?: string },
  reason: string,
  sourceRegion: string,
  now: Date,
  maxBytes: number,
): string {
  const body = (r: unknown, omitted: string[]) => JSON.stringify({ reason, parkedAt: now.toISOString(), sourceRegion, omitted, record: r });
  const whole = body(record, []);
  if (Buffer.byteLength(whole, 'utf8') <= maxBytes) return whole;
  return body({ ...record, kinesis: { ...kinesis, data: undefined } }, ['kinesis.data']);
}

/** Parks a record of the key being worked on, counted and logged; a parking failure is Transient. */
export async function park(deps: ExecuteDeps, record: DynamoDBRecord, reason: string): Promise<void> {
  try {
    await deps.parker.park(record, reason);
  } catch (e) {
    // Not parked means not safe to acknowledge: retry the record.
    throw new Transient(`parking failed (${describeError(e)}) for: ${reason}`);
  }
  deps.tally.parked++;
  deps.log('error', 'record parked in the failure queue', {
    reason,
    sequenceNumber: record.dynamodb?.SequenceNumber,
    eventID: record.eventID,
  });
}
