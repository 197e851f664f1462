/**
 * Backfill for adding a region to a replicated table that already holds data (docs/backfill.md):
 * the replica writers copy only what is written after the new region joined, so everything nobody
 * touches again is copied from one existing region by this. Parallel Scan segments with strongly
 * consistent reads; one conditional write per item (item.ts); a checkpoint saved after every page;
 * a token bucket for the write rate and backoff on throttling.
 *
 *   const summary = await runBackfill({ source: { region, table, client }, target: { region, table, client }, checkpoint: fileCheckpoint('bf.json') });
 *
 * With `verify`, the same scan checks the target instead (verify.ts): read-only.
 * The CLI (cli.ts) is this plus flags, progress on stderr and the summary on stdout.
 */
import { DescribeTableCommand, ScanCommand, TableDescription } from '@aws-sdk/client-dynamodb';
import type { Item } from '../lww';
import {
  addCounts,
  checkSameJob,
  CheckpointState,
  Counts,
  JobIdentity,
  MAX_LISTED_PROBLEMS,
  newCheckpoint,
  Problem,
  SegmentState,
  ZERO_COUNTS,
} from './checkpoint';
import { backfillItem, ItemContext, PageTally } from './item';
import { deployedMasking, reconcileMasking } from './masking';
import { attributeNames, BackfillOptions, DEFAULTS, itemFilter, optionProblems, SourceTable, TargetTable } from './options';
import { DEFAULT_BACKOFF, Semaphore, SYSTEM_CLOCK, TokenBucket } from './pacing';
import { progressOf, Progress } from './progress';
import { Requests } from './requests';
import { verifyPage } from './verify';

export { fileCheckpoint } from './checkpoint';
export type { CheckpointState, CheckpointStore, Counts, Problem } from './checkpoint';
export { stampVersion, STAMP_NONCE } from './item';
export type { BackfillOptions, SourceTable, TargetTable } from './options';
export { SYSTEM_CLOCK, TokenBucket } from './pacing';
export type { Clock } from './pacing';
export { formatProgress } from './progress';
export type { PageReport, Progress } from './progress';

export interface BackfillSummary {
  /** complete: every segment scanned; stopped: the signal stopped it; failed: see `error`. */
  readonly status: 'complete' | 'stopped' | 'failed';
  readonly mode: 'copy' | 'verify';
  readonly error?: string;
  readonly source: { readonly region: string; readonly table: string };
  readonly target: { readonly region: string; readonly table: string };
  /** Whether this run continued a checkpoint that earlier runs had written. */
  readonly resumed: boolean;
  readonly segments: { readonly total: number; readonly done: number };
  /** Counts over every run of the checkpoint. */
  readonly totals: Counts;
  readonly thisRun: Counts & {
    readonly scanCalls: number;
    readonly pages: number;
    readonly seconds: number;
    readonly itemsPerSecond: number;
    readonly throttled: number;
    readonly retries: number;
  };
  /** Skipped and failed items, or missing and behind ones in a verify run (the first 100; the counts say how many). */
  readonly problems: readonly Problem[];
  readonly checkpoint?: string;
}

export async function runBackfill(options: BackfillOptions): Promise<BackfillSummary> {
  const problems = optionProblems(options);
  if (problems.length) throw new Error(`backfill options are invalid:\n- ${problems.join('\n- ')}`);
  const clock = options.clock ?? SYSTEM_CLOCK;
  const started = clock.now();
  const totalSegments = options.segments ?? DEFAULTS.segments;
  const sourceTable = await describe(options.source);
  const targetTable = await describe(options.target);
  const target = await withDeployedMasking(options.target);
  const keyNames = sameKeys(sourceTable, targetTable, options);
  const job: JobIdentity = {
    mode: options.verify ? 'verify' : 'copy',
    source: { region: options.source.region, table: options.source.table },
    target: { region: options.target.region, table: options.target.table },
    totalSegments,
  };
  const saved = await options.checkpoint?.load();
  if (saved) checkSameJob(saved, job, options.checkpoint!.where);
  const state: CheckpointState = saved ?? newCheckpoint(job, started);

  const rate = options.itemsPerSecond ?? DEFAULTS.itemsPerSecond;
  const bucket = new TokenBucket(rate, options.burst ?? Math.max(1, Math.floor(rate === Infinity ? 1 : rate)), clock);
  const requests = new Requests(bucket, clock, options.backoff ?? DEFAULT_BACKOFF, options.maxRetries ?? DEFAULTS.maxRetries);
  const ctx: ItemContext = {
    source: options.source,
    target,
    keyNames,
    names: attributeNames(options.names),
    unversioned: options.unversioned ?? DEFAULTS.unversioned,
    ...(options.replicateItemsWhere ? { replicates: itemFilter(options.replicateItemsWhere) } : {}),
    requests,
  };
  const writes = new Semaphore(options.writeConcurrency ?? DEFAULTS.writeConcurrency);
  const run = { counts: { ...ZERO_COUNTS }, scanCalls: 0, pages: 0 };
  let failure: Error | undefined;
  let saving: Promise<void> = Promise.resolve();
  const persist = () => {
    state.updatedAt = new Date(clock.now()).toISOString();
    const snapshot = structuredClone(state);
    // In order: a slower save must never overwrite a later one.
    const save = saving.catch(() => undefined).then(() => options.checkpoint?.save(snapshot));
    saving = save;
    return save;
  };
  const progress = (): Progress =>
    progressOf({
      mode: job.mode,
      segmentsDone: state.segments.filter((s) => s.done).length,
      segmentsTotal: totalSegments,
      totals: state.totals,
      run: run.counts,
      elapsedMs: clock.now() - started,
      estimatedItems: sourceTable.ItemCount,
    });

  const copyPage = async (items: Item[], tally: PageTally) => {
    const settled = await Promise.allSettled(
      items.map((item) =>
        writes.run(async () => {
          // Once the run is failing, no page will be saved: spare the rest of its writes.
          if (failure) throw failure;
          await backfillItem(item, ctx, tally).catch((e) => {
            failure ??= e;
            throw e;
          });
        }),
      ),
    );
    const failed = settled.find((s): s is PromiseRejectedResult => s.status === 'rejected');
    if (failed) throw failed.reason;
  };

  const scanPage = async (seg: SegmentState) => {
    run.scanCalls++;
    const page = await requests.read(`scanning segment ${seg.segment} of ${options.source.region}/${options.source.table}`, () =>
      options.source.client.send(
        new ScanCommand({
          TableName: options.source.table,
          Segment: seg.segment,
          TotalSegments: totalSegments,
          ConsistentRead: true,
          ExclusiveStartKey: seg.lastEvaluatedKey,
          Limit: options.pageSize,
        }),
      ),
    );
    const tally: PageTally = { counts: { ...ZERO_COUNTS }, problems: [] };
    const items = (page.Items ?? []) as Item[];
    if (options.verify) await verifyPage(items, ctx, tally, writes);
    else await copyPage(items, tally);
    // The page is settled: its position, done flag and counts are saved together.
    seg.lastEvaluatedKey = page.LastEvaluatedKey as Item | undefined;
    seg.done = page.LastEvaluatedKey === undefined;
    seg.pages++;
    run.pages++;
    addCounts(state.totals, tally.counts);
    addCounts(run.counts, tally.counts);
    state.problems.push(...tally.problems.slice(0, Math.max(0, MAX_LISTED_PROBLEMS - state.problems.length)));
    await persist();
    options.onProgress?.(progress());
    await options.onPage?.({
      segment: seg.segment,
      pages: seg.pages,
      items: page.Items?.length ?? 0,
      counts: tally.counts,
      segmentDone: seg.done,
    });
  };

  const queue = state.segments.filter((s) => !s.done);
  const stopping = () => failure !== undefined || options.signal?.aborted === true;
  const worker = async () => {
    for (let seg = queue.shift(); seg && !stopping(); seg = queue.shift()) {
      while (!seg.done && !stopping()) {
        try {
          await scanPage(seg);
        } catch (e) {
          failure ??= e as Error;
        }
      }
    }
  };
  const workers = Math.min(options.scanConcurrency ?? DEFAULTS.scanConcurrency, Math.max(1, queue.length));
  await Promise.all(Array.from({ length: workers }, worker));
  await saving.catch((e) => (failure ??= e));

  const seconds = (clock.now() - started) / 1000;
  const done = state.segments.filter((s) => s.done).length;
  return {
    status: failure ? 'failed' : done === totalSegments ? 'complete' : 'stopped',
    ...(failure ? { error: failure.message } : {}),
    mode: job.mode,
    source: job.source,
    target: job.target,
    resumed: saved !== undefined,
    segments: { total: totalSegments, done },
    totals: state.totals,
    thisRun: {
      ...run.counts,
      scanCalls: run.scanCalls,
      pages: run.pages,
      seconds,
      itemsPerSecond: seconds > 0 ? Math.round(run.counts.scanned / seconds) : 0,
      throttled: requests.throttled,
      retries: requests.retries,
    },
    problems: state.problems,
    ...(options.checkpoint ? { checkpoint: options.checkpoint.where } : {}),
  };
}

/** The target with the masking of its deployed writer, when one is named. */
async function withDeployedMasking(t: TargetTable): Promise<TargetTable> {
  if (!t.writerFunction) return t;
  const deployed = await deployedMasking(t.writerFunction, t);
  return { ...t, ...reconcileMasking(t, deployed, t.writerFunction.name) };
}

async function describe(t: SourceTable): Promise<TableDescription> {
  let table: TableDescription | undefined;
  try {
    table = (await t.client.send(new DescribeTableCommand({ TableName: t.table }))).Table;
  } catch (e) {
    throw new Error(`cannot describe table ${t.region}/${t.table}: ${(e as Error).name}: ${(e as Error).message}`);
  }
  if (!table?.KeySchema?.length) throw new Error(`table ${t.region}/${t.table} has no key schema`);
  if (table.TableStatus !== 'ACTIVE' && table.TableStatus !== 'UPDATING') {
    throw new Error(`table ${t.region}/${t.table} is ${table.TableStatus}; wait until it is ACTIVE`);
  }
  return table;
}

/** The key attribute names (partition key first), after checking both tables use the same key. */
function sameKeys(source: TableDescription, target: TableDescription, options: BackfillOptions): string[] {
  const shape = (t: TableDescription) =>
    [...t.KeySchema!]
      .sort((a, b) => (a.KeyType === b.KeyType ? 0 : a.KeyType === 'HASH' ? -1 : 1))
      .map(
        (k) => `${k.AttributeName} ${t.AttributeDefinitions?.find((d) => d.AttributeName === k.AttributeName)?.AttributeType} ${k.KeyType}`,
      );
  const s = shape(source);
  const t = shape(target);
  if (s.join(', ') !== t.join(', ')) {
    throw new Error(
      `tables have different keys: ${options.source.region}/${options.source.table} has (${s.join(', ')}), ${options.target.region}/${options.target.table} has (${t.join(', ')})`,
    );
  }
  return s.map((k) => k.split(' ')[0]);
}
