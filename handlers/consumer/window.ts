/**
 * Windowed micro-batching on Lambda's tumbling windows (docs/consumer-toolkit.md): the aggregate
 * travels between a window's invocations in the `state` Lambda carries, and is flushed at the
 * window's end (`isFinalInvokeForWindow`) or when it holds `maxChanges` changes. Each flush has an
 * identity (source, shard, window start, flush number and a digest of the changes folded into it)
 * claimed in the idempotency table, so a retried invocation (Lambda retries a failed one with the
 * state it was given, the same records in it) recomputes the same flush and finds it done instead
 * of applying it twice. Changes already in the window (a Kinesis duplicate in a later batch) are
 * recognised by their identity and skipped; on Kinesis, a duplicate in a later window than its
 * original is recognised by the marker its original's flush left (folded.ts) and skipped too.
 */
import { createHash } from 'crypto';
import type { Context } from 'aws-lambda';
import { Change, configuredViewType, isKinesisRecord, SourceRecord, StreamViewType, toChanges, Unmarshalled } from './change';
import { IdempotencyStore, idempotencyStoreFromEnvironment, TransactPut } from './idempotency';

/** A Lambda event of a mapping with `tumbling_window_in_seconds`. */
export interface WindowedEvent {
  /** The batch's records (DynamoDB stream or Kinesis), in shard order. */
  readonly Records: SourceRecord[];
  /** The tumbling window the batch belongs to (ISO-8601 start and end). Absent on a mapping without a window. */
  readonly window?: { readonly start: string; readonly end: string };
  /** What the window's previous invocation returned as `state` (empty at a window's first invocation). */
  readonly state?: Record<string, string>;
  /** The shard the batch was read from; part of each flush's identity. */
  readonly shardId?: string;
  /** ARN of the stream the batch was read from; part of each flush's identity. */
  readonly eventSourceARN?: string;
  /** True on the window's last invocation: the handler flushes then and starts the next window empty. */
  readonly isFinalInvokeForWindow?: boolean;
  /** True when Lambda ended the window early because the carried state would exceed 1 MB. */
  readonly isWindowTerminatedEarly?: boolean;
}

/** One flush of a window's aggregate, as `WindowOptions.flush` receives it. */
export interface WindowFlush {
  /** Identity of this flush: source, shard, window start, flush number and the changes in it. */
  readonly id: string;
  /** The shard whose changes the aggregate holds (a window aggregates one shard). */
  readonly shardId: string;
  /** The tumbling window the aggregate belongs to (ISO-8601 start and end). */
  readonly window: { readonly start: string; readonly end: string };
  /** Changes folded into this flush. */
  readonly changes: number;
  /** The Put that marks this flush done, for the flush's own TransactWriteItems (exactly once on a DynamoDB sink). */
  completionWrite(): TransactPut;
  /**
   * For a flush too big for one transaction (TransactWriteItems takes 100 items): the Put that
   * marks part `part` (0, 1, ...) of it applied, for that part's transaction. It fails the
   * transaction (ConditionalCheckFailed on this item) when the part was applied by an earlier
   * attempt: skip the part then. The last transaction carries `completionWrite()`.
   */
  partWrite(part: number): TransactPut;
}

/**
 * What `windowHandler` folds and where it flushes. `S` is the aggregate (JSON-serialisable), `T` the
 * type of the changes' images.
 */
export interface WindowOptions<S, T> {
  /** The aggregate of no change. Must be JSON-serialisable (Lambda carries it as a string, up to 1 MB). */
  initial(): S;
  /** Folds one change into the aggregate (pure: a retry folds the same changes again). */
  add(aggregate: S, change: Change<T>): S;
  /** Writes the aggregate downstream. */
  flush(aggregate: S, flush: WindowFlush): Promise<void>;
  /** Flush early when this many changes are folded. @default 1000 */
  readonly maxChanges?: number;
  /**
   * Where flushes are remembered. Without it a retried flush double-counts, so there is no
   * running without one. On a Kinesis source it must also remember which flush folded each change
   * (`markFolded`, `foldedElsewhere`), or a duplicate arriving in a later window counts twice.
   * @default a DynamoDBIdempotencyStore on the table StreamConsumer's `idempotency` creates
   */
  readonly store?: IdempotencyStore | (() => Promise<IdempotencyStore | false>);
  /** @default the record's, else the environment's (StreamConsumer sets it) */
  readonly viewType?: StreamViewType;
}

/** What the handler returns: the state for the window's next invocation. */
export interface WindowResult {
  /** The aggregate carried to the window's next invocation; empty after the window's final flush. */
  state: Record<string, string>;
  /** Always empty: a failed batch is thrown, so Lambda retries it whole with the state it was given. */
  batchItemFailures: { itemIdentifier: string }[];
}

interface Carried<S> {
  aggregate: S;
  changes: number;
  flushes: number;
  /** Digest of the ids folded since the last flush, in fold order. */
  digest: string;
  /** Ids folded in this window, in fold order; those from `pendingFrom` on are in the next flush. */
  seen: string[];
  pendingFrom?: number;
  /** The window reads Kinesis: its flushes mark what they fold, for later windows (folded.ts). */
  kinesis?: boolean;
}

const STATE_KEY = 'cdktfDynamodbStreamsWindow';

/**
 * A Lambda handler for a StreamConsumer with `tumblingWindowSeconds`: folds each change into an
 * aggregate with `add` and writes it with `flush` once per window (or every `maxChanges` changes),
 * exactly once per flush through the idempotency store. Needs `idempotency` on the consumer (or a
 * `store`); throws at the first event otherwise.
 *
 * @example
 *   export const handler = windowHandler<Record<string, number>, Order>({
 *     initial: () => ({}),
 *     add: (counts, change) => ({ ...counts, [change.eventName]: (counts[change.eventName] ?? 0) + 1 }),
 *     flush: async (counts, flush) => {
 *       await ddb.send(new TransactWriteItemsCommand({ TransactItems: [totalsUpdate(counts), flush.completionWrite()] }));
 *     },
 *   });
 */
export function windowHandler<S, T = Record<string, Unmarshalled>>(
  options: WindowOptions<S, T>,
): (event: WindowedEvent, context?: Context) => Promise<WindowResult> {
  const max = options.maxChanges ?? 1000;
  let store: IdempotencyStore | undefined = typeof options.store === 'function' ? undefined : options.store;
  let view: StreamViewType | undefined;
  return async (event, context): Promise<WindowResult> => {
    if (!event.window)
      throw new Error(
        'windowHandler got an event without a tumbling window: set tumblingWindowSeconds on the StreamConsumer (a redrive cannot replay a windowed consumer)',
      );
    store ??= await resolveStore(options.store);
    view ??= options.viewType ?? configuredViewType();
    const shardId = event.shardId ?? '';
    const raw = event.state?.[STATE_KEY];
    const carried: Carried<S> = raw ? JSON.parse(raw) : { aggregate: options.initial(), changes: 0, flushes: 0, digest: '', seen: [] };
    const seen = new Set(carried.seen);
    const windowKey = `${event.eventSourceARN ?? ''}#${shardId}#${event.window.start}`;
    const changes = toChanges<T>(event.Records ?? [], view);
    if (changes.length && isKinesisRecord(changes[0].record)) carried.kinesis = true;
    const elsewhere = carried.kinesis ? await foldedInOtherWindows(store, changes, seen, windowKey) : new Set<string>();
    const flush = () => flushCarried(carried, options, store!, event, windowKey, shardId, context);
    for (const change of changes) {
      if (seen.has(change.id) || elsewhere.has(change.id)) continue;
      seen.add(change.id);
      carried.seen.push(change.id);
      carried.aggregate = options.add(carried.aggregate, change);
      carried.changes++;
      carried.digest = createHash('sha256').update(carried.digest).update(change.id).digest('base64url');
      if (carried.changes >= max) await flush();
    }
    if (event.isFinalInvokeForWindow) {
      await flush();
      return { state: {}, batchItemFailures: [] };
    }
    return { state: { [STATE_KEY]: JSON.stringify(carried) }, batchItemFailures: [] };
  };
}

/**
 * The batch's changes (new to this window) that a committed flush of another window folded: Kinesis
 * duplicates of changes already counted. Deterministic for a retried invocation: markers of this
 * window are ignored (the state it was given decides), and a committed flush stays committed.
 */
async function foldedInOtherWindows(
  store: IdempotencyStore,
  changes: readonly Change<unknown>[],
  seen: ReadonlySet<string>,
  windowKey: string,
): Promise<Set<string>> {
  if (!store.foldedElsewhere || !store.markFolded) throw unsupportedStore();
  const ids = [...new Set(changes.map((c) => c.id).filter((id) => !seen.has(id)))];
  return ids.length ? store.foldedElsewhere(ids, windowKey) : new Set();
}

function unsupportedStore(): Error {
  return new Error(
    'windowHandler on a Kinesis source needs a store with markFolded() and foldedElsewhere() (DynamoDBIdempotencyStore has them): without them a Kinesis duplicate arriving in a later window than its original is counted twice',
  );
}

async function flushCarried<S, T>(
  carried: Carried<S>,
  options: WindowOptions<S, T>,
  store: IdempotencyStore,
  event: WindowedEvent,
  windowKey: string,
  shardId: string,
  context: Context | undefined,
): Promise<void> {
  if (carried.changes === 0) return;
  const window = event.window!;
  // The digest makes the identity the flush's content: a retry (same state, same records) finds
  // its flush done; a window that went on differently (a batch given up) never mistakes another
  // flush for its own and drops it.
  const id = `window#${windowKey}#${carried.flushes}#${carried.digest}`;
  const remaining = context ? context.getRemainingTimeInMillis() : 0;
  const claim = await store.claim(id, Date.now() + remaining);
  if (claim.state === 'busy') throw new Error(`flush ${id} is held by another invocation`);
  if (claim.state === 'claimed') {
    let marked = false;
    const unsupported = () =>
      new Error('completionWrite() and partWrite() need a store that supports transactions (DynamoDBIdempotencyStore)');
    try {
      // Before the commit: a crash after it cannot leave the flush's changes unmarked. A marker of
      // a flush that never commits counts for nothing (folded.ts reads the flush's mark).
      if (carried.kinesis) {
        if (!store.markFolded) throw unsupportedStore();
        await store.markFolded(carried.seen.slice(carried.pendingFrom ?? 0), id, windowKey);
      }
      await options.flush(carried.aggregate, {
        id,
        shardId,
        window,
        changes: carried.changes,
        completionWrite: () => {
          if (!store.completionPut) throw unsupported();
          marked = true;
          return store.completionPut(id, claim.token);
        },
        partWrite: (part) => {
          if (!store.partPut) throw unsupported();
          return store.partPut(`${id}#part${part}`);
        },
      });
    } catch (e) {
      await store.release(id, claim.token);
      throw e;
    }
    if (!marked) await store.complete(id);
  }
  carried.aggregate = options.initial();
  carried.changes = 0;
  carried.digest = '';
  carried.flushes++;
  carried.pendingFrom = carried.seen.length;
}

async function resolveStore(given: WindowOptions<unknown, unknown>['store']): Promise<IdempotencyStore> {
  const store = typeof given === 'function' ? await given() : (given ?? (await idempotencyStoreFromEnvironment()));
  if (!store)
    throw new Error(
      'windowHandler needs an idempotency store, or a retried flush counts twice: set idempotency: true on the StreamConsumer (DDB_STREAMS_IDEMPOTENCY_TABLE is not set) or pass `store`',
    );
  return store;
}
