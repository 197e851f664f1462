/**
 * What the diff-of-two-synths mode must know that a real plan would tell it: which arguments
 * force Terraform to replace a resource (ForceNew in hashicorp/aws 5.100.0), and which computed
 * attributes an in-place update renews. Covers the resource types this library emits.
 *
 * Keys are attribute paths without list indices (`local_secondary_index.range_key`); a change
 * anywhere under a listed path forces replacement. test/review/force-new.test.ts checks every
 * row against real `terraform plan` results of the real provider.
 */
import { pathKey } from './changes';

export const FORCE_NEW: Readonly<Record<string, readonly string[]>> = {
  aws_dynamodb_table: [
    'name',
    'hash_key',
    'range_key',
    'local_secondary_index',
    'restore_source_name',
    'restore_source_table_arn',
    'restore_to_latest_time',
    'restore_date_time',
    'import_table',
  ],
  aws_dynamodb_table_replica: ['global_table_arn', 'kms_key_arn'],
  aws_dynamodb_global_table: ['name'],
  aws_lambda_event_source_mapping: [
    'event_source_arn',
    'starting_position',
    'starting_position_timestamp',
    'queues',
    'topics',
    'self_managed_event_source',
    'amazon_managed_kafka_event_source_config',
    'self_managed_kafka_event_source_config',
  ],
  aws_lambda_function: ['function_name', 'package_type'],
  aws_lambda_alias: ['name', 'function_name'],
  aws_lambda_provisioned_concurrency_config: ['function_name', 'qualifier'],
  aws_lambda_permission: [
    'action',
    'event_source_token',
    'function_name',
    'function_url_auth_type',
    'principal',
    'principal_org_id',
    'qualifier',
    'source_account',
    'source_arn',
    'statement_id',
    'statement_id_prefix',
  ],
  aws_sqs_queue: ['name', 'name_prefix', 'fifo_queue'],
  aws_sqs_queue_policy: ['queue_url'],
  aws_sqs_queue_redrive_policy: ['queue_url'],
  aws_sns_topic: ['name', 'name_prefix', 'fifo_topic'],
  aws_sns_topic_policy: ['arn'],
  aws_sns_topic_subscription: ['endpoint', 'protocol', 'topic_arn'],
  aws_iam_role: ['name', 'name_prefix', 'path'],
  aws_iam_role_policy: ['name', 'name_prefix', 'role'],
  aws_iam_policy: ['name', 'name_prefix', 'path', 'description'],
  aws_iam_role_policy_attachment: ['role', 'policy_arn'],
  aws_cloudwatch_log_group: ['name', 'name_prefix', 'log_group_class'],
  aws_cloudwatch_metric_alarm: ['alarm_name'],
  aws_cloudwatch_dashboard: ['dashboard_name'],
  aws_kms_key: ['customer_master_key_spec', 'key_usage', 'multi_region', 'custom_key_store_id', 'xks_key_id'],
  aws_kms_alias: ['name', 'name_prefix'],
};

/** True when changing `path` (indices allowed) on a resource of `type` replaces the resource. */
export function forcesReplacement(type: string, path: string): boolean {
  const key = pathKey(path);
  return (FORCE_NEW[type] ?? []).some((p) => key === p || key.startsWith(p + '.'));
}

/**
 * Computed attributes that get a new value when some arguments change in place. A DynamoDB table
 * whose stream is switched or whose view type changes gets a new stream (new ARN and label): any
 * mapping reading the old ARN must be replaced.
 */
export const RENEWED_ON_UPDATE: Readonly<Record<string, readonly { when: readonly string[]; renews: readonly string[] }[]>> = {
  aws_dynamodb_table: [{ when: ['stream_enabled', 'stream_view_type'], renews: ['stream_arn', 'stream_label'] }],
  aws_lambda_function: [
    {
      when: ['filename', 'source_code_hash', 's3_bucket', 's3_key', 's3_object_version', 'image_uri', 'publish'],
      renews: ['version', 'qualified_arn', 'qualified_invoke_arn', 'last_modified', 'code_sha256', 'source_code_size'],
    },
  ],
};

/** Computed attributes of `type` that the given changed paths renew. */
export function renewedAttributes(type: string, changedPaths: string[]): string[] {
  const keys = new Set(changedPaths.map((p) => pathKey(p).split('.')[0]));
  return (RENEWED_ON_UPDATE[type] ?? []).filter((r) => r.when.some((w) => keys.has(w))).flatMap((r) => [...r.renews]);
}

/** DynamoDB table arguments whose change gives the table a new stream ARN. */
export const STREAM_ARGUMENTS = ['stream_enabled', 'stream_view_type'];
