/**
 * One invocation's records, from either change source, decoded and grouped per item key in the
 * order the item's changes happened (docs/replication-protocol.md, "Sources"):
 * - DynamoDB Streams deliver an item's changes in order, exactly once per delivery: the position
 *   of a record is its stream sequence number.
 * - Kinesis Data Streams for DynamoDB may deliver them out of order and more than once: a record's
 *   position is DynamoDB's creation time of the change (epoch microseconds; AWS documents it as the
 *   way to order an item's changes), a change delivered twice in one batch is planned once, and
 *   the group is sorted by position.
 */
import type { DynamoDBRecord, KinesisStreamRecord } from 'aws-lambda';
import { compareSequenceNumbers } from '../lww';
import { DecodedRecord, DecodeError, decodeRecord } from '../common/decode';
import { decodeKinesisRecord } from '../common/kinesis-record';

export type ChangeSourceKind = 'dynamodb-stream' | 'kinesis';

/** A record as the event delivered it. */
export type EventRecord = DynamoDBRecord | KinesisStreamRecord;

export interface SourceBatch {
  readonly kind: ChangeSourceKind;
  /** Each key's changes, once each, in the order they happened. */
  readonly keys: Map<string, DecodedRecord[]>;
  /** Every delivered record of each key (duplicates included): they succeed or fail together. */
  readonly delivered: Map<string, EventRecord[]>;
  /** Records that could not even be decoded (no key to group them by). */
  readonly undecodable: { record: EventRecord; reason: string }[];
}

export function sourceKindOf(records: readonly EventRecord[]): ChangeSourceKind {
  return records.some((r) => (r as KinesisStreamRecord).eventSource === 'aws:kinesis') ? 'kinesis' : 'dynamodb-stream';
}

export function readBatch(records: readonly EventRecord[]): SourceBatch {
  const kind = sourceKindOf(records);
  const keys = new Map<string, DecodedRecord[]>();
  const delivered = new Map<string, EventRecord[]>();
  const undecodable: SourceBatch['undecodable'] = [];
  const seen = new Set<string>();
  for (const raw of records) {
    let rec: DecodedRecord;
    try {
      rec = kind === 'kinesis' ? fromKinesis(raw as KinesisStreamRecord) : decodeRecord(raw as DynamoDBRecord);
    } catch (e) {
      if (!(e instanceof DecodeError)) throw e;
      undecodable.push({ record: raw, reason: `undecodable ${kind === 'kinesis' ? 'Kinesis' : 'stream'} record: ${e.message}` });
      continue;
    }
    push(delivered, rec.keyId, raw);
    // The same change again (Kinesis duplicates carry the change's eventID and a new sequence number).
    const change = `${rec.keyId}|${rec.raw.eventID}|${rec.position}`;
    if (kind === 'kinesis' && seen.has(change)) continue;
    seen.add(change);
    push(keys, rec.keyId, rec);
  }
  if (kind === 'kinesis') {
    for (const list of keys.values())
      list.sort((a, b) => compareSequenceNumbers(a.position, b.position) || compareSequenceNumbers(a.sequenceNumber, b.sequenceNumber));
  }
  return { kind, keys, delivered, undecodable };
}

/** A Kinesis change in the decoded shape, positioned by its creation time. */
function fromKinesis(record: KinesisStreamRecord): DecodedRecord {
  const d = decodeKinesisRecord(record);
  return { ...d, position: String(d.createdAtMicros), approximateCreationMs: Math.floor(d.createdAtMicros / 1000) };
}

function push<T>(map: Map<string, T[]>, key: string, value: T): void {
  const list = map.get(key);
  if (list) list.push(value);
  else map.set(key, [value]);
}
