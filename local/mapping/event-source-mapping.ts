/**
 * A Lambda event source mapping for a DynamoDB stream, run locally against DynamoDB Local's real
 * stream API. One instance per synthesized `aws_lambda_event_source_mapping`: it discovers the
 * stream's shards, reads each in lineage order (a child after its parent is done) from its
 * starting position, and delivers records with the semantics of shard-pipeline.ts and
 * batch-delivery.ts; batches it gives up on are reported to `onFailure` in AWS's on-failure
 * record format. `drain()` waits until everything written before the call has been processed.
 *
 * Record age (MaximumRecordAgeInSeconds) is measured from the record's creation time as the
 * stream reports it, which DynamoDB Local rounds down to the minute (DynamoDB to the second):
 * a record counts as created at the end of that interval, or when the mapping first read it if
 * that is earlier, so a record is never discarded before AWS would discard it.
 */
import type { DynamoDBRecord, DynamoDBStreamEvent } from 'aws-lambda';
import type { DynamoDBStreamsClient } from '@aws-sdk/client-dynamodb-streams';
import { describeShards, readableShards } from '../stream/shards';
import type { DeliveryHooks, Discard, InvokeResult, Outcome } from './batch-delivery';
import { onFailureRecord, OnFailureRecord } from './on-failure-record';
import type { MappingSettings } from './settings';
import { ShardPipeline, sleep } from './shard-pipeline';

/** DynamoDB Local rounds ApproximateCreationDateTime down to the minute. */
const CREATION_TIME_PRECISION_MS = 60_000;

export interface MappingListener {
  invoked?(mapping: string, records: DynamoDBRecord[], result: InvokeResult, outcome: Outcome, ms: number): void;
  discarded?(mapping: string, discard: Discard): void;
  filtered?(mapping: string, count: number): void;
  error?(mapping: string, message: string): void;
}

export interface MappingOptions {
  /** Names the mapping in errors and progress (its resource address, for instance). */
  readonly name: string;
  readonly streams: DynamoDBStreamsClient;
  readonly streamArn: string;
  /** The region the records say they come from (`awsRegion`). */
  readonly region: string;
  readonly settings: MappingSettings;
  /** The table's partition key: records of one key stay in order across parallel lanes. */
  readonly partitionKey: string;
  /** The ARN the on-failure record names as the function. */
  readonly functionArn: string;
  invoke(event: DynamoDBStreamEvent): Promise<InvokeResult>;
  /** Receives the on-failure record of every batch given up on, with the resolved destination. */
  onFailure?(record: OnFailureRecord): Promise<void>;
  /** Pause between polls of a shard that returned nothing. @default 250 (Lambda polls 4 times a second) */
  readonly pollIntervalMs?: number;
  /** Pause before the n-th retry of a failed batch. @default min(100 * 2^(n-1), 5000) ms */
  readonly retryBackoffMs?: (retry: number) => number;
  readonly now?: () => number;
  readonly listener?: MappingListener;
}

export class EventSourceMapping {
  private readonly pipelines = new Map<string, ShardPipeline>();
  private readonly finished = new Set<string>();
  private readonly firstSeen = new WeakMap<DynamoDBRecord, number>();
  private polls = 0;
  private stopped = false;
  private discovering?: Promise<void>;
  private discoveryTimer?: NodeJS.Timeout;
  private started?: Promise<void>;

  constructor(private readonly options: MappingOptions) {}

  get name(): string {
    return this.options.name;
  }

  get settings(): MappingSettings {
    return this.options.settings;
  }

  /** Starts polling (a disabled mapping stays idle). Resolves once the shards are known. */
  start(): Promise<void> {
    if (!this.options.settings.enabled) return Promise.resolve();
    return (this.started ??= this.discover(this.options.settings.startingPosition).then(() => {
      this.discoveryTimer = setInterval(() => void this.discover('TRIM_HORIZON'), 5000);
      this.discoveryTimer.unref();
    }));
  }

  /** Stops polling and waits for in-flight batches to finish. */
  async stop(): Promise<void> {
    this.stopped = true;
    if (this.discoveryTimer) clearInterval(this.discoveryTimer);
    for (const p of this.pipelines.values()) p.stop();
    await Promise.all([...this.pipelines.values()].map((p) => p.running));
  }

  /** Records read from the stream but not yet delivered or discarded. */
  get buffered(): number {
    return [...this.pipelines.values()].reduce((n, p) => n + p.buffered, 0);
  }

  /**
   * Resolves once every record written before the call was delivered or discarded: every shard
   * being read has since come back empty from a poll that started after the call, with nothing
   * left in its lanes.
   */
  async drain(timeoutMs = 60_000): Promise<void> {
    if (!this.options.settings.enabled) return;
    await this.start();
    const since = this.polls;
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      await this.discovering;
      const open = [...this.pipelines.values()].filter((p) => !this.finished.has(p.shardId));
      // A shard read to its end is not finished until discovery has started its children.
      if (open.length && open.every((p) => !p.done && p.lastQuietPoll > since && p.idle)) return;
      if (Date.now() > deadline) {
        throw new Error(`${this.name}: not drained after ${timeoutMs} ms (${this.buffered} records buffered in ${open.length} shard(s))`);
      }
      await sleep(10);
    }
  }

  private discover(position: MappingSettings['startingPosition']): Promise<void> {
    if (this.stopped) return Promise.resolve();
    const run = async () => {
      const shards = await describeShards(this.options.streams, this.options.streamArn);
      const initial = this.pipelines.size === 0 && this.finished.size === 0;
      if (position === 'LATEST' && initial) {
        // LATEST: only records written after the mapping starts; closed shards hold none.
        for (const s of shards) if (s.endingSequenceNumber) this.finished.add(s.shardId);
      }
      for (const shard of readableShards(shards, this.finished)) {
        if (this.pipelines.has(shard.shardId)) continue;
        const pipeline = new ShardPipeline(this.context(), shard.shardId, initial ? position : 'TRIM_HORIZON', () => ++this.polls);
        this.pipelines.set(shard.shardId, pipeline);
        void pipeline.running.then(() => {
          if (!pipeline.done || this.stopped) return;
          this.finished.add(shard.shardId);
          return this.discover('TRIM_HORIZON');
        });
      }
    };
    const previous = this.discovering ?? Promise.resolve();
    const next = previous
      .then(run)
      .catch((e) => this.options.listener?.error?.(this.name, `DescribeStream failed: ${(e as Error).message}`));
    this.discovering = next;
    return next;
  }

  private context() {
    const o = this.options;
    const now = o.now ?? Date.now;
    return {
      streams: o.streams,
      streamArn: o.streamArn,
      region: o.region,
      settings: o.settings,
      partitionKey: o.partitionKey,
      pollIntervalMs: o.pollIntervalMs ?? 250,
      now,
      firstSeen: this.firstSeen,
      hooks: (shardId: string) => this.hooks(shardId, now),
      filtered: (n: number) => o.listener?.filtered?.(this.name, n),
      reportError: (message: string) => o.listener?.error?.(this.name, message),
    };
  }

  private hooks(shardId: string, now: () => number): DeliveryHooks {
    const o = this.options;
    return {
      invoke: (records) => o.invoke({ Records: records }),
      invoked: (records, result, outcome, ms) => o.listener?.invoked?.(this.name, records, result, outcome, ms),
      discard: async (discard) => {
        o.listener?.discarded?.(this.name, discard);
        if (o.onFailure)
          await o.onFailure(onFailureRecord(discard, { functionArn: o.functionArn, shardId, streamArn: o.streamArn, now: now() }));
      },
      createdAt: (record) => {
        const reported = (record.dynamodb?.ApproximateCreationDateTime ?? 0) * 1000 + CREATION_TIME_PRECISION_MS;
        return Math.min(reported, this.firstSeen.get(record) ?? reported);
      },
      now,
      backoff: (retry) => sleep(o.retryBackoffMs ? o.retryBackoffMs(retry) : Math.min(100 * 2 ** (retry - 1), 5000)),
    };
  }
}
