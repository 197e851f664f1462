/**
 * The figures of an outage run, from what the run measured itself (visibility.ts arrivals, the
 * backlog tables' readings), never from what the writers report:
 * - the other regions' lag during the outage: for each timed write acknowledged while the region
 *   was down, in another region, the time until every other healthy region showed it;
 * - how many of those writes every healthy region showed before the region came back (healthy
 *   targets keep receiving);
 * - the largest backlog owed to the region, and how long after its return the backlogs first
 *   held nothing for it.
 */
import type { BacklogReading } from '../run/backlog-monitor';
import type { Arrivals } from '../run/visibility';
import { percentile } from '../run/visibility';

export interface OutageFigures {
  readonly region: string;
  /** From the cut to being let through again, s. */
  readonly downSeconds: number;
  /** Timed writes acknowledged during the outage in the other writable regions. */
  readonly writesDuringOutage: number;
  /** Of those, the ones every healthy region showed before the region came back. */
  readonly reachedHealthyWhileDown: number;
  /** Lag of those writes to the healthy regions, ms (undefined when none arrived). */
  readonly healthyLagP50?: number;
  readonly healthyLagP99?: number;
  /** Lag to every region of timed writes acknowledged before the outage, ms (those the outage caught on their way included). */
  readonly beforeLagP99?: number;
  /** Most copies the backlogs held for the region at once. */
  readonly peakBacklog: number;
  /** From the region's return until the backlogs first held nothing for it, s (undefined if they never did). */
  readonly drainedInSeconds?: number;
}

export function outageFigures(a: {
  readonly region: string;
  readonly regions: readonly string[];
  readonly downAt: number;
  readonly upAt: number;
  readonly arrivals: readonly Arrivals[];
  readonly readings: readonly BacklogReading[];
  readonly drainedAt?: number;
}): OutageFigures {
  const during = a.arrivals.filter((x) => x.write.at >= a.downAt && x.write.at < a.upAt && x.write.region !== a.region);
  const healthyLags: number[] = [];
  let reached = 0;
  for (const x of during) {
    const healthy = a.regions.filter((r) => r !== a.region && r !== x.write.region);
    const times = healthy.map((r) => x.seen.get(r));
    if (times.some((t) => t === undefined)) continue;
    const last = Math.max(...(times as number[]));
    healthyLags.push(last - x.write.at);
    if (last < a.upAt) reached++;
  }
  const before = a.arrivals
    .filter((x) => x.write.at < a.downAt && x.seen.size === a.regions.length - 1)
    .map((x) => Math.max(...x.seen.values()) - x.write.at);
  const round = (xs: number[], p: number) => (xs.length ? Math.round(percentile(xs, p)) : undefined);
  return {
    region: a.region,
    downSeconds: (a.upAt - a.downAt) / 1000,
    writesDuringOutage: during.length,
    reachedHealthyWhileDown: reached,
    healthyLagP50: round(healthyLags, 50),
    healthyLagP99: round(healthyLags, 99),
    beforeLagP99: round(before, 99),
    peakBacklog: Math.max(0, ...a.readings.map((r) => r.depth[a.region] ?? 0)),
    drainedInSeconds: a.drainedAt === undefined ? undefined : Math.max(0, a.drainedAt - a.upAt) / 1000,
  };
}

/** The line `npm run local -- --outage` prints before its verdict. */
export function outageLine(f: OutageFigures): string {
  const lag = f.healthyLagP99 === undefined ? '-' : String(f.healthyLagP99);
  const drained = f.drainedInSeconds === undefined ? 'never' : `in ${Math.round(f.drainedInSeconds)} s`;
  return `outage: ${f.region} down ${Math.round(f.downSeconds)} s; other regions' lag p99 ${lag} ms during it; backlog drained ${drained}`;
}
