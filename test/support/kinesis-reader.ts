/**
 * Reads a kinesis-local stream the two ways a Lambda event source mapping does, and hands the
 * records on in the exact shape Lambda gives a Kinesis handler (handlers/redrive/kinesis-lambda-record.ts):
 * - `KinesisShardReader`: shared throughput, GetShardIterator + GetRecords per shard;
 * - `subscribeRecords`: enhanced fan-out, SubscribeToShard on a registered consumer (HTTP/2).
 * `deliverInBatches` plays the mapping's delivery for one shard: batches of `batchSize`, retry from
 * the lowest failure a handler reports (ReportBatchItemFailures), give up after `retryAttempts`
 * and report the batch's coordinates, as Lambda's on-failure record does.
 */
import type { KinesisStreamEvent, KinesisStreamRecord } from 'aws-lambda';
import {
  GetRecordsCommand,
  GetShardIteratorCommand,
  KinesisClient,
  ListShardsCommand,
  ShardIteratorType,
  SubscribeToShardCommand,
} from '@aws-sdk/client-kinesis';
import { toLambdaKinesisRecord } from '../../handlers/redrive/kinesis-lambda-record';

export interface ReaderStart {
  readonly type: 'TRIM_HORIZON' | 'LATEST' | 'AT_TIMESTAMP';
  readonly timestamp?: Date;
}

/** Follows every shard of a stream (shared throughput) and returns each record once, in shard order. */
export class KinesisShardReader {
  private readonly iterators = new Map<string, string | undefined>();
  private listed?: string[];

  constructor(
    private readonly client: KinesisClient,
    readonly streamArn: string,
    readonly region: string,
    private readonly options: {
      readonly invokeIdentityArn?: string;
      readonly start?: ReaderStart;
      /** The stream is never resharded while read: list its shards once, not before every read. @default false */
      readonly fixedShards?: boolean;
    } = {},
  ) {}

  async shardIds(): Promise<string[]> {
    if (this.listed) return this.listed;
    const out = await this.client.send(new ListShardsCommand({ StreamARN: this.streamArn }));
    const ids = (out.Shards ?? []).map((s) => s.ShardId!);
    if (this.options.fixedShards) this.listed = ids;
    return ids;
  }

  /** Every record put since the previous call, shard by shard. */
  async readNew(): Promise<KinesisStreamRecord[]> {
    const out: KinesisStreamRecord[] = [];
    for (const shardId of await this.shardIds()) {
      let iterator = this.iterators.get(shardId);
      if (!this.iterators.has(shardId)) {
        const start = this.options.start ?? { type: 'TRIM_HORIZON' };
        const it = await this.client.send(
          new GetShardIteratorCommand({
            StreamARN: this.streamArn,
            ShardId: shardId,
            ShardIteratorType: start.type as ShardIteratorType,
            Timestamp: start.timestamp,
          }),
        );
        iterator = it.ShardIterator;
      }
      while (iterator) {
        const page = await this.client.send(new GetRecordsCommand({ StreamARN: this.streamArn, ShardIterator: iterator, Limit: 1000 }));
        const ctx = { streamArn: this.streamArn, shardId, region: this.region, invokeIdentityArn: this.options.invokeIdentityArn };
        out.push(...(page.Records ?? []).map((r) => toLambdaKinesisRecord(r, ctx)));
        iterator = page.NextShardIterator;
        if (!page.Records?.length || page.MillisBehindLatest === 0) break;
      }
      this.iterators.set(shardId, iterator);
    }
    return out;
  }
}

/**
 * Enhanced fan-out: subscribes a registered consumer to one shard and collects the pushed records
 * until `count` arrived or the subscription is idle for `idleMs`.
 */
export async function subscribeRecords(
  client: KinesisClient,
  target: { consumerArn: string; streamArn: string; shardId: string; region: string; invokeIdentityArn?: string },
  options: { count: number; idleMs?: number; start?: ReaderStart },
): Promise<KinesisStreamRecord[]> {
  const start = options.start ?? { type: 'TRIM_HORIZON' };
  const abort = new AbortController();
  const out: KinesisStreamRecord[] = [];
  let idle: NodeJS.Timeout | undefined;
  const arm = () => {
    clearTimeout(idle);
    idle = setTimeout(() => abort.abort(), options.idleMs ?? 5000);
  };
  arm();
  try {
    const sub = await client.send(
      new SubscribeToShardCommand({
        ConsumerARN: target.consumerArn,
        ShardId: target.shardId,
        StartingPosition: { Type: start.type as ShardIteratorType, Timestamp: start.timestamp },
      }),
      { abortSignal: abort.signal },
    );
    for await (const event of sub.EventStream ?? []) {
      arm();
      const ctx = {
        streamArn: target.streamArn,
        shardId: target.shardId,
        region: target.region,
        invokeIdentityArn: target.invokeIdentityArn,
      };
      out.push(...(event.SubscribeToShardEvent?.Records ?? []).map((r) => toLambdaKinesisRecord(r, ctx)));
      if (out.length >= options.count) break;
    }
  } catch (e) {
    if (!abort.signal.aborted) throw e;
  } finally {
    clearTimeout(idle);
    abort.abort();
  }
  return out;
}

export interface GivenUpBatch {
  readonly shardId: string;
  readonly startSequenceNumber: string;
  readonly endSequenceNumber: string;
  readonly batchSize: number;
  readonly records: KinesisStreamRecord[];
}

export interface DeliveryOptions {
  readonly batchSize: number;
  /** Retries of a failing batch before it is given up (reported to `onGiveUp`). */
  readonly retryAttempts: number;
  readonly onGiveUp?: (batch: GivenUpBatch) => Promise<void> | void;
}

/**
 * Delivers one shard's records to a handler as an event source mapping with
 * ReportBatchItemFailures does: in order, in batches; a failure report makes the next batch start
 * at the lowest failed record; a batch that keeps failing is given up after its retries and the
 * delivery moves past it. Returns the number of invocations.
 */
export async function deliverInBatches(
  records: KinesisStreamRecord[],
  handler: (event: KinesisStreamEvent) => Promise<{ batchItemFailures: { itemIdentifier: string }[] } | undefined>,
  o: DeliveryOptions,
): Promise<number> {
  let invocations = 0;
  let pos = 0;
  let retries = 0;
  while (pos < records.length) {
    const batch = records.slice(pos, pos + o.batchSize);
    invocations++;
    let failedAt: number;
    try {
      const res = await handler(JSON.parse(JSON.stringify({ Records: batch })));
      const ids = (res?.batchItemFailures ?? []).map((f) => batch.findIndex((r) => r.kinesis.sequenceNumber === f.itemIdentifier));
      // Lambda treats an identifier that is not in the batch as a failure of the whole batch.
      failedAt = ids.length === 0 ? -1 : ids.some((i) => i < 0) ? 0 : Math.min(...ids);
    } catch {
      failedAt = 0;
    }
    if (failedAt < 0) {
      pos += batch.length;
      retries = 0;
      continue;
    }
    pos += failedAt;
    if (++retries > o.retryAttempts) {
      const failed = records.slice(pos, pos + o.batchSize);
      await o.onGiveUp?.({
        shardId: failed[0].eventID.split(':')[0],
        startSequenceNumber: failed[0].kinesis.sequenceNumber,
        endSequenceNumber: failed[failed.length - 1].kinesis.sequenceNumber,
        batchSize: failed.length,
        records: failed,
      });
      pos += failed.length;
      retries = 0;
    }
  }
  return invocations;
}

/**
 * A table's changes as a Kinesis consumer sees them: each `readNew()` bridges what DynamoDB
 * Local's stream has new into Kinesis (with the bridge's injected duplicates and reordering), then
 * reads what Kinesis has new. It has the shape of test/support/streams.ts `StreamReader`, so a
 * test that drives handlers from readers (the replication property test's stepped mapping) can
 * take its records from the Kinesis source instead; `toDynamoDBRecord`
 * (handlers/common/kinesis-record.ts) gives DynamoDB-shaped records where a handler still takes those.
 */
export class KinesisChangeFeed {
  constructor(
    readonly bridge: { pump(): Promise<unknown> },
    readonly reader: KinesisShardReader,
  ) {}

  async readNew(): Promise<KinesisStreamRecord[]> {
    await this.bridge.pump();
    return this.reader.readNew();
  }
}
