/**
 * A step-by-step stand-in for the event source mapping of each region, for property tests that
 * choose the interleaving: each step delivers the next few records of one region's stream
 * (per-shard order kept, as AWS does), optionally delivers the same batch twice, or lets the
 * function "crash" after a number of SDK calls so the whole batch is delivered again later.
 * Every record ever read is kept, so the test can compute the LWW oracle from what was written.
 */
import type { DynamoDBRecord } from 'aws-lambda';
import type { ReplicateHandler } from '../../../handlers/replicate';
import { streamEvent, StreamReader } from '../../support/streams';

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

export interface StepOptions {
  /** Records in the batch. */
  readonly max: number;
  /** Deliver the batch a second time after it succeeded (at-least-once delivery). */
  readonly duplicate?: boolean;
  /** Crash after this many SDK calls; the batch stays pending and is delivered again. */
  readonly crashAfter?: number;
}

export class SteppedMapping {
  private readonly pending: Record<string, DynamoDBRecord[]> = {};
  /** Every record read from every region, in read order. */
  readonly seen: DynamoDBRecord[] = [];
  invocations = 0;

  constructor(
    private readonly readers: Record<string, StreamReader>,
    private readonly writers: Record<string, ReplicateHandler>,
    private readonly crash: CrashSwitch,
  ) {
    for (const r of Object.keys(readers)) this.pending[r] = [];
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
    if (options.crashAfter !== undefined) {
      this.crash.arm(options.crashAfter);
      try {
        this.invocations++;
        await this.writers[region](streamEvent(batch));
      } finally {
        this.crash.disarm();
      }
      // The invocation died: Lambda saw no response and will deliver the batch again.
      return true;
    }
    this.invocations++;
    const res = await this.writers[region](streamEvent(batch));
    const failed = res.batchItemFailures.map((f) => batch.findIndex((r) => r.dynamodb?.SequenceNumber === f.itemIdentifier));
    if (failed.some((i) => i < 0)) throw new Error(`writer reported an identifier that is not in the batch: ${JSON.stringify(res.batchItemFailures)}`);
    const done = failed.length ? Math.min(...failed) : batch.length;
    if (options.duplicate && failed.length === 0) {
      this.invocations++;
      const again = await this.writers[region](streamEvent(batch));
      if (again.batchItemFailures.length) throw new Error(`a duplicate delivery failed: ${JSON.stringify(again.batchItemFailures)}`);
    }
    queue.splice(0, done);
    return true;
  }

  /** Delivers everything, in batches of `max`, until every stream is quiet. */
  async drain(max = 100, maxSteps = 500): Promise<void> {
    for (let i = 0; i < maxSteps; i++) {
      let any = false;
      for (const r of Object.keys(this.readers)) any = (await this.step(r, { max })) || any;
      if (!any) return;
    }
    throw new Error(`streams not quiet after ${maxSteps} rounds`);
  }
}
