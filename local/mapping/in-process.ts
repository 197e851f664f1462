/**
 * The mapping's delivery rules (batch-delivery.ts) for a handler called in this process instead
 * of a function in its own: what test harnesses and benchmarks use to drive handler code with
 * Lambda's semantics, one step at a time, on streams they read themselves.
 */
import type { DynamoDBRecord, DynamoDBStreamEvent } from 'aws-lambda';
import type { StreamReader } from '../stream-reader';
import type { DeliveryHooks, InvokeResult } from './batch-delivery';

/** Calls `handler` as Lambda would: a throw is a failed invocation, like a timeout. */
export async function invokeInProcess(
  handler: (event: DynamoDBStreamEvent) => Promise<unknown>,
  records: DynamoDBRecord[],
): Promise<InvokeResult> {
  try {
    return { ok: true, payload: (await handler({ Records: records })) ?? null };
  } catch (e) {
    return { ok: false, errorType: (e as Error)?.name ?? 'Error', errorMessage: (e as Error)?.message ?? String(e) };
  }
}

/** Hooks for an in-process delivery: no waiting between retries, records never age out. */
export function inProcessHooks(
  handler: (event: DynamoDBStreamEvent) => Promise<unknown>,
  rest: Pick<DeliveryHooks, 'discard'> & Partial<DeliveryHooks>,
): DeliveryHooks {
  return {
    invoke: (records) => invokeInProcess(handler, records),
    createdAt: () => Date.now(),
    now: Date.now,
    backoff: async () => undefined,
    ...rest,
  };
}

/**
 * Reads every stream and delivers what is new (`deliver`, per stream) until a whole round
 * finds nothing new: records a delivery writes into another stream are delivered in turn.
 * Returns the records read per stream.
 */
export async function drainStreams(
  readers: Record<string, StreamReader>,
  deliver: (stream: string, records: DynamoDBRecord[]) => Promise<void>,
  maxRounds = 50,
): Promise<Record<string, number>> {
  const read: Record<string, number> = Object.fromEntries(Object.keys(readers).map((k) => [k, 0]));
  for (let round = 0; round < maxRounds; round++) {
    let any = false;
    for (const [stream, reader] of Object.entries(readers)) {
      const fresh = await reader.readNew();
      if (!fresh.length) continue;
      any = true;
      read[stream] += fresh.length;
      await deliver(stream, fresh);
    }
    if (!any) return read;
  }
  throw new Error(`streams did not go quiet after ${maxRounds} rounds (replication loop?)`);
}
