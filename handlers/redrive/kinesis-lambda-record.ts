/**
 * Kinesis records as Lambda delivers them to a Kinesis handler (the Lambda guide's example event:
 * `kinesis { kinesisSchemaVersion, partitionKey, sequenceNumber, data (base64),
 * approximateArrivalTimestamp (epoch seconds, fractional) }`, then eventSource, eventVersion,
 * eventID `<shardId>:<sequenceNumber>`, eventName, invokeIdentityArn, awsRegion, eventSourceARN).
 * Used by the redrive, which re-reads failed Kinesis ranges, and by the tests, which read the
 * local Kinesis server the same way: one conversion, so both hand handlers what Lambda does.
 */
import type { _Record as KinesisApiRecord } from '@aws-sdk/client-kinesis';
import type { KinesisStreamRecord } from 'aws-lambda';

export interface KinesisRecordContext {
  readonly streamArn: string;
  readonly shardId: string;
  readonly region: string;
  /** The consumer's execution role, which Lambda names in each record. */
  readonly invokeIdentityArn?: string;
}

/** One GetRecords (or SubscribeToShard) record in the shape Lambda gives a Kinesis handler. */
export function toLambdaKinesisRecord(r: KinesisApiRecord, ctx: KinesisRecordContext): KinesisStreamRecord {
  const sequenceNumber = r.SequenceNumber ?? '';
  const record = {
    kinesis: {
      kinesisSchemaVersion: '1.0',
      partitionKey: r.PartitionKey ?? '',
      sequenceNumber,
      data: Buffer.from(r.Data ?? new Uint8Array()).toString('base64'),
      approximateArrivalTimestamp: (r.ApproximateArrivalTimestamp?.getTime() ?? 0) / 1000,
      ...(r.EncryptionType && r.EncryptionType !== 'NONE' ? { encryptionType: r.EncryptionType } : {}),
    },
    eventSource: 'aws:kinesis',
    eventVersion: '1.0',
    eventID: `${ctx.shardId}:${sequenceNumber}`,
    eventName: 'aws:kinesis:record',
    invokeIdentityArn: ctx.invokeIdentityArn ?? '',
    awsRegion: ctx.region,
    eventSourceARN: ctx.streamArn,
  };
  return record as KinesisStreamRecord;
}
