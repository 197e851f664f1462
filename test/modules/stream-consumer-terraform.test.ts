import { planOf } from '../support/stack-plans';

describe('StreamConsumer with the real provider (offline terraform)', () => {
  test('GIVEN two fully loaded consumers of a CMK table WHEN init, validate and plan run THEN hashicorp/aws 5.100 accepts everything we generate', () => {
    const plan = planOf('loadedConsumers');
    const created = plan.resource_changes.filter((c: any) => c.change.actions.join() === 'create').map((c: any) => c.type);
    expect(created.sort()).toEqual(
      [
        'aws_cloudwatch_log_group',
        'aws_cloudwatch_log_group',
        'aws_dynamodb_table',
        'aws_dynamodb_table',
        'aws_iam_role',
        'aws_iam_role',
        'aws_iam_role_policy',
        'aws_iam_role_policy',
        'aws_lambda_alias',
        'aws_lambda_event_source_mapping',
        'aws_lambda_event_source_mapping',
        'aws_lambda_function',
        'aws_lambda_function',
        'aws_lambda_provisioned_concurrency_config',
        'aws_sqs_queue',
      ].sort(),
    );
    expect(plan.resource_changes).toHaveLength(created.length);
    const mapping = plan.resource_changes.find((c: any) => c.address.startsWith('aws_lambda_event_source_mapping.Projector_Mapping_'));
    expect(mapping.change.after).toMatchObject({
      batch_size: 250,
      parallelization_factor: 5,
      tumbling_window_in_seconds: 30,
      function_response_types: ['ReportBatchItemFailures'],
      metrics_config: [{ metrics: ['EventCount'] }],
    });
  });
});
