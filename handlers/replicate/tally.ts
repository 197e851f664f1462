/**
 * Counts of one invocation, then published as CloudWatch metrics in EMF through Powertools.
 * Per-target figures (replicated, stale, lag) carry a TargetRegion dimension so a slow or broken
 * region shows on its own; the rest are per function.
 */
import { Metrics, MetricUnit } from '@aws-lambda-powertools/metrics';
import { WRITER_METRICS } from '../contract';

export interface TargetCounts {
  replicated: number;
  stale: number;
  /** Writes that could not reach the target in this invocation (backlogged, or retried without a backlog). */
  pending: number;
  /** Copies kept in the target's backlog (the target failed, or was cooling down after a failure). */
  backlogged: number;
  /** Age of each write when it reached the target, or, for a pending one, its age so far. */
  lagMs: number[];
}

export class Tally {
  records = 0;
  echoesSkipped = 0;
  selfStamped = 0;
  stampSuperseded = 0;
  /**
   * Versions set in place on `_v`/`_o` alone because DynamoDB found the item's content unequal to
   * the record's image where this writer found it equal (settle.ts); expected to stay 0.
   */
  contentCheckOverridden = 0;
  /** Local writes put back over a replicated write that landed on them but should have lost. */
  repaired = 0;
  /** Kinesis: items given a higher version in place because changes that arrived late showed theirs too low. */
  reversioned = 0;
  /** Keys whose floor was saved because the item did not carry it to the next record. */
  statesSaved = 0;
  /** Kinesis: keys failed to wait for an earlier change that has not arrived yet. */
  waiting = 0;
  /** Kinesis: keys whose changes went ahead without an earlier one, the wait for it having run out. */
  wentAhead = 0;
  ttlSkipped = 0;
  parked = 0;
  failedRecords = 0;
  readonly targets: Record<string, TargetCounts> = {};

  target(region: string): TargetCounts {
    return (this.targets[region] ??= { replicated: 0, stale: 0, pending: 0, backlogged: 0, lagMs: [] });
  }

  /** A plain summary for the log line and for tests: every count, and per target the largest lag. */
  summary() {
    const { targets, ...counts } = this;
    return {
      ...counts,
      targets: Object.fromEntries(
        Object.entries(targets).map(([r, t]) => [
          r,
          {
            replicated: t.replicated,
            stale: t.stale,
            pending: t.pending,
            backlogged: t.backlogged,
            maxLagMs: t.lagMs.length ? Math.max(...t.lagMs) : undefined,
          },
        ]),
      ),
    };
  }
}

/** Publishes one invocation's tally; Powertools flushes every 100 values of a metric by itself. */
export function publishTally(tally: Tally, base: Metrics, perTarget: (region: string) => Metrics): void {
  const c = MetricUnit.Count;
  base.addMetric(WRITER_METRICS.echoesSkipped, c, tally.echoesSkipped);
  base.addMetric(WRITER_METRICS.selfStamped, c, tally.selfStamped);
  base.addMetric(WRITER_METRICS.stampSuperseded, c, tally.stampSuperseded);
  base.addMetric(WRITER_METRICS.contentCheckOverridden, c, tally.contentCheckOverridden);
  base.addMetric(WRITER_METRICS.repaired, c, tally.repaired);
  base.addMetric(WRITER_METRICS.reversioned, c, tally.reversioned);
  base.addMetric(WRITER_METRICS.statesSaved, c, tally.statesSaved);
  base.addMetric(WRITER_METRICS.waiting, c, tally.waiting);
  base.addMetric(WRITER_METRICS.wentAhead, c, tally.wentAhead);
  base.addMetric(WRITER_METRICS.ttlSkipped, c, tally.ttlSkipped);
  base.addMetric(WRITER_METRICS.parked, c, tally.parked);
  base.addMetric(WRITER_METRICS.failedRecords, c, tally.failedRecords);
  // Nothing is stored when POWERTOOLS_METRICS_DISABLED is set; publishing would only warn.
  if (base.hasStoredMetrics()) base.publishStoredMetrics();
  for (const [region, t] of Object.entries(tally.targets)) {
    const m = perTarget(region);
    m.addMetric(WRITER_METRICS.replicated, c, t.replicated);
    m.addMetric(WRITER_METRICS.stale, c, t.stale);
    m.addMetric(WRITER_METRICS.pending, c, t.pending);
    m.addMetric(WRITER_METRICS.backlogged, c, t.backlogged);
    for (const lag of t.lagMs) m.addMetric(WRITER_METRICS.lag, MetricUnit.Milliseconds, lag);
    if (m.hasStoredMetrics()) m.publishStoredMetrics();
  }
}
