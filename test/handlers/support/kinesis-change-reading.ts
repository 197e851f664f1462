/**
 * What the consumer's Kinesis readers make of one change text, for the tests that compare the
 * fast readers (image-spans, documented-layout) with the eager reader and with JSON.parse.
 */
import type { KinesisStreamRecord } from 'aws-lambda';
import fc from 'fast-check';
import { DecodeError } from '../../../handlers/common/decode';
import { parsedImage, settleImages } from '../../../handlers/consumer/kinesis-lazy';
import type { readKinesisRecord } from '../../../handlers/consumer/source';
import { toLambdaKinesisRecord } from '../../../handlers/redrive/kinesis-lambda-record';

/** `text` as the data of a Kinesis record Lambda would deliver. */
export function kinesisRecord(text: string): KinesisStreamRecord {
  return toLambdaKinesisRecord(
    { SequenceNumber: '4959', PartitionKey: 'p', Data: Buffer.from(text, 'utf8'), ApproximateArrivalTimestamp: new Date(0) },
    { streamArn: 'arn:aws:kinesis:eu-west-1:123456789012:stream/changes', shardId: 'shardId-000000000001', region: 'eu-west-1' },
  );
}

/** What a reader makes of a record: the facts with images parsed, or the DecodeError's message. */
export function outcome(read: () => ReturnType<typeof readKinesisRecord>, record: KinesisStreamRecord): unknown {
  try {
    const facts = read();
    // Settled as the consumer settles before processing; images it leaves as text parsed as a handler's read parses them.
    const images = facts.pendingImages ? settleImages(record, facts.pendingImages) : { newImage: facts.newImage, oldImage: facts.oldImage };
    return JSON.stringify({
      ...facts,
      pendingImages: undefined,
      newImage: parsedImage(images.newImage),
      oldImage: parsedImage(images.oldImage),
    });
  } catch (e) {
    return `${e instanceof DecodeError ? 'DecodeError' : 'not a DecodeError'}: ${(e as Error).message}`;
  }
}

/**
 * A change text damaged at one place (or not): a character dropped, added or replaced, or the text
 * cut short; `intact` is how many times in five-plus the text is left whole.
 */
export const damage = (intact = 1) =>
  fc.record({
    at: fc.nat(),
    kind: fc.constantFrom(...Array<string>(intact).fill('none'), 'drop', 'add', 'replace', 'truncate'),
    ch: fc.constantFrom('"', '{', '}', '[', ']', ',', ':', '\\', ' ', 'x', '1', '\u0001'),
  });

export function damaged(text: string, d: { at: number; kind: string; ch: string }): string {
  const at = d.at % (text.length + 1);
  if (d.kind === 'drop') return text.slice(0, at) + text.slice(at + 1);
  if (d.kind === 'add') return text.slice(0, at) + d.ch + text.slice(at);
  if (d.kind === 'replace') return text.slice(0, at) + d.ch + text.slice(at + 1);
  return d.kind === 'truncate' ? text.slice(0, at) : text;
}

/** Whether JSON.parse accepts the text. */
export function parses(text: string): boolean {
  try {
    JSON.parse(text);
    return true;
  } catch {
    return false;
  }
}
