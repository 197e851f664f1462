/** Settings of the handler-side consumer toolkit (`cdktf-dynamodb-streams/consumer`, docs/consumer-toolkit.md). */

/** The idempotency table's settings. */
export interface IdempotencySettings {
  /**
   * How long a processed change is remembered, seconds: a re-delivery later than this is processed
   * again. Keep it above the mapping's maximum record age and the redrive's reach (a stream keeps
   * records 24 h; a failure queue up to 14 days).
   * @default 1209600 (14 days)
   */
  readonly ttlSeconds?: number;
}

/** Construct options of the consumer toolkit, on StreamConsumer and a pipeline's consumer. */
export interface ConsumerToolkitOptions {
  /**
   * Process each change at most once by its identity (the toolkit's `changeHandler`): creates an
   * idempotency table (on demand, TTL, encryption at rest, point-in-time recovery), grants the
   * function exactly the calls the toolkit makes on it (PutItem, DeleteItem; with a Kinesis source
   * and a tumbling window also BatchGetItem, BatchWriteItem) and passes its name in
   * the environment (DDB_STREAMS_IDEMPOTENCY_TABLE, DDB_STREAMS_IDEMPOTENCY_TTL_SECONDS).
   * @default false (no table; the toolkit processes every delivery)
   */
  readonly idempotency?: boolean | IdempotencySettings;
}
