/**
 * Every request the backfill makes goes through here: writes wait for a token, and a request that
 * is throttled or fails transiently is retried after a backoff (a throttled write also pauses every
 * other writer for that long). Answers that a retry cannot change (a refused condition, a rejected
 * item) go back to the caller at once.
 */
import { classifyFailure, describeError, errorName } from '../common/sdk-errors';
import { Backoff, backoffDelay, Clock, TokenBucket } from './pacing';

const THROTTLED = new Set([
  'ProvisionedThroughputExceededException',
  'ThrottlingException',
  'RequestLimitExceeded',
  'TooManyRequestsException',
]);

export function isThrottled(e: unknown): boolean {
  return THROTTLED.has(errorName(e));
}

/** A request that kept failing after every retry; the run stops (its page is redone on resume). */
export class RetriesExhausted extends Error {}

export class Requests {
  /** Requests DynamoDB throttled (each was retried after a backoff). */
  throttled = 0;
  /** Retries after other transient failures (network, 5xx). */
  retries = 0;

  constructor(
    private readonly bucket: TokenBucket,
    private readonly clock: Clock,
    private readonly backoff: Backoff,
    private readonly maxRetries: number,
  ) {}

  /** A write: one token per attempt. */
  write<T>(what: string, send: () => Promise<T>): Promise<T> {
    return this.attempt(what, send, true);
  }

  /** A read (Scan): not rate-limited (the rate is on writes), but retried the same way. */
  read<T>(what: string, send: () => Promise<T>): Promise<T> {
    return this.attempt(what, send, false);
  }

  private async attempt<T>(what: string, send: () => Promise<T>, write: boolean): Promise<T> {
    for (let attempt = 0; ; attempt++) {
      if (write) await this.bucket.take();
      try {
        return await send();
      } catch (e) {
        const throttled = isThrottled(e);
        if (!throttled && classifyFailure(e) !== 'transient') throw e;
        await this.wait(attempt, throttled, () => `${what} still failed after ${this.maxRetries} retries: ${describeError(e)}`);
      }
    }
  }

  /** Waits before asking DynamoDB again for what it left unprocessed (it was throttled). */
  backOff(attempt: number, what: string): Promise<void> {
    return this.wait(attempt, true, () => `${what} after ${this.maxRetries} retries`);
  }

  private async wait(attempt: number, throttled: boolean, exhausted: () => string): Promise<void> {
    if (attempt >= this.maxRetries) throw new RetriesExhausted(exhausted());
    const delay = backoffDelay(attempt, this.backoff);
    if (throttled) {
      this.throttled++;
      this.bucket.pause(delay);
    } else {
      this.retries++;
    }
    await this.clock.sleep(delay);
  }
}
