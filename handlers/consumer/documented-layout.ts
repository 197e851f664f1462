/**
 * A Kinesis change written exactly as DynamoDB writes it (AWS's documented member order, compact
 * JSON, plain strings), read with one regular-expression match instead of a member-by-member walk
 * and a JSON.parse of the envelope: most of the toolkit's CPU beside the images themselves.
 *
 * Why this is exact: the head and tail expressions admit only JSON text (no whitespace, strings
 * without escapes or control characters, numbers without leading zeros), each member once, so a
 * capture is the very value JSON.parse gives for it, and nothing later in the text can repeat a
 * member (the images are located by the same exact walk as image-spans.ts, then the tail must end
 * the record). Whatever does not match (another order, whitespace, escapes, duplicate or extra
 * members, a key of a type other than S/N/B) returns undefined and is read by the general walk.
 */
import type { KinesisDynamoDBChange } from '../common/kinesis-record';
import { valueEnd } from './image-spans';

/** The envelope as JSON.parse gives it (each image a placeholder index into `spans`), and where the images are. */
export interface DocumentedLayout {
  readonly change: KinesisDynamoDBChange;
  /** As CutImages['spans']: start and end (exclusive) of each image value, in text order. */
  readonly spans: number[];
}

/** Content of a JSON string that needs no decoding: JSON.parse gives it back as it is. */
const STR = String.raw`([^"\\\x00-\x1f]*)`;
/** A JSON integer as JSON.parse reads it (no leading zero, at most 16 digits: a double holds it, Number() reads it the same). */
const INT = String.raw`(0|[1-9]\d{0,15})`;
const KEY = String.raw`"${STR}":\{"([SNB])":"${STR}"\}`;

const HEAD = new RegExp(
  [
    String.raw`\{"awsRegion":"${STR}","eventID":"${STR}","eventName":"${STR}",`,
    String.raw`(?:"userIdentity":(?:(null)|\{"type":"${STR}","principalId":"${STR}"\}),)?`,
    `"recordFormat":"${STR}","tableName":"${STR}",`,
    String.raw`"dynamodb":\{"ApproximateCreationDateTime":${INT}(?:,"ApproximateCreationDateTimePrecision":"${STR}")?,`,
    String.raw`"Keys":\{${KEY}(?:,${KEY})?\},"(NewImage|OldImage|SizeBytes)":`,
  ].join(''),
  'y',
);
const TAIL = new RegExp(String.raw`${INT}\},"eventSource":"${STR}"\}`, 'y');
const OLD_IMAGE = ',"OldImage":';
const SIZE_BYTES = ',"SizeBytes":';

/** The change text [start, end) read as DynamoDB writes it, or undefined when it is not written so. */
export function readDocumentedLayout(text: string, start: number, end: number): DocumentedLayout | undefined {
  HEAD.lastIndex = start;
  const m = HEAD.exec(text);
  if (!m) return undefined;
  const keys = keysOf(m[11], m[12], m[13], m[14], m[15], m[16]);
  if (!keys) return undefined;
  const spans: number[] = [];
  let at = HEAD.lastIndex;
  let next = m[17];
  let newImage: number | undefined;
  let oldImage: number | undefined;
  if (next === 'NewImage') {
    newImage = 0;
    at = image(text, at, end, spans);
    next = at >= 0 && text.startsWith(OLD_IMAGE, at) ? 'OldImage' : 'SizeBytes';
    at = token(text, at, next === 'OldImage' ? OLD_IMAGE : SIZE_BYTES);
  }
  if (next === 'OldImage') {
    oldImage = spans.length >> 1;
    at = token(text, image(text, at, end, spans), SIZE_BYTES);
  }
  if (at < 0) return undefined;
  TAIL.lastIndex = at;
  const t = TAIL.exec(text);
  if (!t || TAIL.lastIndex !== end) return undefined;
  const userIdentity = m[4] === undefined && m[5] === undefined ? undefined : m[4] ? null : { type: m[5], principalId: m[6] };
  const change = {
    awsRegion: m[1],
    eventID: m[2],
    eventName: m[3],
    userIdentity,
    recordFormat: m[7],
    tableName: m[8],
    dynamodb: {
      ApproximateCreationDateTime: Number(m[9]),
      ApproximateCreationDateTimePrecision: m[10],
      Keys: keys,
      NewImage: newImage,
      OldImage: oldImage,
      SizeBytes: Number(t[1]),
    },
    eventSource: t[2],
  };
  return { change: change as unknown as KinesisDynamoDBChange, spans };
}

/** Pushes the span of the image value at `at`; the index after it, or -1. */
function image(text: string, at: number, end: number, spans: number[]): number {
  if (at < 0) return -1;
  const after = valueEnd(text, at);
  if (after < 0 || after > end) return -1;
  spans.push(at, after);
  return after;
}

/** The index after `expected` written at `at`, or -1. */
function token(text: string, at: number, expected: string): number {
  return at >= 0 && text.startsWith(expected, at) ? at + expected.length : -1;
}

/** Keys as JSON.parse builds them; undefined for what an object literal would not build the same (`__proto__`, a repeated name). */
function keysOf(
  name: string,
  type: string,
  value: string,
  name2: string | undefined,
  type2: string | undefined,
  value2: string | undefined,
): Record<string, unknown> | undefined {
  if (name === '__proto__' || name2 === '__proto__' || name === name2) return undefined;
  const keys: Record<string, unknown> = { [name]: { [type]: value } };
  if (name2 !== undefined) keys[name2] = { [type2!]: value2 };
  return keys;
}
