/**
 * The consumer's reading of a Kinesis batch that waits to be processed (batch-read.ts): a change's
 * envelope is parsed and checked on arrival, its images stay unparsed (in the batch's decoded
 * bytes, or as JSON text) and are parsed by `settleImages` just before the change is processed,
 * or, when known to be JSON, when the handler reads them. Same facts and same errors as source.ts
 * `readKinesisRecord`, which it falls back to.
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
 * (image-spans.ts, documented-layout.ts) and parsed when `settleImages` is called or when read, so
 * a batch waiting to be processed holds neither parsed images nor, when they are known to be JSON,
 * its text: the images are read again from the batch's bytes. Whatever the fast reading cannot
 * follow, or finds wrong, is read again by `readKinesisRecord`: same facts, same errors.
 */
export function readKinesisRecordLazily(record: KinesisStreamRecord, together?: DecodedTogether, index = 0): SourceFacts {
  const sequenceNumber = checkedKinesisCoordinates(record);
  const data = record.kinesis.data;
  if (typeof data === 'string' && data.length % 4 === 0) {
    const offset = together ? together.bounds[2 * index] : 0;
    const text = together
      ? together.bytes.toString('latin1', offset, together.bounds[2 * index + 1])
      : Buffer.from(data, 'base64').toString('utf8');
    const located = readDocumentedLayout(text, 0, text.length) ?? envelopeByWalk(text, 0, text.length);
    if (located) {
      const d = located.change.dynamodb as KinesisDynamoDBChange['dynamodb'] | undefined;
      const allChecked = located.checked === 2 ** (located.spans.length / 2) - 1;
      const images: PendingImages = {
        text: together && allChecked ? undefined : text,
        offset,
        generation: together ? together.generation : 0,
        spans: located.spans,
        newAt: d?.NewImage as unknown as number,
        oldAt: d?.OldImage as unknown as number,
        checked: located.checked,
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
  return { change: c as KinesisDynamoDBChange, spans: cut.spans as number[], checked: 0 };
}

/**
 * A batch's data decoded: record i's is bytes[bounds[2i], bounds[2i + 1]), ASCII, so its Latin-1
 * reading is what `Buffer.from(data, 'base64').toString('utf8')` gives. The bytes are the batch's
 * until the next batch is decoded (`generation` tells).
 */
export interface DecodedTogether {
  readonly bytes: Buffer;
  readonly bounds: readonly number[];
  readonly generation: number;
}

/**
 * One buffer for every batch, grown to the largest: a string or buffer of the batch's size made
 * afresh for each batch was memory the kernel had to map again (page faults: 2 to 4 ms of a 1,000
 * change batch, or nothing, by how the allocator had been used before, the toolkit's least steady
 * cost). A change's text is made per record and dropped once its envelope is read (the young
 * generation's garbage, as in a hand-written handler); its images are read from here.
 */
let batchBytes = Buffer.alloc(0);
let generation = 0;

/**
 * Every record's data decoded into the batch buffer, when all of it is ASCII (then each record's
 * part reads, in Latin-1, exactly as decoding it alone does); undefined otherwise. Either way the
 * previous batch's bytes are gone: its changes still waiting read their images from their records.
 */
export function decodeTogether(records: readonly KinesisStreamRecord[]): DecodedTogether | undefined {
  generation++;
  let total = 0;
  for (const r of records) {
    const data = r.kinesis?.data;
    if (typeof data === 'string') total += Buffer.byteLength(data, 'base64');
  }
  if (batchBytes.length < total) batchBytes = Buffer.allocUnsafe(total);
  const bounds: number[] = [];
  let at = 0;
  for (const r of records) {
    const data = r.kinesis?.data;
    const written = typeof data === 'string' ? batchBytes.write(data, at, 'base64') : 0;
    bounds.push(at, (at += written));
  }
  if (!isAscii(batchBytes.subarray(0, at))) return undefined;
  return { bytes: batchBytes, bounds, generation };
}

/**
 * Settles images `readKinesisRecordLazily` left as text: every cut span, read or not, is parsed
 * unless it is already known to be JSON, so a record whose JSON is malformed anywhere is still a
 * DecodeError (then `readKinesisRecord`'s, word for word). A span known to be JSON stays text
 * (an ImageText, `parsedImage` parses it) until the handler reads it: most handlers never read
 * the old image, and parsing it was a third of the toolkit's CPU on Kinesis.
 */
export function settleImages(record: KinesisStreamRecord, images: PendingImages): { newImage: unknown; oldImage: unknown } {
  const { text, spans, checked } = images;
  const values: unknown[] = [];
  try {
    for (let i = 0; i < spans.length; i += 2)
      values.push(checked & (1 << (i >> 1)) ? new ImageText(record, images, i) : JSON.parse(text!.slice(spans[i], spans[i + 1])));
  } catch {
    const eager = readKinesisRecord(record); // throws the DecodeError the whole text's parse gives
    return { newImage: eager.newImage, oldImage: eager.oldImage };
  }
  return {
    newImage: images.newAt === undefined ? undefined : values[images.newAt],
    oldImage: images.oldAt === undefined ? undefined : values[images.oldAt],
  };
}

/** A change's images not parsed yet, and where they are (image-spans.ts). */
export interface PendingImages {
  /** The change's JSON text: kept when an image must be parsed from it (not known to be JSON, or no batch bytes). */
  readonly text: string | undefined;
  /** Where the change's text starts in the batch's bytes, and the batch's generation (0: not decoded together). */
  readonly offset: number;
  readonly generation: number;
  /** Start and end (exclusive) of each image in the change's text, in text order. */
  readonly spans: readonly number[];
  /** Placeholder index of NewImage / OldImage (undefined: the change has none). */
  readonly newAt: number | undefined;
  readonly oldAt: number | undefined;
  /** Bit i set: span i is known to be JSON (documented-layout.ts), so settling need not parse it. */
  readonly checked: number;
}

/** An image known to be JSON, not parsed yet: `parsedImage` parses it when the handler reads it. */
export class ImageText {
  constructor(
    private readonly record: KinesisStreamRecord,
    private readonly images: PendingImages,
    private readonly span: number,
  ) {}

  parse(): unknown {
    const { text, offset, spans } = this.images;
    const start = spans[this.span];
    const end = spans[this.span + 1];
    if (text !== undefined) return JSON.parse(text.slice(start, end));
    if (this.images.generation === generation) return JSON.parse(batchBytes.toString('latin1', offset + start, offset + end));
    // The change outlived its batch (a handler kept it, or another batch was read meanwhile): its data is ASCII, decode it again.
    return JSON.parse(Buffer.from(this.record.kinesis.data, 'base64').toString('latin1', start, end));
  }
}

/** An image as `settleImages` gives it, parsed. */
export function parsedImage(image: unknown): unknown {
  return image instanceof ImageText ? image.parse() : image;
}

function isPlaceholder(v: unknown, spans: readonly number[]): boolean {
  return v === undefined || (typeof v === 'number' && Number.isInteger(v) && v >= 0 && v < spans.length / 2);
}
