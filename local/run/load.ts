/**
 * Application writes for `npm run local` and the lag benchmark: a steady rate of writes to a
 * replicated table in every writable region, through the write helper and without it (plain
 * PutItem, UpdateItem, DeleteItem), including conflicting writes (one key written in two regions
 * at the same moment). Puts of new keys carry a unique `writeId`, so that their arrival in every
 * other region can be timed (visibility.ts); writes to existing keys are not timed, since a later
 * write may legitimately overtake them. The sequence is deterministic (seeded), the timing is
 * the clock's: a write that has not returned when the next one is due does not delay it. While a
 * region is unavailable (a simulated outage) the application fails over: its writes go to the
 * other writable regions. Every acknowledged write is recorded (ground-truth.ts), the oracle the
 * regions are checked against.
 */
import { AttributeValue, DeleteItemCommand, DynamoDBClient, PutItemCommand, UpdateItemCommand } from '@aws-sdk/client-dynamodb';
import { replicatedWrites, ReplicatedWrites } from '../../handlers/client';
import { RecordedWrite, WorkloadRecord } from './ground-truth';
import type { ReplicatedTablePlan } from './replication-plan';

export type WriteKind = 'helper-put' | 'plain-put' | 'helper-update' | 'plain-update' | 'helper-delete' | 'plain-delete' | 'conflict';

/** One cycle of the mix: 20 slots. */
const MIX: WriteKind[] = [
  'helper-put',
  'plain-put',
  'helper-put',
  'conflict',
  'helper-update',
  'plain-put',
  'helper-put',
  'plain-update',
  'helper-put',
  'conflict',
  'plain-put',
  'helper-put',
  'helper-delete',
  'helper-put',
  'plain-put',
  'plain-delete',
  'helper-update',
  'conflict',
  'helper-put',
  'plain-update',
];

export interface TimedWrite {
  readonly key: string;
  readonly writeId: string;
  readonly region: string;
  readonly viaHelper: boolean;
  /** When the write was acknowledged, epoch ms. */
  readonly at: number;
}

export interface LoadCounters {
  writes: number;
  byKind: Record<string, number>;
  errors: number;
  lastError?: string;
}

/** mulberry32: a small seeded generator, so every run writes the same sequence. */
function random(seed: number): () => number {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export class LoadGenerator {
  readonly counters: LoadCounters = { writes: 0, byKind: {}, errors: 0 };
  /** Every acknowledged write, by key: the ground truth. */
  readonly record = new WorkloadRecord();
  private readonly live: string[] = [];
  private readonly unavailable = new Set<string>();
  private readonly inFlight = new Map<string, Set<Promise<unknown>>>();
  private readonly helpers: Record<string, ReplicatedWrites>;
  private readonly rand = random(11);
  private n = 0;

  constructor(
    private readonly plan: ReplicatedTablePlan,
    private readonly clients: Record<string, DynamoDBClient>,
    private readonly timed: (write: TimedWrite) => void,
  ) {
    if (!plan.writable.length) throw new Error(`${plan.table}: no region has a replica writer; nothing to write to`);
    this.helpers = Object.fromEntries(plan.writable.map((r) => [r, replicatedWrites({ region: r, names: plan.names })]));
  }

  /**
   * One write per writable region before the measured writes, so that each function's first
   * invocation (its cold start: a new process loading its bundle) is not timed as lag. Not
   * counted in the counters.
   */
  async warmUp(): Promise<void> {
    await Promise.all(this.plan.writable.map((r) => this.put(r, `warm-up-${r}`, true, true)));
    this.counters.writes = 0;
  }

  /** Writes at `rate` per second until `until()` (epoch ms, asked before each write); resolves when the last write returned. */
  async run(rate: number, until: () => number): Promise<void> {
    const started = Date.now();
    const pending = new Set<Promise<void>>();
    for (let i = 0; ; i++) {
      const due = started + (i * 1000) / rate;
      if (due >= until()) break;
      if (due > Date.now()) await new Promise((r) => setTimeout(r, due - Date.now()));
      const p = this.next().finally(() => pending.delete(p));
      pending.add(p);
    }
    await Promise.all(pending);
  }

  /**
   * Stops writing in `region` (its writes go to the other writable regions) and resolves once the
   * writes already sent there have returned, so that every write is known to be applied or not.
   */
  async failOver(region: string): Promise<void> {
    if (this.plan.writable.every((r) => r === region || this.unavailable.has(r)))
      throw new Error(`${region} is the last writable region available: the workload would have nowhere to write`);
    this.unavailable.add(region);
    await Promise.allSettled([...(this.inFlight.get(region) ?? [])]);
  }

  /** Writes in `region` again. */
  failBack(region: string): void {
    this.unavailable.delete(region);
  }

  private async next(): Promise<void> {
    const i = this.n++;
    const kind = MIX[i % MIX.length];
    const regions = this.plan.writable.filter((r) => !this.unavailable.has(r));
    const region = regions[i % regions.length];
    const existing = this.live.length ? this.live[Math.floor(this.rand() * this.live.length)] : undefined;
    this.counters.byKind[kind] = (this.counters.byKind[kind] ?? 0) + 1;
    const key = kind === 'helper-put' || kind === 'plain-put' || !existing ? `c${i}` : existing;
    try {
      if (key !== existing) await this.put(region, key, kind !== 'plain-put', true);
      else if (kind === 'conflict') {
        // The same key from every writable region at once: last write wins, everywhere.
        await Promise.all(regions.map((r, j) => this.put(r, existing, j % 2 === 0, false)));
      } else if (kind === 'helper-update' || kind === 'plain-update') await this.update(region, existing, kind === 'helper-update');
      else await this.delete(region, existing, kind === 'helper-delete');
    } catch (e) {
      this.record.failed(key);
      this.counters.errors++;
      this.counters.lastError = `${kind} in ${region}: ${(e as Error).message}`;
    }
  }

  /** The table's key of `key`, in the declared key types. */
  key(key: string): Record<string, AttributeValue> {
    const { partitionKey, sortKey, attributes } = this.plan;
    return {
      [partitionKey]: attributeValueOf(attributes[partitionKey], key),
      ...(sortKey ? { [sortKey]: attributeValueOf(attributes[sortKey], 'v1') } : {}),
    };
  }

  /** A customer-like item; index keys get values of their declared types. */
  private item(key: string, writeId: string): Record<string, AttributeValue> {
    const payload: Record<string, AttributeValue> = {
      name: { S: `Customer ${key}` },
      email: { S: `${key}@example.com` },
      phone: { S: `+353 1 ${String(Math.floor(this.rand() * 1e6)).padStart(6, '0')}` },
      dateOfBirth: { S: '1980-02-29' },
      visits: { N: '1' },
      writeId: { S: writeId },
    };
    for (const [name, type] of Object.entries(this.plan.attributes)) payload[name] = attributeValueOf(type, `${name}-${key}`);
    return { ...payload, ...this.key(key) };
  }

  private async put(region: string, key: string, viaHelper: boolean, timed: boolean): Promise<void> {
    const writeId = `${region}/${this.counters.writes}/${key}`;
    const input = { TableName: this.plan.table, Item: this.item(key, writeId) };
    await this.send(region, new PutItemCommand(viaHelper ? this.helpers[region].put(input) : input));
    this.wrote(key, { kind: 'put', region, item: input.Item });
    // A timed key is written again only once it is visible everywhere (settled), so that no later
    // write can overtake the one being timed.
    if (timed) this.timed({ key, writeId, region, viaHelper, at: Date.now() });
    else if (!this.live.includes(key)) this.live.push(key);
  }

  /** The timed write of `key` is visible in every region: the key may now be updated, deleted or contested. */
  settled(key: string): void {
    if (!this.live.includes(key)) this.live.push(key);
  }

  private async update(region: string, key: string, viaHelper: boolean): Promise<void> {
    const input = {
      TableName: this.plan.table,
      Key: this.key(key),
      UpdateExpression: 'SET visits = if_not_exists(visits, :zero) + :one',
      ExpressionAttributeValues: { ':zero': { N: '0' }, ':one': { N: '1' } },
    };
    await this.send(region, new UpdateItemCommand(viaHelper ? this.helpers[region].update(input) : input));
    this.wrote(key, { kind: 'update', region });
  }

  private async delete(region: string, key: string, viaHelper: boolean): Promise<void> {
    const input = { TableName: this.plan.table, Key: this.key(key) };
    if (viaHelper) await this.send(region, new PutItemCommand(this.helpers[region].delete(input)));
    else await this.send(region, new DeleteItemCommand(input));
    this.wrote(key, { kind: 'delete', region });
    this.live.splice(this.live.indexOf(key), 1);
  }

  private wrote(key: string, write: RecordedWrite): void {
    this.counters.writes++;
    this.record.wrote(key, this.key(key), write);
  }

  /** Sends a write to `region`, known as in flight there until it returns. */
  private async send(region: string, command: PutItemCommand | UpdateItemCommand | DeleteItemCommand): Promise<void> {
    const sent = this.clients[region].send(command as PutItemCommand);
    const pending = this.inFlight.get(region) ?? new Set();
    this.inFlight.set(region, pending);
    pending.add(sent);
    try {
      await sent;
    } finally {
      pending.delete(sent);
    }
  }
}

function attributeValueOf(type: string | undefined, text: string): AttributeValue {
  if (type === 'N') return { N: String([...text].reduce((h, c) => (h * 31 + c.charCodeAt(0)) % 1_000_000_007, 7)) };
  if (type === 'B') return { B: Buffer.from(text) };
  return { S: text };
}
