/**
 * What an event source mapping may say for each kind of change source, and where each rule comes
 * from. One table, so validation, docs and tests quote the same facts:
 *
 * - Lambda API CreateEventSourceMapping and the Lambda guide's parameter tables for DynamoDB
 *   ("services-ddb-params") and Kinesis ("services-kinesis-parameters");
 * - the hashicorp/aws 5.100 docs of aws_lambda_event_source_mapping (`starting_position`
 *   "AT_TIMESTAMP (Kinesis only)", `starting_position_timestamp` "RFC3339 ... when using
 *   starting_position set to AT_TIMESTAMP", `provisioned_poller_config` "only valid for Amazon
 *   MSK or self-managed Apache Kafka", `scaling_config` "only available for SQS queues");
 * - the Lambda guide on Kinesis filtering: "Kinesis event source mappings only support filtering
 *   on the data key"; on stream on-failure destinations: SQS, SNS or (since November 2024) S3.
 */
import type { StartingPosition } from '../props/event-source';

/** The kinds of change source a consumer reads. */
export type SourceKind = 'dynamodb-stream' | 'kinesis';

export interface SourceRules {
  /** How error messages name the source: `for a DynamoDB stream`. */
  readonly label: string;
  readonly startingPositions: readonly StartingPosition[];
  /** Why the other starting positions are refused. */
  readonly startingPositionWhy: string;
  /** Top-level keys a filter pattern may use; undefined = any record field. */
  readonly filterKeys?: readonly string[];
  readonly filterKeysWhy?: string;
  /** Whether the source can have enhanced fan-out consumers (dedicated throughput). */
  readonly fanOut: boolean;
}

export const SOURCE_RULES: Record<SourceKind, SourceRules> = {
  'dynamodb-stream': {
    label: 'a DynamoDB stream',
    startingPositions: ['TRIM_HORIZON', 'LATEST'],
    startingPositionWhy: 'AT_TIMESTAMP is for Kinesis and MSK, not DynamoDB streams',
    fanOut: false,
  },
  kinesis: {
    label: 'a Kinesis data stream',
    startingPositions: ['TRIM_HORIZON', 'LATEST', 'AT_TIMESTAMP'],
    startingPositionWhy: 'the positions Lambda offers for Kinesis',
    filterKeys: ['data'],
    filterKeysWhy:
      'Kinesis event source mappings filter only on the data key; for Kinesis Data Streams for ' +
      'DynamoDB nest the DynamoDB record pattern under it, e.g. {"data":{"eventName":["INSERT"]}}',
    fanOut: true,
  },
};

/**
 * RFC 3339 date-time with a zone, as the provider passes `starting_position_timestamp` to the API
 * (e.g. `2026-12-01T00:00:00Z`); Lambda starts at the first record at or after it.
 */
export const RFC3339 = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$/;

/** On-failure destinations of stream mappings: a standard SQS queue, an SNS topic or an S3 bucket. */
export const ON_FAILURE_ARN =
  /^arn:aws[a-z-]*:(sqs:[a-z0-9-]+:\d{12}:[A-Za-z0-9_-]+|sns:[a-z0-9-]+:\d{12}:[A-Za-z0-9_-]+|s3:::[a-z0-9][a-z0-9.-]{1,61}[a-z0-9])$/;

/** Enhanced fan-out consumer names (Kinesis RegisterStreamConsumer ConsumerName). */
export const KINESIS_CONSUMER_NAME = { pattern: /^[a-zA-Z0-9_.-]{1,128}$/, described: '1..128 characters of [a-zA-Z0-9_.-]' };

/** Kinesis stream names (CreateStream StreamName). */
export const KINESIS_STREAM_NAME = { pattern: /^[a-zA-Z0-9_.-]{1,128}$/, described: '1..128 characters of [a-zA-Z0-9_.-]' };

/** Reader budgets per source (see modules/internal/source-readers.ts for how each is enforced). */
export const READER_LIMITS = {
  /** More simultaneous readers of one DynamoDB stream shard than this are throttled. */
  dynamodbStreamReaders: 2,
  /** Kinesis: read throughput per shard shared by all standard (polling) consumers, MB/s. */
  kinesisSharedReadMBps: 2,
  /** Kinesis: write throughput per shard, MB/s (what DynamoDB can put into one shard). */
  kinesisShardWriteMBps: 1,
  /** Kinesis: GetRecords transactions per shard per second, shared by standard consumers. */
  kinesisGetRecordsPerShardPerSecond: 5,
  /** Lambda polls each shard of a standard-iterator mapping about once per second. */
  lambdaPollsPerShardPerSecond: 1,
  /** Kinesis: enhanced fan-out consumers registered per stream. */
  kinesisFanOutConsumers: 20,
} as const;
