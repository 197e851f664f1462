/**
 * The pause before each further attempt of the redrive: bounded exponential backoff with full
 * jitter (AWS Architecture Blog, "Exponential Backoff And Jitter"). Back-to-back retries hit a
 * throttled or recovering consumer again at once; jitter keeps concurrent redrives apart.
 */

/** Cap of the first pause (before attempt 2), ms; it doubles per attempt. */
export const BACKOFF_BASE_MS = 100;
/** No pause is longer than this, ms: the redrive's timeout has to cover every pause. */
export const BACKOFF_CAP_MS = 2000;

/** The longest pause before `attempt` (2, 3, ...): min(cap, base x 2^(attempt - 2)); none before the first. */
export function backoffCapMs(attempt: number): number {
  return attempt < 2 ? 0 : Math.min(BACKOFF_CAP_MS, BACKOFF_BASE_MS * 2 ** (attempt - 2));
}

/** The pause before `attempt`: uniformly random in [0, cap) ("full jitter"). */
export function backoffDelayMs(attempt: number, random: () => number = Math.random): number {
  return Math.floor(random() * backoffCapMs(attempt));
}

/** The most all pauses of `maxAttempts` attempts can add, ms (the redrive timing budgets it). */
export function worstCaseBackoffMs(maxAttempts: number): number {
  let total = 0;
  for (let attempt = 2; attempt <= maxAttempts; attempt++) total += backoffCapMs(attempt);
  return total;
}

/** Waits `ms` milliseconds. */
export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
