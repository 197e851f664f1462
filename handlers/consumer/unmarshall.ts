/**
 * DynamoDB attribute values -> plain JavaScript, for the consumer toolkit's changes. Images are
 * unmarshalled straight from Lambda's JSON (binaries as base64) in one pass, checked as strictly
 * as the replica writer's decoder (../common/decode.ts) but without building its intermediate
 * SDK-shaped item: a change's images are decoded only when the handler reads them, and only once.
 */
import type { AttributeValue } from '@aws-sdk/client-dynamodb';
import type { Item } from '../lww';
import { DecodeError, decodeImage } from '../common/decode';

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

/**
 * An image (or the keys) as Lambda's JSON carries it, unmarshalled; `label` names it in errors
 * (`NewImage`, `Keys`...). A malformed value is a DecodeError naming its path.
 */
export function unmarshallJsonImage(image: unknown, label: string): Record<string, Unmarshalled> {
  try {
    return jsonImage(image);
  } catch (e) {
    if (e !== MALFORMED) throw e;
    // The fast path only knows that something is wrong; the writer's decoder says where.
    decodeImage(image, label);
    throw new DecodeError(`${label}: malformed attribute value`);
  }
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

/** Thrown by the fast path on anything malformed; unmarshallJsonImage turns it into a precise DecodeError. */
const MALFORMED = new Error('malformed attribute value');
const B64 = /^[A-Za-z0-9+/]*={0,2}$/;

function jsonImage(image: unknown): Record<string, Unmarshalled> {
  if (typeof image !== 'object' || image === null || Array.isArray(image)) throw MALFORMED;
  const out: Record<string, Unmarshalled> = {};
  for (const k in image) out[k] = jsonValue((image as Record<string, unknown>)[k]);
  return out;
}

/** Exactly one type key, with a value of that type, as DynamoDB defines. */
function jsonValue(v: unknown): Unmarshalled {
  if (typeof v !== 'object' || v === null || Array.isArray(v)) throw MALFORMED;
  let type: string | undefined;
  for (const k in v) {
    if (type !== undefined) throw MALFORMED;
    type = k;
  }
  const val = (v as Record<string, unknown>)[type as string];
  switch (type) {
    case 'S':
      return string(val);
    case 'N':
      return number(string(val));
    case 'B':
      return bytes(val);
    case 'BOOL':
      if (typeof val !== 'boolean') throw MALFORMED;
      return val;
    case 'NULL':
      if (val !== true) throw MALFORMED;
      return null;
    case 'SS':
      return new Set(list(val).map(string));
    case 'NS':
      return new Set(list(val).map((n) => number(string(n))));
    case 'BS':
      return new Set(list(val).map(bytes));
    case 'L':
      return list(val).map(jsonValue);
    case 'M':
      return jsonImage(val);
    default:
      throw MALFORMED;
  }
}

function string(v: unknown): string {
  if (typeof v !== 'string') throw MALFORMED;
  return v;
}

function list(v: unknown): unknown[] {
  if (!Array.isArray(v)) throw MALFORMED;
  return v;
}

function bytes(v: unknown): Uint8Array {
  if (typeof v !== 'string' || v.length % 4 !== 0 || !B64.test(v)) throw MALFORMED;
  return new Uint8Array(Buffer.from(v, 'base64'));
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
