/**
 * Applies a target's backlog (backlog.ts) to the target with the same last-write-wins condition as
 * a direct copy: a refused condition means the target holds something at least as new (stale =
 * done). An entry is deleted only while it still holds the version that was applied, so a newer
 * copy kept meanwhile stays for the next run. The first failure that concerns the target (not one
 * item) stops that target's run: it is still down or blocked, and the rest of its backlog is only
 * counted (depth, oldest age), up to `countLimit` entries. Before an entry is applied, the source's
 * own item for its key is read (drain-source.ts): an entry the source has moved past is dropped,
 * never applied, and a tombstone lands with a fresh expiry.
 */
import { DynamoDBClient, PutItemCommand } from '@aws-sdk/client-dynamodb';
import { LwwAttributeNames, newerThanTargetCondition } from '../lww';
import { Backlog, BacklogEntry, targetId } from './backlog';
import type { ReplicaTarget } from './config';
import { blockedReason, classifyFailure, describeError } from '../common/sdk-errors';
import { DrainSource, judgeAgainstSource } from './drain-source';
import { withConcurrency } from './execute';

export interface DrainTargetResult {
  applied: number;
  stale: number;
  /** Applied, but a newer copy was kept meanwhile: that one stays for the next run. */
  superseded: number;
  /** Dropped unapplied: the source holds a newer version, or no longer holds a live copy's key. */
  overtaken: number;
  /** Entries left (a lower bound when `complete` is false). */
  depth: number;
  /** Age of the oldest entry left, in ms. */
  oldestAgeMs?: number;
  /** Why the target was not written ('transient' or the blocked reason kind), when it failed. */
  failing?: { kind: string; reason: string };
  /** Items the target rejects on their own (validation): kept, counted, never stop the run. */
  rejected: number;
  complete: boolean;
}

export interface DrainDeps {
  readonly backlog: Backlog;
  readonly targets: readonly { readonly target: ReplicaTarget; readonly client: DynamoDBClient }[];
  /** The source table, read for each entry before it is applied. */
  readonly source: DrainSource;
  readonly names: LwwAttributeNames;
  /** The lifetime a tombstone applied late gets from the time it lands. */
  readonly tombstoneTtlSeconds: number;
  readonly now: () => number;
  readonly deadline?: AbortSignal;
  /** @default 100 */
  readonly pageSize?: number;
  /** @default 16 */
  readonly concurrency?: number;
  /** Entries counted past a failure before giving up counting. @default 10000 */
  readonly countLimit?: number;
}

export async function drainBacklogs(deps: DrainDeps): Promise<Record<string, DrainTargetResult>> {
  const results = await Promise.all(deps.targets.map((t) => drainTarget(deps, t.target, t.client)));
  return Object.fromEntries(deps.targets.map((t, i) => [targetId(t.target), results[i]]));
}

async function drainTarget(deps: DrainDeps, target: ReplicaTarget, client: DynamoDBClient): Promise<DrainTargetResult> {
  const id = targetId(target);
  const out: DrainTargetResult = { applied: 0, stale: 0, superseded: 0, overtaken: 0, depth: 0, rejected: 0, complete: true };
  const left = (e: BacklogEntry) => {
    out.depth++;
    const age = Math.max(0, deps.now() - e.since);
    out.oldestAgeMs = Math.max(out.oldestAgeMs ?? 0, age);
  };
  let from: Record<string, unknown> | undefined;
  do {
    const page = await deps.backlog.page(id, deps.pageSize ?? 100, from);
    from = page.next;
    await withConcurrency(
      deps.concurrency ?? 16,
      page.entries.map((entry) => async () => {
        if (out.failing || deps.deadline?.aborted) return left(entry);
        const verdict = await apply(deps, client, target, entry);
        if (verdict.kind === 'later') return left(entry);
        if (verdict.kind === 'failed') {
          left(entry);
          if (verdict.failureKind === 'validation') out.rejected++;
          else out.failing ??= { kind: verdict.failureKind, reason: verdict.reason };
          await deps.backlog.touch(entry, verdict.failureKind, verdict.reason, deps.now());
          return;
        }
        out[verdict.kind]++;
        if (!(await deps.backlog.remove(id, entry.key, entry.version))) {
          out.superseded++;
          out.depth++;
        }
      }),
    );
    if ((out.failing || deps.deadline?.aborted) && out.depth >= (deps.countLimit ?? 10_000)) {
      out.complete = !from;
      break;
    }
  } while (from);
  return out;
}

type Applied = { kind: 'applied' | 'stale' | 'overtaken' } | { kind: 'later' } | { kind: 'failed'; failureKind: string; reason: string };

async function apply(deps: DrainDeps, client: DynamoDBClient, target: ReplicaTarget, entry: BacklogEntry): Promise<Applied> {
  let verdict: Awaited<ReturnType<typeof judgeAgainstSource>>;
  try {
    verdict = await judgeAgainstSource(deps.source, entry, deps.names, deps.tombstoneTtlSeconds, deps.now(), deps.deadline);
  } catch (e) {
    if (deps.deadline?.aborted) return { kind: 'later' };
    // The drainer's own region failing, not the target: the run fails (and publishes nothing,
    // which the backlog alarm treats as breaching).
    throw e;
  }
  if (verdict.kind === 'overtaken') return verdict;
  try {
    await client.send(
      new PutItemCommand({ TableName: target.table, Item: verdict.item, ...newerThanTargetCondition(entry.version, deps.names) }),
      { abortSignal: deps.deadline },
    );
    return { kind: 'applied' };
  } catch (e) {
    const kind = classifyFailure(e);
    if (kind === 'stale') return { kind: 'stale' };
    return { kind: 'failed', failureKind: kind === 'blocked' ? blockedReason(e) : 'transient', reason: describeError(e) };
  }
}
