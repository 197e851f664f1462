/**
 * Images the consumer knows to be JSON without parsing them (documented-layout.ts DYNAMODB_IMAGE):
 * settling a Kinesis change parses only the images that are not, and the rest wait as text until
 * the handler reads them. Pure, no server. Oracles: JSON.parse (a span marked checked must parse,
 * and when the record's every image is checked the whole text must too) and a model of how
 * DynamoDB writes an image (compact JSON of attribute values, one type member each), whose images
 * within CHECKED_DEPTH must be marked, or the fast path would never be taken.
 */
import fc from 'fast-check';
import { CHECKED_DEPTH, readDocumentedLayout } from '../../handlers/consumer/documented-layout';
import { damage as damageArbitrary, damaged, parses } from './support/kinesis-change-reading';

/** Strings as an item holds them: plain, escaped, unicode, control characters, text like JSON structure. */
const text = fc.oneof(
  fc.stringMatching(/^[a-z0-9 -]{0,8}$/),
  fc.string({ maxLength: 6 }),
  fc.constantFrom('"}', '\\', '},"OldImage":{', '\u2028', '\ud800', 'é😀', '\u0000'),
);
/** An attribute value with no nesting, as DynamoDB writes it, and a few it does not write (NULL false, two type members, no type). */
const leaf = fc.oneof(
  text.map((S) => ({ S })),
  fc.integer().map((n) => ({ N: String(n) })),
  fc.constant({ B: 'AAEC' }),
  fc.boolean().map((BOOL) => ({ BOOL })),
  fc.constant({ NULL: true }),
  fc.array(text, { maxLength: 2 }).map((SS) => ({ SS })),
  fc.constant({ NS: ['1', '2.5'] }),
  fc.constant({ BS: [] }),
  fc.constantFrom<object>({ NULL: false }, { S: 'a', N: '1' }, {}, { X: 1 }, { S: 5 }),
);
/** A leaf nested in `wraps` lists and maps (deeper than CHECKED_DEPTH too), with a sibling at each level. */
const nested = fc
  .tuple(leaf, fc.array(fc.tuple(fc.constantFrom('L', 'M'), text, fc.option(leaf, { nil: undefined })), { maxLength: CHECKED_DEPTH + 2 }))
  .map(([inner, wraps]) =>
    wraps.reduce<object>((v, [kind, name, sibling]) => {
      const members = sibling === undefined ? [v] : [sibling, v];
      return kind === 'L' ? { L: members } : { M: Object.fromEntries(members.map((m, i) => [`${name}${i}`, m])) };
    }, inner),
  );
const image = fc.oneof(
  fc.dictionary(text, fc.oneof(leaf, nested, nested), { maxKeys: 4 }).map((m) => JSON.stringify(m)),
  fc.dictionary(text, leaf, { maxKeys: 2 }).map((m) => JSON.stringify(m, null, 1)),
  fc.constantFrom('{"a":{"S":"x"},"a":{"N":"1"}}', '{"a":{"S":"x"},}', '{"a":{"L":[{"S":"x"},]}}', 'null', '[]', '{}'),
);
const damage = damageArbitrary(3);

const record = (newImage: string, oldImage: string) =>
  `{"awsRegion":"eu-west-1","eventID":"e1","eventName":"MODIFY","userIdentity":null,"recordFormat":"application/json","tableName":"orders",` +
  `"dynamodb":{"ApproximateCreationDateTime":1764583200123,"Keys":{"pk":{"S":"a"}},"NewImage":${newImage},"OldImage":${oldImage},` +
  `"SizeBytes":90},"eventSource":"aws:dynamodb"}`;

describe('images known to be JSON', () => {
  test('GIVEN a change whose images are anything, whole or damaged WHEN read THEN every image marked checked is JSON (all marked: the whole text is, with those images), and every image written as DynamoDB writes it within CHECKED_DEPTH is marked', () => {
    const seen = { checked: 0, unchecked: 0, writtenAsDynamoDB: 0 };
    fc.assert(
      fc.property(image, image, damage, (newImage, oldImage, d) => {
        const whole = record(newImage, oldImage);
        const changeText = damaged(whole, d);
        const read = readDocumentedLayout(changeText, 0, changeText.length);
        if (!read) return;
        const spans = read.spans.length / 2;
        for (let i = 0; i < spans; i++) {
          const span = changeText.slice(read.spans[2 * i], read.spans[2 * i + 1]);
          if (read.checked & (1 << i)) {
            seen.checked++;
            expect(() => JSON.parse(span)).not.toThrow();
          } else seen.unchecked++;
          if (changeText === whole && writtenAsDynamoDB(span)) {
            seen.writtenAsDynamoDB++;
            expect(read.checked & (1 << i)).not.toBe(0);
          }
        }
        if (spans && read.checked === 2 ** spans - 1) {
          const parsed = JSON.parse(changeText).dynamodb;
          const images = [parsed.NewImage, parsed.OldImage].filter((v) => v !== undefined);
          images.forEach((v, i) => {
            expect(JSON.parse(changeText.slice(read.spans[2 * i], read.spans[2 * i + 1]))).toEqual(v);
          });
        }
      }),
      { numRuns: 2000 },
    );
    // Not vacuous: both verdicts given, and the model's images met.
    expect(seen.checked).toBeGreaterThan(100);
    expect(seen.unchecked).toBeGreaterThan(100);
    expect(seen.writtenAsDynamoDB).toBeGreaterThan(100);
  });

  test('GIVEN an image DynamoDB could write, broken in one place (in a string: a raw control character, a bad escape, a stray quote or backslash; in its structure: a bracket of the other kind, a member name dropped from a map or added in a list, punctuation dropped, doubled or swapped) WHEN read THEN it is not marked checked', () => {
    const broken = fc.tuple(
      fc.dictionary(text, fc.oneof(nested, nested, leaf), { minKeys: 1, maxKeys: 4 }).map((m) => JSON.stringify(m)),
      fc.nat(),
      fc.constantFrom(...BREAKS),
    );
    const seen = Object.fromEntries(BREAKS.map((b) => [b, 0]));
    fc.assert(
      fc.property(broken, ([canonical, at, how]) => {
        const newImage = breakAt(canonical, at, how);
        fc.pre(newImage !== undefined && !parses(newImage));
        seen[how]++;
        const changeText = record(newImage!, '{}');
        const read = readDocumentedLayout(changeText, 0, changeText.length);
        expect(read === undefined || (read.checked & 1) === 0).toBe(true);
      }),
      { numRuns: 3000 },
    );
    for (const how of BREAKS) expect(seen[how]).toBeGreaterThan(20); // every way of breaking met
  });
});

const BREAKS = [
  'control character',
  'bad escape',
  'stray quote',
  'stray backslash',
  'other bracket',
  'name dropped',
  'name added',
  'punctuation',
] as const;

/** `json` broken the given way at the `at`-th place that way applies to (modulo their number); undefined when there is none. */
function breakAt(json: string, at: number, how: (typeof BREAKS)[number]): string | undefined {
  const { inString, structural, names } = placesIn(json);
  const insert = (where: number[], what: string) => (where.length ? splice(json, where[at % where.length], 0, what) : undefined);
  const punctuation = structural.filter((i) => ',:'.includes(json[i]));
  switch (how) {
    case 'control character':
      return insert(inString, String.fromCharCode(1 + (at % 31)));
    case 'bad escape':
      return insert(inString, ['\\x', '\\u12', '\\U0041'][at % 3]);
    case 'stray quote':
      return insert(inString, '"');
    case 'stray backslash':
      return insert(inString, '\\');
    case 'other bracket': {
      const closers = structural.filter((i) => '}]'.includes(json[i]));
      const i = closers[at % closers.length];
      return splice(json, i, 1, json[i] === '}' ? ']' : '}');
    }
    case 'name dropped': {
      const [start, end] = names[at % names.length];
      return splice(json, start, end - start, '');
    }
    case 'name added':
      return insert(
        structural.filter((i) => json[i] === '[').map((i) => i + 1),
        '"k":',
      );
    case 'punctuation': {
      if (!punctuation.length) return undefined;
      const i = punctuation[at % punctuation.length];
      return [splice(json, i, 1, ''), splice(json, i, 0, json[i]), splice(json, i, 1, json[i] === ',' ? ':' : ',')][at % 3];
    }
  }
}

/** Where `json` (an image) has string content (after each character of it, and after each opening quote), structural characters, and member names of maps with their colon. */
function placesIn(json: string): { inString: number[]; structural: number[]; names: [number, number][] } {
  const inString: number[] = [];
  const structural: number[] = [];
  const names: [number, number][] = [];
  let depth = 0;
  for (let i = 0; i < json.length; i++) {
    const c = json[i];
    if (c === '"') {
      const start = i;
      inString.push(i + 1);
      for (i++; json[i] !== '"'; i++) {
        if (json[i] === '\\') i++;
        inString.push(i + 1);
      }
      // Maps (the image, an M's value) are at odd depths, attribute values (a type name) at even ones.
      if (json[i + 1] === ':' && depth % 2 === 1) names.push([start, i + 2]);
      continue;
    }
    if ('{['.includes(c)) depth++;
    if ('}]'.includes(c)) depth--;
    structural.push(i);
  }
  return { inString, structural, names };
}

function splice(s: string, at: number, remove: number, insert: string): string {
  return s.slice(0, at) + insert + s.slice(at + remove);
}

/** The model: compact JSON (what JSON.stringify writes) of an object of attribute values DynamoDB writes, nested at most CHECKED_DEPTH. */
function writtenAsDynamoDB(span: string): boolean {
  let value: unknown;
  try {
    value = JSON.parse(span);
  } catch {
    return false;
  }
  if (JSON.stringify(value) !== span || typeof value !== 'object' || value === null || Array.isArray(value)) return false;
  return Object.values(value).every((v) => (depthOf(v) ?? Infinity) <= CHECKED_DEPTH);
}

/** How deep an attribute value nests (1: no list or map; a list or map is one more than its deepest member, at least 2); undefined when DynamoDB would not write it. */
function depthOf(v: unknown): number | undefined {
  if (typeof v !== 'object' || v === null || Array.isArray(v) || Object.keys(v).length !== 1) return undefined;
  const [[type, x]] = Object.entries(v);
  const strings = (a: unknown) => Array.isArray(a) && a.every((s) => typeof s === 'string');
  const deepest = (members: unknown[]) => {
    const depths = members.map(depthOf);
    return depths.includes(undefined) ? undefined : 1 + Math.max(1, ...(depths as number[]));
  };
  if (type === 'S' || type === 'N' || type === 'B') return typeof x === 'string' ? 1 : undefined;
  if (type === 'BOOL') return typeof x === 'boolean' ? 1 : undefined;
  if (type === 'NULL') return x === true ? 1 : undefined;
  if (type === 'SS' || type === 'NS' || type === 'BS') return strings(x) ? 1 : undefined;
  if (type === 'L') return Array.isArray(x) ? deepest(x) : undefined;
  if (type === 'M') return typeof x === 'object' && x !== null && !Array.isArray(x) ? deepest(Object.values(x)) : undefined;
  return undefined;
}
