/**
 * Windowed micro-batching on Lambda's tumbling windows (docs/consumer-toolkit.md): the aggregate
 * travels between a window's invocations in the `state` Lambda carries, and is flushed at the
 * window's end (`isFinalInvokeForWindow`) or when it holds `maxChanges` changes. Each flush has an
 * identity (shard, window start, flush number) claimed in the idempotency table, so a retried
 * invocation (Lambda retries a failed one with the state it was given, the same records in it)
 * recomputes the same flush and finds it done instead of applying it twice. Changes already in the
 * window (a Kinesis duplicate in a later batch) are recognised by their identity and skipped.
 */
import type { Context } from 'aws-lambda';
import { Change, SourceRecord, toChange, Unmarshalled } from './change';
import { IdempotencyStore, TransactPut } from './idempotency';

/** A Lambda event of a mapping with `tumbling_window_in_seconds`. */
export interface WindowedEvent {
  readonly Records: SourceRecord[];
  readonly window?: { readonly start: string; readonly end: string };
  readonly state?: Record<string, string>;
  readonly shardId?: string;
  readonly eventSourceARN?: string;
  readonly isFinalInvokeForWindow?: boolean;
  readonly isWindowTerminatedEarly?: boolean;
}

export interface WindowFlush {
  /** Identity of this flush: shard, window start and flush number. */
  readonly id: string;
  readonly shardId: string;
  readonly window: { readonly start: string; readonly end: string };
  /** Changes folded into this flush. */
  readonly changes: number;
  /** The Put that marks this flush done, for the flush's own TransactWriteItems (exactly once on a DynamoDB sink). */
  completionWrite(): TransactPut;
}

export interface WindowOptions<S, T> {
  /** The aggregate of no change. Must be JSON-serialisable (Lambda carries it as a string, up to 1 MB). */
  initial(): S;
  /** Folds one change into the aggregate (pure: a retry folds the same changes again). */
  add(aggregate: S, change: Change<T>): S;
  /** Writes the aggregate downstream. */
  flush(aggregate: S, flush: WindowFlush): Promise<void>;
  /** Flush early when this many changes are folded. @default 1000 */
  readonly maxChanges?: number;
  /** Where flushes are remembered (StreamConsumer's `idempotency` table). Required: without it a retried flush double-counts. */
  readonly store: IdempotencyStore;
}

/** What the handler returns: the state for the window's next invocation. */
export interface WindowResult {
  state: Record<string, string>;
  batchItemFailures: { itemIdentifier: string }[];
}

interface Carried<S> {
  aggregate: S;
  changes: number;
  flushes: number;
  seen: string[];
}

const STATE_KEY = 'cdktfDynamodbStreamsWindow';

export function windowHandler<S, T = Record<string, Unmarshalled>>(
  options: WindowOptions<S, T>,
): (event: WindowedEvent, context?: Context) => Promise<WindowResult> {
  const max = options.maxChanges ?? 1000;
  return async (event, context): Promise<WindowResult> => {
    const window = event.window ?? { start: '', end: '' };
    const shardId = event.shardId ?? '';
    const raw = event.state?.[STATE_KEY];
    const carried: Carried<S> = raw ? JSON.parse(raw) : { aggregate: options.initial(), changes: 0, flushes: 0, seen: [] };
    const seen = new Set(carried.seen);
    const flush = async () => {
      if (carried.changes === 0) return;
      const id = `window#${event.eventSourceARN ?? ''}#${shardId}#${window.start}#${carried.flushes}`;
      const remaining = context ? context.getRemainingTimeInMillis() : 0;
      const claim = await options.store.claim(id, Date.now() + remaining);
      if (claim.state === 'busy') throw new Error(`flush ${id} is held by another invocation`);
      if (claim.state === 'claimed') {
        let marked = false;
        try {
          await options.flush(carried.aggregate, {
            id,
            shardId,
            window,
            changes: carried.changes,
            completionWrite: () => {
              if (!options.store.completionPut) throw new Error('completionWrite() needs a store that supports transactions');
              marked = true;
              return options.store.completionPut(id, claim.token);
            },
          });
        } catch (e) {
          await options.store.release(id, claim.token);
          throw e;
        }
        if (!marked) await options.store.complete(id);
      }
      carried.aggregate = options.initial();
      carried.changes = 0;
      carried.flushes++;
    };
    for (const record of event.Records ?? []) {
      const change = toChange<T>(record);
      if (seen.has(change.id)) continue;
      seen.add(change.id);
      carried.aggregate = options.add(carried.aggregate, change);
      carried.changes++;
      if (carried.changes >= max) await flush();
    }
    if (event.isFinalInvokeForWindow) {
      await flush();
      return { state: {}, batchItemFailures: [] };
    }
    carried.seen = [...seen];
    return { state: { [STATE_KEY]: JSON.stringify(carried) }, batchItemFailures: [] };
  };
}
