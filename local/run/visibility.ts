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
}

export class VisibilityTracker {
  /** Lags of writes visible everywhere, ms, in completion order. */
  readonly lags: { ms: number; viaHelper: boolean }[] = [];
  private readonly pending = new Map<string, Pending>();
  private readonly regions: string[];
  private timer?: NodeJS.Timeout;
  private polling = false;

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
    this.pending.set(write.key, { write, waitingFor: new Set(this.regions.filter((r) => r !== write.region)), key: this.keyOf(write.key) });
  }

  get waiting(): number {
    return this.pending.size;
  }

  start(): void {
    this.timer = setInterval(() => void this.poll(), this.pollMs);
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

  private async poll(): Promise<void> {
    if (this.polling || !this.pending.size) return;
    this.polling = true;
    try {
      await Promise.all(this.regions.map((r) => this.pollRegion(r)));
    } finally {
      this.polling = false;
    }
  }

  private async pollRegion(region: string): Promise<void> {
    const wanted = [...this.pending.values()].filter((p) => p.waitingFor.has(region));
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
