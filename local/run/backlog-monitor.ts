/**
 * How many copies each target region is owed, read from the writers' backlog tables themselves
 * (handlers/contract.ts BACKLOG_TABLE: partition key `<region>/<table>` of the target), not from what the
 * drainers report: per target, the entries every writable region's backlog holds for it. A backlog
 * in a region that cannot be read (it is down) counts with its last reading, and the total is
 * then marked incomplete.
 */
import { DynamoDBClient, QueryCommand } from '@aws-sdk/client-dynamodb';
import { BACKLOG_TABLE } from '../../handlers/contract';
import type { ReplicatedTablePlan } from './replication-plan';

export interface BacklogReading {
  readonly at: number;
  /** Entries waiting, per target region. */
  readonly depth: Readonly<Record<string, number>>;
  /** Every backlog was read (no source region was down). */
  readonly complete: boolean;
}

export class BacklogMonitor {
  readonly readings: BacklogReading[] = [];
  private readonly last = new Map<string, number>();
  private timer?: NodeJS.Timeout;
  private reading?: Promise<void>;

  constructor(
    private readonly plan: ReplicatedTablePlan,
    private readonly clients: Record<string, DynamoDBClient>,
    private readonly pollMs = 500,
  ) {}

  /** Regions the writers copy into. */
  get targets(): string[] {
    return [...this.plan.writable, ...Object.keys(this.plan.readOnly)];
  }

  start(): void {
    const tick = () => {
      this.reading ??= this.readNow()
        .then(() => undefined)
        .finally(() => (this.reading = undefined));
      this.timer = setTimeout(tick, this.pollMs);
    };
    tick();
  }

  async stop(): Promise<void> {
    clearTimeout(this.timer);
    await this.reading;
  }

  /** The latest reading (all zero before the first). */
  get latest(): BacklogReading {
    return this.readings[this.readings.length - 1] ?? { at: 0, depth: {}, complete: false };
  }

  /** Resolves with the first complete reading taken at or after `since` in which `target` owes nothing. */
  async emptyFor(target: string, since: number, timeoutMs: number): Promise<BacklogReading> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const r = this.readings.find((x) => x.at >= since && x.complete && !x.depth[target]);
      if (r) return r;
      if (Date.now() > deadline)
        throw new Error(`the backlogs still hold ${this.latest.depth[target] ?? '?'} copies for ${target} after ${timeoutMs} ms`);
      await new Promise((resolve) => setTimeout(resolve, this.pollMs / 2));
    }
  }

  /** Resolves when a complete reading taken after this call shows every backlog empty. */
  async empty(timeoutMs: number): Promise<void> {
    const since = Date.now();
    await Promise.all(this.targets.map((t) => this.emptyFor(t, since, timeoutMs)));
  }

  /** Reads every backlog now (the reading is also kept). */
  async readNow(): Promise<BacklogReading> {
    let complete = true;
    const depth: Record<string, number> = Object.fromEntries(this.targets.map((t) => [t, 0]));
    await Promise.all(
      Object.entries(this.plan.backlogs).flatMap(([source, table]) =>
        this.targets
          .filter((t) => t !== source)
          .map(async (target) => {
            const id = `${source}>${target}`;
            try {
              this.last.set(id, await count(this.clients[source], table, `${target}/${this.plan.table}`));
            } catch {
              complete = false;
            }
            depth[target] += this.last.get(id) ?? 0;
          }),
      ),
    );
    const reading = { at: Date.now(), depth, complete };
    this.readings.push(reading);
    return reading;
  }
}

async function count(client: DynamoDBClient, table: string, target: string): Promise<number> {
  let n = 0;
  let start: Record<string, any> | undefined;
  do {
    const page = await client.send(
      new QueryCommand({
        TableName: table,
        KeyConditionExpression: '#t = :t',
        ExpressionAttributeNames: { '#t': BACKLOG_TABLE.partitionKey },
        ExpressionAttributeValues: { ':t': { S: target } },
        Select: 'COUNT',
        ConsistentRead: true,
        ExclusiveStartKey: start,
      }),
    );
    n += page.Count ?? 0;
    start = page.LastEvaluatedKey;
  } while (start);
  return n;
}
