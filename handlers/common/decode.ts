/**
 * Lambda's DynamoDB stream records (JSON: binaries as base64) -> SDK attribute values (binaries as
 * bytes), checked strictly: a record we cannot read must be parked, never half-written.
 */
import type { AttributeValue } from '@aws-sdk/client-dynamodb';
import type { DynamoDBRecord } from 'aws-lambda';
import type { Item } from '../lww';

export class DecodeError extends Error {}

export interface DecodedRecord {
  readonly eventName: 'INSERT' | 'MODIFY' | 'REMOVE';
  readonly userIdentity?: { readonly type?: string; readonly principalId?: string };
  readonly oldImage?: Item;
  readonly newImage?: Item;
  readonly sequenceNumber: string;
  /**
   * The record's place among the changes of its item, as decimal digits (compared numerically):
   * the DynamoDB Streams sequence number, which increases with every change of an item. Versions
   * the writer mints and the repair marker `_w` are derived from it.
   */
  readonly position: string;
  /**
   * When the change was made, in epoch ms, as precisely as the source tells: DynamoDB Streams
   * give whole seconds (rounded down), Kinesis Data Streams for DynamoDB milliseconds or finer.
   * 0 when the record carries no time.
   */
  readonly approximateCreationMs: number;
  /** Stable identity of the item's key within one table (canonical JSON of the key attributes). */
  readonly keyId: string;
  readonly keys: Item;
  /** Name of the partition key attribute (first key attribute in canonical order). */
  readonly keyAttribute: string;
  /** Table the stream belongs to, from eventSourceARN. */
  readonly sourceTable: string;
  readonly raw: DynamoDBRecord;
}

const B64 = /^[A-Za-z0-9+/]*={0,2}$/;

function bytes(v: unknown, path: string): Uint8Array {
  if (typeof v !== 'string' || v.length % 4 !== 0 || !B64.test(v))
    throw new DecodeError(`${path}: binary must be base64 (got ${JSON.stringify(v)?.slice(0, 80)})`);
  return new Uint8Array(Buffer.from(v, 'base64'));
}

function str(v: unknown, path: string): string {
  if (typeof v !== 'string') throw new DecodeError(`${path}: expected a string (got ${JSON.stringify(v)?.slice(0, 80)})`);
  return v;
}

function strList(v: unknown, path: string): string[] {
  if (!Array.isArray(v)) throw new DecodeError(`${path}: expected a list (got ${JSON.stringify(v)?.slice(0, 80)})`);
  return v.map((x, i) => str(x, `${path}[${i}]`));
}

/** One attribute value in Lambda JSON -> SDK form. Exactly one type key, as DynamoDB defines. */
export function decodeAttribute(v: unknown, path: string): AttributeValue {
  if (typeof v !== 'object' || v === null || Array.isArray(v)) throw new DecodeError(`${path}: expected an attribute value object`);
  const entries = Object.entries(v);
  if (entries.length !== 1)
    throw new DecodeError(`${path}: an attribute value has exactly one type key (got ${entries.map((e) => e[0]).join(',') || 'none'})`);
  const [type, val] = entries[0];
  switch (type) {
    case 'S':
      return { S: str(val, `${path}.S`) };
    case 'N':
      return { N: str(val, `${path}.N`) };
    case 'B':
      return { B: bytes(val, `${path}.B`) };
    case 'BOOL':
      if (typeof val !== 'boolean') throw new DecodeError(`${path}.BOOL: expected a boolean`);
      return { BOOL: val };
    case 'NULL':
      if (val !== true) throw new DecodeError(`${path}.NULL: expected true`);
      return { NULL: true };
    case 'SS':
      return { SS: strList(val, `${path}.SS`) };
    case 'NS':
      return { NS: strList(val, `${path}.NS`) };
    case 'BS':
      if (!Array.isArray(val)) throw new DecodeError(`${path}.BS: expected a list`);
      return { BS: val.map((b, i) => bytes(b, `${path}.BS[${i}]`)) };
    case 'L':
      if (!Array.isArray(val)) throw new DecodeError(`${path}.L: expected a list`);
      return { L: val.map((x, i) => decodeAttribute(x, `${path}.L[${i}]`)) };
    case 'M':
      return { M: decodeImage(val, `${path}.M`) };
    default:
      throw new DecodeError(`${path}: unknown attribute type ${JSON.stringify(type)}`);
  }
}

export function decodeImage(image: unknown, path: string): Item {
  if (typeof image !== 'object' || image === null || Array.isArray(image)) throw new DecodeError(`${path}: expected a map of attributes`);
  const out: Item = {};
  for (const [k, v] of Object.entries(image)) out[k] = decodeAttribute(v, `${path}.${k}`);
  return out;
}

const STREAM_ARN = /^arn:[^:]+:dynamodb:[^:]*:[^:]*:table\/([^/]+)\/stream\/.+$/;

/** Decodes and checks one record; throws DecodeError with the reason it cannot be used. */
export function decodeRecord(record: DynamoDBRecord): DecodedRecord {
  const d = record.dynamodb;
  if (!d) throw new DecodeError('record has no dynamodb section');
  if (typeof d.SequenceNumber !== 'string' || !/^\d{1,128}$/.test(d.SequenceNumber))
    throw new DecodeError(`dynamodb.SequenceNumber must be decimal digits (got ${JSON.stringify(d.SequenceNumber)})`);
  const created = d.ApproximateCreationDateTime;
  if (created !== undefined && (typeof created !== 'number' || !Number.isFinite(created) || created < 0))
    throw new DecodeError(`dynamodb.ApproximateCreationDateTime must be epoch seconds (got ${JSON.stringify(created)})`);
  const eventName = record.eventName;
  if (eventName !== 'INSERT' && eventName !== 'MODIFY' && eventName !== 'REMOVE')
    throw new DecodeError(`unknown eventName ${JSON.stringify(eventName)}`);
  const table = STREAM_ARN.exec(record.eventSourceARN ?? '')?.[1];
  if (!table) throw new DecodeError(`eventSourceARN is not a DynamoDB stream ARN (got ${JSON.stringify(record.eventSourceARN)})`);
  if (!d.Keys || Object.keys(d.Keys).length === 0) throw new DecodeError('record has no dynamodb.Keys');
  const keys = decodeImage(d.Keys, 'Keys');
  const keyNames = Object.keys(d.Keys).sort();
  const keyId = JSON.stringify(keyNames.map((k) => [k, (d.Keys as any)[k]]));
  const newImage = d.NewImage ? decodeImage(d.NewImage, 'NewImage') : undefined;
  const oldImage = d.OldImage ? decodeImage(d.OldImage, 'OldImage') : undefined;
  for (const [name, image] of [
    ['NewImage', newImage],
    ['OldImage', oldImage],
  ] as const) {
    if (!image) continue;
    for (const k of keyNames) {
      if (JSON.stringify((d as any)[name][k]) !== JSON.stringify((d.Keys as any)[k]))
        throw new DecodeError(`${name} disagrees with Keys on key attribute ${k}`);
    }
  }
  // Lambda's JSON says type/principalId; the Streams API (and some tools replaying it) Type/PrincipalId.
  const ui = record.userIdentity as Record<string, string | undefined> | undefined;
  return {
    sequenceNumber: d.SequenceNumber,
    position: d.SequenceNumber.replace(/^0+(?=\d)/, ''),
    approximateCreationMs: created === undefined ? 0 : Math.floor(created * 1000),
    eventName,
    userIdentity: ui ? { type: ui.type ?? ui.Type, principalId: ui.principalId ?? ui.PrincipalId } : undefined,
    keys,
    keyId,
    keyAttribute: keyNames[0],
    newImage,
    oldImage,
    sourceTable: table,
    raw: record,
  };
}
