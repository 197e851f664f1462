/**
 * What the consumer toolkit reads of a record, from either source, before the handler asks for
 * more: the envelope (event, table, key, time, position) is checked strictly here, as the replica
 * writer's decoders check it (../common/decode.ts, ../common/kinesis-record.ts, same errors),
 * while keys and images stay Lambda's JSON until a handler reads them (change.ts decodes them
 * then). A Kinesis change is read from its JSON directly, not rebuilt as a DynamoDB stream record.
 */
import { isAscii } from 'buffer';
import type { DynamoDBRecord, KinesisStreamRecord } from 'aws-lambda';
import { DecodeError } from '../common/decode';
import { creationTime, KinesisDynamoDBChange } from '../common/kinesis-record';
import type { ChangePosition, ChangeTime, StreamViewType } from './change';
import { cutImages } from './image-spans';

/** A record's facts, images undecoded. */
export interface SourceFacts {
  readonly eventName: 'INSERT' | 'MODIFY' | 'REMOVE';
  readonly table: string;
  readonly keys: Record<string, unknown>;
  readonly newImage: unknown;
  readonly oldImage: unknown;
  /** Images still JSON text (readKinesisRecordLazily): `settleImages` parses them. */
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

/**
 * The same record read for a batch: its envelope parsed and checked now, its images only located
 * (image-spans.ts) and parsed when `settleImages` is called, so a batch waiting to be processed
 * holds one string per record rather than two parsed images. Whatever the fast reading cannot
 * follow, or finds wrong, is read again by `readKinesisRecord`: same facts, same errors.
 */
export function readKinesisRecordLazily(record: KinesisStreamRecord, together?: DecodedTogether, index = 0): SourceFacts {
  const sequenceNumber = checkedKinesisCoordinates(record);
  const data = record.kinesis.data;
  if (typeof data === 'string' && data.length % 4 === 0) {
    const text = together?.text ?? Buffer.from(data, 'base64').toString('utf8');
    const cut = together ? cutImages(text, together.bounds[2 * index], together.bounds[2 * index + 1]) : cutImages(text);
    let c: unknown;
    try {
      c = cut && JSON.parse(cut.envelope);
    } catch {
      c = undefined;
    }
    const d = typeof c === 'object' && c !== null ? (c as KinesisDynamoDBChange).dynamodb : undefined;
    const at = { newImage: d?.NewImage as unknown, oldImage: d?.OldImage as unknown };
    if (cut && isPlaceholder(at.newImage, cut.spans) && isPlaceholder(at.oldImage, cut.spans)) {
      try {
        const images: PendingImages = {
          text,
          spans: cut.spans,
          newAt: at.newImage as number | undefined,
          oldAt: at.oldImage as number | undefined,
        };
        return kinesisFacts(record, sequenceNumber, object(c, 'kinesis.data') as KinesisDynamoDBChange, undefined, undefined, images);
      } catch (e) {
        if (!(e instanceof DecodeError)) throw e;
      }
    }
  }
  return readKinesisRecord(record);
}

/** A batch's data decoded: record i's is text[bounds[2i], bounds[2i + 1]), what `Buffer.from(data, 'base64').toString('utf8')` gives. */
export interface DecodedTogether {
  readonly text: string;
  readonly bounds: readonly number[];
}

/**
 * Every record's data decoded into one string, when all of it is ASCII (then each record's part is
 * exactly what decoding it alone gives); undefined otherwise. One string of a batch's size is one
 * object the garbage collector does not copy (V8 keeps strings that large in place), where a
 * string per record were a thousand copied at every scavenge while the batch waits.
 */
export function decodeTogether(records: readonly KinesisStreamRecord[]): DecodedTogether | undefined {
  let total = 0;
  for (const r of records) {
    const data = r.kinesis?.data;
    if (typeof data === 'string') total += Buffer.byteLength(data, 'base64');
  }
  const bytes = Buffer.allocUnsafe(total);
  const bounds: number[] = [];
  let at = 0;
  for (const r of records) {
    const data = r.kinesis?.data;
    const written = typeof data === 'string' ? bytes.write(data, at, 'base64') : 0;
    bounds.push(at, (at += written));
  }
  // ASCII decodes the same as UTF-8 and Latin-1; Latin-1 is a copy (UTF-8 of a string this large is slow in Node).
  if (!isAscii(bytes.subarray(0, at))) return undefined;
  return { text: bytes.toString('latin1', 0, at), bounds };
}

/**
 * Parses images `readKinesisRecordLazily` left as text: every cut span, read or not, so a record
 * whose JSON is malformed anywhere is still a DecodeError (then `readKinesisRecord`'s, word for word).
 */
export function settleImages(record: KinesisStreamRecord, images: PendingImages): { newImage: unknown; oldImage: unknown } {
  const { text, spans } = images;
  const values: unknown[] = [];
  try {
    for (let i = 0; i < spans.length; i += 2) values.push(JSON.parse(text.slice(spans[i], spans[i + 1])));
  } catch {
    const eager = readKinesisRecord(record); // throws the DecodeError the whole text's parse gives
    return { newImage: eager.newImage, oldImage: eager.oldImage };
  }
  return {
    newImage: images.newAt === undefined ? undefined : values[images.newAt],
    oldImage: images.oldAt === undefined ? undefined : values[images.oldAt],
  };
}

/** A change's images not parsed yet: its JSON text and where the images are (image-spans.ts). */
export interface PendingImages {
  readonly text: string;
  readonly spans: readonly number[];
  /** Placeholder index of NewImage / OldImage (undefined: the change has none). */
  readonly newAt: number | undefined;
  readonly oldAt: number | undefined;
}

function isPlaceholder(v: unknown, spans: readonly number[]): boolean {
  return v === undefined || (typeof v === 'number' && Number.isInteger(v) && v >= 0 && v < spans.length / 2);
}

function checkedKinesisCoordinates(record: KinesisStreamRecord): string {
  const sequenceNumber = record.kinesis?.sequenceNumber;
  if (typeof sequenceNumber !== 'string' || !SEQUENCE.test(sequenceNumber))
    throw new DecodeError(`kinesis.sequenceNumber must be decimal digits (got ${JSON.stringify(sequenceNumber)})`);
  const arn = record.eventSourceARN ?? '';
  let validArn = kinesisArns.get(arn);
  if (validArn === undefined) kinesisArns.set(arn, (validArn = KINESIS_STREAM_ARN.test(arn)));
  if (!validArn) throw new DecodeError(`eventSourceARN is not a Kinesis stream ARN (got ${JSON.stringify(record.eventSourceARN)})`);
  return sequenceNumber;
}

/** The checked envelope of a parsed change; the images as given (parsed, or pending as text). */
function kinesisFacts(
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

function object(v: unknown, what: string): Record<string, any> {
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
