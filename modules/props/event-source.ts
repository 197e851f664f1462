/** How an event source mapping reads a DynamoDB stream or a Kinesis stream. */

/**
 * Where a new mapping starts reading: the oldest record kept, new records only, or (Kinesis only)
 * the first record at or after `startingPositionTimestamp`.
 */
export type StartingPosition = 'TRIM_HORIZON' | 'LATEST' | 'AT_TIMESTAMP';

/** An event filter pattern: a JSON string, or an object that is serialised to one. */
export type FilterPattern = string | Record<string, unknown>;

/** An enhanced fan-out consumer of a Kinesis stream (dedicated 2 MB/s per shard, pushed over HTTP/2). */
export interface FanOutOptions {
  /** Consumer name, 1..128 characters of [a-zA-Z0-9_.-]; unique per stream. @default derived from the construct path */
  readonly consumerName?: string;
}

/** Lambda's provisioned poller mode; accepted only to refuse it with the reason (stream sources have none). */
export interface ProvisionedPollerOptions {
  /** Pollers kept ready (Kafka and SQS mappings: 1..200). Refused for stream sources. @default none */
  readonly minimumPollers?: number;
  /** Most pollers (Kafka and SQS mappings: 1..2000). Refused for stream sources. @default none */
  readonly maximumPollers?: number;
}

/**
 * How the event source mapping reads the table's stream. The defaults are production defaults:
 * a poison record is retried 3 times at most, bisected to isolate it, then sent to the on-failure
 * destination, instead of blocking its shard for the 24 hours of stream retention.
 */
export interface StreamEventSourceOptions {
  /** Most records per invocation, 1..10000. @default 100 */
  readonly batchSize?: number;
  /** Seconds to gather records before invoking, 0..300. @default 0 */
  readonly maxBatchingWindowSeconds?: number;
  /** Concurrent batches per shard, 1..10; order is kept per partition key. @default 1 */
  readonly parallelizationFactor?: number;
  /** Retries of a failed batch, -1 (until the record expires) or 0..10000. @default 3 */
  readonly retryAttempts?: number;
  /** Records older than this are discarded (and reported to onFailure), -1 (never) or 60..604800 seconds. @default 86400 */
  readonly maxRecordAgeSeconds?: number;
  /** Split a failing batch in two and retry each half (does not use up retries). @default true */
  readonly bisectBatchOnError?: boolean;
  /** Tumbling window for stateful aggregation, 0..900 seconds; the handler must then return `state`. @default none */
  readonly tumblingWindowSeconds?: number;
  /**
   * Where a new mapping starts: the oldest record kept (TRIM_HORIZON), new records only (LATEST),
   * or, for a Kinesis source, the first record at or after `startingPositionTimestamp`
   * (AT_TIMESTAMP). DynamoDB streams accept only the first two.
   * @default 'TRIM_HORIZON'
   */
  readonly startingPosition?: StartingPosition;
  /**
   * With startingPosition AT_TIMESTAMP (Kinesis only, and then required): an RFC 3339 date-time
   * with a zone, e.g. `2026-12-01T00:00:00Z`. A time before the trim horizon starts at the oldest record.
   * @default none
   */
  readonly startingPositionTimestamp?: string;
  /**
   * Kinesis only: read through an enhanced fan-out consumer (`aws_kinesis_stream_consumer`) with
   * its own 2 MB/s per shard and records pushed within ~70 ms, instead of polling with the
   * throughput every shared reader splits. At most 20 per stream. `true` names the consumer after
   * the construct path. Extra cost per consumer-shard hour and per GB read.
   * @default false (shared throughput)
   */
  readonly fanOut?: boolean | FanOutOptions;
  /**
   * Must stay unset: provisioned poller mode exists for Amazon MSK, self-managed Kafka and SQS
   * mappings, not for DynamoDB or Kinesis streams. The prop exists so the refusal can say so.
   * @default none
   */
  readonly provisionedPollers?: ProvisionedPollerOptions;
  /**
   * The handler returns `{ batchItemFailures }` and Lambda retries from the first failed record
   * only. Turn off for handlers that do not return that shape: otherwise Lambda reads any other
   * response as "all succeeded". @default true
   */
  readonly reportBatchItemFailures?: boolean;
  /**
   * Event filter patterns (at most 10, each at most 4096 characters of JSON); a record is delivered
   * when it matches any. Records that match none are dropped without invoking. @default none
   */
  readonly filters?: FilterPattern[];
  /** Publish the mapping's EventCount metrics (extra CloudWatch cost). @default false */
  readonly eventCountMetrics?: boolean;
  /** Whether the mapping polls. Disable to pause a consumer without losing its position. @default true */
  readonly enabled?: boolean;
}
