/**
 * The consumer's fast reading of Kinesis changes written as DynamoDB writes them
 * (handlers/consumer/documented-layout.ts), alone and in a batch decoded together (kinesis-lazy.ts
 * `decodeTogether`): pure, no server. Oracles: `JSON.parse` of the whole change text and the eager
 * reader `readKinesisRecord`, whose facts and error messages the lazy one must give word for word.
 * The texts follow AWS's documented member order, compact, with what could mislead a reader that
 * trusted the order: image strings and nested attributes named `OldImage` or `SizeBytes`, strings
 * ending like the record's tail, escapes, unicode, `__proto__`, repeated key names, damage.
 */
import fc from 'fast-check';
import { readDocumentedLayout } from '../../handlers/consumer/documented-layout';
import { decodeTogether, ImageText, parsedImage, readKinesisRecordLazily, settleImages } from '../../handlers/consumer/kinesis-lazy';
import { readKinesisRecord } from '../../handlers/consumer/source';
import { damage as damageArbitrary, damaged, kinesisRecord, outcome, parses } from './support/kinesis-change-reading';

/** Strings a reader trusting the order could take for structure, and strings JSON must escape. */
const misleading = fc.constantFrom(
  ',"OldImage":',
  ',"SizeBytes":1},"eventSource":"aws:dynamodb"}',
  '"}',
  '\\',
  'é',
  '😀',
  '\u0001',
  '\u2028',
);
const plainText = fc.stringMatching(/^[a-zA-Z0-9 :_.-]{0,12}$/);
/** A string field: plain (what the fast path reads) or anything (escapes, unicode, control characters). */
const field = fc.oneof(plainText, plainText, fc.string({ maxLength: 6 }), misleading);

/** An image as DynamoDB writes it, with attributes named like envelope members and strings like its tail. */
const { value: attribute } = fc.letrec<{ value: unknown; map: unknown }>((tie) => ({
  value: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    field.map((S) => ({ S })),
    fc.integer().map((n) => ({ N: String(n) })),
    fc.boolean().map((BOOL) => ({ BOOL })),
    fc.array(field, { maxLength: 2 }).map((SS) => ({ SS })),
    tie('map').map((M) => ({ M })),
    fc.array(tie('value'), { maxLength: 2 }).map((L) => ({ L })),
  ),
  map: fc.dictionary(fc.oneof(fc.constantFrom('OldImage', 'SizeBytes', 'NewImage', 'Keys'), field), tie('value'), { maxKeys: 3 }),
}));
const imageText = fc.oneof(
  fc.dictionary(fc.oneof(fc.constantFrom('OldImage', 'SizeBytes', 'Keys'), field), attribute, { maxKeys: 4 }).map((m) => JSON.stringify(m)),
  fc.constantFrom('null', '5', '"x"', '[]', '{}'),
);

const keyName = fc.oneof(fc.constantFrom('pk', 'sk', 'id'), fc.constantFrom('__proto__', 'p"k', 'pk'), plainText);
const keyText = fc
  .tuple(keyName, fc.constantFrom('S', 'N', 'B', 'S', 'BOOL'), plainText)
  .map(([name, type, value]) => `${JSON.stringify(name)}:{"${type}":${type === 'BOOL' ? 'true' : JSON.stringify(value)}}`);

/** A change in the documented order, compact; each member's value chosen to be read fast or to need the general walk. */
const documentedText = fc
  .record({
    awsRegion: field,
    eventID: field,
    eventName: fc.constantFrom('INSERT', 'MODIFY', 'REMOVE', 'MODIFY', 'UPDATE'),
    userIdentity: fc.constantFrom(
      undefined,
      'null',
      '{"type":"Service","principalId":"dynamodb.amazonaws.com"}',
      '{"type":"","principalId":"x"}',
    ),
    recordFormat: fc.constantFrom('application/json', 'application/json', 'text/plain'),
    tableName: field,
    created: fc.oneof(
      fc.integer({ min: 1, max: 2 ** 53 - 1 }).map(String),
      fc.constantFrom('0', '1764583200123', '1764583200123456', '-5', '1.5', '1e12', '01'),
    ),
    precision: fc.constantFrom(undefined, 'MILLISECOND', 'MICROSECOND', 'SECOND'),
    keys: fc.array(keyText, { minLength: 1, maxLength: 2 }),
    newImage: fc.option(imageText, { nil: undefined }),
    oldImage: fc.option(imageText, { nil: undefined }),
    sizeBytes: fc.constantFrom('1024', '0', '1.5', '"big"'),
    eventSource: fc.constantFrom('aws:dynamodb', 'aws:dynamodb', 'aws:kinesis'),
  })
  .map(
    (g) =>
      `{"awsRegion":${JSON.stringify(g.awsRegion)},"eventID":${JSON.stringify(g.eventID)},"eventName":"${g.eventName}",` +
      `${g.userIdentity === undefined ? '' : `"userIdentity":${g.userIdentity},`}"recordFormat":"${g.recordFormat}",` +
      `"tableName":${JSON.stringify(g.tableName)},"dynamodb":{"ApproximateCreationDateTime":${g.created},` +
      `${g.precision === undefined ? '' : `"ApproximateCreationDateTimePrecision":"${g.precision}",`}"Keys":{${g.keys.join(',')}},` +
      `${g.newImage === undefined ? '' : `"NewImage":${g.newImage},`}${g.oldImage === undefined ? '' : `"OldImage":${g.oldImage},`}` +
      `"SizeBytes":${g.sizeBytes}},"eventSource":"${g.eventSource}"}`,
  );

const damage = damageArbitrary(2);

/** Whether the text is in the shape the fast path reads (plain strings, S/N/B keys, integers, no repeated key name): the model of the regular expressions. */
function readFast(text: string): boolean {
  let c: any;
  try {
    c = JSON.parse(text);
  } catch {
    return false;
  }
  const plain = (s: unknown) => typeof s === 'string' && [...s].every((ch) => ch !== '"' && ch !== '\\' && ch >= ' ');
  const d = c?.dynamodb;
  if (typeof d?.Keys !== 'object' || d.Keys === null) return false;
  const names = Object.keys(d.Keys);
  const inOrder = (o: object, names: string[], optional: string[]) => {
    const present = Object.keys(o);
    return present.join() === names.filter((n) => present.includes(n) || !optional.includes(n)).join();
  };
  return (
    !/\s/.test(text.replace(/"(?:[^"\\]|\\.)*"/g, '""')) && // compact: no whitespace outside strings
    writtenPlainly(text, c) &&
    inOrder(
      c,
      ['awsRegion', 'eventID', 'eventName', 'userIdentity', 'recordFormat', 'tableName', 'dynamodb', 'eventSource'],
      ['userIdentity'],
    ) &&
    inOrder(
      d,
      ['ApproximateCreationDateTime', 'ApproximateCreationDateTimePrecision', 'Keys', 'NewImage', 'OldImage', 'SizeBytes'],
      ['ApproximateCreationDateTimePrecision', 'NewImage', 'OldImage'],
    ) &&
    (c.userIdentity == null || inOrder(c.userIdentity, ['type', 'principalId'], [])) &&
    [c.awsRegion, c.eventID, c.eventName, c.recordFormat, c.tableName, c.eventSource].every(plain) &&
    (c.userIdentity == null || (plain(c.userIdentity.type) && plain(c.userIdentity.principalId))) &&
    (d.ApproximateCreationDateTimePrecision === undefined || plain(d.ApproximateCreationDateTimePrecision)) &&
    /"ApproximateCreationDateTime":(0|[1-9]\d{0,15}),/.test(text) &&
    /"SizeBytes":(0|[1-9]\d{0,15})\},"eventSource"/.test(text) &&
    keysText(text).split(':{"').length - 1 === names.length && // no key name written twice
    names.every(
      (n) => n !== '__proto__' && plain(n) && ['S', 'N', 'B'].includes(Object.keys(d.Keys[n])[0]) && plain(Object.values(d.Keys[n])[0]),
    )
  );
}

/**
 * The envelope's strings written as JSON.stringify writes what they parse to: a plain character
 * written as an escape (`\u1001`) parses to a plain string, but is not the plain text the fast
 * path reads.
 */
function writtenPlainly(text: string, c: any): boolean {
  const d = c.dynamodb;
  const head =
    `{"awsRegion":${JSON.stringify(c.awsRegion)},"eventID":${JSON.stringify(c.eventID)},"eventName":${JSON.stringify(c.eventName)},` +
    `${'userIdentity' in c ? `"userIdentity":${JSON.stringify(c.userIdentity)},` : ''}` +
    `"recordFormat":${JSON.stringify(c.recordFormat)},"tableName":${JSON.stringify(c.tableName)},"dynamodb":{`;
  const precision = d.ApproximateCreationDateTimePrecision;
  return (
    text.startsWith(head) &&
    (precision === undefined || text.includes(`,"ApproximateCreationDateTimePrecision":${JSON.stringify(precision)},`)) &&
    text.includes(`"Keys":${JSON.stringify(d.Keys)},`) &&
    text.endsWith(`},"eventSource":${JSON.stringify(c.eventSource)}}`)
  );
}

/** The Keys object's members as written (when their names and values are plain, the first `}}` ends them). */
function keysText(text: string): string {
  const at = text.indexOf('"Keys":{') + 7;
  return text.slice(at, text.indexOf('}}', at) + 1);
}

describe('readDocumentedLayout', () => {
  test('GIVEN a change in the documented order, whole or damaged WHEN read THEN it is read fast whenever plain, and whatever it reads fast with its images parsed is JSON.parse of the whole text (a text JSON.parse rejects has an image that does not parse)', () => {
    fc.assert(
      fc.property(documentedText, damage, (whole, d) => {
        const text = damaged(whole, d);
        const read = readDocumentedLayout(text, 0, text.length);
        // Plain texts are read fast. Others may be too (whitespace inside an image: the image is
        // JSON.parse'd later), as long as what is read is what JSON.parse reads (below).
        if (readFast(text)) expect(read).toBeDefined();
        if (!read) return;
        const { change, spans } = read;
        const images: unknown[] = [];
        try {
          for (let i = 0; i < spans.length; i += 2) images.push(JSON.parse(text.slice(spans[i], spans[i + 1])));
        } catch {
          expect(parses(text)).toBe(false); // an image span that does not parse: the text is not JSON
          return;
        }
        const dynamodb = { ...change.dynamodb } as Record<string, unknown>;
        for (const image of ['NewImage', 'OldImage']) {
          if (dynamodb[image] === undefined) delete dynamodb[image];
          else dynamodb[image] = images[dynamodb[image] as number];
        }
        if (dynamodb.ApproximateCreationDateTimePrecision === undefined) delete dynamodb.ApproximateCreationDateTimePrecision;
        const envelope: Record<string, unknown> = { ...change, dynamodb };
        if (envelope.userIdentity === undefined) delete envelope.userIdentity;
        expect(JSON.stringify(envelope)).toBe(JSON.stringify(JSON.parse(text)));
      }),
      { numRuns: 1500 },
    );
  });

  test('GIVEN a change in the documented order, whole or damaged WHEN read lazily and its images settled THEN the facts or the DecodeError are those of the eager reading', () => {
    fc.assert(
      fc.property(documentedText, damage, (whole, d) => {
        const record = kinesisRecord(damaged(whole, d));
        expect(outcome(() => readKinesisRecordLazily(record), record)).toEqual(outcome(() => readKinesisRecord(record), record));
      }),
      { numRuns: 1000 },
    );
  });

  test('GIVEN an image holding an attribute named OldImage and a string ending like the record WHEN read THEN the spans are the images JSON.parse finds', () => {
    const newImage = {
      OldImage: { M: { SizeBytes: { S: ',"OldImage":{}' } } },
      tail: { S: '},"SizeBytes":1},"eventSource":"aws:dynamodb"}' },
    };
    const text = `{"awsRegion":"eu-west-1","eventID":"e1","eventName":"MODIFY","userIdentity":null,"recordFormat":"application/json","tableName":"orders","dynamodb":{"ApproximateCreationDateTime":1764583200123,"Keys":{"pk":{"S":"a"}},"NewImage":${JSON.stringify(newImage)},"OldImage":{"pk":{"S":"a"}},"SizeBytes":90},"eventSource":"aws:dynamodb"}`;
    const { change, spans } = readDocumentedLayout(text, 0, text.length)!;
    expect(change.dynamodb.NewImage).toBe(0);
    expect(JSON.parse(text.slice(spans[0], spans[1]))).toEqual(newImage);
    expect(JSON.parse(text.slice(spans[2], spans[3]))).toEqual({ pk: { S: 'a' } });
  });
});

describe('decodeTogether', () => {
  test('GIVEN a batch of documented-order changes, some of 30 to 70 KB, WHEN decoded together THEN each record reads at its offset as it reads alone', () => {
    fc.assert(
      fc.property(
        fc.array(fc.tuple(documentedText, fc.constantFrom(0, 0, 2_000, 30_000, 70_000)), { minLength: 2, maxLength: 8 }),
        (batch) => {
          // A padded key attribute makes records of up to 70 KB; ASCII only, or the batch is decoded record by record.
          const ascii = (text: string) => text.replace(/[\u0080-\uffff]/g, '?');
          const records = batch.map(([text, pad]) =>
            kinesisRecord(ascii(text).replace('"Keys":{', `"Keys":{"${'x'.repeat(pad)}":{"S":"p"},`)),
          );
          const together = decodeTogether(records);
          expect(together).toBeDefined();
          records.forEach((record, i) => {
            expect(outcome(() => readKinesisRecordLazily(record, together, i), record)).toEqual(
              outcome(() => readKinesisRecord(record), record),
            );
          });
        },
      ),
      { numRuns: 25, endOnFailure: true },
    );
  });

  test("GIVEN a batch whose changes are settled but their images not read WHEN another batch is decoded (the bytes reused) THEN each image, read after, is its own change's", () => {
    const ascii = (text: string) => text.replace(/[\u0080-\uffff]/g, '?');
    const change = fc
      .tuple(fc.nat(), imageText, imageText)
      .map(([id, newImage, oldImage]) =>
        kinesisRecord(
          ascii(
            `{"awsRegion":"eu-west-1","eventID":"e${id}","eventName":"MODIFY","recordFormat":"application/json","tableName":"orders",` +
              `"dynamodb":{"ApproximateCreationDateTime":1764583200123,"Keys":{"pk":{"S":"k${id}"}},"NewImage":${newImage},"OldImage":${oldImage},` +
              `"SizeBytes":90},"eventSource":"aws:dynamodb"}`,
          ),
        ),
      );
    const batch = fc.array(change, { minLength: 2, maxLength: 6 });
    let leftAsText = 0;
    fc.assert(
      fc.property(batch, batch, (first, second) => {
        const together = decodeTogether(first);
        const settled = first.map((record, i) => {
          try {
            const facts = readKinesisRecordLazily(record, together, i);
            return facts.pendingImages ? settleImages(record, facts.pendingImages) : { newImage: facts.newImage, oldImage: facts.oldImage };
          } catch {
            return undefined; // unreadable: the eager reading agrees (the test above)
          }
        });
        decodeTogether(second);
        first.forEach((record, i) => {
          const images = settled[i];
          if (!images) return;
          leftAsText += [images.newImage, images.oldImage].filter((image) => image instanceof ImageText).length;
          const eager = readKinesisRecord(record);
          expect(JSON.stringify([parsedImage(images.newImage), parsedImage(images.oldImage)])).toBe(
            JSON.stringify([eager.newImage, eager.oldImage]),
          );
        });
      }),
      { numRuns: 200 },
    );
    expect(leftAsText).toBeGreaterThan(100); // not vacuous: images read from a batch's bytes after they were reused
  });
});
