import { LIMITS } from '../../internal/limits';
import type { PropsValidator } from '../../internal/validation';
import type { BacklogDrainerOptions } from '../props';

/** The drainer's settings when not given (docs/replication-protocol.md, "What a writer deploys for it"). */
export const DRAINER_DEFAULTS = { intervalMinutes: 1, timeoutSeconds: 60, memorySize: 256 } as const;

/**
 * At most 3 minutes between runs: the drainer is what publishes a failing target's reason, and its
 * alarm must name the target within 5 minutes of the failure (a run, then CloudWatch's minute of
 * metric delay and evaluation). A run must end before the next starts (overlapping runs apply the
 * same entries twice, conditionally: harmless, but twice the writes), and reserved concurrency 0
 * would never run it.
 */
export function checkDrainerOptions(v: PropsValidator, prop: string, o: BacklogDrainerOptions | undefined): void {
  if (!o) return;
  v.integer(`${prop}.intervalMinutes`, o.intervalMinutes, 1, 3, {
    why: "the drainer publishes why a target fails, and that target's alarm must fire within 5 minutes",
  });
  const interval = o.intervalMinutes ?? DRAINER_DEFAULTS.intervalMinutes;
  const maxTimeout = Number.isInteger(interval) && interval >= 1 && interval <= 3 ? interval * 60 : 180;
  v.integer(`${prop}.timeoutSeconds`, o.timeoutSeconds, 10, maxTimeout, {
    why: `a run must end before the next one starts (every ${interval} minute${interval === 1 ? '' : 's'}); it stops applying before its deadline`,
  });
  v.integer(`${prop}.memorySize`, o.memorySize, LIMITS.memoryMb[0], LIMITS.memoryMb[1], { why: 'MB' });
  v.integer(`${prop}.reservedConcurrency`, o.reservedConcurrency, 1, 1000, {
    why: '0 would never run the drainer, and one run at a time is all it needs (leave it unset to reserve nothing)',
  });
}
