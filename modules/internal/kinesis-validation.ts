import { KINESIS_STREAM_NAME } from './source-rules';
import { positiveInteger } from './table-schema';
import { PropsValidator } from './validation';

/** On-demand (the service scales shards) or provisioned (a fixed shard count you pay for). */
export type KinesisCapacityMode = 'ON_DEMAND' | 'PROVISIONED';

/** Settings of a Kinesis data stream created by {@link TableKinesisStream}. */
export interface KinesisStreamOptions {
  /** Stream name, 1..128 characters of [a-zA-Z0-9_.-]; unique per account and region. @default derived from the construct path */
  readonly streamName?: string;
  /** Capacity mode. @default 'ON_DEMAND' */
  readonly capacityMode?: KinesisCapacityMode;
  /** Number of shards, >= 1; required with, and only allowed with, PROVISIONED. Each shard takes 1 MB/s of writes. @default none */
  readonly shardCount?: number;
  /** Hours the stream keeps records, 24..8760 (one year). Longer retention costs more per shard hour. @default 24 */
  readonly retentionHours?: number;
  /**
   * ARN of a customer-managed KMS key for server-side encryption; every reader's role gets
   * kms:Decrypt on it, and its key policy must let DynamoDB's writes use it.
   * @default the AWS-managed key alias/aws/kinesis (encryption is always on)
   */
  readonly kmsKeyArn?: string;
  /** Terraform `lifecycle.prevent_destroy`: a plan that would destroy the stream (and its unread records) fails. @default true */
  readonly preventDestroy?: boolean;
  /** Tags for the stream. @default none */
  readonly tags?: Record<string, string>;
}

/** Kinesis retention, in hours (IncreaseStreamRetentionPeriod / the provider's retention_period). */
export const KINESIS_RETENTION_HOURS = [24, 8760] as const;

const KMS_KEY_ARN = /^arn:aws[a-z-]*:kms:[a-z0-9-]+:\d{12}:key\/[0-9A-Za-z-]+$/;

/** Checks the options of a stream to create; with an existing stream, no option may be set. */
export function validateKinesisStream(v: PropsValidator, o: KinesisStreamOptions, name: string, existing: boolean): void {
  if (existing) {
    for (const [k, value] of Object.entries(o)) {
      if (value !== undefined) v.fail(`stream.${k}`, value, 'unset', 'existingStream is given, so no stream is created here');
    }
    return;
  }
  v.matches('stream.streamName', name, KINESIS_STREAM_NAME.pattern, KINESIS_STREAM_NAME.described);
  const mode = o.capacityMode ?? 'ON_DEMAND';
  v.oneOf('stream.capacityMode', mode, ['ON_DEMAND', 'PROVISIONED'] as const);
  if (mode === 'PROVISIONED') {
    if (o.shardCount === undefined) v.fail('stream.shardCount', undefined, 'an integer >= 1', 'capacityMode PROVISIONED needs a shard count');
    else positiveInteger(v, 'stream.shardCount', o.shardCount);
  } else if (o.shardCount !== undefined) {
    v.fail('stream.shardCount', o.shardCount, 'unset', 'capacityMode ON_DEMAND scales its shards itself');
  }
  v.integer('stream.retentionHours', o.retentionHours, ...KINESIS_RETENTION_HOURS, { why: 'Kinesis keeps records 24 hours to 365 days' });
  v.matches('stream.kmsKeyArn', o.kmsKeyArn, KMS_KEY_ARN, 'a KMS key ARN (arn:aws:kms:<region>:<account>:key/<id>)', 'readers are granted kms:Decrypt on it, and IAM needs the key ARN, not an id or alias');
}
