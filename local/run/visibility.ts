/**
 * Write-to-visible lag: for each timed write (a put of a new key, load.ts), the time from the
 * write's acknowledgement until a strongly consistent read finds it (its `writeId`) in every
 * other region of the table, writable or read-only. Each region is read every `pollMs` with
 * BatchGetItem for all the keys it still lacks, so a measured lag overstates the true one by up
 * to one poll interval (half of it on average).
 */
import { AttributeValue, BatchGetItemCommand, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { TimedWrite } from './load';
import type { ReplicatedTablePlan } from './replication-plan';

interface Pending {
  readonly write: TimedWrite;
  readonly waitingFor: Set<string>;
  readonly key: Record<string, AttributeValue>;
  /** When each region first showed the write, epoch ms. */
  readonly seen: Map<string, number>;
}

export interface Arrivals {
  readonly write: TimedWrite;
  readonly seen: ReadonlyMap<string, number>;
}

export class VisibilityTracker {
  /** Lags of writes visible everywhere, ms, in completion order. */
  readonly lags: { ms: number; viaHelper: boolean }[] = [];
  /** Polls of a region that failed (it could not be read). */
  readonly unreadable: Record<string, number> = {};
  private readonly pending = new Map<string, Pending>();
  private readonly tracked: Pending[] = [];
  private readonly regions: string[];
  private timer?: NodeJS.Timeout;
  private readonly polling = new Set<string>();

  constructor(
    private readonly plan: ReplicatedTablePlan,
    private readonly clients: Record<string, DynamoDBClient>,
    private readonly keyOf: (key: string) => Record<string, AttributeValue>,
    private readonly onVisible: (key: string) => void,
    private readonly pollMs = 20,
  ) {
    this.regions = [...plan.writable, ...Object.keys(plan.readOnly)];
  }

  track(write: TimedWrite): void {
    const p = { write, waitingFor: new Set(this.regions.filter((r) => r !== write.region)), key: this.keyOf(write.key), seen: new Map() };
    this.pending.set(write.key, p);
    this.tracked.push(p);
  }

  /** Every write tracked so far with the regions that showed it, visible everywhere or not. */
  arrivals(): Arrivals[] {
    return this.tracked;
  }

  /** Forgets what was tracked so far (the warm-up's writes). */
  reset(): void {
    this.lags.length = 0;
    this.tracked.length = 0;
  }

  get waiting(): number {
    return this.pending.size;
  }

  start(): void {
    this.timer = setInterval(() => this.poll(), this.pollMs);
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
  }

  /** Resolves when every tracked write is visible everywhere, or rejects after `timeoutMs`. */
  async settle(timeoutMs: number): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (this.pending.size) {
      if (Date.now() > deadline)
        throw new Error(
          `${this.pending.size} write(s) not visible in every region after ${timeoutMs} ms, e.g. ${[...this.pending.values()][0].write.writeId}`,
        );
      await new Promise((r) => setTimeout(r, this.pollMs));
    }
  }

  /** Each region on its own: one that is slow or down does not delay the others' readings. */
  private poll(): void {
    if (!this.pending.size) return;
    for (const region of this.regions) {
      if (this.polling.has(region)) continue;
      this.polling.add(region);
      void this.pollRegion(region).finally(() => this.polling.delete(region));
    }
  }

  private async pollRegion(region: string): Promise<void> {
    const wanted = [...this.pending.values()].filter((p) => p.waitingFor.has(region));
    try {
      await this.pollKeys(region, wanted);
    } catch {
      this.unreadable[region] = (this.unreadable[region] ?? 0) + 1;
    }
  }

  private async pollKeys(region: string, wanted: Pending[]): Promise<void> {
    for (let i = 0; i < wanted.length; i += 100) {
      const chunk = wanted.slice(i, i + 100);
      const out = await this.clients[region].send(
        new BatchGetItemCommand({
          RequestItems: {
            [this.plan.table]: {
              Keys: chunk.map((p) => p.key),
              ConsistentRead: true,
              ProjectionExpression: '#k, writeId',
              ExpressionAttributeNames: { '#k': this.plan.partitionKey },
            },
          },
        }),
      );
      const now = Date.now();
      const seen = new Map(
        (out.Responses?.[this.plan.table] ?? []).map((item) => [keyText(item[this.plan.partitionKey]), item.writeId?.S]),
      );
      for (const p of chunk) {
        if (seen.get(keyText(p.key[this.plan.partitionKey])) !== p.write.writeId) continue;
        p.waitingFor.delete(region);
        p.seen.set(region, now);
        if (p.waitingFor.size) continue;
        this.pending.delete(p.write.key);
        this.lags.push({ ms: now - p.write.at, viaHelper: p.write.viaHelper });
        this.onVisible(p.write.key);
      }
    }
  }
}

function keyText(v: AttributeValue | undefined): string {
  return JSON.stringify(v);
}

/** The value at the given percentile (0..100) of `xs`, nearest rank. */
export function percentile(xs: readonly number[], p: number): number {
  if (!xs.length) return NaN;
  const sorted = [...xs].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))];
}
