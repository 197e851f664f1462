/** How an event source mapping reads a DynamoDB stream. */

/** Where a new mapping starts reading. DynamoDB streams accept only these two (AT_TIMESTAMP is Kinesis/MSK only). */
export type StartingPosition = 'TRIM_HORIZON' | 'LATEST';

/** An event filter pattern: a JSON string, or an object that is serialised to one. */
export type FilterPattern = string | Record<string, unknown>;

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
  /** Where a new mapping starts: the oldest record kept (TRIM_HORIZON) or new records only (LATEST). @default 'TRIM_HORIZON' */
  readonly startingPosition?: StartingPosition;
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
