import { TerraformStack, Testing } from 'cdktf';
import { AwsProvider } from '@cdktf/provider-aws/lib/provider';
import { ExtraAlarmProps, PipelineAlarms, PipelineAlarmsProps } from '../../modules/alarms';
import { dashboardBody, metricArray } from '../../modules/internal/dashboard';

function build(props: Partial<PipelineAlarmsProps> = {}, extra?: (a: PipelineAlarms, stack: TerraformStack) => void) {
  const stack = new TerraformStack(Testing.app(), 'orders');
  new AwsProvider(stack, 'aws', { region: 'eu-west-1' });
  const alarms = new PipelineAlarms(stack, 'Alarms', { functionName: 'fn', ...props });
  extra?.(alarms, stack);
  const tf = JSON.parse(Testing.synth(stack));
  const dashboards: any[] = Object.values(tf.resource.aws_cloudwatch_dashboard ?? {});
  return { tf, alarms, body: dashboards.length ? JSON.parse(dashboards[0].dashboard_body) : undefined, raw: dashboards[0]?.dashboard_body };
}

/** The stack's provider names its region, so the graphs use it as it is. */
const REGION = 'eu-west-1';
const LAMBDA = ['AWS/Lambda'];
const DIMS = ['FunctionName', 'fn', 'Resource', 'fn:live'];
const LAG: ExtraAlarmProps = {
  nameSuffix: 'replication-lag-us-east-1',
  title: 'Replication lag to us-east-1 (ms)',
  description: 'Writes reach us-east-1 more than 5 s after they were made.',
  namespace: 'StreamPipeline',
  metricName: 'ReplicationLag',
  dimensions: { Source: 'eu-west-1', Target: 'us-east-1' },
  threshold: 5000,
  statistic: 'Maximum',
};

describe('PipelineAlarms dashboard', () => {
  test('GIVEN an aliased function with an SQS destination WHEN synthesized THEN the dashboard shows the alarm row and eight graphs in a 3-column grid', () => {
    const { body } = build({ aliasName: 'live', failureDestination: { kind: 'sqs', queueName: 'fails' } });
    const layout = body.widgets.map((w: any) => [w.type, w.x, w.y, w.width, w.height, w.properties.title]);
    expect(layout).toEqual([
      ['alarm', 0, 0, 24, 3, 'fn-live alarms'],
      ['metric', 0, 3, 8, 6, 'Iterator age (ms)'],
      ['metric', 8, 3, 8, 6, 'Invocations'],
      ['metric', 16, 3, 8, 6, 'Errors and throttles'],
      ['metric', 0, 9, 8, 6, 'Duration (ms)'],
      ['metric', 8, 9, 8, 6, 'Concurrent executions'],
      ['metric', 16, 9, 8, 6, 'Failure queue'],
      ['metric', 0, 15, 8, 6, 'On-failure delivery failures'],
    ]);
    expect(body.widgets[0].properties.alarms).toEqual([
      '${aws_cloudwatch_metric_alarm.Alarms_IteratorAge_07C1A231.arn}',
      '${aws_cloudwatch_metric_alarm.Alarms_Errors_7A884EBF.arn}',
      '${aws_cloudwatch_metric_alarm.Alarms_Throttles_3176D953.arn}',
      '${aws_cloudwatch_metric_alarm.Alarms_FailureQueueArrivals_C428620B.arn}',
      '${aws_cloudwatch_metric_alarm.Alarms_FailureQueueAge_3C432607.arn}',
      '${aws_cloudwatch_metric_alarm.Alarms_DestinationDeliveryFailures_7353B87E.arn}',
    ]);
    const graphs = body.widgets.slice(1).map((w: any) => w.properties);
    for (const g of graphs) expect([g.view, g.stacked, g.region, g.period]).toEqual(['timeSeries', false, REGION, 60]);
    expect(graphs.map((g: any) => g.metrics)).toEqual([
      [[...LAMBDA, 'IteratorAge', ...DIMS, { stat: 'Maximum' }]],
      [[...LAMBDA, 'Invocations', ...DIMS, { stat: 'Sum' }]],
      [
        [...LAMBDA, 'Errors', ...DIMS, { stat: 'Sum' }],
        [...LAMBDA, 'Throttles', ...DIMS, { stat: 'Sum' }],
      ],
      [
        [...LAMBDA, 'Duration', ...DIMS, { stat: 'p50', label: 'p50' }],
        [...LAMBDA, 'Duration', ...DIMS, { stat: 'p99', label: 'p99' }],
        [...LAMBDA, 'Duration', ...DIMS, { stat: 'Maximum', label: 'max' }],
      ],
      [[...LAMBDA, 'ConcurrentExecutions', ...DIMS, { stat: 'Maximum' }]],
      [
        ['AWS/SQS', 'NumberOfMessagesSent', 'QueueName', 'fails', { stat: 'Sum', label: 'arrived' }],
        ['AWS/SQS', 'ApproximateNumberOfMessagesVisible', 'QueueName', 'fails', { stat: 'Maximum', label: 'visible' }],
        ['AWS/SQS', 'ApproximateAgeOfOldestMessage', 'QueueName', 'fails', { stat: 'Maximum', label: 'oldest (s)', yAxis: 'right' }],
      ],
      [[...LAMBDA, 'DestinationDeliveryFailures', ...DIMS, { stat: 'Sum' }]],
    ]);
    expect(graphs.map((g: any) => g.annotations?.horizontal)).toEqual([
      [{ label: 'alarm', value: 60000 }],
      undefined,
      undefined,
      undefined,
      undefined,
      [{ label: 'alarm', value: 0 }],
      [{ label: 'alarm', value: 0 }],
    ]);
  });

  test('GIVEN an SNS destination WHEN synthesized THEN the failure graph shows published and failed notifications of the topic', () => {
    const { body } = build({ failureDestination: { kind: 'sns', topicName: 'fails' } });
    const failure = body.widgets.find((w: any) => w.properties.title === 'Failure topic').properties;
    expect(failure.metrics).toEqual([
      ['AWS/SNS', 'NumberOfMessagesPublished', 'TopicName', 'fails', { stat: 'Sum', label: 'published' }],
      ['AWS/SNS', 'NumberOfNotificationsFailed', 'TopicName', 'fails', { stat: 'Sum', label: 'failed' }],
    ]);
    expect(body.widgets.find((w: any) => w.properties.title === 'Failure queue')).toBeUndefined();
  });

  test('GIVEN no destination and every alarm disabled WHEN synthesized THEN there is no alarm row and the five pipeline graphs start at the top', () => {
    const { body, tf } = build({
      actionArns: [],
      region: 'eu-west-1',
      alarms: { iteratorAge: { enabled: false }, errors: { enabled: false }, throttles: { enabled: false } },
    });
    expect(tf.resource.aws_cloudwatch_metric_alarm).toBeUndefined();
    expect(body.widgets.map((w: any) => [w.type, w.x, w.y, w.properties.region])).toEqual([
      ['metric', 0, 0, 'eu-west-1'],
      ['metric', 8, 0, 'eu-west-1'],
      ['metric', 16, 0, 'eu-west-1'],
      ['metric', 0, 6, 'eu-west-1'],
      ['metric', 8, 6, 'eu-west-1'],
    ]);
    expect(body.widgets[0].properties.annotations).toBeUndefined();
  });

  test('GIVEN the same inputs twice WHEN synthesized THEN the dashboard body is byte-identical', () => {
    const props = { aliasName: 'live', failureDestination: { kind: 'sqs' as const, queueName: 'fails' } };
    expect(build(props).raw).toBe(build(props).raw);
    expect(build(props).raw).not.toBe(build({ ...props, aliasName: 'blue' }).raw);
  });

  test('GIVEN graphs and alarms WHEN the body is built directly THEN keys come in a fixed order', () => {
    const body = dashboardBody({
      region: 'eu-west-1',
      alarmArns: ['arn:a'],
      alarmsTitle: 't',
      widgets: [
        {
          title: 'g',
          lines: [{ namespace: 'N', metricName: 'M', dimensions: { B: '2', A: '1' }, stat: 'Sum' }],
          threshold: { label: 'alarm', value: 1 },
          period: 300,
        },
      ],
    });
    expect(JSON.stringify(body)).toBe(
      '{"widgets":[{"type":"alarm","x":0,"y":0,"width":24,"height":3,"properties":{"title":"t","alarms":["arn:a"]}},' +
        '{"type":"metric","x":0,"y":3,"width":8,"height":6,"properties":{"title":"g","view":"timeSeries","stacked":false,"region":"eu-west-1","period":300,' +
        '"metrics":[["N","M","B","2","A","1",{"stat":"Sum"}]],"annotations":{"horizontal":[{"label":"alarm","value":1}]}}}]}',
    );
    expect(metricArray({ namespace: 'N', metricName: 'M', dimensions: {}, stat: 'p99', label: 'l', yAxis: 'right' })).toEqual([
      'N',
      'M',
      { stat: 'p99', label: 'l', yAxis: 'right' },
    ]);
  });
});

describe('PipelineAlarms.addAlarm', () => {
  test('GIVEN a replication lag alarm added after construction WHEN synthesized THEN it has the prefix, the actions, and a graph and status entry on the dashboard', () => {
    let added: any;
    const { tf, body } = build({ aliasName: 'live', actionArns: ['arn:aws:sns:eu-west-1:123456789012:oncall'] }, (a) => {
      // The lag metric is published where the writer runs (Source eu-west-1), the alarm's region: its graph reads there too.
      added = a.addAlarm('replicationLagUsEast1', { ...LAG, region: 'eu-west-1', period: 300, evaluationPeriods: 2, datapointsToAlarm: 2 });
    });
    expect(added).toBeDefined();
    const [id, alarm] = Object.entries<any>(tf.resource.aws_cloudwatch_metric_alarm).find(
      ([, a]) => a.alarm_name === 'fn-live-replication-lag-us-east-1',
    )!;
    expect(id).toMatch(/^Alarms_Extra-replicationLagUsEast1_[0-9A-F]{8}$/);
    expect(alarm).toEqual({
      alarm_name: 'fn-live-replication-lag-us-east-1',
      alarm_description: LAG.description,
      namespace: 'StreamPipeline',
      metric_name: 'ReplicationLag',
      dimensions: { Source: 'eu-west-1', Target: 'us-east-1' },
      statistic: 'Maximum',
      comparison_operator: 'GreaterThanThreshold',
      threshold: 5000,
      period: 300,
      evaluation_periods: 2,
      datapoints_to_alarm: 2,
      treat_missing_data: 'notBreaching',
      alarm_actions: ['arn:aws:sns:eu-west-1:123456789012:oncall'],
      ok_actions: ['arn:aws:sns:eu-west-1:123456789012:oncall'],
    });
    expect(body.widgets[0].properties.alarms).toContain(`\${aws_cloudwatch_metric_alarm.${id}.arn}`);
    const graph = body.widgets[body.widgets.length - 1];
    expect([graph.x, graph.y]).toEqual([16, 9]);
    expect(graph.properties).toEqual({
      title: 'Replication lag to us-east-1 (ms)',
      view: 'timeSeries',
      stacked: false,
      region: 'eu-west-1',
      period: 300,
      metrics: [['StreamPipeline', 'ReplicationLag', 'Source', 'eu-west-1', 'Target', 'us-east-1', { stat: 'Maximum' }]],
      annotations: { horizontal: [{ label: 'alarm', value: 5000 }] },
    });
  });

  test('GIVEN an extra alarm with its own provider WHEN synthesized THEN only that alarm uses it', () => {
    const { tf } = build({ actionArns: [] }, (a, stack) => {
      const east = new AwsProvider(stack, 'east', { region: 'us-east-1', alias: 'east' });
      a.addAlarm('lag', { ...LAG, provider: east });
    });
    const providers = Object.entries<any>(tf.resource.aws_cloudwatch_metric_alarm).map(([id, r]) => [id.split('_')[1], r.provider]);
    expect(providers.sort()).toEqual([
      ['Errors', undefined],
      ['Extra-lag', 'aws.east'],
      ['IteratorAge', undefined],
      ['Throttles', undefined],
    ]);
  });

  test('GIVEN an extra alarm that is disabled WHEN synthesized THEN neither the alarm nor its graph exist', () => {
    let added: any = 'not called';
    const { tf, body } = build({ actionArns: [] }, (a) => {
      added = a.addAlarm('lag', { ...LAG, enabled: false });
    });
    expect(added).toBeUndefined();
    expect(Object.keys(tf.resource.aws_cloudwatch_metric_alarm)).toHaveLength(3);
    expect(body.widgets.map((w: any) => w.properties.title)).not.toContain(LAG.title);
  });

  test('GIVEN bad extra alarm settings WHEN added THEN one error names each problem', () => {
    expect(() =>
      build({}, (a) => {
        a.addAlarm('lag', { ...LAG, period: 90, datapointsToAlarm: 2, region: 'east', nameSuffix: '', description: 'd'.repeat(1025) });
      }),
    ).toThrow(
      [
        'orders/Alarms: addAlarm(lag).nameSuffix must be 1..50 characters without control characters (got "")',
        'orders/Alarms: addAlarm(lag).region must be an AWS region name such as eu-west-1 (got "east")',
        `orders/Alarms: addAlarm(lag).description must be at most 1024 characters (CloudWatch limit) (got "${'d'.repeat(1025)}")`,
        'orders/Alarms: addAlarm(lag).period must be 10, 20, 30 or a multiple of 60 seconds (got 90)',
        'orders/Alarms: addAlarm(lag).datapointsToAlarm must be an integer 1..1 (at most the evaluation periods) (got 2)',
      ].join('\n'),
    );
  });

  test('GIVEN a key already used WHEN added THEN it is refused', () => {
    expect(() => build({}, (a) => a.addAlarm('errors', LAG))).toThrow(
      'orders/Alarms: addAlarm(errors): key must be unique among this pipeline\'s alarms (got "errors")',
    );
    expect(() =>
      build({}, (a) => {
        a.addAlarm('lag', LAG);
        a.addAlarm('lag', LAG);
      }),
    ).toThrow('orders/Alarms: addAlarm(lag): key must be unique among this pipeline\'s alarms (got "lag")');
  });
});
