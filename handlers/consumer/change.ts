/**
 * One typed change for both sources a consumer can read (docs/consumer-toolkit.md): a DynamoDB
 * stream record and a Kinesis Data Streams for DynamoDB record become the same `Change<T>`. The
 * record's envelope is checked when the change is made (source.ts: a record that cannot be read
 * is a `DecodeError`, never a half change); keys and images are unmarshalled, strictly, when the
 * handler first reads them, and the identity is hashed when first asked for: a handler pays for
 * what it reads.
 */
import { createHash } from 'crypto';
import type { DynamoDBRecord, KinesisStreamRecord } from 'aws-lambda';
import { CONSUMER_TOOLKIT_ENV } from '../contract';
import { DecodeError } from '../common/decode';
import { DecodedTogether, decodeTogether, parsedImage, PendingImages, readKinesisRecordLazily, settleImages } from './kinesis-lazy';
import { identityText, readKinesisRecord, readStreamRecord, SourceFacts } from './source';
import { Unmarshalled, unmarshallJsonImage } from './unmarshall';

export { unmarshallItem, unmarshallValue } from './unmarshall';
export type { Unmarshalled } from './unmarshall';

/** The stream view type the construct configured (StreamTable `streamViewType`). */
export type StreamViewType = 'KEYS_ONLY' | 'NEW_IMAGE' | 'OLD_IMAGE' | 'NEW_AND_OLD_IMAGES';
/** Every StreamViewType, in the order DynamoDB documents them (to validate configuration against). */
export const STREAM_VIEW_TYPES: readonly StreamViewType[] = ['KEYS_ONLY', 'NEW_IMAGE', 'OLD_IMAGE', 'NEW_AND_OLD_IMAGES'];

/** Environment variable through which StreamConsumer tells the handler its source's view type. */
export const VIEW_TYPE_ENV = CONSUMER_TOOLKIT_ENV.viewType;

/** A record as Lambda delivers it, from either source. */
export type SourceRecord = DynamoDBRecord | KinesisStreamRecord;

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
  return changeOf(record, viewType, readKinesisRecord);
}

/**
 * `toChange` for a batch that is read whole before it is processed (batch.ts): a Kinesis change's
 * images stay JSON text until `settle` parses them, just before the change is processed.
 */
export function toPendingChange<T, K>(
  record: SourceRecord,
  viewType: StreamViewType | undefined,
  together?: DecodedTogether,
  index?: number,
): Change<T, K> {
  return changeOf(record, viewType, (r) => readKinesisRecordLazily(r, together, index));
}

/**
 * `toChange` for each record of a batch, the batch read as `changeHandler` reads it (Kinesis data
 * decoded together, images known to be JSON parsed only when read) and settled at once, so the
 * first record that cannot be read throws what `toChange` throws for it.
 */
export function toChanges<T = Record<string, Unmarshalled>, K = Record<string, Unmarshalled>>(
  records: readonly SourceRecord[],
  viewType: StreamViewType | undefined = configuredViewType(),
): Change<T, K>[] {
  const together = decodeBatch(records);
  return records.map((record, index) => {
    const change = toPendingChange<T, K>(record, viewType, together, index);
    settle(change);
    return change;
  });
}

/** The batch's data decoded together when it is all Kinesis records and more than one; else undefined (each record decodes alone). */
export function decodeBatch(records: readonly SourceRecord[]): DecodedTogether | undefined {
  return records.length > 1 && records.every(isKinesisRecord) ? decodeTogether(records as KinesisStreamRecord[]) : undefined;
}

/**
 * Parses what a pending change left as text. A DecodeError when the record's JSON is malformed
 * (the error `toChange` would have thrown for it): the record cannot be processed.
 */
export function settle(change: Change<any, any>): void {
  if (change instanceof SourceChange) change.settle();
}

function changeOf<T, K>(
  record: SourceRecord,
  viewType: StreamViewType | undefined,
  readKinesis: (record: KinesisStreamRecord) => SourceFacts,
): Change<T, K> {
  if (isKinesisRecord(record)) return new SourceChange<T, K>(readKinesis(record), viewType ?? 'NEW_AND_OLD_IMAGES', record);
  const facts = readStreamRecord(record as DynamoDBRecord);
  const view = facts.view ?? viewType;
  if (!view)
    throw new Error(
      `the stream view type is unknown: the record has no StreamViewType and ${VIEW_TYPE_ENV} is not set (StreamConsumer sets it)`,
    );
  return new SourceChange<T, K>(facts, view, record);
}

/** The view type StreamConsumer passed in the environment, checked. */
export function configuredViewType(env: NodeJS.ProcessEnv = process.env): StreamViewType | undefined {
  const v = env[VIEW_TYPE_ENV];
  if (v === undefined || v === '') return undefined;
  if (!STREAM_VIEW_TYPES.includes(v as StreamViewType))
    throw new Error(`${VIEW_TYPE_ENV} must be one of ${STREAM_VIEW_TYPES.join(', ')} (got ${JSON.stringify(v)})`);
  return v as StreamViewType;
}

/** What tells two deliveries of one change apart from two changes, unhashed (cheaper than `id` for comparing within a batch). */
export function identityOf(change: Change<any, any>): string {
  return change instanceof SourceChange ? change.identity : change.id;
}

/** A string every delivery of the change shares, cheaper than its identity (which it does not replace: two changes may share it). */
export function changeKeyOf(change: Change<any, any>): string {
  return change instanceof SourceChange ? change.changeKey : change.id;
}

class SourceChange<T, K> implements Change<T, K> {
  // Primitives and what the handler may read, not the reader's facts: a batch holds a thousand of
  // these until it is processed, and every object each holds is one more the scavenger copies.
  readonly eventName: 'INSERT' | 'MODIFY' | 'REMOVE';
  readonly table: string;
  readonly keyId: string;
  readonly byTimeToLive: boolean;
  readonly changeKey: string;
  readonly epochMicros: number;
  private readonly precision: ChangeTime['precision'];
  readonly source: ChangePosition['source'];
  private readonly shardId: string | undefined;
  private readonly sequenceNumber: string;
  private readonly keysJson: Record<string, unknown>;
  private pending: PendingImages | undefined;
  private newJson: unknown;
  private oldJson: unknown;
  private identityJson?: string;
  private time?: ChangeTime;
  private where?: ChangePosition;
  private decodedKeys?: K;
  private decodedNew?: T;
  private decodedOld?: T;
  private hashed?: string;

  constructor(
    facts: SourceFacts,
    readonly viewType: StreamViewType,
    readonly record: SourceRecord,
  ) {
    this.eventName = facts.eventName;
    this.table = facts.table;
    this.keyId = facts.keyId;
    this.byTimeToLive = facts.byTimeToLive;
    this.changeKey = facts.changeKey;
    this.epochMicros = facts.epochMicros;
    this.precision = facts.precision;
    this.source = facts.source;
    this.shardId = facts.shardId;
    this.sequenceNumber = facts.sequenceNumber;
    this.keysJson = facts.keys;
    this.pending = facts.pendingImages;
    this.newJson = facts.newImage;
    this.oldJson = facts.oldImage;
  }

  get createdAt(): ChangeTime {
    return (this.time ??= { epochMicros: this.epochMicros, precision: this.precision });
  }

  get position(): ChangePosition {
    this.where ??=
      this.source === 'kinesis'
        ? { source: this.source, shardId: this.shardId, sequenceNumber: this.sequenceNumber }
        : { source: this.source, sequenceNumber: this.sequenceNumber };
    return this.where;
  }

  settle(): void {
    if (!this.pending) return;
    ({ newImage: this.newJson, oldImage: this.oldJson } = settleImages(this.record as KinesisStreamRecord, this.pending));
    this.pending = undefined;
  }

  /** What `id` hashes: built when first asked for (idempotency, in-batch duplicates, logs). */
  get identity(): string {
    return (this.identityJson ??= identityText(this));
  }

  get keys(): K {
    return (this.decodedKeys ??= unmarshallJsonImage(this.keysJson, 'Keys') as K);
  }

  get newImage(): T | undefined {
    if (this.viewType !== 'NEW_IMAGE' && this.viewType !== 'NEW_AND_OLD_IMAGES') throw new ImageNotInViewError('newImage', this.viewType);
    if (this.pending) this.settle();
    if (this.decodedNew === undefined && this.newJson) this.decodedNew = this.image(parsedImage(this.newJson), 'NewImage');
    return this.decodedNew;
  }

  get oldImage(): T | undefined {
    if (this.viewType !== 'OLD_IMAGE' && this.viewType !== 'NEW_AND_OLD_IMAGES') throw new ImageNotInViewError('oldImage', this.viewType);
    if (this.pending) this.settle();
    if (this.decodedOld === undefined && this.oldJson) this.decodedOld = this.image(parsedImage(this.oldJson), 'OldImage');
    return this.decodedOld;
  }

  get id(): string {
    return (this.hashed ??= createHash('sha256').update(this.identity).digest('base64url'));
  }

  private image(json: unknown, label: 'NewImage' | 'OldImage'): T {
    const image = unmarshallJsonImage(json, label);
    const keys = this.keysJson;
    for (const k in keys) {
      if (!sameJson((json as Record<string, unknown>)[k], keys[k]))
        throw new DecodeError(`${label} disagrees with Keys on key attribute ${k}`);
    }
    return image as T;
  }
}

/**
 * JSON.stringify(a) === JSON.stringify(b), without building the strings for what key attributes
 * are (one type key, a string value: `{ "S": "order-1" }`).
 */
function sameJson(a: unknown, b: unknown): boolean {
  const [typeA, valueA] = soleString(a);
  const [typeB, valueB] = soleString(b);
  if (typeA === undefined || typeB === undefined) return JSON.stringify(a) === JSON.stringify(b);
  return typeA === typeB && valueA === valueB;
}

const NOT_SOLE: [undefined, undefined] = [undefined, undefined];

/** The one property of a plain object (no toJSON, no array) if it is its only one and a string, else NOT_SOLE. */
function soleString(v: unknown): [string, string] | typeof NOT_SOLE {
  if (typeof v !== 'object' || v === null || Object.getPrototypeOf(v) !== Object.prototype) return NOT_SOLE;
  let found: [string, string] | undefined;
  for (const k in v) {
    const value = (v as Record<string, unknown>)[k];
    if (found || typeof value !== 'string') return NOT_SOLE;
    found = [k, value];
  }
  return found ?? NOT_SOLE;
}
