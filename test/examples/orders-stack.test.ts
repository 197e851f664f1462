import { planOf } from '../support/stack-plans';

describe('example app: orders stack', () => {
  test('GIVEN the synthesized stack with its assets WHEN terraform init, validate and plan run offline THEN the plan creates every resource', () => {
    const plan = planOf('ordersExample');
    const created = plan.resource_changes.filter((c: any) => c.change.actions.join() === 'create').map((c: any) => c.type);
    expect(plan.resource_changes.every((c: any) => c.change.actions.join() === 'create')).toBe(true);
    expect(created.sort()).toEqual([
      'aws_cloudwatch_dashboard',
      'aws_cloudwatch_log_group',
      // 6 for the function and its failure queue (arrivals and age), 3 for the mapping's EventCount
      // metrics, 1 liveness (the table written, the mapping received nothing).
      ...Array(10).fill('aws_cloudwatch_metric_alarm'),
      // orders, order stats, and the consumer's idempotency table (its window flushes' marks)
      'aws_dynamodb_table',
      'aws_dynamodb_table',
      'aws_dynamodb_table',
      'aws_iam_role',
      'aws_iam_role_policy',
      'aws_kms_key',
      'aws_kms_key_policy',
      'aws_lambda_event_source_mapping',
      'aws_lambda_function',
      'aws_sns_topic',
      'aws_sns_topic_policy',
      'aws_sqs_queue',
      'aws_sqs_queue_policy',
    ]);
    const mapping = plan.resource_changes.find((c: any) => c.type === 'aws_lambda_event_source_mapping').change.after;
    expect(mapping).toMatchObject({
      starting_position: 'TRIM_HORIZON',
      tumbling_window_in_seconds: 60,
      batch_size: 1000,
      bisect_batch_on_function_error: true,
      maximum_retry_attempts: 3,
      metrics_config: [{ metrics: ['EventCount'] }],
    });
  });
});
