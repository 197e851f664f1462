import { TerraformStack, Testing } from 'cdktf';
import { AwsProvider } from '@cdktf/provider-aws/lib/provider';
import { PipelineAlarms } from '../../modules/alarms';
import { FailureDestination } from '../../modules/failure-destination';
import { stackFolder, terraformIn } from '../support/terraform';

const ONCALL = 'arn:aws:sns:us-west-2:123456789012:oncall';
const KEY = 'arn:aws:kms:eu-west-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab';

describe('PipelineAlarms with real terraform', () => {
  test('GIVEN every kind of pipeline alarm configuration in one stack WHEN planned offline with aws 5.100 THEN terraform accepts it and creates exactly these resources', () => {
    const stack = new TerraformStack(Testing.app(), 'orders');
    new AwsProvider(stack, 'aws', { region: 'eu-west-1' });
    const west = new AwsProvider(stack, 'west', { region: 'us-west-2', alias: 'west' });

    // A: SQS destination, alias, every setting overridden, created topic and key, an extra alarm in another region.
    const sqs = new FailureDestination(stack, 'SqsFailures', { name: 'orders-failures' });
    const a = new PipelineAlarms(stack, 'Full', {
      functionName: 'orders-consumer',
      aliasName: 'live',
      failureDestination: sqs,
      tags: { team: 'orders' },
      alarms: {
        iteratorAge: {
          threshold: 30000,
          period: 300,
          evaluationPeriods: 4,
          datapointsToAlarm: 2,
          treatMissingData: 'breaching',
          statistic: 'Average',
          comparisonOperator: 'GreaterThanOrEqualToThreshold',
        },
        errors: { period: 10, evaluationPeriods: 8640, datapointsToAlarm: 10 },
        throttles: { period: 3600, evaluationPeriods: 24, treatMissingData: 'ignore', statistic: 'SampleCount' },
        failureQueueAge: {
          threshold: 5,
          treatMissingData: 'missing',
          statistic: 'Minimum',
          comparisonOperator: 'LessThanOrEqualToThreshold',
        },
        destinationDeliveryFailures: { comparisonOperator: 'LessThanThreshold', threshold: 1 },
      },
    });
    a.addAlarm('lagUsWest2', {
      nameSuffix: 'replication-lag-us-west-2',
      title: 'Replication lag us-west-2',
      description: 'lag',
      namespace: 'StreamPipeline',
      metricName: 'ReplicationLag',
      dimensions: { Target: 'us-west-2' },
      threshold: 5000,
      region: 'us-west-2',
      provider: west,
    });
    // B: SNS destination in another region, given actions, no OK notifications, region and dashboard name given.
    const sns = new FailureDestination(stack, 'SnsFailures', { kind: 'sns', provider: west });
    new PipelineAlarms(stack, 'Sns', {
      functionName: 'orders-audit',
      failureDestination: sns,
      actionArns: [ONCALL],
      notifyOk: false,
      region: 'us-west-2',
      dashboardName: 'orders-audit',
      provider: west,
    });
    // C: no alarms at all: the dashboard body is fully known, so terraform checks it as JSON at plan time.
    const quiet = new PipelineAlarms(stack, 'Quiet', {
      functionName: 'orders-quiet',
      actionArns: [],
      region: 'eu-west-1',
      alarms: { iteratorAge: { enabled: false }, errors: { enabled: false }, throttles: { enabled: false } },
    });
    // D: a customer key for the created topic, no dashboard.
    new PipelineAlarms(stack, 'Cmk', {
      functionName: 'orders-cmk',
      alarmTopicKmsKeyArn: KEY,
      alarmTopicName: 'orders-cmk-alarms',
      dashboard: false,
    });

    const synth = Testing.synth(stack);
    const plan = terraformIn(stackFolder(synth)).initValidatePlan();
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
    const quietBody = JSON.parse(synth).resource.aws_cloudwatch_dashboard[quiet.dashboard!.friendlyUniqueId].dashboard_body;
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
    const stack = new TerraformStack(Testing.app(), 'orders');
    new AwsProvider(stack, 'aws', { region: 'eu-west-1' });
    new PipelineAlarms(stack, 'Live', {
      functionName: 'orders-consumer',
      eventSourceMappingUuid: '1d9b3c40-0000-4000-8000-000000000001',
      kinesis: { streamName: 'orders-changes' },
      sourceTableName: 'orders',
      notify: { emails: ['oncall@example.com'], httpsEndpoints: ['https://pager.example.com/hook'] },
      alarms: { consumerStalled: { period: 600, evaluationPeriods: 2, datapointsToAlarm: 2 } },
    });
    const plan = terraformIn(stackFolder(Testing.synth(stack))).initValidatePlan();
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
