/**
 * Where a Kinesis change's images are in its JSON text, without parsing them: the consumer reads
 * a whole batch before processing any of it (per-key order, in-batch duplicates), and parsed
 * images held that long were most of the toolkit's garbage-collector time. `cutImages` walks the
 * top-level object and its `dynamodb` object only far enough to find the values of `NewImage`
 * and `OldImage`, skipping every other value by its strings and brackets, and returns the text
 * with each such value replaced by a placeholder (its index among the spans, as a number) and the
 * spans themselves.
 *
 * Why this is exact (kinesis-lazy.ts relies on it): a placeholder is a number token where the cut value
 * was, so when the envelope parses and every span parses on its own as one JSON value, the whole
 * text is valid JSON and parses to the envelope with each placeholder replaced by its span's value
 * (a value put in place of a value; duplicate keys resolve the same, last wins). The walk itself
 * only has to be right on valid JSON (test/handlers/consumer-image-spans.test.ts checks it against
 * `JSON.parse`); on anything it does not expect it returns undefined and the caller parses the
 * whole text as before.
 */

/** A change's JSON with its images cut out: `envelope` parses to the change, each image a placeholder index into `spans`. */
export interface CutImages {
  readonly envelope: string;
  /** Start and end (exclusive) of each cut value in the text, in text order: the value with placeholder i is text.slice(spans[2i], spans[2i + 1]). */
  readonly spans: readonly number[];
}

const QUOTE = 34;
const BACKSLASH = 92;
const OPEN_BRACE = 123;
const CLOSE_BRACE = 125;
const OPEN_BRACKET = 91;
const CLOSE_BRACKET = 93;
const COMMA = 44;
const COLON = 58;

/**
 * The change text [start, end) with the `dynamodb.NewImage` and `dynamodb.OldImage` values cut out
 * (keys compared as JSON.parse reads them), or undefined when it is not a JSON object the walk can
 * follow. Spans are indices into `text`.
 */
export function cutImages(text: string, start = 0, end = text.length): CutImages | undefined {
  const spans: number[] = [];
  const objectEnd = members(text, skipSpace(text, start), false, spans);
  // Within [start, end) and nothing but whitespace after: the walk may run past `end` (the text
  // can hold a whole batch) only on a malformed record, which the envelope's parse then rejects.
  if (objectEnd < 0 || objectEnd > end || skipSpace(text, objectEnd) < end) return undefined;
  if (!spans.length) return { envelope: text.slice(start, end), spans };
  let envelope = text.slice(start, spans[0]);
  for (let i = 0; i < spans.length; i += 2) envelope += ` ${i >> 1} ${text.slice(spans[i + 1], i + 2 < spans.length ? spans[i + 2] : end)}`;
  return { envelope, spans };
}

/**
 * Walks the object at `at` (the top level, or `dynamodb` when `inDynamodb`), pushing the spans of
 * the image values it finds; returns the index after the object, or -1.
 */
function members(text: string, at: number, inDynamodb: boolean, spans: number[]): number {
  if (text.charCodeAt(at) !== OPEN_BRACE) return -1;
  let i = skipSpace(text, at + 1);
  if (text.charCodeAt(i) === CLOSE_BRACE) return i + 1;
  for (;;) {
    PLAIN_KEY.lastIndex = i;
    const plain = PLAIN_KEY.test(text);
    const keyEnd = plain ? PLAIN_KEY.lastIndex : text.charCodeAt(i) === QUOTE ? stringEnd(text, i) : -1;
    if (keyEnd < 0) return -1;
    const key = plain ? undefined : keyOf(text.slice(i, keyEnd));
    if (!plain && key === undefined) return -1;
    let value = skipSpace(text, keyEnd);
    if (text.charCodeAt(value) !== COLON) return -1;
    value = skipSpace(text, value + 1);
    let end: number;
    if (inDynamodb) {
      end = valueEnd(text, value);
      if (end >= 0 && (isKey(text, i, key, '"NewImage"') || isKey(text, i, key, '"OldImage"'))) spans.push(value, end);
    } else if (isKey(text, i, key, '"dynamodb"') && text.charCodeAt(value) === OPEN_BRACE) end = members(text, value, true, spans);
    else end = valueEnd(text, value);
    if (end < 0) return -1;
    i = skipSpace(text, end);
    const c = text.charCodeAt(i);
    if (c === CLOSE_BRACE) return i + 1;
    if (c !== COMMA) return -1;
    i = skipSpace(text, i + 1);
  }
}

/** Whether the key at `start` is `name` (quoted): compared as written, or as decoded (`key`) when written with escapes. */
function isKey(text: string, start: number, key: string | undefined, name: string): boolean {
  return key === undefined ? text.startsWith(name, start) : key === name.slice(1, -1);
}

/** A key written with escapes (`"New\u0049mage"` is `NewImage` to JSON.parse), decoded; undefined when it is not a valid string. */
function keyOf(keyText: string): string | undefined {
  try {
    return JSON.parse(keyText);
  } catch {
    return undefined;
  }
}

/** A key without escapes, matched natively (most keys). */
const PLAIN_KEY = /"[^"\\]*"/y;

/**
 * The index after the JSON value starting at `at` (strings and brackets followed, nothing else
 * checked: exact on valid JSON), or -1. documented-layout.ts locates images with it too.
 */
export function valueEnd(text: string, at: number): number {
  const c = text.charCodeAt(at);
  if (c === QUOTE) return stringEnd(text, at);
  if (c !== OPEN_BRACE && c !== OPEN_BRACKET) return scalarEnd(text, at);
  BRACKETED.lastIndex = at;
  return BRACKETED.test(text) ? BRACKETED.lastIndex : bracketedEnd(text, at);
}

/**
 * A bracketed value nested at most 16 deep, strings followed (an escape is a backslash and the
 * next character), brackets not paired by kind (the envelope's and spans' JSON.parse check that):
 * one native match per value, twice as fast as walking it character by character.
 */
const BRACKETED = bracketed(16);

function bracketed(depth: number): RegExp {
  const string = String.raw`"[^"\\]*(?:\\.[^"\\]*)*"`;
  const plain = String.raw`[^"{}\[\]]*`;
  let inside = `${plain}(?:${string}${plain})*`;
  for (let d = 1; d < depth; d++) inside = `${plain}(?:(?:${string}|[{\\[]${inside}[}\\]])${plain})*`;
  return new RegExp(`[{\\[]${inside}[}\\]]`, 'y');
}

/** A bracketed value deeper than BRACKETED follows, character by character. */
function bracketedEnd(text: string, at: number): number {
  let depth = 0;
  for (let i = at; i < text.length; i++) {
    const d = text.charCodeAt(i);
    if (d === QUOTE) {
      i = stringEnd(text, i) - 1;
      if (i < 0) return -1;
    } else if (d === OPEN_BRACE || d === OPEN_BRACKET) depth++;
    else if ((d === CLOSE_BRACE || d === CLOSE_BRACKET) && --depth === 0) return i + 1;
  }
  return -1;
}

/** The index after the string whose opening quote is at `at`: the next quote not escaped by an odd run of backslashes. */
function stringEnd(text: string, at: number): number {
  let q = text.indexOf('"', at + 1);
  while (q > 0 && text.charCodeAt(q - 1) === BACKSLASH) {
    let first = q - 1;
    while (text.charCodeAt(first - 1) === BACKSLASH) first--;
    if ((q - first) % 2 === 0) break;
    q = text.indexOf('"', q + 1);
  }
  return q < 0 ? -1 : q + 1;
}

/** A number, true, false or null: up to the next delimiter (JSON.parse of the envelope checks it). */
function scalarEnd(text: string, at: number): number {
  let i = at;
  for (; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === COMMA || c === CLOSE_BRACE || c === CLOSE_BRACKET || isSpace(c)) break;
  }
  return i === at ? -1 : i;
}

function skipSpace(text: string, at: number): number {
  let i = at;
  while (isSpace(text.charCodeAt(i))) i++;
  return i;
}

/** JSON's whitespace (and only it: JSON.parse rejects the rest). */
function isSpace(c: number): boolean {
  return c === 32 || c === 10 || c === 13 || c === 9;
}
