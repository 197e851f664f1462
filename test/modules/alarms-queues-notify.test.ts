/**
 * Failure-queue alarms that notify for each new failure, and the alarm topic's subscriptions.
 * CloudWatch alarm evaluation is a MODEL (test/support/alarm-model.ts): CloudWatch has no local
 * counterpart.
 */
import { TerraformStack, Testing } from 'cdktf';
import { AwsProvider } from '@cdktf/provider-aws/lib/provider';
import { PipelineAlarms, PipelineAlarmsProps } from '../../modules/alarms';
import { AlarmTopic } from '../../modules/alarm-topic';
import { AlarmState, Datapoint, evaluateAlarm } from '../support/alarm-model';

const MINUTE = 60_000;

function synth(props: Partial<PipelineAlarmsProps>): any {
  const stack = new TerraformStack(Testing.app(), 'orders');
  new AwsProvider(stack, 'aws', { region: 'eu-west-1' });
  new PipelineAlarms(stack, 'Alarms', { functionName: 'orders-consumer', ...props });
  return JSON.parse(Testing.synth(stack));
}
const alarm = (json: any, name: string) =>
  (Object.values(json.resource.aws_cloudwatch_metric_alarm) as any[]).find((a) => a.alarm_name === name);

/** Transitions into ALARM: each is one notification to the alarm actions. */
const notifications = (states: { state: AlarmState }[]) =>
  states.filter((s, i) => s.state === 'ALARM' && states[i - 1]?.state !== 'ALARM').length;

describe('Failure queue alarms', () => {
  const json = synth({ failureDestination: { kind: 'sqs', queueName: 'orders-failed' } });
  const arrivals = alarm(json, 'orders-consumer-failure-queue-arrivals');
  const age = alarm(json, 'orders-consumer-failure-queue-age');

  test('GIVEN one failure nobody handles, then a second failure two hours later WHEN the queue metrics are evaluated THEN each failure notifies once (a depth alarm would have stayed in ALARM and hidden the second)', () => {
    // SQS publishes one datapoint a minute while the queue is active: NumberOfMessagesSent 1 in the
    // minute of each send, else 0.
    const sent: Datapoint[] = Array.from({ length: 240 }, (_, m) => ({ at: m * MINUTE, value: m === 10 || m === 130 ? 1 : 0 }));
    const states = evaluateAlarm(arrivals, sent, 0, 240 * MINUTE);
    expect(notifications(states)).toBe(2);
    const depth = { ...arrivals, statistic: 'Maximum' as const };
    const visible: Datapoint[] = Array.from({ length: 240 }, (_, m) => ({ at: m * MINUTE, value: m < 10 ? 0 : m < 130 ? 1 : 2 }));
    expect(notifications(evaluateAlarm(depth, visible, 0, 240 * MINUTE))).toBe(1);
  });

  test('GIVEN a failure left waiting, and SQS stopping the queue metrics after six idle hours WHEN the age is evaluated THEN ALARM after an hour and it stays so without data', () => {
    const idleAfter = 6 * 60;
    const points: Datapoint[] = Array.from({ length: idleAfter }, (_, m) => ({ at: m * MINUTE, value: m * 60 }));
    const states = evaluateAlarm(age, points, 0, 10 * 60 * MINUTE);
    expect(states[59].state).toBe('OK');
    expect(states[61].state).toBe('ALARM');
    expect(states[states.length - 1].state).toBe('ALARM');
    expect(notifications(states)).toBe(1);
  });

  test('GIVEN a redrive that empties the queue within minutes WHEN the age is evaluated THEN no age alarm', () => {
    const points: Datapoint[] = Array.from({ length: 600 }, (_, m) => ({ at: m * MINUTE, value: m % 100 < 5 ? (m % 100) * 60 : 0 }));
    expect(evaluateAlarm(age, points, 0, 600 * MINUTE).map((s) => s.state)).not.toContain('ALARM');
  });
});

describe('Alarm notifications (notify)', () => {
  test('GIVEN e-mails and HTTPS endpoints WHEN synthesized THEN each is subscribed to the created alarm topic, which the alarms notify', () => {
    const json = synth({
      notify: {
        emails: ['oncall@example.com', 'orders@example.com'],
        httpsEndpoints: ['https://events.pagerduty.com/integration/abc/enqueue'],
      },
    });
    const topicRef = `\${aws_sns_topic.${Object.keys(json.resource.aws_sns_topic)[0]}.arn}`;
    const subs = (Object.values(json.resource.aws_sns_topic_subscription) as any[]).map((s) => [s.protocol, s.endpoint, s.topic_arn]);
    expect(subs).toEqual([
      ['email', 'oncall@example.com', topicRef],
      ['email', 'orders@example.com', topicRef],
      ['https', 'https://events.pagerduty.com/integration/abc/enqueue', topicRef],
    ]);
    expect(alarm(json, 'orders-consumer-errors').alarm_actions).toEqual([topicRef]);
  });

  test('GIVEN no notify WHEN synthesized THEN the topic has no subscription', () => {
    expect(synth({}).resource.aws_sns_topic_subscription).toBeUndefined();
  });

  test.each<[string, Partial<PipelineAlarmsProps>, string]>([
    [
      'an address without a domain',
      { notify: { emails: ['oncall'] } },
      'notify.emails[0] must be an e-mail address such as oncall@example.com (got "oncall")',
    ],
    [
      'plain http',
      { notify: { httpsEndpoints: ['http://pager.example.com/hook'] } },
      'notify.httpsEndpoints[0] must be an https:// URL with a host (alarm notifications must not travel in clear text) (got "http://pager.example.com/hook")',
    ],
    [
      'an address twice',
      { notify: { emails: ['a@example.com', 'a@example.com'] } },
      'notify.emails[1] must be each address once (SNS keeps one subscription per endpoint) (got "a@example.com")',
    ],
    [
      'notify with the team topic in actionArns',
      { actionArns: ['arn:aws:sns:eu-west-1:123456789012:oncall'], notify: { emails: ['a@example.com'] } },
      'notify must be unset (no topic is created when actionArns are given)',
    ],
  ])('GIVEN %s WHEN constructed THEN it is refused, naming the construct and the prop', (_, props, message) => {
    let error: Error | undefined;
    try {
      synth(props);
    } catch (e) {
      error = e as Error;
    }
    expect(error?.message).toContain('orders/Alarms');
    expect(error?.message).toContain(message);
  });

  test('GIVEN an AlarmTopic used on its own WHEN given subscribers THEN it subscribes them too', () => {
    const stack = new TerraformStack(Testing.app(), 'orders');
    new AwsProvider(stack, 'aws', { region: 'eu-west-1' });
    const t = new AlarmTopic(stack, 'Topic', { topicName: 'oncall', subscribers: { emails: ['oncall@example.com'] } });
    expect(t.subscriptions).toHaveLength(1);
    expect(() => new AlarmTopic(stack, 'Bad', { topicName: 'bad', subscribers: { httpsEndpoints: ['not a url'] } })).toThrow(
      /orders\/Bad.*subscribers\.httpsEndpoints\[0\] must be an https:\/\/ URL/s,
    );
  });
});
