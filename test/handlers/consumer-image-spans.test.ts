/**
 * The consumer's lazy reading of Kinesis changes (handlers/consumer/image-spans.ts, kinesis-lazy.ts
 * `readKinesisRecordLazily`): pure, no server. Oracles: `JSON.parse` of the whole change text
 * (what the images and envelope are, whether the text is JSON at all) and the eager reader
 * `readKinesisRecord`, whose facts and error messages the lazy one must give word for word.
 * The texts are written by hand, not by JSON.stringify: keys in any order, duplicate keys,
 * whitespace, escapes, strings holding `"NewImage":`, brackets and quotes, unicode.
 */
import fc from 'fast-check';
import { cutImages } from '../../handlers/consumer/image-spans';
import { decodeTogether, readKinesisRecordLazily } from '../../handlers/consumer/kinesis-lazy';
import { readKinesisRecord } from '../../handlers/consumer/source';
import { damage as damageArbitrary, damaged, kinesisRecord, outcome } from './support/kinesis-change-reading';

const ws = fc.constantFrom('', '', '', ' ', '\n', '\t ', '\r\n  ');
const tricky = fc.constantFrom(
  '"NewImage":',
  '"OldImage":{',
  '{',
  '}',
  '[',
  ']',
  '\\',
  '"',
  '\\"',
  '\\\\"',
  'é',
  '😀',
  '\u2028',
  '\u0000',
  '"dynamodb":{',
);
/** A string's JSON text: JSON.stringify's escaping, or every character as \uXXXX. */
const stringText = fc.tuple(fc.array(fc.oneof(fc.string(), tricky), { maxLength: 4 }), fc.boolean()).map(([parts, unicodeEscapes]) => {
  const s = parts.join('');
  if (!unicodeEscapes) return JSON.stringify(s);
  return `"${[...s].map((ch) => [...ch].map((u) => `\\u${u.charCodeAt(0).toString(16).padStart(4, '0')}`).join('')).join('')}"`;
});
const scalarText = fc.oneof(
  stringText,
  fc.double({ noNaN: true, noDefaultInfinity: true }).map((n) => JSON.stringify(n)),
  fc.integer().map(String),
  fc.constantFrom('true', 'false', 'null', '-0', '1e5', '2.5E-3'),
);
const keyName = fc.oneof(fc.constantFrom('NewImage', 'OldImage', 'dynamodb', 'Keys', 'S', 'M'), fc.string({ maxLength: 6 }));
const keyText = keyName.filter((k) => k !== '__proto__').map((k) => JSON.stringify(k));

/** Any JSON value's text, nested (objects may repeat keys). */
const { value: valueText } = fc.letrec<{ value: string; object: string; array: string }>((tie) => ({
  value: fc.oneof({ depthSize: 'small', withCrossShrink: true }, scalarText, tie('object'), tie('array')),
  object: fc
    .array(fc.tuple(ws, keyText, ws, ws, tie('value'), ws), { maxLength: 4 })
    .map((ms) => `{${ms.map(([a, k, b, c, v, d]) => `${a}${k}${b}:${c}${v}${d}`).join(',')}}`),
  array: fc.array(fc.tuple(ws, tie('value'), ws), { maxLength: 4 }).map((vs) => `[${vs.map(([a, v, b]) => a + v + b).join(',')}]`),
}));

function objectText(members: [string, string][], spaces: string[]): string {
  return `{${members.map(([k, v], i) => `${spaces[i % spaces.length]}${k}${spaces[(i + 1) % spaces.length]}:${v}`).join(',')}}`;
}

/**
 * A Kinesis-for-DynamoDB change's JSON text: the envelope the reader checks, images of any JSON
 * (the lazy reader does not look inside them), members shuffled, some repeated (JSON.parse keeps
 * the last), extra members, and `NewImage` or `dynamodb` written with a \u escape.
 */
const changeText = fc
  .record({
    newImage: valueText,
    oldImage: valueText,
    secondNewImage: fc.option(valueText, { nil: undefined }),
    keys: fc.string({ minLength: 1, maxLength: 8 }),
    extra: fc.array(fc.tuple(keyText, valueText), { maxLength: 3 }),
    extraTop: fc.array(
      fc.tuple(
        keyText.filter((k) => k !== '"dynamodb"'),
        valueText,
      ),
      { maxLength: 2 },
    ),
    escapeKey: fc.constantFrom(undefined, 'NewImage', 'dynamodb'),
    order: fc.array(fc.nat(), { minLength: 20, maxLength: 20 }),
    spaces: fc.array(ws, { minLength: 1, maxLength: 5 }),
    created: fc.integer({ min: 1, max: 2 ** 52 }),
  })
  .map((g) => {
    const keyAsWritten = (k: string) =>
      g.escapeKey === k ? `"${k.slice(0, 3)}\\u${k.charCodeAt(3).toString(16).padStart(4, '0')}${k.slice(4)}"` : `"${k}"`;
    const shuffle = <T>(xs: T[]) =>
      xs
        .map((x, i) => [g.order[i % g.order.length] + i / 100, x] as const)
        .sort((a, b) => a[0] - b[0])
        .map(([, x]) => x);
    const dynamodb: [string, string][] = shuffle([
      ['"ApproximateCreationDateTime"', String(g.created)],
      ['"Keys"', `{"pk":{"S":${JSON.stringify(g.keys)}}}`],
      [keyAsWritten('NewImage'), g.newImage],
      ['"OldImage"', g.oldImage],
      ['"SizeBytes"', '90'],
      ...g.extra.filter(([k]) => !['"ApproximateCreationDateTime"', '"Keys"', '"SizeBytes"'].includes(k)),
    ]);
    if (g.secondNewImage !== undefined) dynamodb.push(['"NewImage"', g.secondNewImage]);
    const top: [string, string][] = shuffle([
      ['"awsRegion"', '"eu-west-1"'],
      ['"eventID"', '"e1"'],
      ['"eventName"', '"MODIFY"'],
      ['"userIdentity"', 'null'],
      ['"recordFormat"', '"application/json"'],
      ['"tableName"', '"orders"'],
      ['"eventSource"', '"aws:dynamodb"'],
      [keyAsWritten('dynamodb'), objectText(dynamodb, g.spaces)],
      ...g.extraTop.filter(
        ([k]) => !k.startsWith('"event') && !['"awsRegion"', '"userIdentity"', '"recordFormat"', '"tableName"'].includes(k),
      ),
    ]);
    return `${g.spaces[0]}${objectText(top, g.spaces)}${g.spaces[g.spaces.length - 1]}`;
  });

/** The envelope parsed, each image placeholder replaced by its span parsed: what the lazy reader sees. */
function reassembled(text: string, envelope: string, spans: readonly number[]): unknown {
  const parsed = JSON.parse(envelope);
  const d = parsed.dynamodb;
  for (const image of ['NewImage', 'OldImage']) {
    if (d && typeof d === 'object' && image in d) {
      expect(typeof d[image]).toBe('number');
      d[image] = JSON.parse(text.slice(spans[2 * d[image]], spans[2 * d[image] + 1]));
    }
  }
  return parsed;
}

describe('cutImages', () => {
  test('GIVEN any change text (image keys written with escapes included) WHEN its images are cut out THEN the envelope with each span put back is JSON.parse of the whole text', () => {
    fc.assert(
      fc.property(changeText, (text) => {
        const cut = cutImages(text);
        expect(cut).toBeDefined();
        expect(JSON.stringify(reassembled(text, cut!.envelope, cut!.spans))).toBe(JSON.stringify(JSON.parse(text)));
      }),
      { numRuns: 600 },
    );
  });

  test('GIVEN any JSON value at the top WHEN cut THEN an object is JSON.parse of the text, and anything else is left to the whole-text parse', () => {
    fc.assert(
      fc.property(valueText, (text) => {
        const cut = cutImages(text);
        const parsed = JSON.parse(text);
        expect(cut !== undefined).toBe(typeof parsed === 'object' && parsed !== null && !Array.isArray(parsed));
        if (cut) expect(JSON.stringify(reassembled(text, cut.envelope, cut.spans))).toBe(JSON.stringify(parsed));
      }),
      { numRuns: 300 },
    );
  });

  test('GIVEN images nested deeper than the one-match pattern follows WHEN cut THEN the character walk finds the same spans', () => {
    const deep = `${'['.repeat(40)}"]}\\""${']'.repeat(40)}`;
    const text = `{"dynamodb":{"NewImage":{"a":${deep}},"OldImage":{"M":{"b":{"c":${deep}}}},"Keys":{}}}`;
    const cut = cutImages(text)!;
    expect(JSON.stringify(reassembled(text, cut.envelope, cut.spans))).toBe(JSON.stringify(JSON.parse(text)));
  });
});

const damage = damageArbitrary(1);

describe('readKinesisRecordLazily', () => {
  test('GIVEN any change text, whole or damaged WHEN read lazily and its images settled THEN the facts or the DecodeError are those of the eager reading, and a text JSON.parse rejects is always a DecodeError', () => {
    fc.assert(
      fc.property(changeText, damage, (text, d) => {
        const record = kinesisRecord(damaged(text, d));
        if (d.kind === 'none') expect(readKinesisRecordLazily(record).pendingImages).toBeDefined(); // the fast path, not the fallback
        const lazy = outcome(() => readKinesisRecordLazily(record), record);
        expect(lazy).toEqual(outcome(() => readKinesisRecord(record), record));
        let valid = true;
        try {
          JSON.parse(damaged(text, d));
        } catch {
          valid = false;
        }
        if (!valid) expect(lazy).toMatch(/^DecodeError: kinesis\.data is not base64 JSON: /);
      }),
      { numRuns: 600 },
    );
  });

  test('GIVEN a batch of change texts, some damaged, some not ASCII, one with data that is not base64 WHEN decoded together THEN each record reads as it reads alone: same facts, same DecodeError', () => {
    const texts = fc.array(fc.tuple(changeText, damage, fc.constantFrom('', '', 'é', '😀')), { minLength: 1, maxLength: 6 });
    const oddData = fc.constantFrom(undefined, 'not base64!', 'QUJD', '', '////');
    fc.assert(
      fc.property(texts, oddData, fc.nat(), (batch, odd, oddAt) => {
        const records = batch.map(([text, d, extra]) => kinesisRecord(damaged(text, d).replace('"e1"', `"e1${extra}"`)));
        if (odd !== undefined) records[oddAt % records.length].kinesis.data = odd;
        const together = decodeTogether(records);
        const ascii = records.every((r) => Buffer.from(r.kinesis.data, 'base64').every((byte) => byte < 0x80));
        expect(together !== undefined).toBe(ascii);
        records.forEach((record, i) => {
          expect(outcome(() => readKinesisRecordLazily(record, together, i), record)).toEqual(
            outcome(() => readKinesisRecord(record), record),
          );
        });
      }),
      { numRuns: 200 },
    );
  });
});
