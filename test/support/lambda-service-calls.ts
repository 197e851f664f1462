/**
 * What the Lambda service itself calls with a function's execution role, as opposed to what the
 * function's code calls, for the configuration synthesized for that function (its event source
 * mappings, log group and tracing). These calls cannot be recorded locally: no local Lambda
 * service runs them. Each entry names the AWS documentation that says the role needs it.
 */
import { ACCOUNT, pair, regionOf, resolveValue } from './iam-grants';

export const LAMBDA_SERVICE_CALLS = {
  /** The event source mapping polls the DynamoDB stream. */
  readStream: {
    actions: ['dynamodb:DescribeStream', 'dynamodb:GetRecords', 'dynamodb:GetShardIterator'],
    source:
      'https://docs.aws.amazon.com/lambda/latest/dg/with-ddb.html (execution role permissions; managed policy AWSLambdaDynamoDBExecutionRole, https://docs.aws.amazon.com/lambda/latest/dg/security-iam-awsmanpol.html)',
  },
  /** ... and lists the streams; ListStreams has no resource-level permissions, so its resource is `*`. */
  listStreams: {
    actions: ['dynamodb:ListStreams'],
    source:
      'https://docs.aws.amazon.com/lambda/latest/dg/with-ddb.html; https://docs.aws.amazon.com/service-authorization/latest/reference/list_amazondynamodb.html (ListStreams: no resource type)',
  },
  /** The Kinesis event source mapping reads the stream's shards (shared throughput). */
  readKinesis: {
    actions: [
      'kinesis:DescribeStream',
      'kinesis:DescribeStreamSummary',
      'kinesis:GetRecords',
      'kinesis:GetShardIterator',
      'kinesis:ListShards',
    ],
    source:
      'https://docs.aws.amazon.com/lambda/latest/dg/with-kinesis.html (execution role permissions; managed policy AWSLambdaKinesisExecutionRole, https://docs.aws.amazon.com/lambda/latest/dg/security-iam-awsmanpol.html)',
  },
  /** With enhanced fan-out it subscribes to the shards as the stream's registered consumer. */
  readKinesisFanOut: {
    actions: ['kinesis:DescribeStreamConsumer', 'kinesis:SubscribeToShard'],
    source:
      'https://docs.aws.amazon.com/lambda/latest/dg/with-kinesis.html ("kinesis:SubscribeToShard" for enhanced fan-out); https://docs.aws.amazon.com/service-authorization/latest/reference/list_amazonkinesis.html (both act on the consumer resource)',
  },
  /** The SQS event source mapping polls the queue and deletes what the function handled. */
  readQueue: {
    actions: ['sqs:DeleteMessage', 'sqs:GetQueueAttributes', 'sqs:ReceiveMessage'],
    source:
      'https://docs.aws.amazon.com/lambda/latest/dg/services-sqs-configure.html (execution role permissions; managed policy AWSLambdaSQSQueueExecutionRole)',
  },
  /** The mapping sends the metadata of a discarded batch to its on-failure destination. */
  onFailureSqs: {
    actions: ['sqs:SendMessage'],
    source: 'https://docs.aws.amazon.com/lambda/latest/dg/services-dynamodb-errors.html ("For SQS destinations: sqs:SendMessage")',
  },
  onFailureSns: {
    actions: ['sns:Publish'],
    source: 'https://docs.aws.amazon.com/lambda/latest/dg/services-dynamodb-errors.html ("For SNS destinations: sns:Publish")',
  },
  /** ... or, to an S3 bucket, the whole invocation record as an object under aws/lambda/ (and lists the bucket). */
  onFailureS3: {
    actions: ['s3:ListBucket', 's3:PutObject'],
    source:
      'https://docs.aws.amazon.com/lambda/latest/dg/services-dynamodb-errors.html ("For Amazon S3 destinations: s3:PutObject and s3:ListBucket"); objects are written under aws/lambda/<ESM-UUID>/ ("Example Amazon S3 invocation record")',
  },
  /** Lambda writes the function's logs into its log group (created by the stack, so no CreateLogGroup). */
  writeLogs: {
    actions: ['logs:CreateLogStream', 'logs:PutLogEvents'],
    source:
      'https://docs.aws.amazon.com/lambda/latest/dg/monitoring-cloudwatchlogs.html; managed policy AWSLambdaBasicExecutionRole (https://docs.aws.amazon.com/lambda/latest/dg/security-iam-awsmanpol.html)',
  },
  /** With active tracing Lambda sends trace segments; X-Ray has no resource-level permissions for them. */
  writeTraces: {
    actions: ['xray:PutTelemetryRecords', 'xray:PutTraceSegments'],
    source: 'https://docs.aws.amazon.com/lambda/latest/dg/services-xray.html (managed policy AWSXRayDaemonWriteAccess)',
  },
} as const;

const pairs = (call: { actions: readonly string[] }, resource: string) => call.actions.map((a) => pair(a, resource));

/**
 * The pairs the Lambda service needs for function `functionId` as synthesized. A customer-managed
 * key on a source or destination would add KMS calls that this list does not cover: it fails then.
 */
export function lambdaServiceGrants(json: any, functionId: string): Set<string> {
  const fn = json.resource.aws_lambda_function[functionId];
  const targets = [`\${aws_lambda_function.${functionId}.arn}`];
  for (const [id, alias] of Object.entries(json.resource.aws_lambda_alias ?? {}) as [string, any][]) {
    if (alias.function_name === `\${aws_lambda_function.${functionId}.function_name}`) targets.push(`\${aws_lambda_alias.${id}.arn}`);
  }
  const out: string[] = [];
  for (const m of Object.values(json.resource.aws_lambda_event_source_mapping ?? {}) as any[]) {
    if (!targets.includes(m.function_name)) continue;
    const source: string = m.event_source_arn;
    if (/^\$\{aws_dynamodb_table\.[^.]+\.stream_arn\}$/.test(source)) {
      out.push(...pairs(LAMBDA_SERVICE_CALLS.readStream, resolveValue(json, source)), ...pairs(LAMBDA_SERVICE_CALLS.listStreams, '*'));
    } else if (/^\$\{aws_kinesis_stream\.[^.]+\.arn\}$/.test(source)) {
      out.push(...pairs(LAMBDA_SERVICE_CALLS.readKinesis, resolveValue(json, source)));
    } else if (/^\$\{aws_kinesis_stream_consumer\.[^.]+\.arn\}$/.test(source)) {
      throw new Error(`mapping of ${functionId}: an enhanced fan-out consumer's ARN is not modelled here (${source})`);
    } else if (/^\$\{aws_sqs_queue\.[^.]+\.arn\}$/.test(source)) {
      out.push(...pairs(LAMBDA_SERVICE_CALLS.readQueue, resolveValue(json, source)));
    } else throw new Error(`mapping of ${functionId}: event source ${source} is not covered`);
    const destination: string | undefined = m.destination_config?.on_failure?.destination_arn;
    if (destination?.startsWith('${aws_sqs_queue.')) out.push(...pairs(LAMBDA_SERVICE_CALLS.onFailureSqs, resolveValue(json, destination)));
    else if (destination?.startsWith('${aws_sns_topic.'))
      out.push(...pairs(LAMBDA_SERVICE_CALLS.onFailureSns, resolveValue(json, destination)));
    else if (destination?.startsWith('${aws_s3_bucket.')) {
      const bucket = resolveValue(json, destination);
      out.push(pair('s3:ListBucket', bucket), pair('s3:PutObject', `${bucket}/aws/lambda/*`));
    } else if (destination) throw new Error(`mapping of ${functionId}: destination ${destination} is not covered`);
  }
  const logGroup = resolveValue(json, fn.logging_config.log_group);
  out.push(...pairs(LAMBDA_SERVICE_CALLS.writeLogs, `arn:aws:logs:${regionOf(json, fn)}:${ACCOUNT}:log-group:${logGroup}:*`));
  if (fn.tracing_config?.mode === 'Active') out.push(...pairs(LAMBDA_SERVICE_CALLS.writeTraces, '*'));
  assertNoCustomerKeys(json);
  return new Set(out);
}

/** KMS calls made by DynamoDB, SQS, SNS or Kinesis on a role's behalf are neither recorded nor listed here. */
function assertNoCustomerKeys(json: any): void {
  const keyed = [
    ...Object.entries(json.resource.aws_dynamodb_table ?? {}).filter(([, t]: [string, any]) => t.server_side_encryption?.kms_key_arn),
    ...Object.entries(json.resource.aws_sqs_queue ?? {}).filter(([, q]: [string, any]) => q.kms_master_key_id),
    ...Object.entries(json.resource.aws_kinesis_stream ?? {}).filter(
      ([, k]: [string, any]) => k.encryption_type === 'KMS' && k.kms_key_id !== 'alias/aws/kinesis',
    ),
  ];
  if (keyed.length) throw new Error(`customer-managed keys are not covered by this comparison: ${keyed.map(([id]) => id).join(', ')}`);
}
