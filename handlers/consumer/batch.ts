/**
 * The consumer's batch loop: records -> changes, each key's changes in the order they happened,
 * each change processed at most once (idempotency), transient errors retried with backoff, and a
 * partial batch response that keeps per-key order: once a change of a key fails, the key's later
 * changes in the batch are not processed and are reported failed with it, so Lambda delivers them
 * again after it, in order.
 */
import type { Context } from 'aws-lambda';
import { BackoffOptions, withBackoff } from './backoff';
import { chained, Entry, readable, readBatch } from './batch-read';
import { Change, configuredViewType, isKinesisRecord, SourceRecord, StreamViewType, Unmarshalled } from './change';
import { IdempotencyStore, TransactPut } from './idempotency';

/** Lambda's partial batch response: the records to retry from (ReportBatchItemFailures). */
export interface BatchItemFailures {
  /**
   * One entry per record to retry from (its sequence number); empty when the whole batch succeeded.
   * Lambda retries from the earliest one and sends the batch to the on-failure destination when retries run out.
   */
  batchItemFailures: { itemIdentifier: string }[];
}

/** How `changeHandler` processes a batch. */
export interface ChangeHandlerOptions {
  /**
   * Where processed changes are remembered; `false` processes every delivery. StreamConsumer's
   * `idempotency` makes the default a DynamoDBIdempotencyStore on the table it creates.
   * @default from the environment (idempotency table), else none
   */
  readonly idempotency?: IdempotencyStore | false;
  /** Retries of transient errors; `false` fails a change at its first error. @default BackoffOptions defaults */
  readonly backoff?: BackoffOptions | false;
  /** @default the record's, else the environment's (StreamConsumer sets it) */
  readonly viewType?: StreamViewType;
  /** Invocation time left when no Lambda context is passed (tests). @default 60 s */
  readonly remainingMs?: () => number;
}

/** What a handler is told besides the change. */
export interface ChangeContext {
  /** 1 for the first attempt at this change in this invocation. */
  readonly attempt: number;
  /** The invocation's Lambda context, when the runtime passed one. */
  readonly lambdaContext?: Context;
  /**
   * With idempotency: the Put that marks this change processed, to include in the handler's own
   * DynamoDB TransactWriteItems so the side effect and the mark commit together (exactly once on a
   * DynamoDB sink, crashes included). Calling it hands the marking to the handler's transaction.
   * Throws without an idempotency store that supports it.
   */
  completionWrite(): TransactPut;
}

/** Processes one change; a throw (after the backoff's retries) fails it and the item's later changes in the batch, which Lambda delivers again. */
export type ChangeHandler<T, K> = (change: Change<T, K>, context: ChangeContext) => Promise<void> | void;

/** What one batch came to (for logs and metrics). */
export interface BatchOutcome {
  /** Changes the handler processed. */
  readonly processed: number;
  /** Changes skipped as already processed (re-deliveries, duplicates). */
  readonly skipped: number;
  /** Changes that failed (their records are retried from the first). */
  readonly failed: number;
  /** The partial batch response to return to Lambda. */
  readonly response: BatchItemFailures;
}

/** Processes one Lambda event's records; returns the partial batch response. */
export async function processRecords<T, K>(
  records: readonly SourceRecord[],
  handler: ChangeHandler<T, K>,
  options: ChangeHandlerOptions = {},
  lambdaContext?: Context,
): Promise<BatchOutcome> {
  const remaining = lambdaContext ? () => lambdaContext.getRemainingTimeInMillis() : (options.remainingMs ?? (() => 60_000));
  const failures: string[] = [];
  const { byKey, unreadable } = readBatch<T, K>(records, options.viewType ?? configuredViewType());
  // Every first attempt without idempotency is told the same: one object for the batch.
  const firstAttempt: ChangeContext = Object.freeze({ attempt: 1, lambdaContext, completionWrite: noCompletionWrite });
  let processed = 0;
  let skipped = 0;
  let failed = 0;
  for (const first of byKey.values()) {
    // Kinesis may deliver an item's changes out of order: their creation time orders them (stable sort).
    let entry: Entry<T, K> | undefined = first.next && isKinesisRecord(first.record) ? inCreationOrder(first) : first;
    for (; entry; entry = entry.next) {
      if (!readable(entry.change)) {
        unreadable.push(entry.index); // as if it had failed to decode when read: the key's later changes go on
        continue;
      }
      const pending = processOne(entry.change, handler, options, remaining, lambdaContext, firstAttempt);
      const outcome = typeof pending === 'string' ? pending : await pending;
      // A settled change's decoded record is garbage now, not live data every later allocation's GC copies.
      entry.change = undefined as unknown as Change<T, K>;
      if (outcome === 'failed') {
        failures.push(...entry.records().map(itemIdentifier));
        failed++;
        for (let later = entry.next; later; later = later.next) {
          // A later change that cannot be read is reported as unreadable, as when it failed to decode on arrival.
          if (!readable(later.change)) unreadable.push(later.index);
          else {
            failures.push(...later.records().map(itemIdentifier));
            failed++;
          }
        }
        break;
      }
      if (outcome === 'skipped') skipped++;
      else processed++;
    }
  }
  if (unreadable.length) failures.unshift(...unreadable.sort((a, b) => a - b).map((i) => itemIdentifier(records[i])));
  return { processed, skipped, failed, response: { batchItemFailures: failures.map((itemIdentifier) => ({ itemIdentifier })) } };
}

type Outcome = 'processed' | 'skipped' | 'failed';

/** An item's chain re-linked in creation-time order (stable: equal times keep record order); its new first. */
function inCreationOrder<T, K>(first: Entry<T, K>): Entry<T, K> {
  const list = chained(first).sort((a, b) => a.change.createdAt.epochMicros - b.change.createdAt.epochMicros);
  for (let i = 0; i < list.length; i++) list[i].next = list[i + 1];
  return list[0];
}

/**
 * One change. Without idempotency, a handler that returns without a promise settles here without
 * one (no await per change: most of the toolkit's CPU beside decoding was promise bookkeeping).
 */
function processOne<T, K>(
  change: Change<T, K>,
  handler: ChangeHandler<T, K>,
  options: ChangeHandlerOptions,
  remaining: () => number,
  lambdaContext: Context | undefined,
  firstAttempt: ChangeContext,
): Outcome | Promise<Outcome> {
  if (options.idempotency) return processClaimed(change, handler, options.idempotency, options, remaining, lambdaContext);
  let first: void | Promise<void>;
  try {
    first = handler(change, firstAttempt);
  } catch (e) {
    return retried(change, handler, options, remaining, lambdaContext, e);
  }
  if (!isThenable(first)) return 'processed';
  return first.then(
    () => 'processed' as const,
    (e: unknown) => retried(change, handler, options, remaining, lambdaContext, e),
  );
}

/** After a first attempt without idempotency failed: the backoff's further attempts, or the failure. */
async function retried<T, K>(
  change: Change<T, K>,
  handler: ChangeHandler<T, K>,
  options: ChangeHandlerOptions,
  remaining: () => number,
  lambdaContext: Context | undefined,
  firstError: unknown,
): Promise<Outcome> {
  let attempt = 1;
  const run = async () => {
    if (attempt === 1 && firstError !== NO_ERROR) {
      const e = firstError;
      firstError = NO_ERROR;
      throw e;
    }
    await handler(change, { attempt: ++attempt, lambdaContext, completionWrite: noCompletionWrite });
  };
  try {
    if (options.backoff === false) await run();
    else await withBackoff(run, remaining, options.backoff);
    return 'processed';
  } catch (e) {
    logFailure(change, e);
    return 'failed';
  }
}

async function processClaimed<T, K>(
  change: Change<T, K>,
  handler: ChangeHandler<T, K>,
  store: IdempotencyStore,
  options: ChangeHandlerOptions,
  remaining: () => number,
  lambdaContext: Context | undefined,
): Promise<Outcome> {
  const claim = await store.claim(change.id, Date.now() + Math.max(remaining(), 0));
  if (claim.state === 'done') return 'skipped';
  if (claim.state === 'busy') return 'failed';
  const token = claim.token;
  let attempt = 0;
  let markedByHandler = false;
  const completionWrite = (): TransactPut => {
    if (!store.completionPut)
      throw new Error('completionWrite() needs idempotency with a store that supports transactions (DynamoDBIdempotencyStore)');
    markedByHandler = true;
    return store.completionPut(change.id, token);
  };
  const run = () => handler(change, { attempt: ++attempt, lambdaContext, completionWrite }) as Promise<void>;
  try {
    if (options.backoff === false) await run();
    else await withBackoff(async () => run(), remaining, options.backoff);
  } catch (e) {
    logFailure(change, e);
    await store.release(change.id, token);
    return 'failed';
  }
  if (!markedByHandler) await store.complete(change.id);
  return 'processed';
}

const NO_ERROR = Symbol('no error');

function noCompletionWrite(): TransactPut {
  throw new Error('completionWrite() needs idempotency with a store that supports transactions (DynamoDBIdempotencyStore)');
}

function isThenable(v: unknown): v is Promise<void> {
  return typeof (v as Promise<void> | undefined)?.then === 'function';
}

function logFailure(change: Change<unknown, unknown>, e: unknown): void {
  console.error(
    JSON.stringify({
      message: 'change failed',
      changeId: change.id,
      table: change.table,
      keys: change.keyId,
      error: String((e as Error)?.stack ?? e),
    }),
  );
}

/** The identifier a partial batch response names a record by: its sequence number. */
export function itemIdentifier(record: SourceRecord): string {
  return isKinesisRecord(record) ? record.kinesis.sequenceNumber : (record.dynamodb?.SequenceNumber ?? '');
}

export type { Unmarshalled };
