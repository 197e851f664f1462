/**
 * Does the work planned for one key: copy its newest local write to every target, stamp or
 * tombstone it in place, park what can never be written. The outcome is per key because every
 * record of a key must be retried together (a later record may have been coalesced into it).
 */
import { DynamoDBClient, PutItemCommand } from '@aws-sdk/client-dynamodb';
import type { DynamoDBRecord } from 'aws-lambda';
import {
  Item,
  maxVersion,
  newerThanTargetCondition,
  newVersion,
  stampCondition,
  tombstoneCondition,
  tombstoneExpiry,
  tombstoneItem,
  versionAgeMs,
} from '../lww';
import type { ReplicaTarget, ReplicationConfig } from './config';
import type { DecodedRecord } from './decode';
import { classifyFailure, describeError } from './errors';
import { itemSize, MAX_ITEM_BYTES } from './item-size';
import type { Parker } from './park';
import type { KeyWork } from './plan';
import type { Tally } from './tally';

export interface ExecuteDeps {
  readonly config: ReplicationConfig;
  /** Client of the source table's region (self-stamps and tombstones). */
  readonly source: DynamoDBClient;
  readonly targets: readonly { readonly target: ReplicaTarget; readonly client: DynamoDBClient }[];
  readonly parker: Parker;
  readonly tally: Tally;
  readonly now: () => number;
  readonly log: (level: 'warn' | 'error', message: string, extra: Record<string, unknown>) => void;
}

export type KeyOutcome = { readonly ok: true } | { readonly ok: false; readonly reason: string };

class Transient extends Error {}

async function park(deps: ExecuteDeps, record: DynamoDBRecord, reason: string): Promise<void> {
  try {
    await deps.parker.park(record, reason);
  } catch (e) {
    // Not parked means not safe to acknowledge: retry the record.
    throw new Transient(`parking failed (${describeError(e)}) for: ${reason}`);
  }
  deps.tally.parked++;
  deps.log('error', 'record parked in the failure queue', { reason, sequenceNumber: record.dynamodb?.SequenceNumber, eventID: record.eventID });
}

/** The item as `target` may hold it: omitted attributes dropped, masked ones replaced. Keys and metadata never change. */
export function itemForTarget(item: Item, target: ReplicaTarget, record: DecodedRecord, names: ReplicationConfig['names']): Item {
  if (!target.omit?.length && !target.mask?.length) return item;
  const protectedNames = new Set([...Object.keys(record.keys), ...Object.values(names)]);
  const out: Item = { ...item };
  for (const a of target.omit ?? []) if (!protectedNames.has(a)) delete out[a];
  for (const a of target.mask ?? []) if (!protectedNames.has(a) && out[a] !== undefined) out[a] = { S: '***' };
  return out;
}

async function replicate(deps: ExecuteDeps, record: DecodedRecord, version: string): Promise<void> {
  const item = record.newImage as Item;
  const items = deps.targets.map(({ target }) => itemForTarget(item, target, record, deps.config.names));
  const size = Math.max(...items.map(itemSize));
  if (size > MAX_ITEM_BYTES) return park(deps, record.raw, `item is ${size} bytes with replication metadata, over DynamoDB's ${MAX_ITEM_BYTES}-byte item limit`);
  const condition = newerThanTargetCondition(version, deps.config.names);
  const results = await Promise.all(
    deps.targets.map(async ({ target, client }, i) => {
      try {
        await client.send(new PutItemCommand({ TableName: target.table, Item: items[i], ...condition }));
        const t = deps.tally.target(target.region);
        t.replicated++;
        const lag = versionAgeMs(version, deps.now());
        if (lag !== undefined) t.lagMs.push(Math.max(0, lag));
        return undefined;
      } catch (e) {
        const kind = classifyFailure(e);
        if (kind === 'stale') {
          deps.tally.target(target.region).stale++;
          return undefined;
        }
        return { kind, target, error: describeError(e) };
      }
    }),
  );
  const failures = results.filter((r) => r !== undefined);
  const transient = failures.filter((f) => f!.kind === 'transient');
  if (transient.length) throw new Transient(transient.map((f) => `${f!.target.region}/${f!.target.table}: ${f!.error}`).join('; '));
  if (failures.length) await park(deps, record.raw, failures.map((f) => `rejected by ${f!.target.region}/${f!.target.table}: ${f!.error}`).join('; '));
}

async function writeLocal(deps: ExecuteDeps, work: NonNullable<KeyWork['local']>, floor: string | undefined): Promise<void> {
  const { record, action } = work;
  const { names, sourceRegion } = deps.config;
  const seen = maxVersion(action.after, floor);
  const version = newVersion(sourceRegion, { now: deps.now, after: seen });
  let item: Item;
  if (action.kind === 'stamp') {
    item = { ...record.newImage, [names.version]: { S: version }, [names.origin]: { S: sourceRegion } };
    const size = itemSize(item);
    if (size > MAX_ITEM_BYTES) return park(deps, record.raw, `unstamped item would be ${size} bytes with replication metadata, over DynamoDB's ${MAX_ITEM_BYTES}-byte item limit`);
  } else {
    item = tombstoneItem(record.keys, version, sourceRegion, tombstoneExpiry(deps.now(), deps.config.tombstoneTtlSeconds), names);
  }
  const condition = (action.kind === 'stamp' ? stampCondition : tombstoneCondition)(record.keyAttribute, version, seen, sourceRegion, names);
  const command = new PutItemCommand({ TableName: record.sourceTable, Item: item, ...condition });
  try {
    await deps.source.send(command);
    deps.tally.selfStamped++;
  } catch (e) {
    const kind = classifyFailure(e);
    if (kind === 'stale') deps.tally.stampSuperseded++;
    else if (kind === 'permanent') await park(deps, record.raw, `stamping in place was rejected: ${describeError(e)}`);
    else throw new Transient(`stamping ${record.sourceTable} in place: ${describeError(e)}`);
  }
}

/** Runs one key's work; never throws: a failure becomes the key's outcome. */
export async function executeKey(work: KeyWork, deps: ExecuteDeps): Promise<KeyOutcome> {
  try {
    deps.tally.echoesSkipped += work.echoes;
    deps.tally.ttlSkipped += work.ttlSkipped;
    for (const m of work.malformed) await park(deps, m.record, m.reason);
    // Independent writes (targets vs. the source table): run them together.
    await Promise.all([work.replicate && replicate(deps, work.replicate.record, work.replicate.version), work.local && writeLocal(deps, work.local, work.floor)]);
    return { ok: true };
  } catch (e) {
    const reason = e instanceof Transient ? e.message : `unexpected: ${describeError(e)}`;
    deps.log('warn', 'key will be retried', { reason, records: work.records.map((r) => r.sequenceNumber) });
    return { ok: false, reason };
  }
}

/** Parks a record that could not even be decoded (it has no key to share work with). */
export function parkUndecodable(record: DynamoDBRecord, reason: string, deps: ExecuteDeps): Promise<KeyOutcome> {
  return executeKey({ keyId: '', records: [], echoes: 0, ttlSkipped: 0, malformed: [{ record, reason }] }, deps);
}

/** Runs `tasks` with at most `limit` in flight; results in input order. */
export async function withConcurrency<T>(limit: number, tasks: (() => Promise<T>)[]): Promise<T[]> {
  const out: T[] = new Array(tasks.length);
  let next = 0;
  const worker = async () => {
    while (next < tasks.length) {
      const i = next++;
      out[i] = await tasks[i]();
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, tasks.length) }, worker));
  return out;
}
