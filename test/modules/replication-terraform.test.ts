import { planOf } from '../support/stack-plans';
import { WRITERS } from './support/planned-replication';
import { KEY } from './support/replication';

/** (type, provider) of every resource the plan creates, sorted, with counts. */
function createdByProvider(plan: any): Record<string, number> {
  const out: Record<string, number> = {};
  for (const c of plan.resource_changes) {
    expect(c.change.actions).toEqual(['create']);
    const key = `${c.type} ${c.provider_name.split('/').pop()} ${plan.configuration.root_module.resources.find((r: any) => r.address === c.address)?.provider_config_key ?? ''}`;
    out[key] = (out[key] ?? 0) + 1;
  }
  return out;
}

describe('ReplicatedTable with the real provider (offline terraform)', () => {
  test('GIVEN the multi-region example WHEN init, validate and plan run THEN hashicorp/aws 5.100 accepts it and every region gets its resources through its own alias', () => {
    const plan = planOf('multiRegionExample');
    const created = createdByProvider(plan);
    expect(created).toEqual({
      // The region's table, and its writer's state and backlog tables where a writer runs.
      'aws_dynamodb_table aws aws.eu_west_1': 3,
      'aws_dynamodb_table aws aws.us_east_1': 3,
      'aws_dynamodb_table aws aws.ap_southeast_2': 1,
      ...Object.fromEntries(
        ['eu_west_1', 'us_east_1'].flatMap((a) => [
          // The writer and its backlog drainer, each with its role, policy and log group.
          [`aws_lambda_function aws aws.${a}`, 2],
          [`aws_lambda_event_source_mapping aws aws.${a}`, 1],
          [`aws_iam_role aws aws.${a}`, 2],
          [`aws_iam_role_policy aws aws.${a}`, 2],
          [`aws_cloudwatch_log_group aws aws.${a}`, 2],
          // The drainer's one-minute schedule.
          [`aws_cloudwatch_event_rule aws aws.${a}`, 1],
          [`aws_cloudwatch_event_target aws aws.${a}`, 1],
          [`aws_lambda_permission aws aws.${a}`, 1],
          // The failure queue, where the writer parks records that can never be written.
          [`aws_sqs_queue aws aws.${a}`, 1],
          [`aws_sqs_queue_policy aws aws.${a}`, 1],
          // The mapping's on-failure bucket (given-up batches, whole) and its settings.
          ...[
            'aws_s3_bucket',
            'aws_s3_bucket_lifecycle_configuration',
            'aws_s3_bucket_ownership_controls',
            'aws_s3_bucket_policy',
            'aws_s3_bucket_public_access_block',
            'aws_s3_bucket_server_side_encryption_configuration',
          ].map((t) => [`${t} aws aws.${a}`, 1]),
          [`aws_sns_topic aws aws.${a}`, 1],
          [`aws_sns_topic_policy aws aws.${a}`, 1],
          [`aws_kms_key aws aws.${a}`, 1],
          [`aws_kms_key_policy aws aws.${a}`, 1],
          // consumer stalled, iterator age, errors, throttles, delivery failures, the mapping's dropped,
          // failed-invoke and on-failure-delivered events, parked arrivals and age, and to each of 2
          // targets lag, backlog age and 6 target-failing reasons
          [`aws_cloudwatch_metric_alarm aws aws.${a}`, 26],
        ]),
      ),
      'aws_cloudwatch_dashboard aws aws.eu_west_1': 1,
    });
    const sydney = plan.resource_changes.find((c: any) => c.type === 'aws_dynamodb_table' && c.address.includes('ap-southeast-2'));
    expect(sydney.change.after).toMatchObject({
      name: 'customers',
      stream_enabled: true,
      stream_view_type: 'NEW_AND_OLD_IMAGES',
      hash_key: 'pk',
    });
  });

  test('GIVEN global-table mode, per-target writers, customer-managed keys and a cross-account role WHEN planned THEN the provider accepts every variant', () => {
    const plan = planOf('replicationVariants');
    const types = plan.resource_changes.map((c: any) => c.type);
    // Six writers and their six backlog drainers.
    expect(types.filter((t: string) => t === 'aws_lambda_function')).toHaveLength(12);
    // Four replicated tables, and the state and backlog tables of the six writers.
    expect(types.filter((t: string) => t === 'aws_dynamodb_table')).toHaveLength(16);
    const sessions = plan.resource_changes.find((c: any) => c.address.includes('Sessions_Table'));
    expect(sessions.change.after.replica).toEqual([
      expect.objectContaining({
        region_name: 'us-east-1',
        kms_key_arn: KEY('us-east-1'),
        propagate_tags: true,
        point_in_time_recovery: true,
      }),
    ]);
  });

  test('GIVEN writer roles of two accounts WHEN terraform renders the access role THEN it trusts each account root once, and only principals whose ARN is a writer role (IAM pins role principals to a unique id; an ARN condition does not)', () => {
    const plan = planOf('crossAccountAccessRole');
    const role = plan.resource_changes.find((c: any) => c.type === 'aws_iam_role').change.after;
    expect(JSON.parse(role.assume_role_policy)).toEqual({
      Version: '2012-10-17',
      Statement: [
        {
          Effect: 'Allow',
          Principal: { AWS: ['arn:aws:iam::111111111111:root', 'arn:aws:iam::222222222222:root'] },
          Action: 'sts:AssumeRole',
          Condition: { ArnEquals: { 'aws:PrincipalArn': WRITERS } },
        },
      ],
    });
  });
});
