/**
 * What a backfill run is told, with its defaults and one check of every value (shared by the
 * library entry and the CLI, which names its flags instead of the option names).
 */
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { matchesAny, parsePatterns } from '../common/filter-pattern';
import { DEFAULT_ATTRIBUTE_NAMES, Item, LwwAttributeNames } from '../lww';
import type { CheckpointStore } from './checkpoint';
import type { WriterFunction } from './masking';
import type { Backoff, Clock } from './pacing';
import type { PageReport, Progress } from './progress';

export interface SourceTable {
  /** Region name as the replica writers use it; a stamp's version carries it (`[a-z0-9-]+`). */
  readonly region: string;
  readonly table: string;
  readonly client: DynamoDBClient;
}

export interface TargetTable extends SourceTable {
  /** Attributes left out of items written here, as the region's writer config says. @default none */
  readonly omit?: readonly string[];
  /** Attributes written here as "***", as the region's writer config says. @default none */
  readonly mask?: readonly string[];
  /**
   * A deployed replica writer that writes into this table: the backfill takes `omit` and `mask`
   * from its configuration (and refuses lists given by hand that differ). @default none: only the lists given
   */
  readonly writerFunction?: WriterFunction;
}

export interface BackfillOptions {
  /** An existing region's table to copy from (scanned with strongly consistent reads). */
  readonly source: SourceTable;
  /** The new region's table. */
  readonly target: TargetTable;
  /** Scan segments (TotalSegments), 1..1000000; fixed for the life of a checkpoint. @default 8 */
  readonly segments?: number;
  /** Segments scanned at the same time, 1..segments. @default min(segments, 4) */
  readonly scanConcurrency?: number;
  /** Writes in flight at the same time, over all segments, 1..1000. @default 32 */
  readonly writeConcurrency?: number;
  /** Items per Scan page (Scan's Limit), at least 1. @default DynamoDB's 1 MB page */
  readonly pageSize?: number;
  /**
   * Write requests per second (a conditional PutItem per item; an item without a version costs
   * one more, its stamp); Infinity for no limit. @default 500
   */
  readonly itemsPerSecond?: number;
  /** Writes allowed at once after a quiet spell, at least 1. @default one second's worth (min 1) */
  readonly burst?: number;
  /**
   * Items without a version: `stamp` gives them, in the source, the oldest possible version
   * (docs/backfill.md says why), which every region's copy then agrees on; `skip` lists them.
   * @default 'stamp'
   */
  readonly unversioned?: 'stamp' | 'skip';
  /**
   * The table's `replicateItemsWhere` pattern (Lambda filter syntax on new-image attributes, e.g.
   * `{ tier: { S: ['gold'] } }`): only matching items, and tombstones, are copied, as only those
   * replicate. @default every item
   */
  readonly replicateItemsWhere?: Record<string, unknown>;
  /** Replication attribute names; must match the writers'. @default _v, _o, _d, _ttl, _w */
  readonly names?: Partial<LwwAttributeNames>;
  /**
   * Check instead of copy: read each scanned item's key from the target and count it as present
   * (same or newer version), missing or behind. Writes nothing. @default false
   */
  readonly verify?: boolean;
  /** Where progress is saved after every page, and resumed from. @default none (not resumable) */
  readonly checkpoint?: CheckpointStore;
  /** Retries of one request that is throttled or fails transiently, 0..100. @default 10 */
  readonly maxRetries?: number;
  /** @default 100 ms doubling up to 20 s, equal jitter */
  readonly backoff?: Backoff;
  /** @default the system clock */
  readonly clock?: Clock;
  /** Stops the run after the pages under way are settled and saved. */
  readonly signal?: AbortSignal;
  /** Called (and awaited) after each page is settled and saved, before that segment goes on. */
  readonly onPage?: (page: PageReport) => void | Promise<void>;
  /** Called after each page with the counts so far. */
  readonly onProgress?: (progress: Progress) => void;
}

export const DEFAULTS = {
  segments: 8,
  scanConcurrency: 4,
  writeConcurrency: 32,
  itemsPerSecond: 500,
  maxRetries: 10,
  unversioned: 'stamp',
} as const;

/** Scan's TotalSegments range. */
export const MAX_SEGMENTS = 1_000_000;

const REGION = /^[a-z0-9-]+$/;
const TABLE = /^[a-zA-Z0-9_.-]{3,255}$/;

/** How a problem names an option: the option itself, or the CLI flag that sets it. */
export type OptionLabel = (option: string) => string;

/** Every problem with `o`, each naming the option, the value and what is allowed. */
export function optionProblems(o: BackfillOptions, label: OptionLabel = (x) => x): string[] {
  const problems: string[] = [];
  const got = (v: unknown) => (typeof v === 'string' ? JSON.stringify(v) : String(v));
  const integer = (name: string, v: number | undefined, min: number, max: number, why = '') => {
    if (v !== undefined && !(Number.isInteger(v) && v >= min && v <= max))
      problems.push(`${label(name)} must be an integer ${min}..${max}${why} (got ${got(v)})`);
  };
  const segments = o.segments ?? DEFAULTS.segments;
  integer('segments', o.segments, 1, MAX_SEGMENTS, " (Scan's TotalSegments range)");
  const validSegments = Number.isInteger(segments) && segments >= 1 && segments <= MAX_SEGMENTS;
  integer('scanConcurrency', o.scanConcurrency, 1, validSegments ? segments : MAX_SEGMENTS, ' (no more than the segments)');
  integer('writeConcurrency', o.writeConcurrency, 1, 1000);
  integer('pageSize', o.pageSize, 1, Number.MAX_SAFE_INTEGER);
  integer('burst', o.burst, 1, Number.MAX_SAFE_INTEGER);
  integer('maxRetries', o.maxRetries, 0, 100);
  if (o.itemsPerSecond !== undefined && !(o.itemsPerSecond > 0))
    problems.push(`${label('itemsPerSecond')} must be a number above 0 (got ${got(o.itemsPerSecond)})`);
  if (o.unversioned !== undefined && o.unversioned !== 'stamp' && o.unversioned !== 'skip')
    problems.push(`${label('unversioned')} must be one of "stamp", "skip" (got ${got(o.unversioned)})`);
  for (const side of ['source', 'target'] as const) {
    const t = o[side];
    if (!REGION.test(t?.region ?? ''))
      problems.push(`${label(`${side}.region`)} must be a region name of a-z, 0-9 and "-" (got ${got(t?.region)})`);
    if (!TABLE.test(t?.table ?? ''))
      problems.push(
        `${label(`${side}.table`)} must be a DynamoDB table name: 3..255 of a-z, A-Z, 0-9, "_", "-", "." (got ${got(t?.table)})`,
      );
  }
  if (o.source?.region === o.target?.region && o.source?.table === o.target?.table) {
    problems.push(
      `${label('target.region')} and ${label('target.table')} must name another table than the source (both are ${o.source.region}/${o.source.table})`,
    );
  }
  if (o.replicateItemsWhere !== undefined) {
    try {
      itemFilter(o.replicateItemsWhere);
    } catch (e) {
      problems.push(
        `${label('replicateItemsWhere')} must be a filter pattern object on item attributes, such as {"tier":{"S":["gold"]}}: ${(e as Error).message} (got ${JSON.stringify(o.replicateItemsWhere)})`,
      );
    }
  }
  const names = Object.entries(o.names ?? {});
  for (const [k, v] of names)
    if (typeof v !== 'string' || v === '') problems.push(`${label(`names.${k}`)} must be a non-empty attribute name (got ${got(v)})`);
  const all = attributeNames(o.names);
  if (new Set(Object.values(all)).size !== Object.keys(all).length) {
    problems.push(
      `${Object.keys(all)
        .map((k) => label(`names.${k}`))
        .join(', ')} must be distinct (got ${Object.values(all).join(', ')})`,
    );
  }
  return problems;
}

export function attributeNames(names: Partial<LwwAttributeNames> | undefined): LwwAttributeNames {
  const given = Object.entries(names ?? {}).filter(([, v]) => v !== undefined);
  return { ...DEFAULT_ATTRIBUTE_NAMES, ...Object.fromEntries(given) };
}

/**
 * The writers' selective-replication test for one item: their mapping's pattern is
 * `{ dynamodb: { NewImage: <where> } }` on the record as Lambda delivers it (binaries as base64).
 */
export function itemFilter(where: Record<string, unknown>): (item: Item) => boolean {
  if (typeof where !== 'object' || where === null || Array.isArray(where)) throw new Error('it is not an object');
  const patterns = parsePatterns([JSON.stringify({ dynamodb: { NewImage: where } })]);
  return (item) => matchesAny({ dynamodb: { NewImage: JSON.parse(JSON.stringify(item, base64Binaries)) } }, patterns);
}

function base64Binaries(this: Record<string, unknown>, key: string, value: unknown): unknown {
  const original = this[key];
  return original instanceof Uint8Array ? Buffer.from(original).toString('base64') : value;
}
