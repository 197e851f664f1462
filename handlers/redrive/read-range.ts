/**
 * Reads one failed range back from its stream: an iterator AT_SEQUENCE_NUMBER on the first
 * sequence number, then GetRecords until a record lies past the last one, the shard ends, or the
 * reader has caught up. The records come back in the shape Lambda gave the consumer, so the
 * consumer's own code can run them again. A range the stream can no longer serve (trimmed past its
 * retention, shard or stream gone, start not found) is reported as unreadable instead of thrown:
 * it must be parked. Two sources: DynamoDB streams (here) and Kinesis (read-range-kinesis.ts).
 */
import { DynamoDBStreamsClient, GetRecordsCommand, GetShardIteratorCommand } from '@aws-sdk/client-dynamodb-streams';
import type { DynamoDBRecord } from 'aws-lambda';
import { errorName } from '../common/sdk-errors';
import { compareSequence, StreamRange } from './on-failure-record';
import { sequenceOf, StreamRecord } from './records';
import { toLambdaRecord } from '../common/stream-record';

export type RangeRead<R extends StreamRecord = StreamRecord> =
  | { readonly readable: true; readonly records: R[]; readonly gaps: string[] }
  | { readonly readable: false; readonly reason: string };

export interface ReadOptions {
  /** Empty pages in a row after which an open shard is taken to hold nothing more of the range. @default 5 */
  readonly maxEmptyPages?: number;
}

/** How one kind of stream is read: its iterator, its pages, and the errors that mean "gone for good". */
export interface RangeSource<R extends StreamRecord> {
  /** Errors after which retrying the message cannot bring the range back. */
  readonly unreadable: ReadonlySet<string>;
  iteratorAt(range: StreamRange): Promise<string | undefined>;
  /** One page; `caughtUp` when the source says nothing newer exists yet. */
  page(iterator: string, range: StreamRange): Promise<{ records: R[]; next?: string; caughtUp: boolean }>;
}

/** Reads `range` from `source`; transient errors (throttling, network) are thrown so the message is retried later. */
export async function readRangeFrom<R extends StreamRecord>(
  source: RangeSource<R>,
  range: StreamRange,
  options: ReadOptions = {},
): Promise<RangeRead<R>> {
  const gone = (e: unknown) => `${errorName(e)}: ${(e as Error).message}`;
  let iterator: string | undefined;
  try {
    iterator = await source.iteratorAt(range);
  } catch (e) {
    if (source.unreadable.has(errorName(e))) return { readable: false, reason: gone(e) };
    throw e;
  }
  const records: R[] = [];
  let empty = 0;
  let done = false;
  const gaps: string[] = [];
  while (iterator && !done && empty < (options.maxEmptyPages ?? 5)) {
    let page: Awaited<ReturnType<RangeSource<R>['page']>>;
    try {
      page = await source.page(iterator, range);
    } catch (e) {
      // Trimmed while we read it: what we have is still worth redriving; the rest is reported.
      if (!source.unreadable.has(errorName(e))) throw e;
      if (!records.length) return { readable: false, reason: gone(e) };
      gaps.push(`${gone(e)} (after ${sequenceOf(records[records.length - 1])})`);
      break;
    }
    empty = page.records.length ? 0 : empty + 1;
    for (const r of page.records) {
      if (compareSequence(sequenceOf(r) ?? '', range.endSequenceNumber) > 0) {
        done = true;
        break;
      }
      records.push(r);
    }
    iterator = page.next;
    if (page.caughtUp) done = true;
  }
  if (!records.length)
    return {
      readable: false,
      reason: `RangeEmpty: no record between ${range.startSequenceNumber} and ${range.endSequenceNumber} could be read from ${range.shardId}`,
    };
  const first = sequenceOf(records[0]);
  // AT_SEQUENCE_NUMBER on a number the shard no longer holds can start at a later record: the
  // records in between are unreadable and must be reported, not silently skipped.
  if (first !== range.startSequenceNumber)
    gaps.unshift(`StartNotFound: the range starts at ${range.startSequenceNumber} but the first readable record is ${first}`);
  return { readable: true, records, gaps };
}

/** DynamoDB Streams: trimmed data and unknown shards or sequence numbers are gone for good. */
export function dynamodbRangeSource(client: DynamoDBStreamsClient): RangeSource<DynamoDBRecord> {
  return {
    unreadable: new Set(['TrimmedDataAccessException', 'ResourceNotFoundException', 'ValidationException']),
    async iteratorAt(range) {
      const it = await client.send(
        new GetShardIteratorCommand({
          StreamArn: range.streamArn,
          ShardId: range.shardId,
          ShardIteratorType: 'AT_SEQUENCE_NUMBER',
          SequenceNumber: range.startSequenceNumber,
        }),
      );
      return it.ShardIterator;
    },
    async page(iterator, range) {
      const page = await client.send(new GetRecordsCommand({ ShardIterator: iterator, Limit: 1000 }));
      return {
        records: (page.Records ?? []).map((r) => toLambdaRecord(r, range.streamArn, regionOf(range.streamArn))),
        next: page.NextShardIterator,
        caughtUp: false,
      };
    },
  };
}

/** Reads a failed DynamoDB stream range (the pre-Kinesis entry point, kept for callers and tests). */
export function readRange(
  client: DynamoDBStreamsClient,
  range: StreamRange,
  options: ReadOptions = {},
): Promise<RangeRead<DynamoDBRecord>> {
  return readRangeFrom(dynamodbRangeSource(client), range, options);
}

export function regionOf(streamArn: string): string {
  return streamArn.split(':')[3] ?? '';
}
