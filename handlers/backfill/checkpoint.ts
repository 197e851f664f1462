/**
 * Where a backfill stands, saved after every page so that a stopped run (Ctrl-C, a crash, a Lambda
 * timeout) continues where it stopped: per Scan segment, whether it is finished and the
 * LastEvaluatedKey of its last settled page, plus the counts of every settled page. A page whose
 * writes were under way when the run stopped is scanned and written again; its writes are
 * conditional on the version, so doing them twice changes nothing.
 */
import type { AttributeValue } from '@aws-sdk/client-dynamodb';
import { existsSync, readFileSync, renameSync, writeFileSync } from 'fs';
import type { Item } from '../lww';

export interface Counts {
  /** Items read from the source. */
  scanned: number;
  /** Items written into the target (the target held nothing, or an older version). */
  copied: number;
  /** Items the target refused because it already held the same or a newer version. */
  stale: number;
  /** Items without a version that were given one in the source first (then copied or stale). */
  stamped: number;
  /** Items not copied: no readable version (listed in `problems`), or deleted while being stamped. */
  skipped: number;
  /** Items the target rejected for good (e.g. too large after masking); listed in `problems`. */
  failed: number;
  /** Scanned items that are tombstones (deleted items), copied like any item. */
  tombstones: number;
  /** Items outside the table's replicateItemsWhere pattern: never replicated, so not copied. */
  filtered: number;
  /** Verify runs: items the target holds at the same or a newer version. */
  present: number;
  /** Verify runs: items the target does not hold; listed in `problems`. */
  missing: number;
  /** Verify runs: items the target holds at an older version; listed in `problems`. */
  behind: number;
}

export const ZERO_COUNTS: Counts = {
  scanned: 0,
  copied: 0,
  stale: 0,
  stamped: 0,
  skipped: 0,
  failed: 0,
  tombstones: 0,
  filtered: 0,
  present: 0,
  missing: 0,
  behind: 0,
};

export function addCounts(into: Counts, add: Counts): void {
  for (const k of Object.keys(add) as (keyof Counts)[]) into[k] += add[k];
}

/** What a checkpoint belongs to: resuming with anything else here would skip or misplace items. */
export interface JobIdentity {
  /** A copy, or a read-only verification of an earlier copy. */
  readonly mode: 'copy' | 'verify';
  readonly source: { readonly region: string; readonly table: string };
  readonly target: { readonly region: string; readonly table: string };
  /** Scan segments; a segment's key range depends on it, so it cannot change between runs. */
  readonly totalSegments: number;
}

export interface SegmentState {
  readonly segment: number;
  done: boolean;
  /** ExclusiveStartKey of the segment's next page; absent before the first page. */
  lastEvaluatedKey?: Item;
  pages: number;
}

/** A listed item (bounded: the counts say how many there were). */
export interface Problem {
  readonly kind: 'skipped' | 'failed' | 'missing' | 'behind';
  /** The item's key attributes, as JSON. */
  readonly key: string;
  readonly reason: string;
}

export const MAX_LISTED_PROBLEMS = 100;

export interface CheckpointState {
  readonly format: 1;
  readonly job: JobIdentity;
  readonly segments: SegmentState[];
  readonly totals: Counts;
  readonly problems: Problem[];
  readonly startedAt: string;
  updatedAt: string;
}

/** Where checkpoints live: a file for the CLI; a future Lambda may keep them in a table. */
export interface CheckpointStore {
  /** A human-readable location for messages. */
  readonly where: string;
  load(): Promise<CheckpointState | undefined>;
  save(state: CheckpointState): Promise<void>;
}

export function newCheckpoint(job: JobIdentity, now: number): CheckpointState {
  const at = new Date(now).toISOString();
  return {
    format: 1,
    job,
    segments: Array.from({ length: job.totalSegments }, (_, segment) => ({ segment, done: false, pages: 0 })),
    totals: { ...ZERO_COUNTS },
    problems: [],
    startedAt: at,
    updatedAt: at,
  };
}

/** Throws when `state` was written for another job, saying what differs. */
export function checkSameJob(state: CheckpointState, job: JobIdentity, where: string): void {
  const was = JSON.stringify(state.job);
  const now = JSON.stringify(job);
  if (was !== now) {
    throw new Error(
      `checkpoint ${where} belongs to another backfill (${was}); this run is ${now}. Use the same source, target, --segments and --verify, or another checkpoint file`,
    );
  }
}

/** A JSON file, replaced atomically (write a temporary file, then rename it over the old one). */
export function fileCheckpoint(path: string): CheckpointStore {
  return {
    where: path,
    async load() {
      if (!existsSync(path)) return undefined;
      let parsed: unknown;
      try {
        parsed = JSON.parse(readFileSync(path, 'utf8'), reviveKey);
      } catch (e) {
        throw new Error(`checkpoint ${path} is not valid JSON (${(e as Error).message}); remove it to start over`);
      }
      const state = parsed as CheckpointState;
      if (state?.format !== 1 || !Array.isArray(state.segments) || typeof state.totals !== 'object') {
        throw new Error(`checkpoint ${path} is not a backfill checkpoint (format 1); remove it to start over`);
      }
      return state;
    },
    async save(state) {
      const tmp = `${path}.tmp-${process.pid}`;
      writeFileSync(tmp, JSON.stringify(state, replaceKey, 1) + '\n');
      renameSync(tmp, path);
    },
  };
}

/** Key attributes are S, N or B; binaries go to JSON as base64 under a marker of their own. */
function replaceKey(this: Record<string, unknown>, key: string, value: unknown): unknown {
  // The holder's own value: a Buffer has already become {type, data} through its toJSON here.
  const original = this[key];
  if (original instanceof Uint8Array) return { $base64: Buffer.from(original).toString('base64') };
  return value;
}

function reviveKey(_key: string, value: unknown): unknown {
  if (value && typeof value === 'object' && typeof (value as { $base64?: unknown }).$base64 === 'string') {
    return new Uint8Array(Buffer.from((value as { $base64: string }).$base64, 'base64'));
  }
  return value;
}

/** The key attributes of `item` as one line of JSON (for problem lists and messages). */
export function describeKey(item: Item, keyNames: readonly string[]): string {
  const out: Record<string, AttributeValue | { B: string }> = {};
  for (const k of keyNames) {
    const v = item[k];
    out[k] = v?.B ? { B: Buffer.from(v.B).toString('base64') } : v;
  }
  return JSON.stringify(out);
}
