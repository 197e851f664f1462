/**
 * The high-volume orders example stack (examples/orders-hv): Kinesis Data Streams for DynamoDB,
 * two enhanced fan-out consumers, S3 failure records redriven from S3 notifications. Validated
 * and planned with the real hashicorp/aws 5.100 provider, offline.
 */
import { Testing } from 'cdktf';
import { readFileSync } from 'fs';
import { join } from 'path';
import { HighVolumeOrdersStack } from '../../examples/orders-hv/stack';
import { planOf } from '../support/stack-plans';

describe('example app: high-volume orders stack', () => {
  test('GIVEN the synthesized stack with its assets WHEN terraform init, validate and plan run offline THEN it plans the Kinesis source, two fan-out consumers and S3 failure handling', () => {
    const plan = planOf('ordersHvExample');
    expect(plan.resource_changes.every((c: any) => c.change.actions.join() === 'create')).toBe(true);
    const of = (type: string) => plan.resource_changes.filter((c: any) => c.type === type).map((c: any) => c.change.after);
    expect(of('aws_kinesis_stream')).toEqual([
      expect.objectContaining({
        name: 'prod-hv-order-changes',
        retention_period: 168,
        encryption_type: 'KMS',
        kms_key_id: 'alias/aws/kinesis',
        stream_mode_details: [{ stream_mode: 'ON_DEMAND' }],
      }),
    ]);
    expect(of('aws_dynamodb_kinesis_streaming_destination')).toEqual([
      expect.objectContaining({ table_name: 'prod-hv-orders', approximate_creation_date_time_precision: 'MILLISECOND' }),
    ]);
    expect(
      of('aws_kinesis_stream_consumer')
        .map((c: any) => c.name)
        .sort(),
    ).toEqual(['prod-hv-order-history', 'prod-hv-order-status']);
    const consumerMappings = of('aws_lambda_event_source_mapping').filter((m: any) => m.starting_position);
    expect(consumerMappings).toHaveLength(2);
    for (const m of consumerMappings)
      expect(m).toMatchObject({
        batch_size: 500,
        parallelization_factor: 2,
        metrics_config: [{ metrics: ['EventCount'] }],
        function_response_types: ['ReportBatchItemFailures'],
      });
    const redriveMappings = of('aws_lambda_event_source_mapping').filter((m: any) => !m.starting_position);
    expect(redriveMappings.map((m: any) => m.scaling_config)).toEqual([[{ maximum_concurrency: 2 }], [{ maximum_concurrency: 2 }]]);
    expect(of('aws_s3_bucket')).toHaveLength(2);
    expect(of('aws_s3_bucket_public_access_block')).toEqual(
      Array(2).fill(
        expect.objectContaining({
          block_public_acls: true,
          block_public_policy: true,
          ignore_public_acls: true,
          restrict_public_buckets: true,
        }),
      ),
    );
    expect(of('aws_s3_bucket_notification')).toHaveLength(2);
    const alarms = of('aws_cloudwatch_metric_alarm').map((a: any) => a.metric_name);
    for (const m of [
      'SubscribeToShardEvent.MillisBehindLatest',
      'WriteProvisionedThroughputExceeded',
      'DroppedEventCount',
      'FailedInvokeEventCount',
      'OnFailureDestinationDeliveredEventCount',
    ]) {
      expect(alarms.filter((a: string) => a === m)).toHaveLength(2);
    }
  });

  test('GIVEN the stack WHEN synthesized twice THEN the output is byte-identical', () => {
    const synth = () => Testing.synth(new HighVolumeOrdersStack(Testing.app(), 'orders-hv'));
    expect(synth()).toBe(synth());
  });

  test('GIVEN the consumers handlers WHEN synthesized THEN each role grants on its table exactly the DynamoDB calls its handler makes', () => {
    const stack = new HighVolumeOrdersStack(Testing.app(), 'orders-hv');
    const json = JSON.parse(Testing.synth(stack));
    for (const [consumer, handler] of [
      [stack.status.consumer, 'order-status.ts'],
      [stack.history.consumer, 'order-history.ts'],
    ] as const) {
      // The oracle is the handler source: the DynamoDB commands it sends.
      const source = readFileSync(join(__dirname, '../../examples/orders-hv', handler), 'utf8');
      const calls = [...source.matchAll(/new (\w+)Command\(/g)].map((m) => `dynamodb:${m[1]}`);
      const policy = json.resource.aws_iam_role_policy[consumer.rolePolicy.friendlyUniqueId];
      const granted = JSON.parse(policy.policy)
        .Statement.flatMap((st: any) => [st.Action].flat())
        .filter((a: string) => a.startsWith('dynamodb:'));
      expect([...new Set(granted)].sort()).toEqual([...new Set(calls)].sort());
    }
  });
});
