/**
 * The consumer's reading of a Kinesis batch that waits to be processed (batch-read.ts): a change's
 * envelope is parsed and checked on arrival, its images stay JSON text (image-spans.ts) in one
 * string decoded for the whole batch, and are parsed by `settleImages` just before the change is
 * processed. Same facts and same errors as source.ts `readKinesisRecord`, which it falls back to.
 */
import { isAscii } from 'buffer';
import type { KinesisStreamRecord } from 'aws-lambda';
import { DecodeError } from '../common/decode';
import type { KinesisDynamoDBChange } from '../common/kinesis-record';
import { DocumentedLayout, readDocumentedLayout } from './documented-layout';
import { cutImages } from './image-spans';
import { checkedKinesisCoordinates, kinesisFacts, readKinesisRecord, SourceFacts } from './source';

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
    const start = together ? together.bounds[2 * index] : 0;
    const end = together ? together.bounds[2 * index + 1] : text.length;
    const located = readDocumentedLayout(text, start, end) ?? envelopeByWalk(text, start, end);
    if (located) {
      const d = located.change.dynamodb as KinesisDynamoDBChange['dynamodb'] | undefined;
      const images: PendingImages = {
        text,
        spans: located.spans,
        newAt: d?.NewImage as unknown as number,
        oldAt: d?.OldImage as unknown as number,
      };
      try {
        return kinesisFacts(record, sequenceNumber, located.change, undefined, undefined, images);
      } catch (e) {
        if (!(e instanceof DecodeError)) throw e;
      }
    }
  }
  return readKinesisRecord(record);
}

/**
 * The envelope by the general walk (image-spans.ts) and JSON.parse: any member order, whitespace,
 * escapes, duplicate members. Undefined when it is not a JSON object whose images are placeholders.
 */
function envelopeByWalk(text: string, start: number, end: number): DocumentedLayout | undefined {
  const cut = cutImages(text, start, end);
  if (!cut) return undefined;
  let c: unknown;
  try {
    c = JSON.parse(cut.envelope);
  } catch {
    return undefined;
  }
  if (typeof c !== 'object' || c === null || Array.isArray(c)) return undefined;
  const d = (c as KinesisDynamoDBChange).dynamodb as KinesisDynamoDBChange['dynamodb'] | undefined;
  if (!isPlaceholder(d?.NewImage, cut.spans) || !isPlaceholder(d?.OldImage, cut.spans)) return undefined;
  return { change: c as KinesisDynamoDBChange, spans: cut.spans as number[] };
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
