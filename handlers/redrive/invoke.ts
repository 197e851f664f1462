/**
 * Runs re-read records through the consumer again. Generic on purpose: the redrive does not know
 * what the consumer does, it invokes the very function whose mapping gave up (Lambda Invoke,
 * RequestResponse) with the event that mapping would send (DynamoDB stream or Kinesis records),
 * and reads the answer the way the event source mapping would: `batchItemFailures` names records
 * (by sequence number) that failed again; a FunctionError fails them all.
 */
import { InvokeCommand, LambdaClient } from '@aws-sdk/client-lambda';
import type { DynamoDBBatchResponse } from 'aws-lambda';
import { describeError } from '../common/sdk-errors';
import { backoffDelayMs, sleep } from './backoff';
import { sequenceOf, StreamRecord } from './records';
import { redriveEvent } from '../common/stream-record';

/** The event a stream mapping sends: DynamoDB stream records or Kinesis records. */
export interface StreamEvent {
  readonly Records: StreamRecord[];
}

export interface InvokeResult {
  /** Set when the function threw or timed out (Lambda's X-Amz-Function-Error). */
  readonly functionError?: string;
  /** The function's response, when it returned one. */
  readonly response?: unknown;
}

/** Invokes a function synchronously; tests inject one that calls a real handler in-process. */
export type Invoker = (functionArn: string, event: StreamEvent) => Promise<InvokeResult>;

/** The default invoker: Lambda Invoke (RequestResponse); the client is built on first use unless given. */
export function lambdaInvoker(options: { maxAttempts?: number; client?: LambdaClient } = {}): Invoker {
  let client = options.client;
  return async (functionArn, event) => {
    client ??= new LambdaClient({ maxAttempts: options.maxAttempts ?? 3 });
    const out = await client.send(
      new InvokeCommand({ FunctionName: functionArn, InvocationType: 'RequestResponse', Payload: Buffer.from(JSON.stringify(event)) }),
    );
    const text = out.Payload ? Buffer.from(out.Payload).toString('utf8') : '';
    let response: unknown;
    try {
      response = text ? JSON.parse(text) : undefined;
    } catch {
      response = text;
    }
    return { functionError: out.FunctionError, response };
  };
}

/** Sequence numbers of the records that failed in one invocation, per the mapping's rules. */
export function failedRecords(records: StreamRecord[], result: InvokeResult): { failed: StreamRecord[]; reason: string } {
  if (result.functionError) return { failed: records, reason: `FunctionError ${result.functionError}: ${preview(result.response)}` };
  const items = (result.response as DynamoDBBatchResponse | undefined)?.batchItemFailures;
  if (!Array.isArray(items) || items.length === 0) return { failed: [], reason: '' };
  const bySeq = new Map(records.map((r) => [sequenceOf(r), r]));
  const failed = new Set<StreamRecord>();
  for (const item of items) {
    const r = bySeq.get(item?.itemIdentifier);
    // Lambda treats an empty or unknown itemIdentifier as a failure of the whole batch.
    if (!r)
      return {
        failed: records,
        reason: `batchItemFailures named ${JSON.stringify(item?.itemIdentifier)}, which is not in the batch: the whole batch failed`,
      };
    failed.add(r);
  }
  return { failed: records.filter((r) => failed.has(r)), reason: 'reported in batchItemFailures' };
}

export interface AttemptOutcome {
  readonly succeeded: StreamRecord[];
  /** Records that still fail after every attempt, with the last reason. */
  readonly failed: { record: StreamRecord; reason: string }[];
  /** Invocations made (records retried = the records of all of them). */
  readonly invocations: number;
  readonly recordsRetried: number;
}

/**
 * Invokes the consumer with `records` (in chunks of `chunkSize`), then again with only the
 * records that failed, up to `maxAttempts` times, pausing before each further attempt
 * (`pause`, by default bounded exponential backoff with jitter): a transient failure (throttled
 * target, timeout) heals on a later attempt; what still fails after the last one is persistent
 * and gets parked.
 */
export async function retryRecords(
  invoke: Invoker,
  functionArn: string,
  records: StreamRecord[],
  maxAttempts: number,
  chunkSize: number,
  pause: (attempt: number) => Promise<void> = (attempt) => sleep(backoffDelayMs(attempt)),
): Promise<AttemptOutcome> {
  let pending = records;
  let reasons = new Map<StreamRecord, string>();
  let invocations = 0;
  let recordsRetried = 0;
  for (let attempt = 1; attempt <= maxAttempts && pending.length; attempt++) {
    if (attempt > 1) await pause(attempt);
    const next: StreamRecord[] = [];
    const nextReasons = new Map<StreamRecord, string>();
    for (const chunk of chunks(pending, chunkSize)) {
      invocations++;
      recordsRetried += chunk.length;
      let outcome: { failed: StreamRecord[]; reason: string };
      try {
        outcome = failedRecords(chunk, await invoke(functionArn, redriveEvent(chunk)));
      } catch (e) {
        outcome = { failed: chunk, reason: `Invoke failed: ${describeError(e)}` };
      }
      for (const r of outcome.failed) {
        next.push(r);
        nextReasons.set(r, `${outcome.reason} (attempt ${attempt} of ${maxAttempts})`);
      }
    }
    pending = next;
    reasons = nextReasons;
  }
  const failedSet = new Set(pending);
  return {
    succeeded: records.filter((r) => !failedSet.has(r)),
    failed: pending.map((record) => ({ record, reason: reasons.get(record) ?? 'failed' })),
    invocations,
    recordsRetried,
  };
}

/** A synchronous invoke's request payload is at most 6 MB: keep each event well under it. */
export const MAX_INVOKE_PAYLOAD_BYTES = 5 * 1024 * 1024;

/** Splits records into consecutive chunks of at most `size` records and MAX_INVOKE_PAYLOAD_BYTES. */
export function chunks(records: StreamRecord[], size: number): StreamRecord[][] {
  const out: StreamRecord[][] = [];
  let current: StreamRecord[] = [];
  let bytes = 0;
  for (const r of records) {
    const b = Buffer.byteLength(JSON.stringify(r), 'utf8') + 1;
    if (current.length && (current.length >= size || bytes + b > MAX_INVOKE_PAYLOAD_BYTES)) {
      out.push(current);
      current = [];
      bytes = 0;
    }
    current.push(r);
    bytes += b;
  }
  if (current.length) out.push(current);
  return out;
}

function preview(v: unknown): string {
  const s = typeof v === 'string' ? v : JSON.stringify(v);
  return (s ?? '').slice(0, 500);
}
