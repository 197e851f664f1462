/**
 * How fast the backfill may go: a token bucket for its write rate, a shared pause when DynamoDB
 * throttles, and the backoff schedule for retries. Time comes from an injectable clock, so tests
 * check the schedule itself instead of measuring wall time.
 */

export interface Clock {
  /** Epoch ms. */
  now(): number;
  sleep(ms: number): Promise<void>;
}

export const SYSTEM_CLOCK: Clock = {
  now: () => Date.now(),
  sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
};

/**
 * Grants one token per write, `ratePerSecond` on average, at most `burst` at once after a quiet
 * spell. Takers are served first come, first served. A rate of Infinity grants at once (no limit),
 * but still honours `pause`.
 */
export class TokenBucket {
  private tokens: number;
  private last: number;
  private pausedUntil = 0;
  private queue: Promise<unknown> = Promise.resolve();

  constructor(
    readonly ratePerSecond: number,
    readonly burst: number,
    private readonly clock: Clock,
  ) {
    if (!(ratePerSecond > 0)) throw new RangeError(`a token bucket needs a rate above 0 (got ${ratePerSecond})`);
    if (!(burst >= 1)) throw new RangeError(`a token bucket needs a burst of at least 1 (got ${burst})`);
    this.tokens = burst;
    this.last = clock.now();
  }

  /** Resolves with the clock time at which the token was granted. */
  take(): Promise<number> {
    const turn = this.queue.then(() => this.grant());
    this.queue = turn.catch(() => undefined);
    return turn;
  }

  /**
   * No token is granted before `ms` from now (DynamoDB throttled us: every writer backs off, not
   * only the one that was told). Tokens do not accrue during the pause, so the writes do not all
   * resume at once when it ends.
   */
  pause(ms: number): void {
    this.pausedUntil = Math.max(this.pausedUntil, this.clock.now() + ms);
  }

  private async grant(): Promise<number> {
    for (;;) {
      const now = this.clock.now();
      if (now < this.pausedUntil) {
        await this.clock.sleep(this.pausedUntil - now);
        this.last = Math.max(this.last, this.pausedUntil);
        continue;
      }
      if (this.ratePerSecond === Infinity) return now;
      this.tokens = Math.min(this.burst, this.tokens + ((now - this.last) * this.ratePerSecond) / 1000);
      this.last = now;
      if (this.tokens >= 1) {
        this.tokens -= 1;
        return now;
      }
      await this.clock.sleep(Math.ceil(((1 - this.tokens) * 1000) / this.ratePerSecond));
    }
  }
}

/** Retry delays: exponential from `baseMs`, capped at `capMs`, with "equal jitter" (half fixed, half random). */
export interface Backoff {
  readonly baseMs: number;
  readonly capMs: number;
  /** Uniform in [0, 1). @default Math.random */
  readonly random?: () => number;
}

export const DEFAULT_BACKOFF: Backoff = { baseMs: 100, capMs: 20_000 };

/** The delay before retry number `attempt` (0 for the first retry). */
export function backoffDelay(attempt: number, backoff: Backoff): number {
  const ceiling = Math.min(backoff.capMs, backoff.baseMs * 2 ** Math.min(attempt, 30));
  return Math.round(ceiling / 2 + (ceiling / 2) * (backoff.random ?? Math.random)());
}

/** At most `limit` tasks in flight, shared by every caller of `run`. */
export class Semaphore {
  private active = 0;
  private readonly waiting: (() => void)[] = [];

  constructor(readonly limit: number) {}

  async run<T>(task: () => Promise<T>): Promise<T> {
    if (this.active >= this.limit) await new Promise<void>((resolve) => this.waiting.push(resolve));
    else this.active++;
    try {
      return await task();
    } finally {
      const next = this.waiting.shift();
      if (next) next();
      else this.active--;
    }
  }
}
