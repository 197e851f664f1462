/**
 * A step-by-step stand-in for the event source mapping of each region, for property tests that
 * choose the interleaving: each step delivers the next few records of one region's stream
 * (per-shard order kept, as AWS does), optionally delivers the same batch twice, lets the
 * function "crash" after a number of SDK calls so the whole batch is delivered again later, or
 * makes the writes of one key fail (throttled) so the writer reports a partial failure and the
 * mapping resumes from it. Any batch delivered before can be delivered again at any later time,
 * as the mapping would (at-least-once) or as the redrive does (marked, out of stream order).
 */
import type { DynamoDBRecord, KinesisStreamRecord } from 'aws-lambda';
import { redriveEvent } from '../../../handlers/common/stream-record';
import type { ReplicateHandler } from '../../../handlers/replicate';

/** A record of either source, as Lambda delivers it. */
export type SourceRecord = DynamoDBRecord | KinesisStreamRecord;

/** What the mapping reads a region's changes from: its DynamoDB stream, or the table's Kinesis stream. */
export interface ChangeReader {
  readNew(): Promise<SourceRecord[]>;
  /** True while changes were read from the table but not yet handed on (a delayed delivery). */
  holding?(): boolean;
}

/** The identifier Lambda and ReportBatchItemFailures use for a record: its sequence number. */
export function recordId(r: SourceRecord): string | undefined {
  return 'kinesis' in r ? r.kinesis.sequenceNumber : r.dynamodb?.SequenceNumber;
}

/** Shared switch that makes SDK calls fail after `remaining` more, to cut a handler mid-batch. */
export class CrashSwitch {
  remaining = Infinity;
  crashes = 0;
  arm(afterCalls: number): void {
    this.remaining = afterCalls;
  }
  disarm(): void {
    this.remaining = Infinity;
  }
  /** Called by the wrapped client before each SDK call. */
  check(): void {
    if (this.remaining <= 0) {
      this.crashes++;
      throw Object.assign(new Error('injected crash: the function died mid-batch'), { name: 'InjectedCrash' });
    }
    this.remaining--;
  }
}

/** Shared switch that throttles every SDK call touching one item key (by its `pk`), to fail one key of a batch. */
export class KeyFault {
  private pk: string | undefined;
  injected = 0;
  arm(pk: string | undefined): void {
    this.pk = pk;
  }
  /** Called by the wrapped client with each command's input. */
  check(input: { Key?: Record<string, { S?: string }>; Item?: Record<string, { S?: string }> }): void {
    if (this.pk === undefined) return;
    if ((input.Key ?? input.Item)?.pk?.S === this.pk) {
      this.injected++;
      throw Object.assign(new Error(`injected throttling of ${this.pk}`), { name: 'ThrottlingException', $retryable: {} });
    }
  }
}

export interface StepOptions {
  /** Records in the batch. */
  readonly max: number;
  /** Deliver the batch a second time after it succeeded (at-least-once delivery). */
  readonly duplicate?: boolean;
  /** Crash after this many SDK calls; the batch stays pending and is delivered again. */
  readonly crashAfter?: number;
  /** Throttle every write of this item key during the invocation (a partial failure). */
  readonly failKey?: string;
}

export class SteppedMapping {
  private readonly pending: Record<string, SourceRecord[]> = {};
  /** Every record read from every region, in read order. */
  readonly seen: SourceRecord[] = [];
  /** Every batch delivered, per region, in delivery order. */
  readonly delivered: Record<string, SourceRecord[][]> = {};
  invocations = 0;
  partialFailures = 0;

  constructor(
    private readonly readers: Record<string, ChangeReader>,
    private readonly writers: Record<string, ReplicateHandler>,
    private readonly crash: CrashSwitch,
    private readonly fault: KeyFault = new KeyFault(),
  ) {
    for (const r of Object.keys(readers)) {
      this.pending[r] = [];
      this.delivered[r] = [];
    }
  }

  private async fill(region: string): Promise<void> {
    const fresh = await this.readers[region].readNew();
    this.seen.push(...fresh);
    this.pending[region].push(...fresh);
  }

  /** Delivers one batch of `region`'s stream; returns false when nothing was pending. */
  async step(region: string, options: StepOptions): Promise<boolean> {
    await this.fill(region);
    const queue = this.pending[region];
    if (queue.length === 0) return false;
    const batch = queue.slice(0, options.max);
    this.delivered[region].push(batch);
    if (options.crashAfter !== undefined) {
      this.crash.arm(options.crashAfter);
      try {
        this.invocations++;
        await this.writers[region](event(batch));
      } finally {
        this.crash.disarm();
      }
      // The invocation died: Lambda saw no response and will deliver the batch again.
      return true;
    }
    this.invocations++;
    this.fault.arm(options.failKey);
    let res: Awaited<ReturnType<(typeof this.writers)[string]>>;
    try {
      res = await this.writers[region](event(batch));
    } finally {
      this.fault.arm(undefined);
    }
    if (res.batchItemFailures.length) this.partialFailures++;
    const failed = res.batchItemFailures.map((f) => batch.findIndex((r) => recordId(r) === f.itemIdentifier));
    if (failed.some((i) => i < 0))
      throw new Error(`writer reported an identifier that is not in the batch: ${JSON.stringify(res.batchItemFailures)}`);
    const done = failed.length ? Math.min(...failed) : batch.length;
    if (options.duplicate && failed.length === 0) {
      this.invocations++;
      const again = await this.writers[region](event(batch));
      if (again.batchItemFailures.length) throw new Error(`a duplicate delivery failed: ${JSON.stringify(again.batchItemFailures)}`);
    }
    queue.splice(0, done);
    return true;
  }

  /**
   * Delivers the `index`-th batch `region` ever got (modulo their number) again, now: as the
   * mapping re-delivers (`redrive` false) or as the redrive re-invokes (`redrive` true, marked as
   * out of stream order). What it reports is ignored: the records were or will be delivered in order.
   */
  async replay(region: string, index: number, redrive: boolean): Promise<boolean> {
    const past = this.delivered[region];
    if (past.length === 0) return false;
    const batch = past[index % past.length];
    this.invocations++;
    await this.writers[region](redrive ? (redriveEvent(batch) as ReturnType<typeof event>) : event(batch));
    return true;
  }

  /** Delivers everything, in batches of `max`, until every stream is quiet. */
  async drain(max = 100, maxSteps = 500): Promise<void> {
    for (let i = 0; i < maxSteps; i++) {
      let any = false;
      for (const r of Object.keys(this.readers)) any = (await this.step(r, { max })) || any;
      if (!any && !Object.values(this.readers).some((r) => r.holding?.())) return;
    }
    throw new Error(`streams not quiet after ${maxSteps} rounds`);
  }
}

/** The event a mapping sends: its records, whichever the source. */
function event(records: SourceRecord[]): Parameters<ReplicateHandler>[0] {
  return { Records: records } as Parameters<ReplicateHandler>[0];
}
