/**
 * One typed change for both sources a consumer can read (docs/consumer-toolkit.md): a DynamoDB
 * stream record and a Kinesis Data Streams for DynamoDB record become the same `Change<T>`. The
 * decoding is the replica writer's own (../shared/decode.ts, ../shared/kinesis-record.ts): records
 * are checked strictly, and a record that cannot be read is a `DecodeError`, never a half change.
 */
import { createHash } from 'crypto';
import type { AttributeValue } from '@aws-sdk/client-dynamodb';
import type { DynamoDBRecord, KinesisStreamRecord } from 'aws-lambda';
import type { Item } from '../lww';
import { CONSUMER_TOOLKIT_ENV } from '../contract';
import { DecodedRecord, decodeRecord } from '../shared/decode';
import { decodeKinesisRecord } from '../shared/kinesis-record';

/** The stream view type the construct configured (StreamTable `streamViewType`). */
export type StreamViewType = 'KEYS_ONLY' | 'NEW_IMAGE' | 'OLD_IMAGE' | 'NEW_AND_OLD_IMAGES';
/** Every StreamViewType, in the order DynamoDB documents them (to validate configuration against). */
export const STREAM_VIEW_TYPES: readonly StreamViewType[] = ['KEYS_ONLY', 'NEW_IMAGE', 'OLD_IMAGE', 'NEW_AND_OLD_IMAGES'];

/** Environment variable through which StreamConsumer tells the handler its source's view type. */
export const VIEW_TYPE_ENV = CONSUMER_TOOLKIT_ENV.viewType;

/** A record as Lambda delivers it, from either source. */
export type SourceRecord = DynamoDBRecord | KinesisStreamRecord;

/** An unmarshalled DynamoDB value (numbers that a JS number cannot hold exactly stay exact: see `unmarshallValue`). */
export type Unmarshalled =
  | string
  | number
  | bigint
  | boolean
  | null
  | Uint8Array
  | Unmarshalled[]
  | Set<string | number | bigint | Uint8Array>
  | { [name: string]: Unmarshalled };

/** Reading an image the stream's view type does not carry. */
export class ImageNotInViewError extends Error {
  constructor(image: 'newImage' | 'oldImage', view: StreamViewType) {
    const needs = image === 'newImage' ? 'NEW_IMAGE or NEW_AND_OLD_IMAGES' : 'OLD_IMAGE or NEW_AND_OLD_IMAGES';
    super(
      `change.${image}: the stream view type is ${view}, which does not carry the ${image === 'newImage' ? 'new' : 'old'} image; configure the table's streamViewType as ${needs}`,
    );
    this.name = 'ImageNotInViewError';
  }
}

/** When a change was made, at the precision its source gives. */
export interface ChangeTime {
  /** When DynamoDB made the change, epoch microseconds (exact at the source's precision). */
  readonly epochMicros: number;
  /** DynamoDB Streams give whole seconds; Kinesis milliseconds or microseconds as configured. */
  readonly precision: 'SECOND' | 'MILLISECOND' | 'MICROSECOND';
}

/** Where a change was read from. */
export interface ChangePosition {
  /** The kind of source the record came from. */
  readonly source: 'dynamodb-stream' | 'kinesis';
  /** Shard the record was read from (Kinesis; a DynamoDB stream record does not name its shard). */
  readonly shardId?: string;
  /** The source's sequence number: what a partial batch response names (`itemIdentifier`). */
  readonly sequenceNumber: string;
}

/** One change of one item, from either source. `T` types the images, `K` the keys. */
export interface Change<T = Record<string, Unmarshalled>, K = Record<string, Unmarshalled>> {
  /** What happened to the item. */
  readonly eventName: 'INSERT' | 'MODIFY' | 'REMOVE';
  /** Name of the table the item belongs to. */
  readonly table: string;
  /** The item's key attributes, unmarshalled. */
  readonly keys: K;
  /** The item's key as a stable string (canonical JSON of the key attributes): groups an item's changes. */
  readonly keyId: string;
  /** The item after the change (undefined for REMOVE); throws ImageNotInViewError when the view lacks it. */
  readonly newImage: T | undefined;
  /** The item before the change (undefined for INSERT); throws ImageNotInViewError when the view lacks it. */
  readonly oldImage: T | undefined;
  /** When DynamoDB made the change. */
  readonly createdAt: ChangeTime;
  /** A REMOVE made by DynamoDB's TTL sweeper (userIdentity Service dynamodb.amazonaws.com), not by the application. */
  readonly byTimeToLive: boolean;
  /**
   * Identity of the change for de-duplication: the same for every delivery of the change (a retry,
   * a bisected half, the redrive, a Kinesis duplicate), different for any two changes.
   */
  readonly id: string;
  /** Where the record was read from. */
  readonly position: ChangePosition;
  /** What the record carries (Kinesis records always carry both images). */
  readonly viewType: StreamViewType;
  /** The record as Lambda delivered it. */
  readonly record: SourceRecord;
}

export function isKinesisRecord(r: SourceRecord): r is KinesisStreamRecord {
  return (r as KinesisStreamRecord).eventSource === 'aws:kinesis';
}

/**
 * The change a record carries. `viewType`: the record's own StreamViewType (DynamoDB streams),
 * else the construct's (environment), else NEW_AND_OLD_IMAGES for Kinesis (DynamoDB writes both
 * images there).
 */
export function toChange<T = Record<string, Unmarshalled>, K = Record<string, Unmarshalled>>(
  record: SourceRecord,
  viewType: StreamViewType | undefined = configuredViewType(),
): Change<T, K> {
  if (isKinesisRecord(record)) {
    const d = decodeKinesisRecord(record);
    // A Kinesis duplicate is the same change JSON put again under a new Kinesis sequence number:
    // its eventID and creation time are the change's, not the delivery's.
    const id = digest(['kinesis', d.sourceTable, d.keyId, d.raw.eventID ?? '', String(d.createdAtMicros)]);
    const time: ChangeTime = { epochMicros: d.createdAtMicros, precision: d.createdAtPrecision };
    return build(
      d,
      viewType ?? 'NEW_AND_OLD_IMAGES',
      id,
      time,
      { source: 'kinesis', shardId: d.shardId, sequenceNumber: d.kinesisSequenceNumber },
      record,
    );
  }
  const d = decodeRecord(record);
  const view = (record.dynamodb?.StreamViewType as StreamViewType | undefined) ?? viewType;
  if (!view)
    throw new Error(
      `the stream view type is unknown: the record has no StreamViewType and ${VIEW_TYPE_ENV} is not set (StreamConsumer sets it)`,
    );
  // A DynamoDB stream sequence number names one change of the table's stream for as long as the
  // stream keeps it; every re-delivery (retry, bisection, redrive) carries it unchanged.
  const id = digest(['dynamodb-stream', d.sourceTable, d.keyId, d.sequenceNumber]);
  const seconds = record.dynamodb?.ApproximateCreationDateTime ?? 0;
  const time: ChangeTime = { epochMicros: Math.round(seconds * 1e6), precision: 'SECOND' };
  return build(d, view, id, time, { source: 'dynamodb-stream', sequenceNumber: d.sequenceNumber }, record);
}

/** The view type StreamConsumer passed in the environment, checked. */
export function configuredViewType(env: NodeJS.ProcessEnv = process.env): StreamViewType | undefined {
  const v = env[VIEW_TYPE_ENV];
  if (v === undefined || v === '') return undefined;
  if (!STREAM_VIEW_TYPES.includes(v as StreamViewType))
    throw new Error(`${VIEW_TYPE_ENV} must be one of ${STREAM_VIEW_TYPES.join(', ')} (got ${JSON.stringify(v)})`);
  return v as StreamViewType;
}

function build<T, K>(
  d: DecodedRecord,
  view: StreamViewType,
  id: string,
  createdAt: ChangeTime,
  position: ChangePosition,
  record: SourceRecord,
): Change<T, K> {
  const hasNew = view === 'NEW_IMAGE' || view === 'NEW_AND_OLD_IMAGES';
  const hasOld = view === 'OLD_IMAGE' || view === 'NEW_AND_OLD_IMAGES';
  let newImage: T | undefined;
  let oldImage: T | undefined;
  return {
    eventName: d.eventName,
    table: d.sourceTable,
    keys: unmarshallItem(d.keys) as K,
    keyId: d.keyId,
    get newImage(): T | undefined {
      if (!hasNew) throw new ImageNotInViewError('newImage', view);
      if (newImage === undefined && d.newImage) newImage = unmarshallItem(d.newImage) as T;
      return newImage;
    },
    get oldImage(): T | undefined {
      if (!hasOld) throw new ImageNotInViewError('oldImage', view);
      if (oldImage === undefined && d.oldImage) oldImage = unmarshallItem(d.oldImage) as T;
      return oldImage;
    },
    createdAt,
    byTimeToLive:
      d.eventName === 'REMOVE' && d.userIdentity?.type === 'Service' && d.userIdentity?.principalId === 'dynamodb.amazonaws.com',
    id,
    position,
    viewType: view,
    record,
  };
}

function digest(parts: string[]): string {
  return createHash('sha256').update(JSON.stringify(parts)).digest('base64url');
}

/**
 * A whole DynamoDB item (attribute name to AttributeValue, as Lambda's stream records and the AWS SDK
 * carry it) in plain JavaScript, each value as `unmarshallValue` makes it.
 */
export function unmarshallItem(item: Item): Record<string, Unmarshalled> {
  const out: Record<string, Unmarshalled> = {};
  for (const [k, v] of Object.entries(item)) out[k] = unmarshallValue(v);
  return out;
}

/**
 * One attribute value in plain JavaScript. A number is a `number` when a double holds it exactly,
 * a `bigint` when it is an integer beyond 2^53, else its decimal string: never silently rounded.
 */
export function unmarshallValue(v: AttributeValue): Unmarshalled {
  if (v.S !== undefined) return v.S;
  if (v.N !== undefined) return number(v.N);
  if (v.BOOL !== undefined) return v.BOOL;
  if (v.NULL !== undefined) return null;
  if (v.B !== undefined) return v.B;
  if (v.SS !== undefined) return new Set(v.SS);
  if (v.NS !== undefined) return new Set(v.NS.map(number));
  if (v.BS !== undefined) return new Set(v.BS);
  if (v.L !== undefined) return v.L.map(unmarshallValue);
  if (v.M !== undefined) return unmarshallItem(v.M as Item);
  throw new Error(`unknown attribute value ${JSON.stringify(Object.keys(v))}`);
}

function number(n: string): number | bigint | string {
  const x = Number(n);
  if (Number.isSafeInteger(x) || (Number.isFinite(x) && !Number.isInteger(x) && exact(n, x))) return x;
  if (/^-?\d+$/.test(n)) return BigInt(n);
  return exact(n, x) ? x : n;
}

/** True when the double `x` is the decimal `n` (DynamoDB numbers have up to 38 significant digits). */
function exact(n: string, x: number): boolean {
  return canonicalDecimal(n) === canonicalDecimal(String(x));
}

/** A decimal as sign, significant digits and the exponent of its last digit: equal values, equal strings. */
function canonicalDecimal(s: string): string {
  const m = /^([+-]?)(\d*)\.?(\d*)(?:[eE]([+-]?\d+))?$/.exec(s);
  if (!m) return s;
  const all = (m[2] + m[3]).replace(/^0+/, '');
  if (!all) return '0';
  const significant = all.replace(/0+$/, '');
  const exponent = Number(m[4] ?? 0) - m[3].length + (all.length - significant.length);
  return `${m[1] === '-' ? '-' : ''}${significant}e${exponent}`;
}
