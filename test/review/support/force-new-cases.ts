/**
 * The replace-forcing cases of force-new.test.ts: one stack of independent resources, each
 * changed in one argument. Kept here because the stack is also planned in the run's shared batch
 * (review-plans.ts).
 */
const STREAM = 'arn:aws:dynamodb:eu-west-1:123456789012:table/t/stream/2026-01-01T00:00:00.000';
const QUEUE = 'arn:aws:sqs:eu-west-1:123456789012:q';
const ROLE = 'arn:aws:iam::123456789012:role/r';
const doc = (action: string) => JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: action, Resource: '*' }] });
const trust = (service: string) =>
  JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Principal: { Service: service }, Action: 'sts:AssumeRole' }] });

const table = {
  billing_mode: 'PAY_PER_REQUEST',
  hash_key: 'pk',
  attribute: [{ name: 'pk', type: 'S' }],
  stream_enabled: true,
  stream_view_type: 'NEW_AND_OLD_IMAGES',
};
const ranged = {
  ...table,
  range_key: 'sk',
  attribute: [
    { name: 'pk', type: 'S' },
    { name: 'sk', type: 'S' },
  ],
};
const mapping = { event_source_arn: STREAM, function_name: 'f', starting_position: 'TRIM_HORIZON', batch_size: 100 };
const fn = { function_name: 'fn', role: ROLE, handler: 'index.handler', runtime: 'nodejs22.x', filename: 'fn.zip', source_code_hash: 'h1' };

/** [resource type, arguments before, arguments changed, what the provider does]. */
export const CASES: Record<string, [string, object, object, 'replace' | 'update']> = {
  tbl_name: ['aws_dynamodb_table', { ...table, name: 't1' }, { name: 't1b' }, 'replace'],
  tbl_hash: ['aws_dynamodb_table', { ...table, name: 't2' }, { hash_key: 'id', attribute: [{ name: 'id', type: 'S' }] }, 'replace'],
  tbl_range: ['aws_dynamodb_table', { ...table, name: 't3' }, { range_key: 'sk', attribute: ranged.attribute }, 'replace'],
  tbl_lsi: [
    'aws_dynamodb_table',
    { ...ranged, name: 't4' },
    {
      attribute: [...ranged.attribute, { name: 'l', type: 'S' }],
      local_secondary_index: [{ name: 'lsi', range_key: 'l', projection_type: 'ALL' }],
    },
    'replace',
  ],
  tbl_view: ['aws_dynamodb_table', { ...table, name: 't5' }, { stream_view_type: 'KEYS_ONLY' }, 'update'],
  tbl_stream_off: ['aws_dynamodb_table', { ...table, name: 't6' }, { stream_enabled: false, stream_view_type: '' }, 'update'],
  tbl_gsi: [
    'aws_dynamodb_table',
    { ...table, name: 't7' },
    {
      attribute: [...table.attribute, { name: 'g', type: 'S' }],
      global_secondary_index: [{ name: 'gsi', hash_key: 'g', projection_type: 'ALL' }],
    },
    'update',
  ],
  tbl_ttl: ['aws_dynamodb_table', { ...table, name: 't8' }, { ttl: { attribute_name: 'exp', enabled: true } }, 'update'],
  tbl_protect: ['aws_dynamodb_table', { ...table, name: 't9' }, { deletion_protection_enabled: true }, 'update'],
  tbl_replica: ['aws_dynamodb_table', { ...table, name: 't10' }, { replica: [{ region_name: 'eu-central-1' }] }, 'update'],
  esm_source: ['aws_lambda_event_source_mapping', mapping, { event_source_arn: STREAM.replace('table/t/', 'table/u/') }, 'replace'],
  esm_start: ['aws_lambda_event_source_mapping', mapping, { starting_position: 'LATEST' }, 'replace'],
  esm_function: ['aws_lambda_event_source_mapping', mapping, { function_name: 'g' }, 'update'],
  esm_batch: ['aws_lambda_event_source_mapping', mapping, { batch_size: 500 }, 'update'],
  esm_retry: ['aws_lambda_event_source_mapping', mapping, { maximum_retry_attempts: 3 }, 'update'],
  esm_filter: [
    'aws_lambda_event_source_mapping',
    mapping,
    { filter_criteria: { filter: [{ pattern: '{"eventName":["INSERT"]}' }] } },
    'update',
  ],
  esm_dest: ['aws_lambda_event_source_mapping', mapping, { destination_config: { on_failure: { destination_arn: QUEUE } } }, 'update'],
  sqs_name: ['aws_sqs_queue', { name: 'q1' }, { name: 'q1b' }, 'replace'],
  sqs_retention: ['aws_sqs_queue', { name: 'q2' }, { message_retention_seconds: 1209600 }, 'update'],
  sns_name: ['aws_sns_topic', { name: 's1' }, { name: 's1b' }, 'replace'],
  sns_display: ['aws_sns_topic', { name: 's2' }, { display_name: 'S' }, 'update'],
  role_name: ['aws_iam_role', { name: 'r1', assume_role_policy: trust('lambda.amazonaws.com') }, { name: 'r1b' }, 'replace'],
  role_path: ['aws_iam_role', { name: 'r2', assume_role_policy: trust('lambda.amazonaws.com') }, { path: '/svc/' }, 'replace'],
  role_desc: ['aws_iam_role', { name: 'r3', assume_role_policy: trust('lambda.amazonaws.com') }, { description: 'd' }, 'update'],
  role_trust: [
    'aws_iam_role',
    { name: 'r4', assume_role_policy: trust('lambda.amazonaws.com') },
    { assume_role_policy: trust('ec2.amazonaws.com') },
    'update',
  ],
  rp_name: ['aws_iam_role_policy', { name: 'p1', role: 'r', policy: doc('s3:GetObject') }, { name: 'p1b' }, 'replace'],
  rp_role: ['aws_iam_role_policy', { name: 'p2', role: 'r', policy: doc('s3:GetObject') }, { role: 'r9' }, 'replace'],
  rp_policy: ['aws_iam_role_policy', { name: 'p3', role: 'r', policy: doc('s3:GetObject') }, { policy: doc('s3:PutObject') }, 'update'],
  pol_name: ['aws_iam_policy', { name: 'm1', policy: doc('s3:GetObject') }, { name: 'm1b' }, 'replace'],
  pol_desc: ['aws_iam_policy', { name: 'm2', policy: doc('s3:GetObject') }, { description: 'd' }, 'replace'],
  pol_path: ['aws_iam_policy', { name: 'm3', policy: doc('s3:GetObject') }, { path: '/svc/' }, 'replace'],
  pol_policy: ['aws_iam_policy', { name: 'm4', policy: doc('s3:GetObject') }, { policy: doc('s3:PutObject') }, 'update'],
  attach_policy: [
    'aws_iam_role_policy_attachment',
    { role: 'r', policy_arn: 'arn:aws:iam::aws:policy/ReadOnlyAccess' },
    { policy_arn: 'arn:aws:iam::aws:policy/AdministratorAccess' },
    'replace',
  ],
  fn_name: ['aws_lambda_function', { ...fn, function_name: 'fn1' }, { function_name: 'fn1b' }, 'replace'],
  fn_memory: ['aws_lambda_function', { ...fn, function_name: 'fn2' }, { memory_size: 512 }, 'update'],
  fn_code: ['aws_lambda_function', { ...fn, function_name: 'fn3' }, { source_code_hash: 'h2' }, 'update'],
  alias_name: ['aws_lambda_alias', { name: 'live', function_name: 'fn', function_version: '1' }, { name: 'blue' }, 'replace'],
  alias_version: ['aws_lambda_alias', { name: 'live2', function_name: 'fn', function_version: '1' }, { function_version: '2' }, 'update'],
  pc_qualifier: [
    'aws_lambda_provisioned_concurrency_config',
    { function_name: 'fn', qualifier: 'live', provisioned_concurrent_executions: 1 },
    { qualifier: 'blue' },
    'replace',
  ],
  pc_count: [
    'aws_lambda_provisioned_concurrency_config',
    { function_name: 'fn4', qualifier: 'live', provisioned_concurrent_executions: 1 },
    { provisioned_concurrent_executions: 2 },
    'update',
  ],
  perm_statement: [
    'aws_lambda_permission',
    { statement_id: 's1', action: 'lambda:InvokeFunction', function_name: 'fn', principal: 'sns.amazonaws.com' },
    { statement_id: 's2' },
    'replace',
  ],
  lg_name: ['aws_cloudwatch_log_group', { name: '/aws/lambda/a' }, { name: '/aws/lambda/b' }, 'replace'],
  lg_retention: ['aws_cloudwatch_log_group', { name: '/aws/lambda/c' }, { retention_in_days: 14 }, 'update'],
  lg_class: ['aws_cloudwatch_log_group', { name: '/aws/lambda/d' }, { log_group_class: 'INFREQUENT_ACCESS' }, 'replace'],
  alarm_name: [
    'aws_cloudwatch_metric_alarm',
    {
      alarm_name: 'a1',
      comparison_operator: 'GreaterThanThreshold',
      evaluation_periods: 1,
      metric_name: 'IteratorAge',
      namespace: 'AWS/Lambda',
      period: 60,
      statistic: 'Maximum',
      threshold: 60000,
    },
    { alarm_name: 'a1b' },
    'replace',
  ],
  alarm_threshold: [
    'aws_cloudwatch_metric_alarm',
    {
      alarm_name: 'a2',
      comparison_operator: 'GreaterThanThreshold',
      evaluation_periods: 1,
      metric_name: 'IteratorAge',
      namespace: 'AWS/Lambda',
      period: 60,
      statistic: 'Maximum',
      threshold: 60000,
    },
    { threshold: 1000 },
    'update',
  ],
  dash_name: [
    'aws_cloudwatch_dashboard',
    { dashboard_name: 'd1', dashboard_body: JSON.stringify({ widgets: [] }) },
    { dashboard_name: 'd1b' },
    'replace',
  ],
  dash_body: [
    'aws_cloudwatch_dashboard',
    { dashboard_name: 'd2', dashboard_body: JSON.stringify({ widgets: [] }) },
    { dashboard_body: JSON.stringify({ widgets: [], start: '-PT6H' }) },
    'update',
  ],
  sub_endpoint: [
    'aws_sns_topic_subscription',
    { topic_arn: 'arn:aws:sns:eu-west-1:123456789012:s', protocol: 'sqs', endpoint: QUEUE },
    { endpoint: QUEUE + '2' },
    'replace',
  ],
  kms_spec: ['aws_kms_key', { description: 'k1' }, { customer_master_key_spec: 'RSA_2048', key_usage: 'SIGN_VERIFY' }, 'replace'],
  kms_desc: ['aws_kms_key', { description: 'k2' }, { description: 'k2b' }, 'update'],
  kms_alias: ['aws_kms_alias', { name: 'alias/a', target_key_id: 'k' }, { name: 'alias/b' }, 'replace'],
  qp_policy: [
    'aws_sqs_queue_policy',
    { queue_url: 'https://sqs.eu-west-1.amazonaws.com/123456789012/q', policy: doc('sqs:SendMessage') },
    { policy: doc('sqs:*') },
    'update',
  ],
};

/** The stack with every case's resource before or after its change. */
export function forceNewStack(side: 'before' | 'after'): any {
  const resource: Record<string, Record<string, object>> = {};
  for (const [name, [type, base, change]] of Object.entries(CASES))
    (resource[type] ??= {})[name] = side === 'before' ? base : { ...base, ...change };
  return {
    provider: { aws: [{ region: 'eu-west-1' }] },
    terraform: { required_providers: { aws: { source: 'aws', version: '5.100.0' } } },
    resource,
  };
}
