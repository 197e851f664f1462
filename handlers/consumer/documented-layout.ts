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
  /** Bit i set: image i is known to be JSON (DYNAMODB_IMAGE matched it), so it need not be parsed until it is read. */
  readonly checked: number;
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
/**
 * A JSON string exactly as the grammar has it (RFC 8259 section 7): JSON.parse accepts every match.
 * Unlike STR, escapes are allowed: an image's strings are parsed by JSON.parse, never captured here.
 */
const JSON_STRING = String.raw`"[^"\\\x00-\x1f]*(?:\\(?:["\\/bfnrt]|u[0-9a-fA-F]{4})[^"\\\x00-\x1f]*)*"`;
/**
 * How deep DYNAMODB_IMAGE follows lists and maps (DynamoDB allows 32; real items rarely pass 4).
 * Its size grows by one level's pattern per level, and so does its compile time at a cold start:
 * 8 levels are 3 KB, and the first change a fresh process reads took 1.8 ms against 1.0 to 1.35
 * without it. A deeper image is walked and parsed as before.
 */
export const CHECKED_DEPTH = 8;

/**
 * An attribute value as DynamoDB writes it in a stream record (one type member, compact), nested
 * at most `depth` deep. Only JSON text matches (that is all it promises: whether the value is a
 * valid attribute value is unmarshall.ts's to say when it is read), and a member is followed by a
 * comma only when another member follows, so no trailing comma matches.
 *
 * A list and a map share one pattern for their members, so the expression grows linearly with
 * depth, not twice over per level: capture group `group` holds "[" after `"L":` and takes part in
 * nothing after `"M":`, where a back-reference to it matches the empty string. At a member's start
 * (a "{" in a list, a '"' in a map: never "[") `(?=\group)` therefore holds only in a map, so a
 * member has a name exactly in a map, and a list closes with "]" and a map with "}".
 */
function attributeValue(depth: number, group = 1): string {
  const alternatives = [
    `[SNB]":${JSON_STRING}`,
    'BOOL":(?:true|false)',
    'NULL":true',
    String.raw`[SNB]S":\[(?:${JSON_STRING}(?:,(?=")|(?=\])))*\]`,
  ];
  if (depth > 1) {
    const inMap = `(?=\\${group})`;
    const inList = `(?!\\${group})`;
    const member = `(?:${inMap}${JSON_STRING}:|${inList})${attributeValue(depth - 1, group + 1)}`;
    alternatives.push(String.raw`(?:L":(\[)|M":\{)(?:${member}(?:,(?=["{])|(?=[\]}])))*(?:${inMap}\}|${inList}\])`);
  }
  return String.raw`\{"(?:${alternatives.join('|')})\}`;
}

/** An image written as DynamoDB writes it: matched, it is JSON, and its end is where the match ends. */
const DYNAMODB_IMAGE = new RegExp(String.raw`\{(?:${JSON_STRING}:${attributeValue(CHECKED_DEPTH)}(?:,(?=")|(?=\})))*\}`, 'y');

const OLD_IMAGE = ',"OldImage":';
const SIZE_BYTES = ',"SizeBytes":';

/** The change text [start, end) read as DynamoDB writes it, or undefined when it is not written so. */
export function readDocumentedLayout(text: string, start: number, end: number): DocumentedLayout | undefined {
  HEAD.lastIndex = start;
  const m = HEAD.exec(text);
  if (!m) return undefined;
  const keys = keysOf(m[11], m[12], m[13], m[14], m[15], m[16]);
  if (!keys) return undefined;
  const images: Located = { spans: [], checked: 0 };
  const spans = images.spans;
  let at = HEAD.lastIndex;
  let next = m[17];
  let newImage: number | undefined;
  let oldImage: number | undefined;
  if (next === 'NewImage') {
    newImage = 0;
    at = image(text, at, end, images);
    next = at >= 0 && text.startsWith(OLD_IMAGE, at) ? 'OldImage' : 'SizeBytes';
    at = token(text, at, next === 'OldImage' ? OLD_IMAGE : SIZE_BYTES);
  }
  if (next === 'OldImage') {
    oldImage = spans.length >> 1;
    at = token(text, image(text, at, end, images), SIZE_BYTES);
  }
  if (at < 0) return undefined;
  TAIL.lastIndex = at;
  const t = TAIL.exec(text);
  if (!t || TAIL.lastIndex !== end) return undefined;
  const userIdentity = m[4] === undefined && m[5] === undefined ? undefined : m[4] ? null : { type: m[5], principalId: m[6] };
  const change = {
    awsRegion: m[1],
    eventID: own(m[2]),
    eventName: m[3],
    userIdentity,
    recordFormat: m[7],
    tableName: own(m[8]),
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
  return { change: change as unknown as KinesisDynamoDBChange, spans, checked: images.checked };
}

interface Located {
  readonly spans: number[];
  checked: number;
}

/**
 * Pushes the span of the image value at `at` (marked checked when DYNAMODB_IMAGE matches it: one
 * match that both finds its end and shows it is JSON); the index after it, or -1.
 */
function image(text: string, at: number, end: number, images: Located): number {
  if (at < 0) return -1;
  DYNAMODB_IMAGE.lastIndex = at;
  if (DYNAMODB_IMAGE.test(text) && DYNAMODB_IMAGE.lastIndex <= end) {
    images.checked |= 1 << (images.spans.length >> 1);
    images.spans.push(at, DYNAMODB_IMAGE.lastIndex);
    return DYNAMODB_IMAGE.lastIndex;
  }
  const after = valueEnd(text, at);
  if (after < 0 || after > end) return -1;
  images.spans.push(at, after);
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
  const keys: Record<string, unknown> = { [own(name)]: { [type]: own(value) } };
  if (name2 !== undefined) keys[own(name2)] = { [type2!]: own(value2!) };
  return keys;
}

/**
 * A captured string as a string of its own. V8 makes a capture of 13 characters or more a slice
 * of the change's text, so a change that keeps one (its table, eventID, key names and values)
 * keeps its whole text alive while the batch waits: with an order id as key, 1.5 MB of a batch of
 * 1,000 changes survived every scavenge (4.9 MB survived per scavenge, 3.0 MB with copies).
 */
function own(captured: string): string {
  return `${captured} `.slice(0, -1);
}
