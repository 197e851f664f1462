/** Settings of a Kinesis data stream that carries a table's changes. */

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
