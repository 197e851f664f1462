import { TerraformProvider, Token } from 'cdktf';
import { Construct } from 'constructs';
import { CloudwatchMetricAlarm } from '@cdktf/provider-aws/lib/cloudwatch-metric-alarm';
import { LIMITS } from './limits';
import { PropsValidator } from './validation';
import type { AlarmSettings, MetricId } from '../props/alarm-settings';
import type { MetricMath } from './liveness-alarm-catalog';

/** The settings of one alarm with every default filled in. */
export type ResolvedAlarmSettings = Required<AlarmSettings>;

export interface MetricAlarmSpec extends Partial<MetricId>, ResolvedAlarmSettings {
  /** An expression over several metrics instead of the one metric (then `statistic` is unused). */
  readonly math?: MetricMath;
  readonly alarmName: string;
  /** What the alarm means and what to look at first; shown in notifications. */
  readonly description: string;
  readonly alarmActions: string[];
  readonly okActions: string[];
  readonly tags?: Record<string, string>;
  readonly provider?: TerraformProvider;
}

/** Merges overrides over defaults; undefined fields in the override keep the default. */
export function resolveAlarmSettings(defaults: ResolvedAlarmSettings, override: AlarmSettings = {}): ResolvedAlarmSettings {
  const pick = <K extends keyof AlarmSettings>(k: K) => (override[k] ?? defaults[k]) as ResolvedAlarmSettings[K];
  return {
    threshold: pick('threshold'),
    period: pick('period'),
    evaluationPeriods: pick('evaluationPeriods'),
    datapointsToAlarm: pick('datapointsToAlarm'),
    treatMissingData: pick('treatMissingData'),
    statistic: pick('statistic'),
    comparisonOperator: pick('comparisonOperator'),
  };
}

/**
 * Checks resolved alarm settings against the CloudWatch PutMetricAlarm rules (docs/limits.md); `prop` names the
 * settings in messages, e.g. `alarms.iteratorAge`. `anyMetric` is for alarms on a user's own metric, which
 * may be negative; the library's alarms watch counts, ages and bytes, never below 0.
 */
export function validateAlarmSettings(v: PropsValidator, prop: string, s: ResolvedAlarmSettings, anyMetric = false): void {
  const known = (n: number) => !Token.isUnresolved(n);
  if (known(s.threshold) && !Number.isFinite(s.threshold)) v.fail(`${prop}.threshold`, s.threshold, 'a finite number');
  else if (!anyMetric && known(s.threshold) && s.threshold < 0)
    v.fail(
      `${prop}.threshold`,
      s.threshold,
      'a number >= 0',
      'the metric is a count, age or size, never negative, so the alarm could never change state',
    );
  const periodOk =
    !known(s.period) || [10, 20, 30].includes(s.period) || (Number.isInteger(s.period) && s.period > 0 && s.period % 60 === 0);
  if (!periodOk) v.fail(`${prop}.period`, s.period, '10, 20, 30 or a multiple of 60 seconds');
  if (known(s.evaluationPeriods)) {
    if (periodOk && known(s.period) && s.period < 3600) {
      const max = Math.floor(LIMITS.alarmShortPeriodWindowSeconds / s.period);
      v.integer(`${prop}.evaluationPeriods`, s.evaluationPeriods, 1, max, {
        why: `period ${s.period} s x evaluation periods must be at most 86400 s when the period is under an hour`,
      });
    } else if (periodOk && known(s.period)) {
      const max = Math.floor(LIMITS.alarmLongPeriodWindowSeconds / s.period);
      v.integer(`${prop}.evaluationPeriods`, s.evaluationPeriods, 1, max, {
        why: `period ${s.period} s x evaluation periods must be at most 604800 s (7 days)`,
      });
    } else if (!Number.isInteger(s.evaluationPeriods) || s.evaluationPeriods < 1) {
      v.fail(`${prop}.evaluationPeriods`, s.evaluationPeriods, 'an integer >= 1');
    }
  }
  if (known(s.evaluationPeriods) && Number.isInteger(s.evaluationPeriods) && s.evaluationPeriods >= 1) {
    v.integer(`${prop}.datapointsToAlarm`, s.datapointsToAlarm, 1, s.evaluationPeriods, { why: 'at most the evaluation periods' });
  }
  v.oneOf(`${prop}.statistic`, s.statistic, LIMITS.alarmStatistics);
  v.oneOf(
    `${prop}.comparisonOperator`,
    s.comparisonOperator,
    LIMITS.alarmComparisons,
    'anomaly-band operators need a threshold metric, which these alarms do not define',
  );
  v.oneOf(`${prop}.treatMissingData`, s.treatMissingData, LIMITS.alarmTreatMissingData);
}

/** Checks a list of alarm or OK action ARNs against the CloudWatch limit of 5. */
export function validateActions(v: PropsValidator, prop: string, actions: string[] | undefined): void {
  if (actions === undefined || Token.isUnresolved(actions)) return;
  if (actions.length > LIMITS.alarmActions) v.fail(prop, actions, `at most ${LIMITS.alarmActions} ARNs (CloudWatch limit per alarm)`);
}

/**
 * One static-threshold alarm on one metric. Generic on purpose: the pipeline alarms and any later
 * alarm (replication lag per target region, custom handler metrics) are built the same way.
 * Callers validate with `validateAlarmSettings` first.
 */
export function metricAlarm(scope: Construct, id: string, spec: MetricAlarmSpec): CloudwatchMetricAlarm {
  return new CloudwatchMetricAlarm(scope, id, {
    alarmName: spec.alarmName,
    alarmDescription: spec.description,
    ...(spec.math
      ? { metricQuery: mathQuery(spec.math, spec.period) }
      : {
          namespace: spec.namespace,
          metricName: spec.metricName,
          dimensions: spec.dimensions,
          statistic: spec.statistic,
          period: spec.period,
        }),
    comparisonOperator: spec.comparisonOperator,
    threshold: spec.threshold,
    evaluationPeriods: spec.evaluationPeriods,
    datapointsToAlarm: spec.datapointsToAlarm,
    treatMissingData: spec.treatMissingData,
    // An empty list and no list mean the same to CloudWatch; leaving it out keeps the synth output short.
    alarmActions: spec.alarmActions.length ? spec.alarmActions : undefined,
    okActions: spec.okActions.length ? spec.okActions : undefined,
    tags: spec.tags,
    provider: spec.provider,
  });
}

/** The metric_query blocks of a math alarm: the expression returns the data, the metrics feed it. */
function mathQuery(math: MetricMath, period: number) {
  return [
    { id: 'stalled', expression: math.expression, label: math.label, returnData: true },
    ...math.metrics.map((m) => ({
      id: m.id,
      returnData: false,
      metric: { namespace: m.namespace, metricName: m.metricName, dimensions: m.dimensions, stat: m.stat, period },
    })),
  ];
}
