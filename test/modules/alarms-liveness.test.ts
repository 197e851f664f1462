/**
 * The liveness alarms: a disabled or stalled mapping publishes no metrics, so they compare the
 * source table's successful writes with what arrived downstream. CloudWatch has no local
 * counterpart: its alarm evaluation and its metric math are MODELS (test/support/alarm-model.ts,
 * test/support/metric-math-model.ts), fed with the synthesized alarm.
 */
import { TerraformStack, Testing } from 'cdktf';
import { AwsProvider } from '@cdktf/provider-aws/lib/provider';
import { PipelineAlarms, PipelineAlarmsProps } from '../../modules/alarms';
import { AlarmDefinition, Datapoint, evaluateAlarm } from '../support/alarm-model';
import { evaluateMath, PeriodValues } from '../support/metric-math-model';

function alarmsOf(props: Partial<PipelineAlarmsProps>): Record<string, any> {
  const stack = new TerraformStack(Testing.app(), 'orders');
  new AwsProvider(stack, 'aws', { region: 'eu-west-1' });
  new PipelineAlarms(stack, 'Alarms', { functionName: 'orders-consumer', ...props });
  const all: any[] = Object.values(JSON.parse(Testing.synth(stack)).resource.aws_cloudwatch_metric_alarm);
  return Object.fromEntries(all.map((a) => [a.alarm_name, a]));
}

const WRITES = ['PutItem', 'UpdateItem', 'DeleteItem', 'BatchWriteItem', 'TransactWriteItems'];
const MINUTE = 60_000;

/** What CloudWatch holds per minute: successful writes by operation, and records polled by the mapping. */
interface Minute {
  readonly writes?: Partial<Record<string, number>>;
  readonly polled?: number;
  readonly incoming?: number;
}

/**
 * Runs the synthesized alarm over `minutes` (one entry per minute): each metric of its query is
 * aggregated per alarm period with its own statistic (SampleCount of latency samples = requests,
 * Sum of polled records), the expression is evaluated per period, and the alarm model evaluates
 * the resulting series. A metric with no datapoint in a period stays missing, as in CloudWatch.
 */
function run(alarm: any, minutes: Minute[]): string[] {
  const expr = alarm.metric_query.find((q: any) => q.return_data);
  const metrics = alarm.metric_query.filter((q: any) => q.metric);
  const periodMinutes = alarm.period === undefined ? metrics[0].metric.period / 60 : alarm.period / 60;
  const points: Datapoint[] = [];
  for (let start = 0; start < minutes.length; start += periodMinutes) {
    const window = minutes.slice(start, start + periodMinutes);
    const values: PeriodValues = {};
    for (const q of metrics) {
      const m = q.metric;
      const per = window.map((w) => {
        if (m.namespace === 'AWS/DynamoDB') return w.writes?.[m.dimensions.Operation];
        if (m.metric_name === 'PolledEventCount' || m.metric_name === 'Invocations') return w.polled;
        if (m.metric_name === 'IncomingRecords') return w.incoming;
        throw new Error(`unmodelled metric ${m.metric_name}`);
      });
      const present = per.filter((v): v is number => v !== undefined);
      values[q.id] = present.length ? present.reduce((a, b) => a + b, 0) : undefined;
    }
    const v = evaluateMath(expr.expression, values);
    if (v !== undefined) points.push({ at: start * MINUTE, value: v });
  }
  const def: AlarmDefinition = {
    statistic: 'Maximum',
    period: metrics[0].metric.period,
    evaluation_periods: alarm.evaluation_periods,
    datapoints_to_alarm: alarm.datapoints_to_alarm,
    threshold: alarm.threshold,
    comparison_operator: alarm.comparison_operator,
    treat_missing_data: alarm.treat_missing_data,
  };
  return evaluateAlarm(def, points, 0, minutes.length * MINUTE).map((s) => s.state);
}

const healthy = (n: number): Minute[] =>
  Array.from({ length: n }, () => ({ writes: { PutItem: 20, UpdateItem: 5 }, polled: 25, incoming: 25 }));
const written = (n: number): Minute[] => Array.from({ length: n }, () => ({ writes: { UpdateItem: 3 } }));

describe('PipelineAlarms: liveness (consumerStalled, kinesisDestinationStalled)', () => {
  const uuid = '1d9b3c40-0000-4000-8000-000000000001';
  const withMapping = { sourceTableName: 'orders', eventSourceMappingUuid: uuid };

  test('GIVEN a source table and a mapping with EventCount metrics WHEN synthesized THEN one metric-math alarm compares the five write operations with PolledEventCount, missing data not breaching', () => {
    const a = alarmsOf(withMapping)['orders-consumer-consumer-stalled'];
    expect(a).toMatchObject({ comparison_operator: 'GreaterThanThreshold', threshold: 0, evaluation_periods: 3, datapoints_to_alarm: 3 });
    expect(a.treat_missing_data).toBe('notBreaching');
    expect([a.metric_name, a.namespace, a.statistic, a.period]).toEqual([undefined, undefined, undefined, undefined]);
    const metrics = a.metric_query.filter((q: any) => q.metric).map((q: any) => q.metric);
    expect(metrics.filter((m: any) => m.namespace === 'AWS/DynamoDB')).toEqual(
      WRITES.map((op) => ({
        namespace: 'AWS/DynamoDB',
        metric_name: 'SuccessfulRequestLatency',
        dimensions: { TableName: 'orders', Operation: op },
        stat: 'SampleCount',
        period: 300,
      })),
    );
    expect(metrics.filter((m: any) => m.namespace === 'AWS/Lambda')).toEqual([
      { namespace: 'AWS/Lambda', metric_name: 'PolledEventCount', dimensions: { EventSourceMappingUUID: uuid }, stat: 'Sum', period: 300 },
    ]);
    expect(a.metric_query.filter((q: any) => q.return_data)).toHaveLength(1);
    expect(a.alarm_description).toMatch(/orders was written but orders-consumer's mapping received no records/);
  });

  test('GIVEN a healthy pipeline, then a mapping disabled while the table is written WHEN evaluated THEN OK throughout, then ALARM within 15 minutes, and OK again once records flow', () => {
    const a = alarmsOf(withMapping)['orders-consumer-consumer-stalled'];
    const states = run(a, [...healthy(30), ...written(15), ...healthy(15)]);
    expect(states.slice(0, 6)).toEqual(Array(6).fill('OK'));
    expect(states.slice(6, 9)).toContain('ALARM');
    expect(states[states.length - 1]).toBe('OK');
  });

  test('GIVEN a table nobody writes and a consumer that publishes nothing WHEN evaluated THEN the alarm stays OK (silence without writes is healthy)', () => {
    const a = alarmsOf(withMapping)['orders-consumer-consumer-stalled'];
    expect(
      run(
        a,
        Array.from({ length: 60 }, () => ({})),
      ),
    ).toEqual(Array(12).fill('OK'));
  });

  test('GIVEN sparse writes received in the next period, or steady writes received 7 minutes late WHEN evaluated THEN no false alarm; never received, they alarm', () => {
    const a = alarmsOf(withMapping)['orders-consumer-consumer-stalled'];
    const minutes: Minute[] = Array.from({ length: 60 }, (_, m) =>
      m % 10 === 4 ? { writes: { PutItem: 1 } } : m % 10 === 5 ? { polled: 1 } : {},
    );
    expect(run(a, minutes)).not.toContain('ALARM');
    // Writes every minute, each received 7 minutes later (a 5-minute batching window and more): no alarm.
    const late: Minute[] = Array.from({ length: 60 }, (_, m) => ({ writes: { PutItem: 1 }, ...(m >= 7 ? { polled: 1 } : {}) }));
    expect(run(a, late)).not.toContain('ALARM');
    expect(run(a, written(60))).toContain('ALARM');
  });

  test('GIVEN only deletes by BatchWriteItem stalled WHEN evaluated THEN every write operation counts', () => {
    const a = alarmsOf(withMapping)['orders-consumer-consumer-stalled'];
    const states = run(
      a,
      Array.from({ length: 15 }, () => ({ writes: { BatchWriteItem: 2 } })),
    );
    expect(states).toContain('ALARM');
  });

  test('GIVEN no EventCount metrics WHEN synthesized THEN the function Invocations (by alias) stand in for what the mapping received', () => {
    const a = alarmsOf({ sourceTableName: 'orders', aliasName: 'live' })['orders-consumer-live-consumer-stalled'];
    const received = a.metric_query.find((q: any) => q.metric?.namespace === 'AWS/Lambda').metric;
    expect(received).toMatchObject({
      metric_name: 'Invocations',
      dimensions: { FunctionName: 'orders-consumer', Resource: 'orders-consumer:live' },
      stat: 'Sum',
    });
  });

  test('GIVEN a Kinesis source WHEN the streaming destination stops while the table is written THEN kinesisDestinationStalled alarms, and not while DynamoDB puts records', () => {
    const alarms = alarmsOf({ ...withMapping, kinesis: { streamName: 'orders-changes' } });
    const a = alarms['orders-consumer-kinesis-destination-stalled'];
    const incoming = a.metric_query.find((q: any) => q.metric?.namespace === 'AWS/Kinesis').metric;
    expect(incoming).toEqual({
      namespace: 'AWS/Kinesis',
      metric_name: 'IncomingRecords',
      dimensions: { StreamName: 'orders-changes' },
      stat: 'Sum',
      period: 300,
    });
    expect(a.treat_missing_data).toBe('notBreaching');
    expect(run(a, healthy(30))).not.toContain('ALARM');
    expect(run(a, [...healthy(15), ...written(15)])).toContain('ALARM');
    expect(alarms['orders-consumer-consumer-stalled']).toBeDefined();
  });

  test('GIVEN no source table WHEN synthesized THEN no liveness alarm exists', () => {
    const names = Object.keys(alarmsOf({ eventSourceMappingUuid: uuid, kinesis: { streamName: 's' } }));
    expect(names.filter((n) => n.endsWith('-stalled'))).toEqual([]);
  });

  test('GIVEN overrides WHEN synthesized THEN period, periods and missing-data handling reach the metric query; a statistic is refused', () => {
    const a = alarmsOf({
      ...withMapping,
      alarms: { consumerStalled: { period: 600, evaluationPeriods: 2, datapointsToAlarm: 1, treatMissingData: 'missing' } },
    })['orders-consumer-consumer-stalled'];
    expect(a.metric_query.filter((q: any) => q.metric).every((q: any) => q.metric.period === 600)).toBe(true);
    expect([a.evaluation_periods, a.datapoints_to_alarm, a.treat_missing_data]).toEqual([2, 1, 'missing']);
    expect(() => alarmsOf({ ...withMapping, alarms: { consumerStalled: { statistic: 'Sum' } } })).toThrow(
      /alarms\.consumerStalled\.statistic must be unset \(a liveness alarm compares a metric-math expression/,
    );
    expect(() => alarmsOf({ alarms: { consumerStalled: { threshold: 1 } } })).toThrow(
      /alarms\.consumerStalled must be unset \(it watches the source table and no sourceTableName is given\)/,
    );
    expect(() => alarmsOf({ sourceTableName: 'orders', alarms: { kinesisDestinationStalled: { enabled: false } } })).toThrow(
      /alarms\.kinesisDestinationStalled must be unset \(it watches a Kinesis streaming destination and kinesis is not given\)/,
    );
  });
});
