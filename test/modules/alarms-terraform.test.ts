import { Testing } from 'cdktf';
import { planOf } from '../support/stack-plans';
import { everyAlarmKind, KEY, ONCALL } from './support/planned-alarms';

describe('PipelineAlarms with real terraform', () => {
  test('GIVEN every kind of pipeline alarm configuration in one stack WHEN planned offline with aws 5.100 THEN terraform accepts it and creates exactly these resources', () => {
    const plan = planOf('everyAlarmKind');
    const count: Record<string, number> = {};
    for (const c of plan.resource_changes) {
      expect([c.address, c.change.actions]).toEqual([c.address, c.mode === 'data' ? ['read'] : ['create']]);
      if (c.mode === 'managed') count[c.type] = (count[c.type] ?? 0) + 1;
    }
    expect(count).toEqual({
      aws_sqs_queue: 1,
      aws_sqs_queue_policy: 1,
      aws_sns_topic: 3, // SNS failure topic, A's and D's alarm topics
      aws_sns_topic_policy: 3, // each topic is TLS-only
      aws_kms_key: 1,
      aws_kms_key_policy: 1,
      aws_cloudwatch_metric_alarm: 7 + 5 + 3, // A: 6 (queue arrivals and age) + extra; B: 3 + failed notifications + delivery failures; D: 3
      aws_cloudwatch_dashboard: 3,
    });

    const plannedAfter = (type: string, name: string, key = 'alarm_name') =>
      plan.resource_changes.find((c: any) => c.type === type && c.change.after[key] === name)?.change.after;
    expect(plannedAfter('aws_cloudwatch_metric_alarm', 'orders-consumer-live-iterator-age')).toMatchObject({
      threshold: 30000,
      period: 300,
      evaluation_periods: 4,
      datapoints_to_alarm: 2,
      treat_missing_data: 'breaching',
      statistic: 'Average',
      comparison_operator: 'GreaterThanOrEqualToThreshold',
      dimensions: { FunctionName: 'orders-consumer', Resource: 'orders-consumer:live' },
      tags: { team: 'orders' },
    });
    expect(plannedAfter('aws_cloudwatch_metric_alarm', 'orders-audit-failed-notifications')).toMatchObject({
      namespace: 'AWS/SNS',
      dimensions: { TopicName: 'orders-SnsFailures' },
      alarm_actions: [ONCALL],
      ok_actions: null,
    });
    expect(plannedAfter('aws_sns_topic', 'orders-cmk-alarms', 'name')).toMatchObject({ kms_master_key_id: KEY });

    // The fully known body survives terraform's JSON validation and normalisation unchanged.
    const synthesized = Object.values<any>(JSON.parse(Testing.synth(everyAlarmKind())).resource.aws_cloudwatch_dashboard);
    const quietBody = synthesized.find((d) => d.dashboard_name === 'orders-quiet-pipeline').dashboard_body;
    const planned = plannedAfter('aws_cloudwatch_dashboard', 'orders-quiet-pipeline', 'dashboard_name');
    expect(JSON.parse(planned.dashboard_body)).toEqual(JSON.parse(quietBody));
    expect(JSON.parse(planned.dashboard_body).widgets.map((w: any) => w.properties.title)).toEqual([
      'Iterator age (ms)',
      'Invocations',
      'Errors and throttles',
      'Duration (ms)',
      'Concurrent executions',
    ]);
  });

  test('GIVEN liveness alarms on a Kinesis pipeline and e-mail and HTTPS subscribers WHEN planned offline THEN terraform accepts the metric queries and the subscriptions', () => {
    const plan = planOf('livenessAlarms');
    const planned = (type: string, key: string, value: string) =>
      plan.resource_changes.find((c: any) => c.type === type && c.change.after[key] === value)?.change.after;
    for (const name of ['orders-consumer-consumer-stalled', 'orders-consumer-kinesis-destination-stalled']) {
      const a = planned('aws_cloudwatch_metric_alarm', 'alarm_name', name);
      expect([a.metric_name, a.namespace, a.statistic]).toEqual([null, null, null]);
      expect(a.metric_query.filter((q: any) => q.return_data)).toHaveLength(1);
      expect(a.metric_query.filter((q: any) => q.metric.length === 1)).toHaveLength(6);
    }
    const stalled = planned('aws_cloudwatch_metric_alarm', 'alarm_name', 'orders-consumer-consumer-stalled');
    expect(new Set(stalled.metric_query.flatMap((q: any) => q.metric.map((m: any) => m.period)))).toEqual(new Set([600]));
    expect(stalled.treat_missing_data).toBe('notBreaching');
    const subs = plan.resource_changes
      .filter((c: any) => c.type === 'aws_sns_topic_subscription')
      .map((c: any) => [c.change.after.protocol, c.change.after.endpoint]);
    expect(subs).toEqual([
      ['email', 'oncall@example.com'],
      ['https', 'https://pager.example.com/hook'],
    ]);
  });
});
