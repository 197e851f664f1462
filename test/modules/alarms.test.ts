// The cdktf matchers are registered in test/support/setup.ts; this brings their types.
import type {} from 'cdktf/lib/testing/adapters/jest';
import { TerraformStack, TerraformVariable, Testing } from 'cdktf';
import { AwsProvider } from '@cdktf/provider-aws/lib/provider';
import { CloudwatchDashboard } from '@cdktf/provider-aws/lib/cloudwatch-dashboard';
import { CloudwatchMetricAlarm } from '@cdktf/provider-aws/lib/cloudwatch-metric-alarm';
import { DataAwsRegion } from '@cdktf/provider-aws/lib/data-aws-region';
import { KmsKey } from '@cdktf/provider-aws/lib/kms-key';
import { SnsTopic } from '@cdktf/provider-aws/lib/sns-topic';
import { PipelineAlarms, PipelineAlarmsProps } from '../../modules/alarms';
import { FailureDestination } from '../../modules/failure-destination';
import { denyWithoutTls, SNS_TOPIC_ACTIONS } from '../support/tls-only';

const TOPIC = 'arn:aws:sns:eu-west-1:123456789012:oncall';
const KEY = 'arn:aws:kms:eu-west-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab';

function newStack(): TerraformStack {
  const stack = new TerraformStack(Testing.app(), 'orders');
  new AwsProvider(stack, 'aws', { region: 'eu-west-1' });
  return stack;
}

function build(props: Partial<PipelineAlarmsProps> = {}) {
  const stack = newStack();
  const alarms = new PipelineAlarms(stack, 'Alarms', { functionName: 'orders-consumer', ...props });
  return { stack, alarms };
}

const synthJson = (stack: TerraformStack): any => JSON.parse(Testing.synth(stack));
/** Alarms by alarm name. */
function alarmsOf(stack: TerraformStack): Record<string, any> {
  const all: any[] = Object.values(synthJson(stack).resource.aws_cloudwatch_metric_alarm ?? {});
  return Object.fromEntries(all.map((a) => [a.alarm_name, a]));
}
function dashboardOf(stack: TerraformStack): any {
  const d: any[] = Object.values(synthJson(stack).resource.aws_cloudwatch_dashboard ?? {});
  expect(d).toHaveLength(1);
  return { ...d[0], body: JSON.parse(d[0].dashboard_body) };
}

const FN = { FunctionName: 'orders-consumer' };
const TOPIC_REF = '${aws_sns_topic.Alarms_Topic_083BF03E.arn}';

describe('PipelineAlarms: which alarms', () => {
  test('GIVEN only a function WHEN synthesized THEN iterator age, errors and throttles alarm to a created topic, and nothing watches a destination', () => {
    const { stack } = build();
    const alarms = alarmsOf(stack);
    expect(Object.keys(alarms).sort()).toEqual(['orders-consumer-errors', 'orders-consumer-iterator-age', 'orders-consumer-throttles']);
    const common = {
      namespace: 'AWS/Lambda',
      dimensions: FN,
      comparison_operator: 'GreaterThanThreshold',
      period: 60,
      treat_missing_data: 'notBreaching',
      alarm_actions: [TOPIC_REF],
      ok_actions: [TOPIC_REF],
    };
    expect(alarms['orders-consumer-iterator-age']).toEqual({
      ...common,
      alarm_name: 'orders-consumer-iterator-age',
      alarm_description: expect.stringContaining('Records wait over 60000 ms in the stream before orders-consumer processes them'),
      metric_name: 'IteratorAge',
      statistic: 'Maximum',
      threshold: 60000,
      evaluation_periods: 3,
      datapoints_to_alarm: 3,
    });
    expect(alarms['orders-consumer-errors']).toEqual({
      ...common,
      alarm_name: 'orders-consumer-errors',
      alarm_description: expect.any(String),
      metric_name: 'Errors',
      statistic: 'Sum',
      threshold: 0,
      evaluation_periods: 1,
      datapoints_to_alarm: 1,
    });
    expect(alarms['orders-consumer-throttles']).toEqual({
      ...common,
      alarm_name: 'orders-consumer-throttles',
      alarm_description: expect.any(String),
      metric_name: 'Throttles',
      statistic: 'Sum',
      threshold: 0,
      evaluation_periods: 1,
      datapoints_to_alarm: 1,
    });
  });

  test('GIVEN an alias WHEN synthesized THEN every Lambda alarm also has Resource=<function>:<alias> and the names carry the alias', () => {
    const { stack } = build({ aliasName: 'live' });
    const alarms = alarmsOf(stack);
    expect(Object.keys(alarms).sort()).toEqual([
      'orders-consumer-live-errors',
      'orders-consumer-live-iterator-age',
      'orders-consumer-live-throttles',
    ]);
    for (const a of Object.values(alarms))
      expect(a.dimensions).toEqual({ FunctionName: 'orders-consumer', Resource: 'orders-consumer:live' });
  });

  test('GIVEN an SQS FailureDestination WHEN synthesized THEN new arrivals, the oldest message and the delivery failures are watched', () => {
    const stack = newStack();
    const failures = new FailureDestination(stack, 'Failures', { name: 'orders-failed' });
    new PipelineAlarms(stack, 'Alarms', { functionName: 'orders-consumer', failureDestination: failures });
    const alarms = alarmsOf(stack);
    expect(alarms['orders-consumer-failure-queue-arrivals']).toMatchObject({
      namespace: 'AWS/SQS',
      metric_name: 'NumberOfMessagesSent',
      dimensions: { QueueName: 'orders-failed' },
      statistic: 'Sum',
      comparison_operator: 'GreaterThanThreshold',
      threshold: 0,
      period: 60,
      evaluation_periods: 1,
      treat_missing_data: 'notBreaching',
    });
    expect(alarms['orders-consumer-failure-queue-age']).toMatchObject({
      namespace: 'AWS/SQS',
      metric_name: 'ApproximateAgeOfOldestMessage',
      dimensions: { QueueName: 'orders-failed' },
      statistic: 'Maximum',
      comparison_operator: 'GreaterThanThreshold',
      threshold: 3600,
      period: 60,
      evaluation_periods: 1,
      treat_missing_data: 'ignore',
    });
    expect(Object.values(alarms).some((a) => a.metric_name === 'ApproximateNumberOfMessagesVisible')).toBe(false);
    expect(alarms['orders-consumer-destination-delivery-failures']).toMatchObject({
      namespace: 'AWS/Lambda',
      metric_name: 'DestinationDeliveryFailures',
      dimensions: FN,
      statistic: 'Sum',
      threshold: 0,
    });
    expect(alarms['orders-consumer-failed-notifications']).toBeUndefined();
  });

  test('GIVEN an SNS destination WHEN synthesized THEN failed notifications are watched instead of a queue', () => {
    const { stack } = build({ failureDestination: { kind: 'sns', topicName: 'orders-failed' } });
    const alarms = alarmsOf(stack);
    expect(alarms['orders-consumer-failed-notifications']).toMatchObject({
      namespace: 'AWS/SNS',
      metric_name: 'NumberOfNotificationsFailed',
      dimensions: { TopicName: 'orders-failed' },
      statistic: 'Sum',
      threshold: 0,
    });
    expect(alarms['orders-consumer-failure-queue-arrivals']).toBeUndefined();
    expect(alarms['orders-consumer-failure-queue-age']).toBeUndefined();
    expect(alarms['orders-consumer-destination-delivery-failures']).toBeDefined();
  });

  test('GIVEN overrides for every setting WHEN synthesized THEN each reaches its alarm and the others keep their defaults', () => {
    const { stack } = build({
      failureDestination: { kind: 'sqs', queueName: 'q' },
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
        failureQueueAge: { threshold: 10, period: 10, evaluationPeriods: 8640, datapointsToAlarm: 8640 },
      },
    });
    const alarms = alarmsOf(stack);
    expect(alarms['orders-consumer-iterator-age']).toMatchObject({
      threshold: 30000,
      period: 300,
      evaluation_periods: 4,
      datapoints_to_alarm: 2,
      treat_missing_data: 'breaching',
      statistic: 'Average',
      comparison_operator: 'GreaterThanOrEqualToThreshold',
    });
    expect(alarms['orders-consumer-iterator-age'].alarm_description).toContain('over 30000 ms');
    expect(alarms['orders-consumer-failure-queue-age']).toMatchObject({
      threshold: 10,
      period: 10,
      evaluation_periods: 8640,
      datapoints_to_alarm: 8640,
      statistic: 'Maximum',
    });
    expect(alarms['orders-consumer-errors']).toMatchObject({ threshold: 0, period: 60, evaluation_periods: 1 });
  });

  test('GIVEN alarms disabled one by one WHEN synthesized THEN exactly those are absent, also from the status row', () => {
    const { stack } = build({
      failureDestination: { kind: 'sqs', queueName: 'q' },
      alarms: {
        throttles: { enabled: false },
        failureQueueArrivals: { enabled: false },
        failureQueueAge: { enabled: false },
        destinationDeliveryFailures: { enabled: false },
      },
    });
    expect(Object.keys(alarmsOf(stack)).sort()).toEqual(['orders-consumer-errors', 'orders-consumer-iterator-age']);
    expect(dashboardOf(stack).body.widgets[0].properties.alarms).toEqual([
      '${aws_cloudwatch_metric_alarm.Alarms_IteratorAge_07C1A231.arn}',
      '${aws_cloudwatch_metric_alarm.Alarms_Errors_7A884EBF.arn}',
    ]);
  });

  test('GIVEN no destination but destinationDeliveryFailures enabled WHEN synthesized THEN that alarm exists (for a destination set up elsewhere)', () => {
    const { stack } = build({ alarms: { destinationDeliveryFailures: { enabled: true } } });
    expect(alarmsOf(stack)['orders-consumer-destination-delivery-failures']).toMatchObject({ metric_name: 'DestinationDeliveryFailures' });
  });

  test('GIVEN a prefix WHEN synthesized THEN every alarm name starts with it', () => {
    const { stack, alarms } = build({ aliasName: 'live', alarmNamePrefix: 'prod/orders' });
    expect(Object.keys(alarmsOf(stack)).sort()).toEqual(['prod/orders-errors', 'prod/orders-iterator-age', 'prod/orders-throttles']);
    expect(alarms.alarmNamePrefix).toBe('prod/orders');
    expect(dashboardOf(stack).dashboard_name).toBe('prod-orders-pipeline');
    expect(Testing.synth(stack)).toHaveResourceWithProperties(SnsTopic, { name: 'prod-orders-alarms' });
  });

  test('GIVEN a function name that is a Terraform variable WHEN synthesized THEN alarms and graphs reference it', () => {
    const stack = newStack();
    const fn = new TerraformVariable(stack, 'fn', { type: 'string' });
    new PipelineAlarms(stack, 'Alarms', { functionName: fn.stringValue, aliasName: 'live' });
    const alarms: any[] = Object.values(alarmsOf(stack));
    expect(alarms.map((a) => a.dimensions)).toEqual(Array(3).fill({ FunctionName: '${var.fn}', Resource: '${var.fn}:live' }));
    expect(dashboardOf(stack).body.widgets[1].properties.metrics[0]).toEqual([
      'AWS/Lambda',
      'IteratorAge',
      'FunctionName',
      '${var.fn}',
      'Resource',
      '${var.fn}:live',
      { stat: 'Maximum' },
    ]);
  });
});

describe('PipelineAlarms: where notifications go', () => {
  test('GIVEN no actions WHEN synthesized THEN a topic encrypted with a new rotating key that CloudWatch may use receives alarm and OK notifications', () => {
    const { stack, alarms } = build();
    const tf = synthJson(stack);
    expect(Object.values(tf.resource.aws_sns_topic)).toEqual([
      { name: 'orders-consumer-alarms', kms_master_key_id: '${aws_kms_key.Alarms_Topic_Key_E09E3472.arn}' },
    ]);
    expect(Object.values(tf.resource.aws_kms_key)).toEqual([
      { description: 'Encrypts the SNS topic orders-consumer-alarms that CloudWatch alarms publish to', enable_key_rotation: true },
    ]);
    const policy: any = Object.values(tf.resource.aws_kms_key_policy)[0];
    expect(policy.key_id).toBe('${aws_kms_key.Alarms_Topic_Key_E09E3472.key_id}');
    const arn = 'aws_kms_key.Alarms_Topic_Key_E09E3472.arn';
    const topicArn = 'aws_sns_topic.Alarms_Topic_083BF03E.arn';
    expect(tf.locals).toEqual({
      Alarms_Topic_KeyPartition_AD75B7EB: `\${element(split(":", ${arn}), 1)}`,
      Alarms_Topic_KeyAccount_AF580B41: `\${element(split(":", ${arn}), 4)}`,
      Alarms_Topic_TopicAccount_EFFC7654: `\${element(split(":", ${topicArn}), 4)}`,
    });
    // Only alarms of the key's own account may use it: no other account's alarm can (confused deputy).
    const ownAlarms = { StringEquals: { 'aws:SourceAccount': '${local.Alarms_Topic_KeyAccount_AF580B41}' } };
    expect(JSON.parse(policy.policy)).toEqual({
      Version: '2012-10-17',
      Statement: [
        {
          Sid: 'AccountAdministersKey',
          Effect: 'Allow',
          Principal: { AWS: 'arn:${local.Alarms_Topic_KeyPartition_AD75B7EB}:iam::${local.Alarms_Topic_KeyAccount_AF580B41}:root' },
          Action: 'kms:*',
          Resource: '*',
        },
        {
          Sid: 'CloudWatchAlarmsPublish',
          Effect: 'Allow',
          Principal: { Service: 'cloudwatch.amazonaws.com' },
          Action: ['kms:Decrypt', 'kms:GenerateDataKey*'],
          Resource: '*',
          Condition: ownAlarms,
        },
      ],
    });
    expect(alarms.alarmTopic).toBeDefined();
  });

  test("GIVEN no actions WHEN synthesized THEN the topic policy denies every topic action without TLS and lets only its own account's alarms publish", () => {
    const tf = synthJson(build().stack);
    const policies: any[] = Object.values(tf.resource.aws_sns_topic_policy);
    expect(policies).toHaveLength(1);
    const topic = '${aws_sns_topic.Alarms_Topic_083BF03E.arn}';
    expect(policies[0].arn).toBe(topic);
    expect(JSON.parse(policies[0].policy)).toEqual({
      Version: '2012-10-17',
      Statement: [
        denyWithoutTls(SNS_TOPIC_ACTIONS, topic),
        // Replacing SNS's default policy removes its allow for the account: CloudWatch needs its own.
        {
          Sid: 'CloudWatchAlarmsPublish',
          Effect: 'Allow',
          Principal: { Service: 'cloudwatch.amazonaws.com' },
          Action: 'sns:Publish',
          Resource: topic,
          Condition: { StringEquals: { 'aws:SourceAccount': '${local.Alarms_Topic_TopicAccount_EFFC7654}' } },
        },
      ],
    });
  });

  test('GIVEN a topic name and a customer key WHEN synthesized THEN the topic uses them and no key is created', () => {
    const { stack } = build({ alarmTopicName: 'orders-oncall', alarmTopicKmsKeyArn: KEY });
    const synth = Testing.synth(stack);
    expect(synth).toHaveResourceWithProperties(SnsTopic, { name: 'orders-oncall', kms_master_key_id: KEY });
    expect(synth).not.toHaveResource(KmsKey);
  });

  test('GIVEN action ARNs WHEN synthesized THEN alarms notify exactly them and no topic or key is created', () => {
    const { stack, alarms } = build({ actionArns: [TOPIC, 'arn:aws:sns:eu-west-1:123456789012:audit'] });
    for (const a of Object.values(alarmsOf(stack))) {
      expect(a.alarm_actions).toEqual([TOPIC, 'arn:aws:sns:eu-west-1:123456789012:audit']);
      expect(a.ok_actions).toEqual([TOPIC, 'arn:aws:sns:eu-west-1:123456789012:audit']);
    }
    expect(synthJson(stack).resource.aws_sns_topic).toBeUndefined();
    expect(synthJson(stack).resource.aws_kms_key).toBeUndefined();
    expect(alarms.actionArns).toEqual([TOPIC, 'arn:aws:sns:eu-west-1:123456789012:audit']);
  });

  test('GIVEN notifyOk false WHEN synthesized THEN alarms notify only when they fire', () => {
    const { stack } = build({ actionArns: [TOPIC], notifyOk: false });
    for (const a of Object.values(alarmsOf(stack))) {
      expect(a.alarm_actions).toEqual([TOPIC]);
      expect(a.ok_actions).toBeUndefined();
    }
  });

  test('GIVEN an empty action list WHEN synthesized THEN alarms exist without actions', () => {
    const { stack } = build({ actionArns: [] });
    const alarms = Object.values(alarmsOf(stack));
    expect(alarms).toHaveLength(3);
    for (const a of alarms) expect([a.alarm_actions, a.ok_actions]).toEqual([undefined, undefined]);
  });
});

describe('PipelineAlarms: placement', () => {
  test('GIVEN a provider and tags WHEN synthesized THEN alarms, topic, key, key policy and dashboard use the provider (and its region) and the taggable ones carry the tags', () => {
    const stack = newStack();
    const west = new AwsProvider(stack, 'west', { region: 'us-west-2', alias: 'west' });
    new PipelineAlarms(stack, 'Alarms', { functionName: 'f', provider: west, tags: { team: 'orders' } });
    const tf = synthJson(stack);
    for (const type of ['aws_cloudwatch_metric_alarm', 'aws_sns_topic', 'aws_kms_key', 'aws_kms_key_policy', 'aws_cloudwatch_dashboard']) {
      for (const r of Object.values<any>(tf.resource[type])) expect([type, r.provider]).toEqual([type, 'aws.west']);
    }
    expect(tf.data?.aws_region).toBeUndefined();
    const graphs = JSON.parse(Object.values<any>(tf.resource.aws_cloudwatch_dashboard)[0].dashboard_body).widgets.filter(
      (w: any) => w.type === 'metric',
    );
    expect(new Set(graphs.map((w: any) => w.properties.region))).toEqual(new Set(['us-west-2']));
    for (const type of ['aws_cloudwatch_metric_alarm', 'aws_sns_topic', 'aws_kms_key']) {
      for (const r of Object.values<any>(tf.resource[type])) expect(r.tags).toEqual({ team: 'orders' });
    }
  });

  test('GIVEN a provider whose region only Terraform knows WHEN synthesized THEN the graphs read it from an aws_region lookup through that provider', () => {
    const stack = new TerraformStack(Testing.app(), 'orders');
    const region = new TerraformVariable(stack, 'region', { type: 'string' });
    const aws = new AwsProvider(stack, 'aws', { region: region.stringValue });
    new PipelineAlarms(stack, 'Alarms', { functionName: 'f', provider: aws });
    const tf = synthJson(stack);
    const [[id, lookup]] = Object.entries<any>(tf.data.aws_region);
    expect(lookup.provider).toBe('aws');
    const graphs = JSON.parse(Object.values<any>(tf.resource.aws_cloudwatch_dashboard)[0].dashboard_body).widgets.filter(
      (w: any) => w.type === 'metric',
    );
    expect(new Set(graphs.map((w: any) => w.properties.region))).toEqual(new Set([`\${data.aws_region.${id}.name}`]));
  });

  test('GIVEN a region and a provider that names none WHEN synthesized THEN the graphs use it and no region lookup exists', () => {
    // A region other than the provider's literal one is refused (alarms-validation and replication-providers tests).
    const stack = new TerraformStack(Testing.app(), 'orders');
    new AwsProvider(stack, 'aws', {});
    new PipelineAlarms(stack, 'Alarms', { functionName: 'orders-consumer', region: 'ap-southeast-2' });
    expect(Testing.synth(stack)).not.toHaveDataSource(DataAwsRegion);
    const graphs = dashboardOf(stack).body.widgets.filter((w: any) => w.type === 'metric');
    expect(graphs.map((w: any) => w.properties.region)).toEqual(Array(graphs.length).fill('ap-southeast-2'));
  });

  test('GIVEN dashboard false WHEN synthesized THEN there is no dashboard and no region lookup, the alarms remain', () => {
    const { stack, alarms } = build({ dashboard: false });
    const synth = Testing.synth(stack);
    expect(synth).not.toHaveResource(CloudwatchDashboard);
    expect(synth).not.toHaveDataSource(DataAwsRegion);
    expect(synth).toHaveResource(CloudwatchMetricAlarm);
    expect(alarms.dashboard).toBeUndefined();
  });

  test('GIVEN a dashboard name WHEN synthesized THEN it is used', () => {
    const { stack } = build({ dashboardName: 'orders_pipeline-1' });
    expect(dashboardOf(stack).dashboard_name).toBe('orders_pipeline-1');
  });
});
