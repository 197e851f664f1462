import { TerraformStack, TerraformVariable, Testing } from 'cdktf';
import { AwsProvider } from '@cdktf/provider-aws/lib/provider';
import { AlarmTopic } from '../../modules/alarm-topic';
import { PipelineAlarms, PipelineAlarmsProps } from '../../modules/alarms';

function build(props: Partial<PipelineAlarmsProps>, stack = newStack()): PipelineAlarms {
  return new PipelineAlarms(stack, 'Alarms', { functionName: 'fn', ...props });
}
function newStack(): TerraformStack {
  const stack = new TerraformStack(Testing.app(), 'orders');
  new AwsProvider(stack, 'aws', { region: 'eu-west-1' });
  return stack;
}
function errorOf(props: Partial<PipelineAlarmsProps>): string {
  try {
    build(props);
  } catch (e: any) {
    return e.message;
  }
  throw new Error('expected PipelineAlarms to refuse ' + JSON.stringify(props));
}

const P = 'orders/Alarms: ';
const SQS = { kind: 'sqs' as const, queueName: 'q' };
const SNS = { kind: 'sns' as const, topicName: 't' };
const ARN = 'arn:aws:sns:eu-west-1:123456789012:t';
const WINDOW = 'x evaluation periods must be at most 86400 s when the period is under an hour';

describe('PipelineAlarms validation', () => {
  test.each<[string, Partial<PipelineAlarmsProps>, string]>([
    [
      'a 45-second period',
      { alarms: { errors: { period: 45 } } },
      'alarms.errors.period must be 10, 20, 30 or a multiple of 60 seconds (got 45)',
    ],
    ['a zero period', { alarms: { errors: { period: 0 } } }, 'alarms.errors.period must be 10, 20, 30 or a multiple of 60 seconds (got 0)'],
    [
      'a negative minute period',
      { alarms: { errors: { period: -60 } } },
      'alarms.errors.period must be 10, 20, 30 or a multiple of 60 seconds (got -60)',
    ],
    [
      'more than a day of one-minute periods',
      { alarms: { throttles: { evaluationPeriods: 1441 } } },
      `alarms.throttles.evaluationPeriods must be an integer 1..1440 (period 60 s ${WINDOW}) (got 1441)`,
    ],
    [
      'more than a day of 10-second periods',
      { alarms: { throttles: { period: 10, evaluationPeriods: 8641 } } },
      `alarms.throttles.evaluationPeriods must be an integer 1..8640 (period 10 s ${WINDOW}) (got 8641)`,
    ],
    [
      'zero evaluation periods',
      { alarms: { errors: { evaluationPeriods: 0 } } },
      `alarms.errors.evaluationPeriods must be an integer 1..1440 (period 60 s ${WINDOW}) (got 0)`,
    ],
    [
      'zero evaluation periods of an hour',
      { alarms: { errors: { period: 3600, evaluationPeriods: 0 } } },
      'alarms.errors.evaluationPeriods must be an integer 1..168 (period 3600 s x evaluation periods must be at most 604800 s (7 days)) (got 0)',
    ],
    [
      'more than seven days of one-hour periods',
      { alarms: { errors: { period: 3600, evaluationPeriods: 169 } } },
      'alarms.errors.evaluationPeriods must be an integer 1..168 (period 3600 s x evaluation periods must be at most 604800 s (7 days)) (got 169)',
    ],
    [
      'more than seven days of one-day periods',
      { alarms: { errors: { period: 86400, evaluationPeriods: 8 } } },
      'alarms.errors.evaluationPeriods must be an integer 1..7 (period 86400 s x evaluation periods must be at most 604800 s (7 days)) (got 8)',
    ],
    [
      'more datapoints than evaluation periods',
      { alarms: { iteratorAge: { datapointsToAlarm: 4 } } },
      'alarms.iteratorAge.datapointsToAlarm must be an integer 1..3 (at most the evaluation periods) (got 4)',
    ],
    [
      'zero datapoints',
      { alarms: { iteratorAge: { datapointsToAlarm: 0 } } },
      'alarms.iteratorAge.datapointsToAlarm must be an integer 1..3 (at most the evaluation periods) (got 0)',
    ],
    [
      'a percentile statistic',
      { alarms: { iteratorAge: { statistic: 'p99' as any } } },
      'alarms.iteratorAge.statistic must be one of "SampleCount", "Average", "Sum", "Minimum", "Maximum" (got "p99")',
    ],
    [
      'an anomaly-band operator',
      { alarms: { errors: { comparisonOperator: 'LessThanLowerOrGreaterThanUpperThreshold' as any } } },
      'alarms.errors.comparisonOperator must be one of "GreaterThanThreshold", "GreaterThanOrEqualToThreshold", "LessThanThreshold", "LessThanOrEqualToThreshold" (anomaly-band operators need a threshold metric, which these alarms do not define) (got "LessThanLowerOrGreaterThanUpperThreshold")',
    ],
    [
      'an unknown missing-data treatment',
      { alarms: { errors: { treatMissingData: 'zero' as any } } },
      'alarms.errors.treatMissingData must be one of "missing", "ignore", "breaching", "notBreaching" (got "zero")',
    ],
    [
      'a threshold that is not a number',
      { alarms: { errors: { threshold: NaN } } },
      'alarms.errors.threshold must be a finite number (got NaN)',
    ],
    [
      'six actions',
      { actionArns: Array(6).fill(ARN) },
      `actionArns must be at most 5 ARNs (CloudWatch limit per alarm) (got ${JSON.stringify(Array(6).fill(ARN))})`,
    ],
    [
      'a dashboard name with a space',
      { dashboardName: 'orders pipeline' },
      'dashboardName must be 1..255 characters of [0-9A-Za-z_-] (got "orders pipeline")',
    ],
    [
      'a 256-character dashboard name',
      { dashboardName: 'd'.repeat(256) },
      `dashboardName must be 1..255 characters of [0-9A-Za-z_-] (got "${'d'.repeat(256)}")`,
    ],
    [
      'a dashboard name without a dashboard',
      { dashboard: false, dashboardName: 'd' },
      'dashboardName must be unset (dashboard is false) (got "d")',
    ],
    ['a region that is not one', { region: 'Ireland' }, 'region must be an AWS region name such as eu-west-1 (got "Ireland")'],
    ['a function name with a colon', { functionName: 'fn:live' }, 'functionName must be 1..64 characters of [0-9A-Za-z_-] (got "fn:live")'],
    ['an alias made of digits', { aliasName: '12' }, 'aliasName must be 1..128 characters of [a-zA-Z0-9_-], not only digits (got "12")'],
    [
      'a prefix with a newline',
      { alarmNamePrefix: 'a\nb' },
      'alarmNamePrefix must be 1..200 characters without control characters (alarm names are at most 255 characters with their suffix) (got "a\\nb")',
    ],
    ['a bad alarm topic name', { alarmTopicName: 'on call' }, 'alarmTopicName must be 1..256 characters of [0-9A-Za-z_-] (got "on call")'],
    [
      'actions and a topic name',
      { actionArns: [ARN], alarmTopicName: 'oncall' },
      'alarmTopicName must be unset (no topic is created when actionArns are given) (got "oncall")',
    ],
    [
      'actions and a topic key',
      { actionArns: [ARN], alarmTopicKmsKeyArn: 'arn:aws:kms:eu-west-1:123456789012:key/k' },
      'alarmTopicKmsKeyArn must be unset (no topic is created when actionArns are given) (got "arn:aws:kms:eu-west-1:123456789012:key/k")',
    ],
    [
      'an SQS destination without its queue name',
      { failureDestination: { kind: 'sqs' } },
      'failureDestination.queueName must be set for an SQS destination (got undefined)',
    ],
    [
      'an SNS destination without its topic name',
      { failureDestination: { kind: 'sns' } },
      'failureDestination.topicName must be set for an SNS destination (got undefined)',
    ],
    [
      'an SQS destination with an SNS-only alarm',
      { failureDestination: SQS, alarms: { failedNotifications: { threshold: 1 } } },
      'alarms.failedNotifications must be unset (it watches an SNS failure topic and failureDestination is an SQS queue) (got {"threshold":1})',
    ],
    [
      'an SNS destination with an SQS-only alarm',
      { failureDestination: SNS, alarms: { failureQueueArrivals: { threshold: 1 } } },
      'alarms.failureQueueArrivals must be unset (it watches an SQS failure queue and failureDestination is an SNS topic) (got {"threshold":1})',
    ],
    [
      'a queue alarm without a destination',
      { alarms: { failureQueueAge: { enabled: true } } },
      'alarms.failureQueueAge must be unset (it watches an SQS failure queue and there is no failureDestination) (got {"enabled":true})',
    ],
    [
      'an alarm that does not exist',
      { alarms: { lag: { threshold: 1 } } as any },
      'alarms.lag must be one of iteratorAge, errors, throttles, failureQueueArrivals, failureQueueAge, failedNotifications, destinationDeliveryFailures, droppedEvents, failedInvokeEvents, onFailureDelivered, kinesisIteratorAge, kinesisReadThrottles, kinesisWriteThrottles, fanOutLag, consumerStalled, kinesisDestinationStalled (not a pipeline alarm; use addAlarm for other metrics) (got {"threshold":1})',
    ],
  ])('GIVEN %s WHEN constructed THEN it fails naming the prop, the rule and the value', (_case, props, message) => {
    expect(errorOf(props)).toBe(P + message);
  });

  test('GIVEN several problems WHEN constructed THEN one error lists every one of them', () => {
    expect(
      errorOf({ region: 'x', alarms: { errors: { period: 7, statistic: 'avg' as any }, throttles: { datapointsToAlarm: 2 } } }).split('\n'),
    ).toEqual([
      P + 'region must be an AWS region name such as eu-west-1 (got "x")',
      P + 'alarms.errors.period must be 10, 20, 30 or a multiple of 60 seconds (got 7)',
      P + 'alarms.errors.statistic must be one of "SampleCount", "Average", "Sum", "Minimum", "Maximum" (got "avg")',
      P + 'alarms.throttles.datapointsToAlarm must be an integer 1..1 (at most the evaluation periods) (got 2)',
    ]);
  });

  test('GIVEN the limits themselves WHEN constructed THEN they are accepted', () => {
    expect(() =>
      build({
        actionArns: Array(5).fill(ARN),
        dashboardName: 'd'.repeat(255),
        alarms: { errors: { period: 60, evaluationPeriods: 1440, datapointsToAlarm: 1440 } },
      }),
    ).not.toThrow();
    expect(() =>
      build({
        alarms: {
          errors: { period: 30, evaluationPeriods: 2880 },
          throttles: { period: 3600, evaluationPeriods: 168 },
          iteratorAge: { period: 20 },
        },
      }),
    ).not.toThrow();
    const gov = newStack();
    const provider = new AwsProvider(gov, 'gov', { region: 'us-gov-west-1', alias: 'gov' });
    expect(() => build({ aliasName: 'v1-blue', region: 'us-gov-west-1', provider, alarmNamePrefix: 'p'.repeat(200) }, gov)).not.toThrow();
  });

  test('GIVEN settings that are Terraform variables WHEN constructed THEN they are left to Terraform', () => {
    const stack = newStack();
    const n = new TerraformVariable(stack, 'n', { type: 'number' });
    const s = new TerraformVariable(stack, 's', { type: 'string' });
    expect(() =>
      build(
        {
          region: s.stringValue,
          dashboardName: s.stringValue,
          alarms: { errors: { period: n.numberValue, evaluationPeriods: n.numberValue, threshold: n.numberValue } },
        },
        stack,
      ),
    ).not.toThrow();
  });
});

describe('AlarmTopic validation', () => {
  test('GIVEN a topic name SNS refuses WHEN constructed THEN the message names the construct, the prop, the value and the rule', () => {
    expect(() => new AlarmTopic(newStack(), 'Topic', { topicName: 'on call!' })).toThrow(
      'orders/Topic: topicName must be 1..256 characters of [0-9A-Za-z_-] (got "on call!")',
    );
    expect(() => new AlarmTopic(newStack(), 'Topic', { topicName: 't'.repeat(257) })).toThrow(/topicName must be 1\.\.256 characters/);
    expect(() => new AlarmTopic(newStack(), 'Topic', { topicName: 't'.repeat(256) })).not.toThrow();
  });
});
