/**
 * How Lambda's event source mapping turns the ordered records of one shard (or of one
 * parallelization lane of it) into invocations (the Lambda developer guide, "Using AWS Lambda with
 * Amazon DynamoDB" and its error-handling page, docs.aws.amazon.com/lambda/latest/dg/services-dynamodb-errors.html):
 * - batches of at most BatchSize records and 6 MB of payload, in order;
 * - records older than MaximumRecordAgeInSeconds are discarded before an invocation;
 * - a thrown error or a timeout fails the whole batch; with BisectBatchOnFunctionError the batch
 *   is split in two and each half retried on its own (splitting consumes no retry);
 * - with ReportBatchItemFailures, the function's `batchItemFailures` checkpoint the batch at the
 *   lowest failed sequence number and delivery resumes there; an empty, null or unknown
 *   itemIdentifier fails the whole batch; an empty or missing list is success;
 * - after MaximumRetryAttempts failed retries (or when records age out) the batch is discarded:
 *   the caller sends its on-failure record and delivery continues after it.
 * The retry count restarts when a batch succeeds in full, and is kept across a bisection.
 */
import type { DynamoDBRecord } from 'aws-lambda';

/** What one invocation gave back, as the Lambda service reports it. */
export type InvokeResult =
  | { readonly ok: true; readonly payload: unknown }
  | { readonly ok: false; readonly errorType: string; readonly errorMessage: string };

export interface DeliverySettings {
  /** @default 100 */
  readonly batchSize: number;
  /** -1: retry until the record ages out or expires. */
  readonly maxRetryAttempts: number;
  /** -1: no limit. */
  readonly maxRecordAgeSeconds: number;
  readonly bisectOnError: boolean;
  readonly reportBatchItemFailures: boolean;
}

/** Why a batch was given up on: the `condition` of Lambda's on-failure record. */
export type DiscardCondition = 'RetryAttemptsExhausted' | 'RecordAgeExceeded';

export interface Discard {
  readonly records: DynamoDBRecord[];
  readonly condition: DiscardCondition;
  /** Invocations its first record was part of (Lambda's approximateInvokeCount). */
  readonly invokeCount: number;
  /** The last invocation's result, when there was one. */
  readonly lastResult?: InvokeResult;
}

export interface DeliveryHooks {
  invoke(records: DynamoDBRecord[]): Promise<InvokeResult>;
  discard(discard: Discard): Promise<void>;
  /** When the record was written, epoch ms (for MaximumRecordAgeInSeconds). */
  createdAt(record: DynamoDBRecord): number;
  now(): number;
  /** Waits before the `retry`-th retry of a batch. */
  backoff(retry: number): Promise<void>;
  /** Told about every invocation, for counters and progress. */
  invoked?(records: DynamoDBRecord[], result: InvokeResult, outcome: Outcome, ms: number): void;
}

/** The invocation payload limit of a synchronous invocation. */
export const MAX_PAYLOAD_BYTES = 6 * 1024 * 1024;

export type Outcome =
  | { readonly kind: 'success' }
  | { readonly kind: 'partial'; readonly failedIndex: number }
  | { readonly kind: 'error' };

/** How the mapping reads a function's result (ReportBatchItemFailures rules from the Lambda guide). */
export function outcomeOf(result: InvokeResult, batch: readonly DynamoDBRecord[], reportBatchItemFailures: boolean): Outcome {
  if (!result.ok) return { kind: 'error' };
  if (!reportBatchItemFailures) return { kind: 'success' };
  const failures = (result.payload as { batchItemFailures?: unknown } | null | undefined)?.batchItemFailures;
  if (failures === undefined || failures === null || !Array.isArray(failures) || failures.length === 0) return { kind: 'success' };
  let lowest = Infinity;
  for (const f of failures) {
    const id = (f as { itemIdentifier?: unknown } | null)?.itemIdentifier;
    const index = typeof id === 'string' && id !== '' ? batch.findIndex((r) => r.dynamodb?.SequenceNumber === id) : -1;
    if (index < 0) return { kind: 'error' };
    lowest = Math.min(lowest, index);
  }
  return { kind: 'partial', failedIndex: lowest };
}

/** The records that fit one invocation: at most `batchSize`, at most 6 MB of event JSON, at least one. */
export function nextBatch(records: readonly DynamoDBRecord[], batchSize: number): DynamoDBRecord[] {
  const batch: DynamoDBRecord[] = [];
  let bytes = '{"Records":[]}'.length;
  for (const r of records) {
    if (batch.length >= batchSize) break;
    const size = Buffer.byteLength(JSON.stringify(r)) + 1;
    if (batch.length && bytes + size > MAX_PAYLOAD_BYTES) break;
    batch.push(r);
    bytes += size;
  }
  return batch;
}

interface Pending {
  records: DynamoDBRecord[];
  /** True for the halves of a bisection: delivered as they are, not refilled from later records. */
  fixed: boolean;
  retries: number;
  lastResult?: InvokeResult;
}

/** Delivers `records` (in order) until each was processed or discarded. */
export async function deliverInOrder(records: readonly DynamoDBRecord[], settings: DeliverySettings, hooks: DeliveryHooks): Promise<void> {
  let position = 0;
  /** Halves of bisections still to deliver, in order, before slicing resumes at `position`. */
  const halves: Pending[] = [];
  let retries = 0;
  let lastResult: InvokeResult | undefined;
  /** Invocations each record was part of: Lambda's approximateInvokeCount of a discarded batch. */
  const invocations = new Map<DynamoDBRecord, number>();
  const discard = async (batch: DynamoDBRecord[], condition: DiscardCondition, result: InvokeResult | undefined) => {
    await hooks.discard({ records: batch, condition, invokeCount: invocations.get(batch[0]) ?? 0, lastResult: result });
    for (const r of batch) invocations.delete(r);
  };

  while (halves.length || position < records.length) {
    const current: Pending = halves.shift() ?? {
      records: nextBatch(records.slice(position), settings.batchSize),
      fixed: false,
      retries,
      lastResult,
    };
    if (!current.fixed) position += current.records.length;

    const expired = expiredPrefix(current.records, settings, hooks);
    if (expired) {
      await discard(current.records.slice(0, expired), 'RecordAgeExceeded', current.lastResult);
      current.records = current.records.slice(expired);
      if (!current.records.length) continue;
    }

    const started = Date.now();
    const result = await hooks.invoke(current.records);
    const ms = Date.now() - started;
    for (const r of current.records) invocations.set(r, (invocations.get(r) ?? 0) + 1);
    const outcome = outcomeOf(result, current.records, settings.reportBatchItemFailures);
    hooks.invoked?.(current.records, result, outcome, ms);

    if (outcome.kind === 'success') {
      for (const r of current.records) invocations.delete(r);
      if (!current.fixed) retries = 0;
      lastResult = undefined;
      continue;
    }
    if (outcome.kind === 'error' && settings.bisectOnError && current.records.length > 1) {
      const half = Math.ceil(current.records.length / 2);
      halves.unshift(
        { records: current.records.slice(0, half), fixed: true, retries: current.retries, lastResult: result },
        { records: current.records.slice(half), fixed: true, retries: current.retries, lastResult: result },
      );
      continue;
    }
    const failedIndex = outcome.kind === 'partial' ? outcome.failedIndex : 0;
    for (const r of current.records.slice(0, failedIndex)) invocations.delete(r);
    const remaining = current.records.slice(failedIndex);
    const nextRetry = current.retries + 1;
    if (settings.maxRetryAttempts !== -1 && nextRetry > settings.maxRetryAttempts) {
      await discard(remaining, 'RetryAttemptsExhausted', result);
      if (!current.fixed) retries = 0;
      continue;
    }
    await hooks.backoff(nextRetry);
    if (current.fixed) {
      halves.unshift({ records: remaining, fixed: true, retries: nextRetry, lastResult: result });
    } else {
      // Checkpointed at the lowest failure (or not at all): the next batch starts there and is
      // filled up again from the records after it.
      position -= remaining.length;
      retries = nextRetry;
      lastResult = result;
    }
  }
}

function expiredPrefix(batch: readonly DynamoDBRecord[], settings: DeliverySettings, hooks: DeliveryHooks): number {
  if (settings.maxRecordAgeSeconds === -1) return 0;
  const oldest = hooks.now() - settings.maxRecordAgeSeconds * 1000;
  let n = 0;
  while (n < batch.length && hooks.createdAt(batch[n]) < oldest) n++;
  return n;
}
