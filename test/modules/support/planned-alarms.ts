/**
 * The alarm stacks alarms-terraform.test.ts plans with the real provider (planned with the
 * other planned stacks in one batched run: test/support/stack-plans.ts).
 */
import { TerraformStack, Testing } from 'cdktf';
import { AwsProvider } from '@cdktf/provider-aws/lib/provider';
import { PipelineAlarms } from '../../../modules/alarms';
import { FailureDestination } from '../../../modules/failure-destination';

export const ONCALL = 'arn:aws:sns:us-west-2:123456789012:oncall';
export const KEY = 'arn:aws:kms:eu-west-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab';

/** Every kind of pipeline alarm configuration in one stack, in two regions. */
export function everyAlarmKind(): TerraformStack {
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
  new PipelineAlarms(stack, 'Quiet', {
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
  return stack;
}

/** Liveness alarms of a Kinesis pipeline, with e-mail and HTTPS subscribers. */
export function livenessAlarms(): TerraformStack {
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
  return stack;
}
