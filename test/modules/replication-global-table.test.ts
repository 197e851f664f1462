import { TerraformOutput, Testing } from 'cdktf';
import { DynamodbTable } from '@cdktf/provider-aws/lib/dynamodb-table';
import { LambdaEventSourceMapping } from '@cdktf/provider-aws/lib/lambda-event-source-mapping';
import { REGIONS, replicated, resources, ref } from './support/replication';

describe('ReplicatedTable: global-table mode', () => {
  test('GIVEN mode global-table WHEN synthesized THEN one table with a replica block per other region, stream NEW_AND_OLD_IMAGES, and no writers', () => {
    const { synth, table, stack } = replicated({ mode: 'global-table' });
    const json = synth();
    expect(Testing.synth(stack)).toHaveResourceWithProperties(DynamodbTable, {
      name: 'customers',
      provider: 'aws.eu_west_1',
      stream_enabled: true,
      stream_view_type: 'NEW_AND_OLD_IMAGES',
      replica: [
        { region_name: 'us-east-1', point_in_time_recovery: true, propagate_tags: true },
        { region_name: 'ap-southeast-2', point_in_time_recovery: true, propagate_tags: true },
      ],
    });
    expect(resources(json, 'aws_dynamodb_table')).toHaveLength(1);
    expect(resources(json, 'aws_lambda_function')).toHaveLength(0);
    const id = resources(json, 'aws_dynamodb_table')[0][0];
    expect(table.regions.map((r) => [r.region, r.tableName])).toEqual(REGIONS.map((r) => [r, 'customers']));
    new TerraformOutput(stack, 'us_stream', { value: table.region('us-east-1').streamArn });
    new TerraformOutput(stack, 'us_table', { value: table.region('us-east-1').tableArn });
    const outputs = JSON.parse(Testing.synth(stack)).output;
    // Replicas are a set: the attribute is looked up by region_name, never by position.
    const byRegion = (attr: string) =>
      `\${{ for key, val in { for key, val in tolist(aws_dynamodb_table.${id}.replica): val.region_name => val }: val.region_name => val.${attr} }["us-east-1"]}`;
    expect(outputs.us_stream.value).toBe(byRegion('stream_arn'));
    expect(outputs.us_table.value).toBe(byRegion('arn'));
    expect(table.globalTable).toBeDefined();
  });

  test('GIVEN mode global-table WHEN synthesized THEN each region pair gets a ReplicationLatency alarm in the writing region, as the writers get lag alarms', () => {
    const json = replicated({ mode: 'global-table' }).synth();
    const alarms = resources(json, 'aws_cloudwatch_metric_alarm').map(([, a]) => a);
    expect(alarms.map((a) => [a.provider, a.alarm_name]).sort()).toEqual(
      REGIONS.flatMap((s) =>
        REGIONS.filter((t) => t !== s).map((t) => [`aws.${s.replace(/-/g, '_')}`, `customers-lag-${s}-to-${t}`]),
      ).sort(),
    );
    expect(alarms.find((a) => a.alarm_name === 'customers-lag-us-east-1-to-eu-west-1')).toMatchObject({
      namespace: 'AWS/DynamoDB',
      metric_name: 'ReplicationLatency',
      dimensions: { TableName: 'customers', ReceivingRegion: 'eu-west-1' },
      statistic: 'Maximum',
      threshold: 60000,
      evaluation_periods: 3,
      alarm_actions: [ref(json, 'aws_sns_topic', 'AlarmTopic-us-east-1_', 'arn')],
    });
  });

  test('GIVEN the same props in both modes WHEN the mode is switched THEN the region attributes keep their shape and names', () => {
    const shape = (mode: 'multi-active' | 'global-table') =>
      replicated({ mode }).table.regions.map((r) => ({
        region: r.region,
        tableName: r.tableName,
        provider: r.provider.node.id,
        hasArns: !!r.tableArn && !!r.streamArn,
        stream: typeof r.stream.addStreamReader,
      }));
    expect(shape('global-table')).toEqual(shape('multi-active'));
  });

  test('GIVEN mode global-table WHEN a consumer reads a replica region stream THEN the reader limit of that stream still applies', () => {
    const { table } = replicated({ mode: 'global-table' });
    const us = table.region('us-east-1').stream;
    us.addStreamReader(new LambdaEventSourceMapping(table, 'A', { functionName: 'a', eventSourceArn: us.streamArn }));
    us.addStreamReader(new LambdaEventSourceMapping(table, 'B', { functionName: 'b', eventSourceArn: us.streamArn }));
    expect(() => us.addStreamReader(new LambdaEventSourceMapping(table, 'C', { functionName: 'c', eventSourceArn: us.streamArn }))).toThrow(
      /already has 2 readers .*test\/Customers\/C would be a third/,
    );
  });
});
