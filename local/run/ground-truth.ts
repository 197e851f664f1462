/**
 * The ground truth of a local run, from the workload's own record of what it wrote (load.ts), not
 * from what the writers did: every key the workload wrote, and for each the writes it made. Which
 * of two concurrent writes wins is the protocol's business (last writer wins on versions a plain
 * write only gets when its writer stamps it), so the truth for a key is the set of states its
 * writes can leave, and a region must hold one of them:
 * - a key last put once and never touched again holds exactly that put (the read replicas
 *   without the omitted attributes and with masked ones as "***");
 * - a key also updated holds one of its puts with `visits` between 1 and 1 + its updates, or, when
 *   it was also deleted, a deleted key revived by an update (its key and `visits` only);
 * - a key also deleted may be deleted (absent or a tombstone);
 * - no region holds a key the workload never wrote.
 * Keys a write failed on without saying whether it was applied are left out (and the run fails
 * on the write error anyway).
 */
import type { AttributeValue } from '@aws-sdk/client-dynamodb';
import { DEFAULT_ATTRIBUTE_NAMES } from '../../handlers/lww';
import { MASKED_VALUE } from '../../handlers/contract';
import type { RegionTarget, ReplicatedTablePlan } from './replication-plan';

type Item = Record<string, AttributeValue>;

export type RecordedWrite =
  | { readonly kind: 'put'; readonly region: string; readonly item: Item }
  | { readonly kind: 'update'; readonly region: string }
  | { readonly kind: 'delete'; readonly region: string };

export class WorkloadRecord {
  private readonly keys = new Map<string, { readonly key: Item; readonly writes: RecordedWrite[] }>();
  /** Keys a write failed on: it may or may not have been applied. */
  readonly uncertain = new Set<string>();

  wrote(key: string, keyAttributes: Item, write: RecordedWrite): void {
    const entry = this.keys.get(key) ?? { key: keyAttributes, writes: [] };
    entry.writes.push(write);
    this.keys.set(key, entry);
  }

  failed(key: string): void {
    this.uncertain.add(key);
  }

  get size(): number {
    return this.keys.size;
  }

  entries(): [string, { readonly key: Item; readonly writes: readonly RecordedWrite[] }][] {
    return [...this.keys];
  }
}

/**
 * What is wrong with one region's items (by `keyOf`) against the record; `target` for a read
 * replica (what it omits and masks).
 */
export function truthProblems(
  plan: ReplicatedTablePlan,
  record: WorkloadRecord,
  region: string,
  held: ReadonlyMap<string, Item>,
  keyOf: (item: Item) => string,
  target?: RegionTarget,
): string[] {
  const names = { ...DEFAULT_ATTRIBUTE_NAMES, ...plan.names };
  const metadata = new Set(Object.values(names));
  const keyAttributes = new Set([plan.partitionKey, ...(plan.sortKey ? [plan.sortKey] : [])]);
  const problems: string[] = [];
  const written = new Set<string>();
  for (const [name, { key, writes }] of record.entries()) {
    const id = keyOf(key);
    written.add(id);
    if (record.uncertain.has(name)) continue;
    const item = held.get(id);
    const deleted = !item || item[names.deleted]?.BOOL === true;
    const updates = writes.filter((w) => w.kind === 'update').length;
    const wasDeleted = writes.some((w) => w.kind === 'delete');
    if (deleted) {
      if (!wasDeleted) problems.push(`${region} lacks ${name}, which the workload put and never deleted`);
      continue;
    }
    const asPut = writes.some((w) => w.kind === 'put' && matchesPut(item, w.item, updates, target));
    const revived = updates > 0 && wasDeleted && Object.keys(item).every((a) => metadata.has(a) || keyAttributes.has(a) || a === 'visits');
    if (!asPut && !revived)
      problems.push(
        `${region} holds ${name} as ${JSON.stringify(withoutMetadata(item, metadata))}, which none of its ${writes.length} write(s) leaves`,
      );
  }
  for (const id of held.keys()) if (!written.has(id)) problems.push(`${region} holds ${id}, which the workload never wrote`);
  return problems;
}

/** The item is `put` (as this region stores it), its visits raised by at most `updates`. */
function matchesPut(item: Item, put: Item, updates: number, target?: RegionTarget): boolean {
  for (const [a, value] of Object.entries(put)) {
    if (target?.omit.includes(a)) {
      if (item[a] !== undefined) return false;
      continue;
    }
    const expected = target?.mask.includes(a) ? { S: MASKED_VALUE } : value;
    if (a === 'visits') {
      const visits = Number(item.visits?.N);
      if (!(visits >= Number(value.N) && visits <= Number(value.N) + updates)) return false;
    } else if (JSON.stringify(canonical(item[a])) !== JSON.stringify(canonical(expected))) return false;
  }
  return true;
}

function withoutMetadata(item: Item, metadata: Set<string>): Item {
  return Object.fromEntries(Object.entries(item).filter(([a]) => !metadata.has(a)));
}

/** Attribute values compared as data: an item's attribute order and a set's member order do not matter. */
export function canonical(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(canonical);
  if (value instanceof Uint8Array) return Buffer.from(value).toString('base64');
  if (value && typeof value === 'object')
    return Object.fromEntries(
      Object.keys(value)
        .sort()
        .map((k) => [k, canonical((value as any)[k])]),
    );
  return value;
}
