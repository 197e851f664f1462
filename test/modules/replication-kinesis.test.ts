/**
 * ReplicatedTable with `changeSource: 'kinesis'`: each writing region's table streams its changes
 * into a Kinesis data stream (microsecond creation times), and that region's writer reads it.
 */
import { planOf } from '../support/stack-plans';
import { one, replicated, resources, writerPolicy, ref } from './support/replication';

describe('ReplicatedTable: Kinesis change source', () => {
  test('GIVEN changeSource kinesis WHEN synthesized THEN every writing region streams its table into its own Kinesis stream, which its writer reads instead of the DynamoDB stream', () => {
    const json = replicated({
      changeSource: 'kinesis',
      replicas: [{ region: 'us-east-1' }, { region: 'ap-southeast-2', readReplica: true }],
    }).synth();
    for (const region of ['eu-west-1', 'us-east-1']) {
      const alias = `aws.${region.replace(/-/g, '_')}`;
      const stream = one(json, 'aws_kinesis_stream', `Changes-${region}_`);
      expect(stream).toMatchObject({
        provider: alias,
        stream_mode_details: { stream_mode: 'ON_DEMAND' },
        encryption_type: 'KMS',
        retention_period: 24,
      });
      expect(one(json, 'aws_dynamodb_kinesis_streaming_destination', `Changes-${region}_`)).toMatchObject({
        provider: alias,
        table_name: 'customers',
        stream_arn: ref(json, 'aws_kinesis_stream', `Changes-${region}_`, 'arn'),
        approximate_creation_date_time_precision: 'MICROSECOND',
      });
      const mapping = one(json, 'aws_lambda_event_source_mapping', `Writer-${region}_`);
      expect(mapping.event_source_arn).toBe(ref(json, 'aws_kinesis_stream', `Changes-${region}_`, 'arn'));
      const actions = writerPolicy(json, `Writer-${region}`).Statement.flatMap((s: any) => [s.Action].flat());
      expect(actions).toEqual(expect.arrayContaining(['kinesis:GetRecords', 'kinesis:GetShardIterator']));
      expect(actions).not.toContain('dynamodb:GetRecords');
    }
    // The read replica writes nothing that replicates: no stream, no writer.
    expect(resources(json, 'aws_kinesis_stream', 'ap-southeast-2')).toEqual([]);
  });

  test('GIVEN stampedWritesOnly on Kinesis WHEN synthesized THEN the writer filters on the change inside the record data', () => {
    const json = replicated({ changeSource: 'kinesis', stampedWritesOnly: true }).synth();
    const mapping = one(json, 'aws_lambda_event_source_mapping', 'Writer-us-east-1_');
    expect(mapping.filter_criteria.filter.map((f: any) => JSON.parse(f.pattern))).toEqual([
      { data: { dynamodb: { NewImage: { _o: { S: ['us-east-1'] } } } } },
    ]);
  });

  test('GIVEN changeSource kinesis in global-table mode, or Kinesis settings without it WHEN constructed THEN each is refused with the reason', () => {
    expect(() => replicated({ changeSource: 'kinesis', mode: 'global-table' })).toThrow(
      /changeSource must be 'dynamodb-stream' in global-table mode \(DynamoDB replicates a global table itself/,
    );
    expect(() => replicated({ kinesisStream: { retentionHours: 48 } })).toThrow(
      /kinesisStream must be unset unless changeSource is 'kinesis'/,
    );
    expect(() => replicated({ changeSource: 'sqs' as never })).toThrow(/changeSource must be one of "dynamodb-stream", "kinesis"/);
  });

  test('GIVEN changeSource kinesis with stream settings WHEN planned offline THEN hashicorp/aws accepts the streams, destinations and mappings of every region', () => {
    const plan = planOf('kinesisReplication');
    const created = (type: string) => plan.resource_changes.filter((c: any) => c.type === type);
    expect(
      created('aws_kinesis_stream')
        .map((c: any) => [c.change.after.name, c.change.after.shard_count, c.change.after.retention_period])
        .sort(),
    ).toEqual([
      ['customer-changes-eu-west-1', 2, 72],
      ['customer-changes-us-east-1', 2, 72],
    ]);
    expect(created('aws_dynamodb_kinesis_streaming_destination')).toHaveLength(2);
    expect(created('aws_lambda_event_source_mapping')).toHaveLength(2);
  });
});
