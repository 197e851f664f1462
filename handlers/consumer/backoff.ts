/**
 * Retries of transient downstream errors inside the invocation: bounded exponential backoff with
 * full jitter (each wait uniform in [0, min(maxDelay, base * 2^attempt)]), and never a wait the
 * invocation's remaining time cannot afford: a record then fails now and Lambda retries the batch,
 * instead of the invocation timing out and failing every record of it.
 */

export interface BackoffOptions {
  /** Attempts in all, the first included. @default 5 */
  readonly maxAttempts?: number;
  /** Upper bound of the first wait, ms. @default 100 */
  readonly baseDelayMs?: number;
  /** Upper bound of any wait, ms. @default 5000 */
  readonly maxDelayMs?: number;
  /** Time kept for reporting the batch after the last attempt, ms. @default 1000 */
  readonly reserveMs?: number;
  /** Which errors are worth another attempt. @default isTransientError */
  readonly isTransient?: (error: unknown) => boolean;
  /** Random source in [0, 1) (tests). @default Math.random */
  readonly random?: () => number;
  /** Waits `ms` (tests). @default setTimeout */
  readonly sleep?: (ms: number) => Promise<void>;
}

/** Throw it (or an error with `transient: true`) from a handler to have the toolkit retry the change. */
export class TransientError extends Error {
  /** The mark `isTransientError` looks for: any error with `transient: true` is retried the same way. */
  readonly transient = true;
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'TransientError';
  }
}

/** Error names of AWS SDK and Node errors that say "try again later". */
const TRANSIENT_NAMES = new Set([
  'ThrottlingException',
  'Throttling',
  'ProvisionedThroughputExceededException',
  'RequestLimitExceeded',
  'TooManyRequestsException',
  'TransactionConflictException',
  'ServiceUnavailable',
  'ServiceUnavailableException',
  'InternalServerError',
  'InternalFailure',
  'SlowDown',
  'TimeoutError',
  'RequestTimeout',
  'RequestTimeoutException',
]);
const TRANSIENT_CODES = new Set(['ECONNRESET', 'ECONNREFUSED', 'ETIMEDOUT', 'EPIPE', 'EAI_AGAIN', 'ENOTFOUND']);

/** Throttling, 5xx, timeouts, dropped connections and TransientError; not validation or access errors. */
export function isTransientError(error: unknown): boolean {
  if (typeof error !== 'object' || error === null) return false;
  const e = error as { name?: string; code?: string; transient?: boolean; $retryable?: unknown; $metadata?: { httpStatusCode?: number } };
  if (e.transient === true || e.$retryable) return true;
  if (e.name && TRANSIENT_NAMES.has(e.name)) return true;
  if (e.code && TRANSIENT_CODES.has(e.code)) return true;
  const status = e.$metadata?.httpStatusCode;
  return status === 429 || (status !== undefined && status >= 500);
}

/** Runs `attempt` until it succeeds, fails with a permanent error, or runs out of attempts or time. */
export async function withBackoff<R>(attempt: () => Promise<R>, remainingMs: () => number, options: BackoffOptions = {}): Promise<R> {
  const maxAttempts = options.maxAttempts ?? 5;
  const base = options.baseDelayMs ?? 100;
  const cap = options.maxDelayMs ?? 5000;
  const reserve = options.reserveMs ?? 1000;
  const transient = options.isTransient ?? isTransientError;
  const random = options.random ?? Math.random;
  const sleep = options.sleep ?? ((ms: number) => new Promise<void>((r) => setTimeout(r, ms)));
  for (let n = 1; ; n++) {
    try {
      return await attempt();
    } catch (e) {
      if (n >= maxAttempts || !transient(e)) throw e;
      const delay = Math.floor(random() * Math.min(cap, base * 2 ** (n - 1)));
      if (remainingMs() - reserve < delay) throw e;
      await sleep(delay);
    }
  }
}
