/**
 * Reads one failed range back from its stream: GetShardIterator AT_SEQUENCE_NUMBER on the first
 * sequence number, then GetRecords until a record lies past the last one (or the shard ends).
 * The records come back in the shape Lambda gave the consumer, so the consumer's own code can run
 * them again. A range the stream can no longer serve (trimmed after the 24 h retention, shard or
 * stream gone, start not found) is reported as unreadable instead of thrown: it must be parked.
 */
import {
  DynamoDBStreamsClient,
  GetRecordsCommand,
  GetShardIteratorCommand,
  _Record,
} from '@aws-sdk/client-dynamodb-streams';
import type { DynamoDBRecord } from 'aws-lambda';
import { errorName } from './errors';
import { compareSequence, StreamRange } from './redrive-message';
import { toLambdaRecord } from './stream-record';

/** Errors that mean the range is gone for good: retrying the message cannot bring it back. */
const UNREADABLE = new Set(['TrimmedDataAccessException', 'ResourceNotFoundException', 'ValidationException']);

export type RangeRead =
  | { readonly readable: true; readonly records: DynamoDBRecord[]; readonly gaps: string[] }
  | { readonly readable: false; readonly reason: string };

export interface ReadOptions {
  /** Empty pages in a row after which an open shard is taken to hold nothing more of the range. @default 5 */
  readonly maxEmptyPages?: number;
}

/** Reads `range`; transient errors (throttling, network) are thrown so the message is retried later. */
export async function readRange(client: DynamoDBStreamsClient, range: StreamRange, options: ReadOptions = {}): Promise<RangeRead> {
  const region = regionOf(range.streamArn);
  let iterator: string | undefined;
  try {
    const it = await client.send(
      new GetShardIteratorCommand({ StreamArn: range.streamArn, ShardId: range.shardId, ShardIteratorType: 'AT_SEQUENCE_NUMBER', SequenceNumber: range.startSequenceNumber }),
    );
    iterator = it.ShardIterator;
  } catch (e) {
    if (UNREADABLE.has(errorName(e))) return { readable: false, reason: `${errorName(e)}: ${(e as Error).message}` };
    throw e;
  }
  const records: DynamoDBRecord[] = [];
  let empty = 0;
  let pastEnd = false;
  const gaps: string[] = [];
  while (iterator && !pastEnd && empty < (options.maxEmptyPages ?? 5)) {
    let page;
    try {
      page = await client.send(new GetRecordsCommand({ ShardIterator: iterator, Limit: 1000 }));
    } catch (e) {
      // Trimmed while we read it: what we have is still worth redriving; the rest is reported.
      if (!UNREADABLE.has(errorName(e))) throw e;
      const reason = `${errorName(e)}: ${(e as Error).message}`;
      if (!records.length) return { readable: false, reason };
      gaps.push(`${reason} (after ${records[records.length - 1].dynamodb!.SequenceNumber})`);
      break;
    }
    const got = page.Records ?? [];
    empty = got.length ? 0 : empty + 1;
    for (const r of got) {
      const seq = r.dynamodb?.SequenceNumber ?? '';
      if (compareSequence(seq, range.endSequenceNumber) > 0) {
        pastEnd = true;
        break;
      }
      records.push(toLambdaRecord(r, range.streamArn, region));
    }
    iterator = page.NextShardIterator;
  }
  if (!records.length) return { readable: false, reason: `RangeEmpty: no record between ${range.startSequenceNumber} and ${range.endSequenceNumber} could be read from ${range.shardId}` };
  const first = records[0].dynamodb!.SequenceNumber!;
  // AT_SEQUENCE_NUMBER on a number the shard no longer holds can start at a later record: the
  // records in between are unreadable and must be reported, not silently skipped.
  if (first !== range.startSequenceNumber) gaps.unshift(`StartNotFound: the range starts at ${range.startSequenceNumber} but the first readable record is ${first}`);
  return { readable: true, records, gaps };
}

export function regionOf(streamArn: string): string {
  return streamArn.split(':')[3] ?? '';
}

