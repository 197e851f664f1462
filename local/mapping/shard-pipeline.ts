/**
 * One shard as the mapping processes it: polled about four times a second while it is quiet (at
 * once again while it returns records), its records filtered, then split into
 * ParallelizationFactor lanes by a hash of the partition key, so records of one key stay in
 * order while different keys are processed concurrently. Each lane gathers a batch until it is
 * full or the batching window has passed since its first record, then delivers it
 * (batch-delivery.ts). The shard is done when it is closed, read to the end and every lane is
 * empty: only then may its children be read.
 */
import type { DynamoDBRecord } from 'aws-lambda';
import type { _Record, DynamoDBStreamsClient } from '@aws-sdk/client-dynamodb-streams';
import { matchesAny } from '../../handlers/common/filter-pattern';
import { toLambdaRecord } from '../../handlers/common/stream-record';
import { ShardReader, StartingPosition } from '../stream/shard-reader';
import { deliverInOrder, DeliveryHooks } from './batch-delivery';
import type { MappingSettings } from './settings';

export interface ShardContext {
  readonly streams: DynamoDBStreamsClient;
  readonly streamArn: string;
  readonly region: string;
  readonly settings: MappingSettings;
  readonly partitionKey: string;
  readonly pollIntervalMs: number;
  readonly now: () => number;
  /** When the mapping first read each record (its age is measured from there, see event-source-mapping.ts). */
  readonly firstSeen: WeakMap<DynamoDBRecord, number>;
  /** Builds the delivery hooks of one shard (invoke, discard with the shard's coordinates, ...). */
  hooks(shardId: string): DeliveryHooks;
  /** Records dropped by the filter criteria. */
  filtered(count: number): void;
  /** Something failed that the mapping goes on after (a poll: retried; a delivery hook: reported). */
  reportError(message: string): void;
}

/** Records buffered per lane before the poller waits for the lane to catch up. */
const MAX_BUFFERED_PER_LANE = 2000;

/** FNV-1a: a stable spread of partition keys over lanes. */
function laneOf(key: string, lanes: number): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < key.length; i++) h = Math.imul(h ^ key.charCodeAt(i), 0x01000193) >>> 0;
  return h % lanes;
}

class Lane {
  readonly buffer: DynamoDBRecord[] = [];
  private firstBufferedAt = 0;
  private running?: Promise<void>;
  busy = false;

  constructor(
    private readonly ctx: ShardContext,
    private readonly hooks: DeliveryHooks,
  ) {}

  push(records: DynamoDBRecord[]): void {
    if (!this.buffer.length) this.firstBufferedAt = this.ctx.now();
    this.buffer.push(...records);
    // A delivery hook that throws (a destination that refused an on-failure record) stops this
    // lane's batch; the error is reported and the lane goes on with what it has buffered.
    this.running ??= this.run()
      .catch((e) => this.ctx.reportError(`a delivery failed: ${(e as Error).message}`))
      .finally(() => (this.running = undefined));
  }

  get idle(): boolean {
    return !this.buffer.length && !this.busy;
  }

  async settled(): Promise<void> {
    while (this.running) await this.running;
  }

  private async run(): Promise<void> {
    const { batchSize, maxBatchingWindowMs } = this.ctx.settings;
    while (this.buffer.length) {
      const waited = this.ctx.now() - this.firstBufferedAt;
      if (this.buffer.length < batchSize && waited < maxBatchingWindowMs) {
        await sleep(Math.min(maxBatchingWindowMs - waited, 50));
        continue;
      }
      // Full batches only while the window is still open; everything once it has passed.
      const take = waited >= maxBatchingWindowMs ? this.buffer.length : this.buffer.length - (this.buffer.length % batchSize);
      const records = this.buffer.splice(0, take);
      this.firstBufferedAt = this.ctx.now();
      this.busy = true;
      try {
        await deliverInOrder(records, this.ctx.settings, this.hooks);
      } finally {
        this.busy = false;
      }
    }
  }
}

export class ShardPipeline {
  private readonly reader: ShardReader;
  private readonly lanes: Lane[];
  private stopped = false;
  /** Poll counter value when the last poll that found nothing new started. */
  lastQuietPoll = -1;
  running: Promise<void>;

  constructor(
    private readonly ctx: ShardContext,
    readonly shardId: string,
    start: StartingPosition,
    private readonly tick: () => number,
  ) {
    this.reader = new ShardReader(ctx.streams, ctx.streamArn, shardId, start);
    const hooks = ctx.hooks(shardId);
    this.lanes = Array.from({ length: ctx.settings.parallelizationFactor }, () => new Lane(ctx, hooks));
    this.running = this.poll();
  }

  /** Read to its end and every record delivered or discarded: its children may start. */
  get done(): boolean {
    return this.reader.exhausted && this.lanes.every((l) => l.idle);
  }

  get idle(): boolean {
    return this.lanes.every((l) => l.idle);
  }

  get buffered(): number {
    return this.lanes.reduce((n, l) => n + l.buffer.length, 0);
  }

  stop(): void {
    this.stopped = true;
  }

  private async poll(): Promise<void> {
    const { settings } = this.ctx;
    while (!this.stopped && !this.reader.exhausted) {
      if (this.lanes.some((l) => l.buffer.length >= MAX_BUFFERED_PER_LANE)) {
        await sleep(10);
        continue;
      }
      const started = this.tick();
      let page: _Record[];
      try {
        page = await this.reader.read();
      } catch (e) {
        this.ctx.reportError(`GetRecords on ${this.shardId} failed: ${(e as Error).message}`);
        await sleep(1000);
        continue;
      }
      if (!page.length) {
        if (this.idle) this.lastQuietPoll = started;
        if (!this.reader.exhausted) await sleep(this.ctx.pollIntervalMs);
        continue;
      }
      const records = page.map((r) => toLambdaRecord(r, this.ctx.streamArn, this.ctx.region));
      const seenAt = this.ctx.now();
      for (const r of records) this.ctx.firstSeen.set(r, seenAt);
      const passing = records.filter((r) => matchesAny(r, settings.filters));
      if (passing.length < records.length) this.ctx.filtered(records.length - passing.length);
      const perLane = new Map<number, DynamoDBRecord[]>();
      for (const r of passing) {
        const lane = laneOf(JSON.stringify(r.dynamodb?.Keys?.[this.ctx.partitionKey] ?? r.dynamodb?.Keys), this.lanes.length);
        if (!perLane.has(lane)) perLane.set(lane, []);
        perLane.get(lane)!.push(r);
      }
      for (const [lane, rs] of perLane) this.lanes[lane].push(rs);
    }
    await Promise.all(this.lanes.map((l) => l.settled()));
  }
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
