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
    const reasons = ['access-denied', 'kms', 'not-found', 'transient', 'unknown', 'validation'];
    expect(euAlarms).toEqual(
      [
        'backlog-ap-southeast-2',
        'backlog-us-east-1',
        // The table written but the writer's mapping read nothing.
        'consumer-stalled',
        'destination-delivery-failures',
        // The mapping's EventCount metrics.
        'dropped-events',
        'errors',
        'failed-invoke-events',
        ...['ap-southeast-2', 'us-east-1'].flatMap((t) => reasons.map((r) => `failing-${t}-${r}`)),
        'iterator-age',
        'lag-ap-southeast-2',
        'lag-us-east-1',
        'on-failure-delivered',
        // Records the writer parked, in its failure queue.
        'parked-age',
        'parked-arrivals',
        'throttles',
      ].sort(),
    );
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
    // Per writer: 5 pipeline alarms (liveness included), 3 on the mapping's EventCount metrics, 2 on
    // parked records, and per target a lag, a backlog and 6 target-failing alarms: 78, in one row.
    const rows = body.widgets.filter((w: any) => w.type === 'alarm');
    expect(rows.map((w: any) => w.properties.alarms.length)).toEqual([3 * (5 + 3 + 2 + 2 * 8)]);
  });

  test('GIVEN a writer WHEN synthesized THEN it has a liveness alarm comparing its source table writes with what its mapping polled', () => {
    const json = replicated().synth();
    const stalled = one(json, 'aws_cloudwatch_metric_alarm', 'Writer-eu-west-1_Alarms_ConsumerStalled');
    const metrics = stalled.metric_query.filter((q: any) => q.metric).map((q: any) => q.metric);
    expect(metrics.filter((m: any) => m.namespace === 'AWS/DynamoDB').map((m: any) => m.dimensions.TableName)).toEqual(
      expect.arrayContaining(['customers']),
    );
    expect(metrics.find((m: any) => m.metric_name === 'PolledEventCount').dimensions).toEqual({
      EventSourceMappingUUID: ref(json, 'aws_lambda_event_source_mapping', 'Writer-eu-west-1_', 'uuid'),
    });
    expect(stalled).toMatchObject({ treat_missing_data: 'notBreaching', evaluation_periods: 3, datapoints_to_alarm: 3 });
  });

  test('GIVEN a writer WHEN synthesized THEN each target has one alarm per reason kind on the drainer metric, named and described by target and reason', () => {
    const json = replicated().synth();
    const failing = resources(json, 'aws_cloudwatch_metric_alarm', 'Writer-eu-west-1_')
      .map(([, a]) => a)
      .filter((a) => a.metric_name === 'TargetFailing');
    // The reason kinds of handlers/common/sdk-errors.ts, 'transient' and BlockedReason.
    const kinds = ['transient', 'access-denied', 'not-found', 'kms', 'validation', 'unknown'];
    expect(failing.map((a) => [a.dimensions.TargetRegion, a.dimensions.Reason]).sort()).toEqual(
      ['ap-southeast-2', 'us-east-1'].flatMap((t) => kinds.map((k) => [t, k])).sort(),
    );
    for (const a of failing) {
      const { TargetRegion: target, Reason: reason } = a.dimensions;
      expect(a).toMatchObject({
        alarm_name: `test-Customers-Writer-eu-west-1-failing-${target}-${reason}`,
        namespace: 'DynamoDBReplication',
        dimensions: { service: 'customers-replication', SourceRegion: 'eu-west-1', TargetRegion: target, Reason: reason },
        statistic: 'Sum',
        threshold: 0,
        comparison_operator: 'GreaterThanThreshold',
        period: 60,
        treat_missing_data: 'notBreaching',
        alarm_actions: [ref(json, 'aws_sns_topic', 'AlarmTopic-eu-west-1_', 'arn')],
      });
      expect(a.alarm_description).toContain(`customers in ${target} refuses copies from eu-west-1 (${reason}:`);
      // A blocked target alarms on the drainer's first failing run; a transient failure on two in a row.
      expect([a.evaluation_periods, a.datapoints_to_alarm]).toEqual(reason === 'transient' ? [2, 2] : [1, 1]);
    }
    const denied = failing.find((a) => a.dimensions.TargetRegion === 'us-east-1' && a.dimensions.Reason === 'access-denied');
    expect(denied.alarm_description).toMatch(/AccessDenied.*Restore dynamodb:PutItem on the target table/);
  });

  test('GIVEN a drainer every 3 minutes WHEN synthesized THEN its schedule and the alarms on its metrics use that period', () => {
    const json = replicated({
      writer: { drainer: { intervalMinutes: 3, timeoutSeconds: 120, reservedConcurrency: 1, memorySize: 512 } },
    }).synth();
    const rule = one(json, 'aws_cloudwatch_event_rule', 'Writer-eu-west-1_Backlog_');
    expect(rule.schedule_expression).toBe('rate(3 minutes)');
    const drainer = one(json, 'aws_lambda_function', 'Writer-eu-west-1_Backlog_');
    expect([drainer.timeout, drainer.reserved_concurrent_executions, drainer.memory_size]).toEqual([120, 1, 512]);
    const alarms = resources(json, 'aws_cloudwatch_metric_alarm', 'Writer-eu-west-1_')
      .map(([, a]) => a)
      .filter((a) => a.metric_name === 'TargetFailing' || a.metric_name === 'BacklogOldestAgeSeconds');
    expect(new Set(alarms.map((a) => a.period))).toEqual(new Set([180]));
    // One run per period: a transient failure alarms on its first failing run too.
    const transient = alarms.find((a) => a.dimensions.Reason === 'transient');
    expect([transient.evaluation_periods, transient.datapoints_to_alarm]).toEqual([1, 1]);
  });
});
