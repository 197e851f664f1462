/**
 * What the consumer toolkit reads of a record, from either source, before the handler asks for
 * more: the envelope (event, table, key, time, position) is checked strictly here, as the replica
 * writer's decoders check it (../common/decode.ts, ../common/kinesis-record.ts, same errors),
 * while keys and images stay Lambda's JSON until a handler reads them (change.ts decodes them
 * then). A Kinesis change is read from its JSON directly, not rebuilt as a DynamoDB stream record.
 */
import type { DynamoDBRecord, KinesisStreamRecord } from 'aws-lambda';
import { DecodeError } from '../common/decode';
import { creationTime, KinesisDynamoDBChange } from '../common/kinesis-record';
import type { ChangePosition, ChangeTime, StreamViewType } from './change';
import type { PendingImages } from './kinesis-lazy';

/** A record's facts, images undecoded. */
export interface SourceFacts {
  readonly eventName: 'INSERT' | 'MODIFY' | 'REMOVE';
  readonly table: string;
  readonly keys: Record<string, unknown>;
  readonly newImage: unknown;
  readonly oldImage: unknown;
  /** Images still JSON text (kinesis-lazy.ts `readKinesisRecordLazily`): `settleImages` parses them. */
  readonly pendingImages?: PendingImages;
  readonly keyId: string;
  /** What every delivery of the change shares (Kinesis: the change's eventID; streams: the sequence number), part of its identity. */
  readonly changeKey: string;
  /** The change's creation time (ChangeTime, as primitives: a batch holds a thousand of these). */
  readonly epochMicros: number;
  readonly precision: ChangeTime['precision'];
  readonly byTimeToLive: boolean;
  /** Where it was read from (ChangePosition, as primitives). */
  readonly source: ChangePosition['source'];
  readonly shardId?: string;
  readonly sequenceNumber: string;
  /** The view type the record states (DynamoDB streams), if it does. */
  readonly view?: StreamViewType;
}

const STREAM_ARN = /^arn:[^:]+:dynamodb:[^:]*:[^:]*:table\/([^/]+)\/stream\/.+$/;
const KINESIS_STREAM_ARN = /^arn:(aws[a-z-]*):kinesis:([^:]+):(\d{12}):stream\/([^/]+)$/;
const SEQUENCE = /^\d{1,128}$/;
/** Source ARNs seen (a function reads one or a few): the table each names, or null when it is not a valid ARN. */
const tableOfStream = new Map<string, string | null>();
const kinesisArns = new Map<string, boolean>();

export function readStreamRecord(record: DynamoDBRecord): SourceFacts {
  const d = record.dynamodb;
  if (!d) throw new DecodeError('record has no dynamodb section');
  if (typeof d.SequenceNumber !== 'string' || !SEQUENCE.test(d.SequenceNumber))
    throw new DecodeError(`dynamodb.SequenceNumber must be decimal digits (got ${JSON.stringify(d.SequenceNumber)})`);
  const created = d.ApproximateCreationDateTime;
  if (created !== undefined && (typeof created !== 'number' || !Number.isFinite(created) || created < 0))
    throw new DecodeError(`dynamodb.ApproximateCreationDateTime must be epoch seconds (got ${JSON.stringify(created)})`);
  const eventName = checkedEventName(record.eventName, 'eventName');
  const arn = record.eventSourceARN ?? '';
  let table = tableOfStream.get(arn);
  if (table === undefined) tableOfStream.set(arn, (table = STREAM_ARN.exec(arn)?.[1] ?? null));
  if (!table) throw new DecodeError(`eventSourceARN is not a DynamoDB stream ARN (got ${JSON.stringify(record.eventSourceARN)})`);
  const keys = checkedKeys(d.Keys, 'dynamodb.Keys');
  const keyId = keyIdOf(keys);
  // Lambda's JSON says type/principalId; the Streams API (and some tools replaying it) Type/PrincipalId.
  const ui = record.userIdentity as Record<string, string | undefined> | undefined;
  return {
    eventName,
    table,
    keys,
    newImage: d.NewImage,
    oldImage: d.OldImage,
    keyId,
    changeKey: d.SequenceNumber,
    epochMicros: Math.round((created ?? 0) * 1e6),
    precision: 'SECOND',
    byTimeToLive: ttlRemoval(eventName, ui?.type ?? ui?.Type, ui?.principalId ?? ui?.PrincipalId),
    source: 'dynamodb-stream',
    sequenceNumber: d.SequenceNumber,
    view: d.StreamViewType as StreamViewType | undefined,
  };
}

/** A Kinesis Data Streams for DynamoDB record (the change as JSON in its data: AWS's documented format). */
export function readKinesisRecord(record: KinesisStreamRecord): SourceFacts {
  const sequenceNumber = checkedKinesisCoordinates(record);
  const c = parseData(record.kinesis.data);
  const d = c.dynamodb as KinesisDynamoDBChange['dynamodb'] | undefined;
  return kinesisFacts(record, sequenceNumber, c, d?.NewImage, d?.OldImage);
}

export function checkedKinesisCoordinates(record: KinesisStreamRecord): string {
  const sequenceNumber = record.kinesis?.sequenceNumber;
  if (typeof sequenceNumber !== 'string' || !SEQUENCE.test(sequenceNumber))
    throw new DecodeError(`kinesis.sequenceNumber must be decimal digits (got ${JSON.stringify(sequenceNumber)})`);
  const arn = record.eventSourceARN ?? '';
  let validArn = kinesisArns.get(arn);
  if (validArn === undefined) kinesisArns.set(arn, (validArn = KINESIS_STREAM_ARN.test(arn)));
  if (!validArn) throw new DecodeError(`eventSourceARN is not a Kinesis stream ARN (got ${JSON.stringify(record.eventSourceARN)})`);
  return sequenceNumber;
}

/** The checked envelope of a parsed change; the images as given (parsed, or pending as text: kinesis-lazy.ts). */
export function kinesisFacts(
  record: KinesisStreamRecord,
  sequenceNumber: string,
  c: KinesisDynamoDBChange,
  newImage: unknown,
  oldImage: unknown,
  pendingImages?: PendingImages,
): SourceFacts {
  if (c.eventSource !== 'aws:dynamodb')
    throw new DecodeError(
      `data.eventSource must be "aws:dynamodb" (got ${JSON.stringify(c.eventSource)}): not a Kinesis Data Streams for DynamoDB record`,
    );
  if (c.recordFormat !== 'application/json')
    throw new DecodeError(`data.recordFormat must be "application/json" (got ${JSON.stringify(c.recordFormat)})`);
  text(c.awsRegion, 'data.awsRegion');
  text(c.eventID, 'data.eventID');
  text(c.tableName, 'data.tableName');
  const eventName = checkedEventName(c.eventName, 'data.eventName');
  const ui = c.userIdentity;
  if (ui !== null && ui !== undefined) {
    object(ui, 'data.userIdentity');
    text(ui.type, 'data.userIdentity.type');
    text(ui.principalId, 'data.userIdentity.principalId');
  }
  const d = object(c.dynamodb, 'data.dynamodb') as KinesisDynamoDBChange['dynamodb'];
  const t = d.ApproximateCreationDateTime;
  if (typeof t !== 'number' || !Number.isSafeInteger(t) || t <= 0)
    throw new DecodeError(
      `data.dynamodb.ApproximateCreationDateTime must be a positive integer (epoch ms or µs) (got ${JSON.stringify(t)})`,
    );
  const precision = d.ApproximateCreationDateTimePrecision;
  if (precision !== undefined && precision !== 'MILLISECOND' && precision !== 'MICROSECOND')
    throw new DecodeError(
      `data.dynamodb.ApproximateCreationDateTimePrecision must be MILLISECOND or MICROSECOND (got ${JSON.stringify(precision)})`,
    );
  if (typeof d.SizeBytes !== 'number')
    throw new DecodeError(`data.dynamodb.SizeBytes must be a number (got ${JSON.stringify(d.SizeBytes)})`);
  const keys = checkedKeys(d.Keys, 'data.dynamodb.Keys');
  const keyId = keyIdOf(keys);
  const time = creationTime(c);
  return {
    eventName,
    table: c.tableName,
    keys,
    newImage,
    oldImage,
    pendingImages,
    keyId,
    changeKey: c.eventID,
    epochMicros: time.micros,
    precision: time.precision,
    byTimeToLive: ttlRemoval(eventName, ui?.type, ui?.principalId),
    source: 'kinesis',
    shardId: shardOf(record.eventID ?? ''),
    sequenceNumber,
  };
}

/** What the change's identity hashes (JSON of its parts): equal for every delivery of one change, different for any two. */
export function identityText(f: Pick<SourceFacts, 'source' | 'table' | 'keyId' | 'changeKey' | 'epochMicros'>): string {
  // A DynamoDB stream sequence number names one change of the table's stream for as long as the
  // stream keeps it; every re-delivery (retry, bisection, redrive) carries it unchanged. A Kinesis
  // duplicate is the same change JSON put again under a new Kinesis sequence number: its eventID
  // and creation time are the change's, not the delivery's.
  return f.source === 'kinesis'
    ? JSON.stringify(['kinesis', f.table, f.keyId, f.changeKey, String(f.epochMicros)])
    : JSON.stringify(['dynamodb-stream', f.table, f.keyId, f.changeKey]);
}

/** Canonical JSON of the key attributes, names sorted: the same for every delivery of an item's changes. */
function keyIdOf(keys: Record<string, unknown>): string {
  const names = Object.keys(keys);
  if (names.length > 1) names.sort();
  // JSON.stringify(names.map((k) => [k, keys[k]])), without the arrays.
  let id = '[';
  for (let i = 0; i < names.length; i++) id += `${i ? ',' : ''}[${JSON.stringify(names[i])},${JSON.stringify(keys[names[i]]) ?? 'null'}]`;
  return `${id}]`;
}

/** Lambda's Kinesis eventID is `shardId-...:<sequence number>`. */
function shardOf(eventID: string): string {
  const colon = eventID.indexOf(':');
  return colon < 0 ? eventID : eventID.slice(0, colon);
}

function parseData(data: unknown): KinesisDynamoDBChange {
  if (typeof data !== 'string' || data.length % 4 !== 0) throw new DecodeError('kinesis.data must be base64');
  let json: unknown;
  try {
    json = JSON.parse(Buffer.from(data, 'base64').toString('utf8'));
  } catch (e) {
    throw new DecodeError(`kinesis.data is not base64 JSON: ${(e as Error).message}`);
  }
  return object(json, 'kinesis.data') as unknown as KinesisDynamoDBChange;
}

function checkedEventName(v: unknown, where: string): 'INSERT' | 'MODIFY' | 'REMOVE' {
  if (v !== 'INSERT' && v !== 'MODIFY' && v !== 'REMOVE')
    throw new DecodeError(`${where} must be INSERT, MODIFY or REMOVE (got ${JSON.stringify(v)})`);
  return v;
}

function checkedKeys(v: unknown, where: string): Record<string, unknown> {
  const keys = object(v, where);
  for (const _ in keys) return keys;
  throw new DecodeError(`${where}: the record has no key attributes`);
}

export function object(v: unknown, what: string): Record<string, any> {
  if (typeof v !== 'object' || v === null || Array.isArray(v))
    throw new DecodeError(`${what} must be a JSON object (got ${JSON.stringify(v)?.slice(0, 80)})`);
  return v as Record<string, any>;
}

function text(v: unknown, where: string): void {
  if (typeof v !== 'string' || v === '')
    throw new DecodeError(`${where} must be a non-empty string (got ${JSON.stringify(v)?.slice(0, 80)})`);
}

/** A REMOVE made by DynamoDB's TTL sweeper, not by the application. */
function ttlRemoval(eventName: string, type: string | undefined, principalId: string | undefined): boolean {
  return eventName === 'REMOVE' && type === 'Service' && principalId === 'dynamodb.amazonaws.com';
}
