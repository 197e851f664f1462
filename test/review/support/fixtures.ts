/**
 * A small stream pipeline built from raw provider resources (not the library's constructs, which
 * are written in parallel): table + stream, consumer role and policy, event source mapping,
 * failure queue and an IteratorAge alarm. Each option is one knob a pull request might turn.
 */
import { TerraformStack, Testing } from 'cdktf';
import { AwsProvider } from '@cdktf/provider-aws/lib/provider';
import { CloudwatchMetricAlarm } from '@cdktf/provider-aws/lib/cloudwatch-metric-alarm';
import { DynamodbTable } from '@cdktf/provider-aws/lib/dynamodb-table';
import { IamRole } from '@cdktf/provider-aws/lib/iam-role';
import { IamRolePolicy } from '@cdktf/provider-aws/lib/iam-role-policy';
import { LambdaEventSourceMapping } from '@cdktf/provider-aws/lib/lambda-event-source-mapping';
import { SqsQueue } from '@cdktf/provider-aws/lib/sqs-queue';
import { assumeRolePolicy, policyDocument, streamReadStatements } from '../../../modules/internal/iam';

export interface PipelineOptions {
  hashKey?: string;
  streamViewType?: string;
  batchSize?: number;
  startingPosition?: 'TRIM_HORIZON' | 'LATEST';
  alarmThreshold?: number;
  /** Extra statement added to the consumer policy. */
  extraStatement?: { actions: string[]; resources: string[] };
  /** Adds a second queue whose (unknown until created) ARN goes into the consumer policy. */
  auditQueue?: boolean;
  /** Service allowed to assume the consumer role. */
  trustedService?: string;
}

/** Synthesized JSON of a stack holding one pipeline. */
export function pipelineStack(o: PipelineOptions = {}): any {
  const stack = new TerraformStack(Testing.app(), 'orders');
  addPipeline(stack, o);
  return JSON.parse(Testing.synth(stack));
}

/** Adds the pipeline's resources to `stack`, e.g. a stack of a real App for `cdktf.out` output. */
export function addPipeline(stack: TerraformStack, o: PipelineOptions = {}): void {
  new AwsProvider(stack, 'aws', { region: 'eu-west-1' });
  const hashKey = o.hashKey ?? 'pk';
  const table = new DynamodbTable(stack, 'orders', {
    name: 'orders',
    billingMode: 'PAY_PER_REQUEST',
    hashKey,
    attribute: [{ name: hashKey, type: 'S' }],
    streamEnabled: true,
    streamViewType: o.streamViewType ?? 'NEW_AND_OLD_IMAGES',
  });
  const failures = new SqsQueue(stack, 'failures', { name: 'orders-failures', messageRetentionSeconds: 1209600 });
  const role = new IamRole(stack, 'consumer_role', {
    name: 'orders-consumer',
    assumeRolePolicy: assumeRolePolicy(o.trustedService ?? 'lambda.amazonaws.com'),
  });
  const audit = o.auditQueue ? new SqsQueue(stack, 'audit', { name: 'orders-audit' }) : undefined;
  new IamRolePolicy(stack, 'consumer_policy', {
    name: 'consume',
    role: role.name,
    policy: policyDocument([
      ...streamReadStatements(table.streamArn),
      { sid: 'OnFailure', actions: ['sqs:SendMessage'], resources: [failures.arn] },
      ...(audit ? [{ sid: 'Audit', actions: ['sqs:SendMessage'], resources: [audit.arn] }] : []),
      ...(o.extraStatement ? [{ sid: 'Extra', ...o.extraStatement }] : []),
    ]),
  });
  new LambdaEventSourceMapping(stack, 'consumer_mapping', {
    eventSourceArn: table.streamArn,
    functionName: 'orders-consumer',
    startingPosition: o.startingPosition ?? 'TRIM_HORIZON',
    batchSize: o.batchSize ?? 100,
    bisectBatchOnFunctionError: true,
    maximumRetryAttempts: 3,
    destinationConfig: { onFailure: { destinationArn: failures.arn } },
  });
  new CloudwatchMetricAlarm(stack, 'iterator_age', {
    alarmName: 'orders-consumer-iterator-age',
    namespace: 'AWS/Lambda',
    metricName: 'IteratorAge',
    dimensions: { FunctionName: 'orders-consumer' },
    statistic: 'Maximum',
    period: 60,
    evaluationPeriods: 5,
    threshold: o.alarmThreshold ?? 60000,
    comparisonOperator: 'GreaterThanThreshold',
    treatMissingData: 'notBreaching',
  });
}
