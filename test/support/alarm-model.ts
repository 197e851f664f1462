/**
 * A MODEL of CloudWatch alarm evaluation (CloudWatch has no local counterpart), after the user
 * guide's "Evaluating an alarm": datapoints are aggregated per period with the alarm's statistic;
 * the alarm is in ALARM when at least `datapoints_to_alarm` of the last `evaluation_periods`
 * periods breach; a period without data counts as `treat_missing_data` says (`missing` and
 * `ignore` keep the previous state, which this model starts as OK).
 * https://docs.aws.amazon.com/AmazonCloudWatch/latest/monitoring/AlarmThatSendsEmail.html#alarm-evaluation
 */

/** The synthesized `aws_cloudwatch_metric_alarm` fields the model reads. */
export interface AlarmDefinition {
  readonly statistic: 'Maximum' | 'Minimum' | 'Sum' | 'Average' | 'SampleCount';
  readonly period: number;
  readonly evaluation_periods: number;
  readonly datapoints_to_alarm?: number;
  readonly threshold: number;
  readonly comparison_operator:
    | 'GreaterThanThreshold'
    | 'GreaterThanOrEqualToThreshold'
    | 'LessThanThreshold'
    | 'LessThanOrEqualToThreshold';
  readonly treat_missing_data?: 'missing' | 'ignore' | 'breaching' | 'notBreaching';
}

export interface Datapoint {
  /** Epoch ms of the datapoint. */
  readonly at: number;
  readonly value: number;
}

export type AlarmState = 'OK' | 'ALARM';

/** The alarm's state at the end of every period from `from` to `to` (epoch ms), in order. */
export function evaluateAlarm(
  alarm: AlarmDefinition,
  points: readonly Datapoint[],
  from: number,
  to: number,
): { end: number; state: AlarmState }[] {
  const periodMs = alarm.period * 1000;
  const start = Math.floor(from / periodMs) * periodMs;
  const buckets: (boolean | undefined)[] = [];
  const states: { end: number; state: AlarmState }[] = [];
  let state: AlarmState = 'OK';
  for (let p = start; p < to; p += periodMs) {
    const values = points.filter((d) => d.at >= p && d.at < p + periodMs).map((d) => d.value);
    buckets.push(values.length ? breaches(alarm, aggregate(alarm.statistic, values)) : missing(alarm));
    const window = buckets.slice(-alarm.evaluation_periods);
    const known = window.filter((b) => b !== undefined);
    if (known.length)
      state =
        known.filter(Boolean).length >= (alarm.datapoints_to_alarm ?? alarm.evaluation_periods)
          ? 'ALARM'
          : known.length === window.length || state === 'OK'
            ? 'OK'
            : state;
    states.push({ end: p + periodMs, state });
  }
  return states;
}

function aggregate(statistic: AlarmDefinition['statistic'], values: number[]): number {
  switch (statistic) {
    case 'Maximum':
      return Math.max(...values);
    case 'Minimum':
      return Math.min(...values);
    case 'Sum':
      return values.reduce((a, b) => a + b, 0);
    case 'Average':
      return values.reduce((a, b) => a + b, 0) / values.length;
    case 'SampleCount':
      return values.length;
  }
}

function breaches(alarm: AlarmDefinition, v: number): boolean {
  switch (alarm.comparison_operator) {
    case 'GreaterThanThreshold':
      return v > alarm.threshold;
    case 'GreaterThanOrEqualToThreshold':
      return v >= alarm.threshold;
    case 'LessThanThreshold':
      return v < alarm.threshold;
    case 'LessThanOrEqualToThreshold':
      return v <= alarm.threshold;
  }
}

/** undefined: the period does not count (missing / ignore). */
function missing(alarm: AlarmDefinition): boolean | undefined {
  const t = alarm.treat_missing_data ?? 'missing';
  return t === 'breaching' ? true : t === 'notBreaching' ? false : undefined;
}
