/**
 * DynamoDB Local has no Kinesis streaming destination: this bridge plays it. It reads a table's
 * real DynamoDB Local stream and puts each change into a kinesis-local stream in AWS's format for
 * Kinesis Data Streams for DynamoDB (the record data is the change as JSON: awsRegion, eventID,
 * eventName, userIdentity, recordFormat, tableName, dynamodb {ApproximateCreationDateTime,
 * ApproximateCreationDateTimePrecision, Keys, NewImage, OldImage, SizeBytes}, eventSource), with
 * the partition key an MD5 of the item key as DynamoDB uses, so one item stays on one shard.
 *
 * AWS documents that these records can arrive out of order and more than once; `inject` lets a
 * test choose exactly that: duplicate, reorder or drop-and-redeliver the changes of each pump.
 * `shuffled(seed)` and `duplicated(every)` are ready-made injections.
 *
 * Faithfulness limits (DynamoDB Local, not the bridge): creation times have whole-second
 * precision there, so millisecond values end in 000 unless `creationTimeMs` is given.
 */
import { createHash } from 'crypto';
import type { DynamoDBRecord } from 'aws-lambda';
import { DynamoDBStreamsClient } from '@aws-sdk/client-dynamodb-streams';
import { KinesisClient, PutRecordsCommand } from '@aws-sdk/client-kinesis';
import { StreamReader } from './streams';

/** One change as the bridge puts it into Kinesis. */
export interface BridgedChange {
  readonly partitionKey: string;
  /** The record data: the change as DynamoDB writes it to Kinesis. */
  readonly data: KinesisChangeJson;
  /** The DynamoDB Local stream record it came from. */
  readonly from: DynamoDBRecord;
}

export interface KinesisChangeJson {
  awsRegion: string;
  eventID: string;
  eventName: string;
  userIdentity: { type: string; principalId: string } | null;
  recordFormat: 'application/json';
  tableName: string;
  dynamodb: {
    ApproximateCreationDateTime: number;
    ApproximateCreationDateTimePrecision: 'MILLISECOND' | 'MICROSECOND';
    Keys: unknown;
    NewImage?: unknown;
    OldImage?: unknown;
    SizeBytes: number;
  };
  eventSource: 'aws:dynamodb';
}

export interface BridgeOptions {
  readonly streams: DynamoDBStreamsClient;
  /** The table's DynamoDB Local stream ARN. */
  readonly tableStreamArn: string;
  readonly tableName: string;
  /** The region the changes name (DynamoDB Local's stream ARNs say "ddblocal"). */
  readonly region: string;
  readonly kinesis: KinesisClient;
  readonly kinesisStreamName: string;
  /** @default 'MILLISECOND' (what TableKinesisStream configures) */
  readonly precision?: 'MILLISECOND' | 'MICROSECOND';
  /** Creation time of a change in epoch ms. @default DynamoDB Local's (whole seconds) */
  readonly creationTimeMs?: (record: DynamoDBRecord) => number;
  /** Rewrites each pump's changes before they are put: duplicate, reorder, delay. @default as they came */
  readonly inject?: (changes: BridgedChange[]) => BridgedChange[];
  /** Where the table's changes are read (e.g. a read shared with a test's oracle). @default a StreamReader of `tableStreamArn` */
  readonly changes?: { readNew(): Promise<DynamoDBRecord[]> };
}

/** The Kinesis-for-DynamoDB JSON of one DynamoDB stream record (Lambda shape: base64 binaries, `{"M":{}}` maps). */
export function kinesisChangeOf(
  r: DynamoDBRecord,
  o: Pick<BridgeOptions, 'tableName' | 'region' | 'precision' | 'creationTimeMs'>,
): KinesisChangeJson {
  const d = r.dynamodb ?? {};
  const ms = o.creationTimeMs ? o.creationTimeMs(r) : (d.ApproximateCreationDateTime ?? 0) * 1000;
  const precision = o.precision ?? 'MILLISECOND';
  const ui = r.userIdentity as { type?: string; principalId?: string } | undefined;
  return {
    awsRegion: o.region,
    eventID: r.eventID!,
    eventName: r.eventName!,
    userIdentity: ui ? { type: ui.type!, principalId: ui.principalId! } : null,
    recordFormat: 'application/json',
    tableName: o.tableName,
    dynamodb: {
      ApproximateCreationDateTime: precision === 'MICROSECOND' ? Math.round(ms * 1000) : Math.round(ms),
      ApproximateCreationDateTimePrecision: precision,
      Keys: d.Keys,
      ...(d.NewImage ? { NewImage: d.NewImage } : {}),
      ...(d.OldImage ? { OldImage: d.OldImage } : {}),
      SizeBytes: d.SizeBytes ?? 0,
    },
    eventSource: 'aws:dynamodb',
  };
}

/** DynamoDB routes an item's changes by a hash of its key: the same item always lands on the same shard. */
export function partitionKeyOf(keys: unknown): string {
  const canonical = JSON.stringify(Object.entries(keys as Record<string, unknown>).sort(([a], [b]) => (a < b ? -1 : 1)));
  return createHash('md5').update(canonical).digest('hex').toUpperCase();
}

export class DynamoDbToKinesisBridge {
  private readonly reader: { readNew(): Promise<DynamoDBRecord[]> };
  /** Every change put so far, in put order (duplicates included). */
  readonly put: BridgedChange[] = [];

  constructor(private readonly o: BridgeOptions) {
    this.reader = o.changes ?? new StreamReader(o.streams, o.tableStreamArn, o.region);
  }

  /** Copies the stream records written since the last pump into Kinesis; returns what was put. */
  async pump(): Promise<BridgedChange[]> {
    const fresh = (await this.reader.readNew()).map((from) => ({
      partitionKey: partitionKeyOf(from.dynamodb!.Keys),
      data: kinesisChangeOf(from, this.o),
      from,
    }));
    const changes = this.o.inject ? this.o.inject(fresh) : fresh;
    for (let i = 0; i < changes.length; i += 500) {
      const chunk = changes.slice(i, i + 500);
      const out = await this.o.kinesis.send(
        new PutRecordsCommand({
          StreamName: this.o.kinesisStreamName,
          Records: chunk.map((c) => ({ PartitionKey: c.partitionKey, Data: Buffer.from(JSON.stringify(c.data)) })),
        }),
      );
      if (out.FailedRecordCount)
        throw new Error(`kinesis-local refused ${out.FailedRecordCount} records: ${JSON.stringify(out.Records?.find((r) => r.ErrorCode))}`);
    }
    this.put.push(...changes);
    return changes;
  }
}

/** A deterministic pseudo-random generator (mulberry32), so an injected schedule replays from its seed. */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Injection: the changes of each pump in a random order (Fisher-Yates with a seeded generator). */
export function shuffled(seed: number): (changes: BridgedChange[]) => BridgedChange[] {
  const random = seededRandom(seed);
  return (changes) => {
    const out = [...changes];
    for (let i = out.length - 1; i > 0; i--) {
      const j = Math.floor(random() * (i + 1));
      [out[i], out[j]] = [out[j], out[i]];
    }
    return out;
  };
}

/** Injection: every `every`-th change is put twice, the copy right after the original. */
export function duplicated(every: number): (changes: BridgedChange[]) => BridgedChange[] {
  return (changes) => changes.flatMap((c, i) => ((i + 1) % every === 0 ? [c, c] : [c]));
}

/** Composes injections left to right. */
export function inOrder(...steps: ((changes: BridgedChange[]) => BridgedChange[])[]): (changes: BridgedChange[]) => BridgedChange[] {
  return (changes) => steps.reduce((acc, step) => step(acc), changes);
}
