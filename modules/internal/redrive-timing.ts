/**
 * How long one redrive invocation can run, from the settings of the redrive and of the consumer
 * it re-invokes, and the queue settings that follow from it.
 *
 * One failure-queue message covers one failed batch: at most the consumer mapping's batch size B
 * records. The redrive invokes the consumer with them in chunks of `invokeBatchSize` I, and once
 * more per attempt with what still fails: per attempt at most ceil(B / I) invocations, plus one
 * when the chunks are split by payload size (the original batch was at most 6 MB, the redrive
 * splits at 5 MB). Each invocation may last the consumer's whole timeout T. Reading the range and
 * parking what fails get an allowance per record. An SQS batch holds up to `batchSize` messages,
 * handled one after the other:
 *
 *   worst = batchSize x (maxAttempts x (ceil(B / I) + 1) x T + backoff(maxAttempts) + readAndParkAllowance(B))
 *
 * where backoff is the longest the pauses between attempts can add: the handler pauses before
 * attempt n at most min(2000, 100 x 2^(n-2)) ms (handlers/redrive/backoff.ts; modules do
 * not import handler code, so test/handlers/redrive-backoff.test.ts checks both agree).
 *
 * The function's timeout must cover `worst` (else SQS sees the message fail half-done and
 * delivers it again), and the queue must hide a message for at least 6 times the function timeout
 * (AWS's advice for SQS event sources, which leaves room for the poller's own retries on throttling).
 */
import { Token } from 'cdktf';
import type { RedriveTiming } from '../props/redrive-settings';
import { LIMITS } from './limits';
import { PropsValidator } from './validation';

/** The redrive handler's backoff bounds, ms (see the file comment). */
export const REDRIVE_BACKOFF = { baseMs: 100, capMs: 2000 } as const;

/** The most the pauses between `maxAttempts` attempts can add, ms. */
export function redriveBackoffBudgetMs(maxAttempts: number): number {
  let total = 0;
  for (let n = 2; n <= maxAttempts; n++) total += Math.min(REDRIVE_BACKOFF.capMs, REDRIVE_BACKOFF.baseMs * 2 ** (n - 2));
  return total;
}

/** AWS: set the source queue's visibility timeout to at least six times the function timeout. */
export const SQS_VISIBILITY_FACTOR = 6;
/** Fixed part of the read-and-park allowance per message (iterator, first page, logging), seconds. */
export const READ_PARK_BASE_SECONDS = 5;
/** Per-record part of the allowance: one page read share plus one SendMessage when parked, seconds. */
export const READ_PARK_PER_RECORD_SECONDS = 0.05;

export interface TimingInputs {
  readonly batchSize: number;
  readonly maxAttempts: number;
  readonly invokeBatchSize: number;
  /** The consumer function's timeout, seconds. */
  readonly consumerTimeoutSeconds: number;
  /** The consumer mapping's batch size: the most records one failure message covers. */
  readonly consumerBatchSize: number;
  /** The redrive timeout given in props, if any. */
  readonly timeoutSeconds?: number;
}

/** The timing, or undefined when an input is a Terraform reference (then Terraform and AWS judge it). */
export function redriveTiming(t: TimingInputs): RedriveTiming | undefined {
  const inputs = [t.batchSize, t.maxAttempts, t.invokeBatchSize, t.consumerTimeoutSeconds, t.consumerBatchSize, t.timeoutSeconds ?? 0];
  if (inputs.some((n) => Token.isUnresolved(n) || !Number.isFinite(n))) return undefined;
  const invocations = t.maxAttempts * (Math.ceil(t.consumerBatchSize / t.invokeBatchSize) + 1);
  const allowance = READ_PARK_BASE_SECONDS + Math.ceil(t.consumerBatchSize * READ_PARK_PER_RECORD_SECONDS);
  const backoff = Math.ceil(redriveBackoffBudgetMs(t.maxAttempts) / 1000);
  const worstCaseSeconds = t.batchSize * (invocations * t.consumerTimeoutSeconds + backoff + allowance);
  const timeoutSeconds = t.timeoutSeconds ?? worstCaseSeconds;
  return { worstCaseSeconds, timeoutSeconds, visibilityTimeoutSeconds: SQS_VISIBILITY_FACTOR * timeoutSeconds };
}

/**
 * Refuses settings that cannot hold: a worst case past Lambda's 900 s, a given timeout below the
 * worst case, a queue visibility timeout (given by the user) below 6 x the function timeout.
 */
export function validateTiming(
  v: PropsValidator,
  t: TimingInputs,
  timing: RedriveTiming | undefined,
  requestedVisibility: number | undefined,
): void {
  if (!timing) return;
  const invocations = Math.ceil(t.consumerBatchSize / t.invokeBatchSize) + 1;
  const formula =
    `${t.batchSize} message(s) x ${t.maxAttempts} attempt(s) x ${invocations} invocation(s) of the consumer ` +
    `(timeout ${t.consumerTimeoutSeconds} s, batches of up to ${t.consumerBatchSize} records re-sent ${t.invokeBatchSize} at a time) ` +
    'plus the pauses between attempts, reading and parking';
  const maxTimeout = LIMITS.timeoutSeconds[1];
  if (timing.worstCaseSeconds > maxTimeout) {
    v.require(
      false,
      `batchSize, maxAttempts and invokeBatchSize must let one redrive invocation finish within ` +
        `Lambda's ${maxTimeout} s timeout (it may take ${timing.worstCaseSeconds} s: ${formula}); ` +
        "lower batchSize or maxAttempts, raise invokeBatchSize, or lower the consumer's timeoutSeconds or batchSize",
    );
    return;
  }
  if (t.timeoutSeconds !== undefined && t.timeoutSeconds < timing.worstCaseSeconds) {
    v.fail(
      'timeoutSeconds',
      t.timeoutSeconds,
      `at least ${timing.worstCaseSeconds} s, the worst case of one invocation`,
      `${formula}; a shorter timeout stops a redrive half-done and SQS delivers the message again`,
    );
  }
  const visibility = requestedVisibility;
  if (visibility !== undefined && !Token.isUnresolved(visibility) && visibility < timing.visibilityTimeoutSeconds) {
    v.fail(
      'failureDestination.visibilityTimeoutSeconds',
      visibility,
      `at least ${timing.visibilityTimeoutSeconds} s (${SQS_VISIBILITY_FACTOR} x the redrive timeout of ${timing.timeoutSeconds} s)`,
      'AWS advises at least six times the function timeout for an SQS event source; a message ' +
        'that becomes visible mid-redrive is redriven twice. Leave it unset to have it derived',
    );
  }
}

/** The SQS mapping's maximum concurrency (2..1000) must leave the consumer room for its own mapping. */
export function validateConcurrency(v: PropsValidator, maximumConcurrency: number, consumerReserved: number | undefined): void {
  v.integer('maximumConcurrency', maximumConcurrency, 2, 1000, { why: "the range of an SQS event source mapping's scaling_config" });
  if (
    consumerReserved === undefined ||
    consumerReserved < 0 ||
    Token.isUnresolved(consumerReserved) ||
    Token.isUnresolved(maximumConcurrency)
  )
    return;
  if (consumerReserved <= maximumConcurrency) {
    v.fail(
      'maximumConcurrency',
      maximumConcurrency,
      `below the consumer's reserved concurrency (${consumerReserved})`,
      'each concurrent redrive invokes the consumer, which must keep at least one execution for its own stream mapping; ' +
        "raise the consumer's reservedConcurrency",
    );
  }
}
