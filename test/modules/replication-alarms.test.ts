import { one, REGIONS, replicated, resources, ref } from './support/replication';

describe('ReplicatedTable: alarms and dashboard', () => {
  test('GIVEN three regions WHEN synthesized THEN each writer has a lag alarm per target region on the metric the handler publishes, in its own region', () => {
    const json = replicated().synth();
    const lag = resources(json, 'aws_cloudwatch_metric_alarm')
      .filter(([, a]) => a.metric_name === 'ReplicationLag')
      .map(([, a]) => a);
    expect(lag.map((a) => [a.provider, a.dimensions.SourceRegion, a.dimensions.TargetRegion]).sort()).toEqual(
      REGIONS.flatMap((s) => REGIONS.filter((t) => t !== s).map((t) => [`aws.${s.replace(/-/g, '_')}`, s, t])).sort(),
    );
    expect(lag.find((a) => a.dimensions.SourceRegion === 'eu-west-1' && a.dimensions.TargetRegion === 'us-east-1')).toMatchObject({
      alarm_name: 'test-Customers-Writer-eu-west-1-lag-us-east-1',
      namespace: 'DynamoDBReplication',
      dimensions: { service: 'customers-replication', SourceRegion: 'eu-west-1', TargetRegion: 'us-east-1' },
      statistic: 'Maximum',
      threshold: 60000,
      evaluation_periods: 3,
      datapoints_to_alarm: 3,
      comparison_operator: 'GreaterThanThreshold',
      treat_missing_data: 'notBreaching',
      alarm_actions: [ref(json, 'aws_sns_topic', 'AlarmTopic-eu-west-1_', 'arn')],
    });
    const euAlarms = resources(json, 'aws_cloudwatch_metric_alarm', 'Writer-eu-west-1_')
      .map(([, a]) => a.alarm_name.replace('test-Customers-Writer-eu-west-1-', ''))
      .sort();
    expect(euAlarms).toEqual([
      'backlog-ap-southeast-2',
      'backlog-us-east-1',
      'destination-delivery-failures',
      // The mapping's EventCount metrics.
      'dropped-events',
      'errors',
      'failed-invoke-events',
      'failure-queue-age',
      'failure-queue-arrivals',
      'iterator-age',
      'lag-ap-southeast-2',
      'lag-us-east-1',
      'on-failure-delivered',
      'throttles',
    ]);
  });

  test('GIVEN alarm actions per region and a lag threshold WHEN synthesized THEN no topic is created and the alarms use them', () => {
    const arn = (r: string) => `arn:aws:sns:${r}:123456789012:oncall`;
    const json = replicated({
      alarms: { actionArns: Object.fromEntries(REGIONS.map((r) => [r, [arn(r)]])), replicationLag: { threshold: 5000 } },
    }).synth();
    expect(resources(json, 'aws_sns_topic')).toHaveLength(0);
    const a = one(json, 'aws_cloudwatch_metric_alarm', 'Writer-us-east-1_Alarms_Extra-lagApSoutheast2');
    expect([a.threshold, a.alarm_actions, a.ok_actions]).toEqual([5000, [arn('us-east-1')], [arn('us-east-1')]]);
  });

  test('GIVEN three regions WHEN synthesized THEN one dashboard in the home region graphs every writer region and every region pair', () => {
    const json = replicated().synth();
    expect(resources(json, 'aws_cloudwatch_dashboard')).toHaveLength(1);
    const body = JSON.parse(one(json, 'aws_cloudwatch_dashboard', 'Dashboard').dashboard_body);
    const graphs = body.widgets.filter((w: any) => w.type === 'metric').map((w: any) => [w.properties.region, w.properties.title]);
    for (const s of REGIONS) {
      expect(graphs).toContainEqual([s, `${s} writer: iterator age (ms)`]);
      for (const t of REGIONS.filter((x) => x !== s)) {
        expect(graphs).toContainEqual([s, `Lag ${s} -> ${t} (ms)`]);
        expect(graphs).toContainEqual([s, `Backlog ${s} -> ${t}`]);
      }
    }
    // Per writer: 6 pipeline alarms, 3 on the mapping's EventCount metrics, and a lag and a backlog alarm per target.
    expect(body.widgets[0].properties.alarms).toHaveLength(3 * (6 + 3 + 2 + 2));
  });
});
