/**
 * Lambda Kinesis records that carry a DynamoDB change (Kinesis Data Streams for DynamoDB) ->
 * the decoded shape the replica writer uses for DynamoDB stream records (decode.ts), plus what
 * only this source has: the Kinesis coordinates and the creation time at millisecond or
 * microsecond precision. Pure: no I/O, no clock.
 *
 * The record's data is the change as JSON (AWS's documented format):
 *   { awsRegion, eventID, eventName: INSERT|MODIFY|REMOVE, userIdentity: null | {type, principalId},
 *     recordFormat: "application/json", tableName, eventSource: "aws:dynamodb",
 *     dynamodb: { ApproximateCreationDateTime, ApproximateCreationDateTimePrecision?, Keys,
 *                 NewImage?, OldImage?, SizeBytes } }
 * ApproximateCreationDateTime is epoch milliseconds or epoch microseconds as the streaming
 * destination is configured; there is no SequenceNumber: the Kinesis sequence number identifies
 * the record (it is what ReportBatchItemFailures names), and Kinesis orders records per shard
 * only, with duplicates possible: consumers must not rely on order or uniqueness.
 */
import type { DynamoDBRecord, KinesisStreamRecord } from 'aws-lambda';
import { DecodedRecord, DecodeError, decodeRecord } from './decode';

export type CreationPrecision = 'MILLISECOND' | 'MICROSECOND';

/** The DynamoDB change inside a Kinesis record, as DynamoDB writes it. */
export interface KinesisDynamoDBChange {
  readonly awsRegion: string;
  readonly eventID: string;
  readonly eventName: 'INSERT' | 'MODIFY' | 'REMOVE';
  readonly userIdentity: { readonly type: string; readonly principalId: string } | null;
  readonly recordFormat: 'application/json';
  readonly tableName: string;
  readonly eventSource: 'aws:dynamodb';
  readonly dynamodb: {
    readonly ApproximateCreationDateTime: number;
    readonly ApproximateCreationDateTimePrecision?: CreationPrecision;
    readonly Keys: Record<string, unknown>;
    readonly NewImage?: Record<string, unknown>;
    readonly OldImage?: Record<string, unknown>;
    readonly SizeBytes: number;
  };
}

/** A decoded change from Kinesis: the DynamoDB-stream decoded shape plus its Kinesis facts. */
export interface KinesisDecodedRecord extends DecodedRecord {
  /** The Kinesis sequence number (also `sequenceNumber`, which the writer reports failures by). */
  readonly kinesisSequenceNumber: string;
  /** Shard the record was read from (from the Lambda eventID `shardId-...:<sequence>`). */
  readonly shardId: string;
  /** When DynamoDB made the change, epoch microseconds; exact for both precisions (below 2^53). */
  readonly createdAtMicros: number;
  readonly createdAtPrecision: CreationPrecision;
  /** The record as Lambda delivered it. */
  readonly kinesisRecord: KinesisStreamRecord;
}

/** Epoch microseconds have 16 digits today, epoch milliseconds 13: a value this large cannot be milliseconds before year 33658. */
const MICROSECOND_FLOOR = 1e15;
const KINESIS_STREAM_ARN = /^arn:(aws[a-z-]*):kinesis:([^:]+):(\d{12}):stream\/([^/]+)$/;

function object(v: unknown, what: string): Record<string, unknown> {
  if (typeof v !== 'object' || v === null || Array.isArray(v))
    throw new DecodeError(`${what} must be a JSON object (got ${JSON.stringify(v)?.slice(0, 80)})`);
  return v as Record<string, unknown>;
}

function text(o: Record<string, unknown>, key: string, where: string): string {
  const v = o[key];
  if (typeof v !== 'string' || v === '')
    throw new DecodeError(`${where}.${key} must be a non-empty string (got ${JSON.stringify(v)?.slice(0, 80)})`);
  return v;
}

/** Decodes the record's data and checks it is a Kinesis Data Streams for DynamoDB change; throws DecodeError otherwise. */
export function parseKinesisChange(record: KinesisStreamRecord): KinesisDynamoDBChange {
  const data = record.kinesis?.data;
  if (typeof data !== 'string' || !/^[A-Za-z0-9+/]*={0,2}$/.test(data) || data.length % 4 !== 0)
    throw new DecodeError('kinesis.data must be base64');
  let json: unknown;
  try {
    json = JSON.parse(Buffer.from(data, 'base64').toString('utf8'));
  } catch (e) {
    throw new DecodeError(`kinesis.data is not JSON: ${(e as Error).message}`);
  }
  const c = object(json, 'kinesis.data');
  if (c.eventSource !== 'aws:dynamodb')
    throw new DecodeError(
      `data.eventSource must be "aws:dynamodb" (got ${JSON.stringify(c.eventSource)}): not a Kinesis Data Streams for DynamoDB record`,
    );
  if (c.recordFormat !== 'application/json')
    throw new DecodeError(`data.recordFormat must be "application/json" (got ${JSON.stringify(c.recordFormat)})`);
  for (const key of ['awsRegion', 'eventID', 'tableName']) text(c, key, 'data');
  if (c.eventName !== 'INSERT' && c.eventName !== 'MODIFY' && c.eventName !== 'REMOVE')
    throw new DecodeError(`data.eventName must be INSERT, MODIFY or REMOVE (got ${JSON.stringify(c.eventName)})`);
  if (c.userIdentity !== null && c.userIdentity !== undefined) {
    const ui = object(c.userIdentity, 'data.userIdentity');
    text(ui, 'type', 'data.userIdentity');
    text(ui, 'principalId', 'data.userIdentity');
  }
  const d = object(c.dynamodb, 'data.dynamodb');
  const created = d.ApproximateCreationDateTime;
  if (typeof created !== 'number' || !Number.isSafeInteger(created) || created <= 0) {
    throw new DecodeError(
      `data.dynamodb.ApproximateCreationDateTime must be a positive integer (epoch ms or µs) (got ${JSON.stringify(created)})`,
    );
  }
  const precision = d.ApproximateCreationDateTimePrecision;
  if (precision !== undefined && precision !== 'MILLISECOND' && precision !== 'MICROSECOND') {
    throw new DecodeError(
      `data.dynamodb.ApproximateCreationDateTimePrecision must be MILLISECOND or MICROSECOND (got ${JSON.stringify(precision)})`,
    );
  }
  object(d.Keys, 'data.dynamodb.Keys');
  if (typeof d.SizeBytes !== 'number')
    throw new DecodeError(`data.dynamodb.SizeBytes must be a number (got ${JSON.stringify(d.SizeBytes)})`);
  return { ...(c as unknown as KinesisDynamoDBChange), userIdentity: (c.userIdentity ?? null) as KinesisDynamoDBChange['userIdentity'] };
}

/** The creation time in epoch microseconds, and the precision it was written with. */
export function creationTime(change: KinesisDynamoDBChange): { micros: number; precision: CreationPrecision } {
  const t = change.dynamodb.ApproximateCreationDateTime;
  const precision = change.dynamodb.ApproximateCreationDateTimePrecision ?? (t >= MICROSECOND_FLOOR ? 'MICROSECOND' : 'MILLISECOND');
  return { micros: precision === 'MICROSECOND' ? t : t * 1000, precision };
}

/**
 * The change as Lambda delivers a DynamoDB stream record: `SequenceNumber` is the Kinesis
 * sequence number, `ApproximateCreationDateTime` is in epoch seconds as DynamoDB Streams gives it
 * (here with the fraction kept; exact values are in `creationTime`), `eventSourceARN` is the
 * Kinesis stream's and `StreamViewType` is NEW_AND_OLD_IMAGES (DynamoDB writes both images to Kinesis).
 */
export function toDynamoDBRecord(record: KinesisStreamRecord, change: KinesisDynamoDBChange = parseKinesisChange(record)): DynamoDBRecord {
  const d = change.dynamodb;
  // Built member by member (no undefined members, as in Lambda's JSON) rather than by a JSON
  // round trip, which cost more than the decoding itself.
  const dynamodb: NonNullable<DynamoDBRecord['dynamodb']> = {
    ApproximateCreationDateTime: creationTime(change).micros / 1e6,
    Keys: d.Keys as any,
  };
  if (d.NewImage) dynamodb.NewImage = d.NewImage as any;
  if (d.OldImage) dynamodb.OldImage = d.OldImage as any;
  dynamodb.SequenceNumber = record.kinesis.sequenceNumber;
  dynamodb.SizeBytes = d.SizeBytes;
  dynamodb.StreamViewType = 'NEW_AND_OLD_IMAGES';
  const out: DynamoDBRecord = {
    eventID: change.eventID,
    eventName: change.eventName,
    eventVersion: '1.1',
    eventSource: 'aws:dynamodb',
    awsRegion: change.awsRegion,
    eventSourceARN: record.eventSourceARN,
    dynamodb,
  };
  if (change.userIdentity) out.userIdentity = { type: change.userIdentity.type, principalId: change.userIdentity.principalId };
  return out;
}

/**
 * Decodes one Kinesis record into the replica writer's decoded shape. decode.ts takes the table
 * name from a DynamoDB stream ARN; a Kinesis record names its table in the change, so decoding
 * sees the table's ARN (account and partition from the Kinesis stream ARN) with the stream label
 * `kinesis`. `raw` is the DynamoDB-shaped record, whose eventSourceARN is the Kinesis stream's.
 */
export function decodeKinesisRecord(record: KinesisStreamRecord): KinesisDecodedRecord {
  const change = parseKinesisChange(record);
  const raw = toDynamoDBRecord(record, change);
  const arn = KINESIS_STREAM_ARN.exec(record.eventSourceARN ?? '');
  if (!arn) throw new DecodeError(`eventSourceARN is not a Kinesis stream ARN (got ${JSON.stringify(record.eventSourceARN)})`);
  const tableStream = `arn:${arn[1]}:dynamodb:${change.awsRegion}:${arn[3]}:table/${change.tableName}/stream/kinesis`;
  const decoded = decodeRecord({ ...raw, eventSourceARN: tableStream });
  const time = creationTime(change);
  return {
    ...decoded,
    raw,
    kinesisSequenceNumber: record.kinesis.sequenceNumber,
    shardId: (record.eventID ?? '').split(':')[0],
    createdAtMicros: time.micros,
    createdAtPrecision: time.precision,
    kinesisRecord: record,
  };
}
