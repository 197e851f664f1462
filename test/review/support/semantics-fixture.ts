/**
 * One stack, two versions: a pull request that does at once what reviews get wrong. Built with
 * real cdktf resources (moveFromId and lifecycle are cdktf's own), so the same synth feeds the
 * real terraform plan (plan mode) and the synth diff (diff mode).
 *
 * What "after" does, per resource:
 * - `customers` is moved to `customers_table` with moveFromId: a correct refactor, no change;
 *   `customers_reader` references it (the reference changes address, not value);
 * - `sessions` (table) and `jobs` (queue) are renamed construct ids without a move;
 * - `legacy` (queue) is forgotten with a `removed` block (`destroy = false`);
 * - `orders` loses deletion protection, PITR, its customer managed key and `prevent_destroy`;
 * - `events` switches its stream to KEYS_ONLY (its mapping is replaced); `audit` disables its stream;
 * - `clicks` (Kinesis) and `failures` (SQS) get shorter retention, `failures` loses its CMK;
 * - widening: KMS key policy lets another account decrypt, the bucket policy lets anyone read,
 *   a new Lambda permission trusts S3 without a source, the role trusts another account, the
 *   consumer policy gains `table/*`; `narrowed` loses an action (must stay calm).
 */
import { App, TerraformStack, Testing } from 'cdktf';
import { DynamodbTable, DynamodbTableConfig } from '@cdktf/provider-aws/lib/dynamodb-table';
import { IamRole } from '@cdktf/provider-aws/lib/iam-role';
import { IamRolePolicy } from '@cdktf/provider-aws/lib/iam-role-policy';
import { KinesisStream } from '@cdktf/provider-aws/lib/kinesis-stream';
import { KmsKey } from '@cdktf/provider-aws/lib/kms-key';
import { LambdaEventSourceMapping } from '@cdktf/provider-aws/lib/lambda-event-source-mapping';
import { LambdaPermission } from '@cdktf/provider-aws/lib/lambda-permission';
import { AwsProvider } from '@cdktf/provider-aws/lib/provider';
import { S3BucketPolicy } from '@cdktf/provider-aws/lib/s3-bucket-policy';
import { SqsQueue } from '@cdktf/provider-aws/lib/sqs-queue';

export const ACCOUNT = '123456789012';
export const OTHER_ACCOUNT = '999999999999';
const CMK = `arn:aws:kms:eu-west-1:${ACCOUNT}:key/11111111-2222-3333-4444-555555555555`;

export interface SemanticsOptions {
  /** Apply the fixes the review prints for the renames (moveFromId on the renamed table). */
  moveRenamedTable?: boolean;
}

const doc = (...Statement: object[]) => JSON.stringify({ Version: '2012-10-17', Statement });

function table(stack: TerraformStack, id: string, name: string, extra: Partial<DynamodbTableConfig> = {}): DynamodbTable {
  return new DynamodbTable(stack, id, {
    name,
    billingMode: 'PAY_PER_REQUEST',
    hashKey: 'pk',
    attribute: [{ name: 'pk', type: 'S' }],
    ...extra,
  });
}

/** Synthesized JSON of the stack, before (`after` false) or after the pull request. */
export function semanticsStack(after: boolean, o: SemanticsOptions = {}): any {
  const stack = new TerraformStack(Testing.app() as App, 'shop');
  new AwsProvider(stack, 'aws', { region: 'eu-west-1' });

  const orders = after
    ? { deletionProtectionEnabled: false, pointInTimeRecovery: { enabled: false }, serverSideEncryption: { enabled: false } }
    : {
        deletionProtectionEnabled: true,
        pointInTimeRecovery: { enabled: true },
        serverSideEncryption: { enabled: true, kmsKeyArn: CMK },
        lifecycle: { preventDestroy: true },
      };
  table(stack, 'orders', 'orders', orders);

  const customers = table(stack, after ? 'customers_table' : 'customers', 'customers');
  if (after) customers.moveFromId('aws_dynamodb_table.customers');
  const sessions = table(stack, after ? 'sessions_v2' : 'sessions', 'sessions');
  if (after && o.moveRenamedTable) sessions.moveFromId('aws_dynamodb_table.sessions');

  const events = table(stack, 'events', 'events', { streamEnabled: true, streamViewType: after ? 'KEYS_ONLY' : 'NEW_AND_OLD_IMAGES' });
  new LambdaEventSourceMapping(stack, 'events_mapping', {
    eventSourceArn: events.streamArn,
    functionName: 'events-consumer',
    startingPosition: 'TRIM_HORIZON',
  });
  table(stack, 'audit', 'audit', after ? { streamEnabled: false } : { streamEnabled: true, streamViewType: 'NEW_IMAGE' });

  new KinesisStream(stack, 'clicks', { name: 'clicks', shardCount: 1, retentionPeriod: after ? 24 : 48 });
  new SqsQueue(stack, 'failures', {
    name: 'failures',
    messageRetentionSeconds: after ? 345600 : 1209600,
    ...(after ? { sqsManagedSseEnabled: true } : { kmsMasterKeyId: CMK }),
  });
  new SqsQueue(stack, after ? 'jobs_queue' : 'jobs', { name: 'jobs' });
  if (!after) new SqsQueue(stack, 'legacy', { name: 'legacy' });
  else stack.addOverride('removed', [{ from: 'aws_sqs_queue.legacy', lifecycle: { destroy: false } }]);

  const root = { Effect: 'Allow', Principal: { AWS: `arn:aws:iam::${ACCOUNT}:root` }, Action: 'kms:*', Resource: '*' };
  const partner = { Effect: 'Allow', Principal: { AWS: `arn:aws:iam::${OTHER_ACCOUNT}:root` }, Action: 'kms:Decrypt', Resource: '*' };
  new KmsKey(stack, 'data_key', { description: 'data', policy: after ? doc(root, partner) : doc(root) });

  const reader = {
    Effect: 'Allow',
    Principal: { AWS: `arn:aws:iam::${ACCOUNT}:role/reader` },
    Action: 's3:GetObject',
    Resource: 'arn:aws:s3:::shop-exports/*',
  };
  const anyone = { ...reader, Principal: '*' };
  new S3BucketPolicy(stack, 'exports_policy', { bucket: 'shop-exports', policy: after ? doc(reader, anyone) : doc(reader) });

  if (after)
    new LambdaPermission(stack, 'exports_invoke', {
      statementId: 'AllowS3',
      action: 'lambda:InvokeFunction',
      functionName: 'events-consumer',
      principal: 's3.amazonaws.com',
    });

  const lambda = { Effect: 'Allow', Principal: { Service: 'lambda.amazonaws.com' }, Action: 'sts:AssumeRole' };
  const crossAccount = { Effect: 'Allow', Principal: { AWS: `arn:aws:iam::${OTHER_ACCOUNT}:root` }, Action: 'sts:AssumeRole' };
  const role = new IamRole(stack, 'consumer_role', {
    name: 'shop-consumer',
    assumeRolePolicy: after ? doc(lambda, crossAccount) : doc(lambda),
  });
  const read = { Effect: 'Allow', Action: ['dynamodb:GetItem'], Resource: customers.arn };
  const everyTable = { Effect: 'Allow', Action: ['dynamodb:GetItem'], Resource: `arn:aws:dynamodb:eu-west-1:${ACCOUNT}:table/*` };
  new IamRolePolicy(stack, 'customers_reader', { name: 'customers', role: role.name, policy: after ? doc(read, everyTable) : doc(read) });
  const write = { Effect: 'Allow', Action: ['sqs:SendMessage', 'sqs:DeleteMessage'], Resource: `arn:aws:sqs:eu-west-1:${ACCOUNT}:jobs` };
  new IamRolePolicy(stack, 'narrowed', {
    name: 'jobs',
    role: role.name,
    policy: after ? doc({ ...write, Action: ['sqs:SendMessage'] }) : doc(write),
  });
  return JSON.parse(Testing.synth(stack));
}
