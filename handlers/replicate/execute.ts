/**
 * Does the work planned for one key: copy its last local write to every target, or settle it in
 * place (a version for a write made without one, a tombstone for a hard delete), repairing the
 * item when a replicated write that should have lost landed first; then save the key's floor when
 * the item does not carry it. The outcome is per key because every record of a key must be
 * retried together. docs/replication-protocol.md says why each step is safe.
 */
import { PutItemCommand } from '@aws-sdk/client-dynamodb';
import type { DynamoDBRecord } from 'aws-lambda';
import { Item, newerThanTargetCondition, versionAgeMs } from '../lww';
import type { ReplicaTarget, ReplicationConfig } from './config';
import type { DecodedRecord } from '../common/decode';
import { blockedReason, classifyFailure, describeError, isItemRejection } from '../common/sdk-errors';
import { targetId } from './backlog';
import type { ExecuteDeps, KeyOutcome } from './execute-deps';
import { park } from './park';
import { Transient } from './transient';
import { itemSize, MAX_ITEM_BYTES } from '../common/item-size';
import { itemForTarget } from '../common/target-item';
import { canonicalItem } from './canonical';
import { settleInPlace, Settled } from './settle';
import { executeFold } from './kinesis-fold';
import { KeyWork, readVersion } from './key-plan';
import type { EventRecord } from './source-batch';

async function replicate(deps: ExecuteDeps, record: DecodedRecord, version: string): Promise<void> {
  const item = record.newImage as Item;
  const writes = deps.targets.map((t) => ({ ...t, item: itemForTarget(item, t.target, record.keys, deps.config.names) }));
  const sizes = writes.map((w) => itemSize(w.item));
  // Too large for one target (after its masking) is parked for that target only; the rest get it.
  const oversize = writes.filter((_, i) => sizes[i] > MAX_ITEM_BYTES);
  if (oversize.length) {
    const which = oversize.map((w) => `${w.target.region}/${w.target.table} (${sizes[writes.indexOf(w)]} bytes)`).join(', ');
    await park(
      deps,
      record.raw,
      `item is over DynamoDB's ${MAX_ITEM_BYTES}-byte item limit with replication metadata for ${which}; parked for ${oversize.length === 1 ? 'that target' : 'those targets'} only`,
    );
  }
  // Every target on its own: one that fails is backlogged and delays none of the others.
  const results = await Promise.all(writes.filter((w) => !oversize.includes(w)).map((w) => copyTo(deps, w, record, version)));
  const failures = results.filter((r) => r !== undefined);
  const unkept = failures.filter((f) => f!.kind !== 'item');
  if (unkept.length) throw new Transient(unkept.map((f) => `${f!.target.region}/${f!.target.table}: ${f!.error}`).join('; '));
  if (failures.length)
    await park(deps, record.raw, failures.map((f) => `rejected by ${f!.target.region}/${f!.target.table}: ${f!.error}`).join('; '));
}

/**
 * Copies what this writer just wrote in place (a version set on a write made without one, a
 * tombstone, a repair) to every target, without waiting for the write's own stream record: that
 * record is copied again when it is read (found stale where this copy landed), so what fails here
 * (an item too large for one target, a failure the backlog did not take) is left to it.
 */
async function copyNow(deps: ExecuteDeps, record: DecodedRecord, item: Item, version: string): Promise<void> {
  const writes = deps.targets
    .map((t) => ({ ...t, item: itemForTarget(item, t.target, record.keys, deps.config.names) }))
    .filter((w) => itemSize(w.item) <= MAX_ITEM_BYTES);
  // A copy kept in a backlog is kept again, at the same version, when the record is read: a no-op.
  await Promise.all(writes.map((w) => copyTo(deps, w, record, version)));
}

type TargetWrite = ExecuteDeps['targets'][number] & { readonly item: Item };
type CopyFailure = { readonly kind: 'item' | 'unkept'; readonly target: ReplicaTarget; readonly error: string };

/**
 * Copies one record's image to one target: written, found stale, or kept in the target's backlog
 * (transient failure after the client's bounded attempts, a blocked target, or a target cooling
 * down after a failure). Returns what is left to do: a failure the backlog did not take.
 */
async function copyTo(deps: ExecuteDeps, w: TargetWrite, record: DecodedRecord, version: string): Promise<CopyFailure | undefined> {
  const { target, client, item: targetItem } = w;
  const id = targetId(target);
  const t = deps.tally.target(target.region);
  const tripped = deps.backlog ? deps.breaker?.tripped(id, deps.now()) : undefined;
  if (tripped) return keep(deps, w, record, version, tripped.kind, `cooling down after a failure: ${tripped.reason}`);
  try {
    const condition = newerThanTargetCondition(version, deps.config.names);
    await client.send(new PutItemCommand({ TableName: target.table, Item: targetItem, ...condition }), { abortSignal: deps.deadline });
    t.replicated++;
    const lag = versionAgeMs(version, deps.now());
    if (lag !== undefined) t.lagMs.push(Math.max(0, lag));
    return undefined;
  } catch (e) {
    const kind = classifyFailure(e);
    if (kind === 'stale') {
      t.stale++;
      return undefined;
    }
    const reasonKind = kind === 'blocked' ? blockedReason(e) : 'transient';
    if (!deps.backlog && isItemRejection(e)) return { kind: 'item', target, error: describeError(e) };
    // Not there yet: its age so far is a floor on its lag, so the lag alarm sees a target that is
    // down (nothing would be recorded at all while every write to it fails).
    t.pending++;
    const age = versionAgeMs(version, deps.now());
    if (age !== undefined) t.lagMs.push(Math.max(0, age));
    if (!deps.backlog) return { kind: 'unkept', target, error: describeError(e) };
    // A request the target rejects for this item alone says nothing about the target's other copies.
    if (reasonKind !== 'validation') deps.breaker?.trip(id, reasonKind, describeError(e), deps.now());
    deps.log('warn', 'target failed: copy kept in its backlog', { target: id, kind: reasonKind, error: describeError(e) });
    return keep(deps, w, record, version, reasonKind, describeError(e));
  }
}

async function keep(
  deps: ExecuteDeps,
  w: TargetWrite,
  record: DecodedRecord,
  version: string,
  kind: string,
  reason: string,
): Promise<CopyFailure | undefined> {
  try {
    await deps.backlog!.keep(targetId(w.target), record.keyId, record.keys, version, w.item, kind, reason, deps.now());
  } catch (e) {
    // Neither applied nor kept: the key's records are retried, as without a backlog.
    return { kind: 'unkept', target: w.target, error: `${reason}; keeping it in the backlog failed: ${describeError(e)}` };
  }
  deps.tally.target(w.target.region).backlogged++;
  return undefined;
}

export type { ExecuteDeps, KeyOutcome };

/** Runs one key's work; never throws: a failure becomes the key's outcome. */
export async function executeKey(work: KeyWork, deps: ExecuteDeps): Promise<KeyOutcome> {
  if (work.before) {
    const before = await executeKey(work.before, deps);
    if (!before.ok) return before;
  }
  try {
    if (work.wait) {
      await deps.state.save(work.keyId, work.wait.state, deps.now());
      deps.tally.waiting++;
      return { ok: false, reason: work.wait.reason };
    }
    if (work.fold) await executeFold(work.fold, deps);
    deps.tally.echoesSkipped += work.echoes;
    deps.tally.ttlSkipped += work.ttlSkipped;
    for (const m of work.malformed) await park(deps, m.record, m.reason);
    const action = work.action;
    let settled: Settled | undefined;
    if (action?.kind === 'replicate') await replicate(deps, action.record, action.version);
    else if (action) {
      settled = await settleInPlace(action, deps);
      if (settled.item) await copyNow(deps, action.record, settled.item, action.version);
    }
    if (!deps.outOfOrder && work.lateState) await deps.state.save(work.keyId, work.lateState, deps.now());
    if (!deps.outOfOrder && !work.late && (work.saveState || needsState(work, settled, deps.config.names))) {
      await deps.state.save(work.keyId, { position: work.last.position, floor: work.floor, ...work.saveState }, deps.now());
      deps.tally.statesSaved++;
    }
    return { ok: true };
  } catch (e) {
    const reason = e instanceof Transient ? e.message : `unexpected: ${describeError(e)}`;
    deps.log('warn', 'key will be retried', { reason, records: work.records.map((r) => r.sequenceNumber) });
    return { ok: false, reason };
  }
}

/**
 * The next record of the key starts from its old image, which is what the item held when that
 * write was made. That carries the floor when the last record's image does, or when this writer's
 * own write landed on exactly that image (no write came in between). Otherwise save it.
 */
function needsState(work: KeyWork, settled: Settled | undefined, names: ReplicationConfig['names']): boolean {
  if (work.floor === undefined) return false;
  const last = readVersion(work.last.newImage, names);
  if (last.ok && last.version !== undefined && last.version >= work.floor) return false;
  return !(settled?.landed && canonicalItem(settled.previous) === canonicalItem(work.last.newImage));
}

/** Parks a record that could not even be decoded (it has no key to share work with). */
export function parkUndecodable(record: EventRecord, reason: string, deps: ExecuteDeps): Promise<KeyOutcome> {
  return park(deps, record as DynamoDBRecord, reason).then(
    () => ({ ok: true }) as const,
    (e) => ({ ok: false, reason: (e as Error).message }) as const,
  );
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
