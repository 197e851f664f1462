/**
 * The contract between the constructs (modules/) and the Lambda code they deploy (handlers/): the
 * environment variables a construct sets and a handler reads, the default replication attribute
 * names, the mask value, the key names of the tables both sides describe, and the CloudWatch
 * namespaces, metric names and dimensions the handlers publish and the alarms watch.
 *
 * One copy that both sides import, so a rename is one edit instead of a silent break of production
 * replication. This file imports nothing, and it is the only file of handlers/ that modules/ may
 * import (test/modules/layout.test.ts): the constructs never load handler code.
 */

/** The replica writer's environment (handlers/replicate/index.ts; set by modules/replication/writer.ts). */
export const WRITER_ENV = {
  /** Region of the table whose stream this function reads. @default AWS_REGION */
  sourceRegion: 'REPLICATION_SOURCE_REGION',
  /** JSON array of {"region","table","roleArn"?,"endpoint"?,"omit"?,"mask"?}: where to write. Required, non-empty. */
  targets: 'REPLICATION_TARGETS',
  /** Endpoint override for the source table (local runs against DynamoDB Local). */
  sourceEndpoint: 'REPLICATION_SOURCE_ENDPOINT',
  /**
   * The replicated table in the source region (the backlog drainer's: it reads each entry's key
   * there before applying it; the writer learns its table from the stream). Required by the drainer.
   */
  sourceTable: 'REPLICATION_SOURCE_TABLE',
  /** SQS queue URL where records that can never be written are parked. Required. */
  failureQueueUrl: 'REPLICATION_FAILURE_QUEUE_URL',
  /** @default DEFAULT_ATTRIBUTE_NAMES.version */
  versionAttribute: 'REPLICATION_VERSION_ATTRIBUTE',
  /** @default DEFAULT_ATTRIBUTE_NAMES.origin */
  originAttribute: 'REPLICATION_ORIGIN_ATTRIBUTE',
  /** @default DEFAULT_ATTRIBUTE_NAMES.deleted */
  deletedAttribute: 'REPLICATION_DELETED_ATTRIBUTE',
  /** @default DEFAULT_ATTRIBUTE_NAMES.ttl */
  ttlAttribute: 'REPLICATION_TTL_ATTRIBUTE',
  /** @default DEFAULT_ATTRIBUTE_NAMES.writtenFor */
  writtenForAttribute: 'REPLICATION_WRITTEN_FOR_ATTRIBUTE',
  /**
   * The writer's per-key state table in the source region (docs/replication-protocol.md, "Floors
   * across batches"; keys in STATE_TABLE). Required.
   */
  stateTable: 'REPLICATION_STATE_TABLE',
  /** Seconds a tombstone written for a hard delete lives (the drainer: at least half of it after a late landing). @default 604800 (7 days) */
  tombstoneTtlSeconds: 'REPLICATION_TOMBSTONE_TTL_SECONDS',
  /** Keys written at the same time. @default 32 */
  concurrency: 'REPLICATION_CONCURRENCY',
  /** SDK attempts per request (first try included) before a record is reported failed. @default 3 */
  maxAttempts: 'REPLICATION_MAX_ATTEMPTS',
  /** ms to open a connection to any endpoint (targets, source, queue). @default 1000 */
  connectTimeoutMs: 'REPLICATION_CONNECT_TIMEOUT_MS',
  /** ms one request may wait for its answer (per attempt). @default 3000 */
  requestTimeoutMs: 'REPLICATION_REQUEST_TIMEOUT_MS',
  /**
   * Table in the source region holding, per target, the changes that target still needs
   * (docs/replication-protocol.md, "Targets that fail"; keys in BACKLOG_TABLE). Without it a
   * failed target makes its records be retried (the shard waits for it).
   */
  backlogTable: 'REPLICATION_BACKLOG_TABLE',
  /** ms a target that failed gets its copies sent straight to the backlog. @default 30000 */
  targetCooldownMs: 'REPLICATION_TARGET_COOLDOWN_MS',
  /** Kinesis source: ms a key's changes wait for an earlier change that has not arrived. @default 60000 */
  kinesisWaitMs: 'REPLICATION_KINESIS_WAIT_MS',
  /**
   * Largest parked message, in bytes: the failure queue's MaximumMessageSize (SQS accepts
   * 1024..1048576; hashicorp/aws 5.100 lets a queue go up to 262144 only). A larger record is
   * parked without its images, keeping its stream coordinates (re-readable for 24 h).
   * @default 262144
   */
  parkMaxBytes: 'REPLICATION_PARK_MAX_BYTES',
} as const;

/** The redrive's environment (handlers/redrive/index.ts; set by modules/redrive.ts). */
export const REDRIVE_ENV = {
  /** URL of the queue that receives what cannot be redriven. Required. */
  parkedQueueUrl: 'REDRIVE_PARKED_QUEUE_URL',
  /** Invocations of the consumer per record before it is parked. @default 3 */
  maxAttempts: 'REDRIVE_MAX_ATTEMPTS',
  /** Records per consumer invocation (a sync invoke payload is at most 6 MB). @default 100 */
  invokeBatchSize: 'REDRIVE_INVOKE_BATCH_SIZE',
  /** Largest parked message in bytes (the parked queue's maximum message size). @default 262144 */
  parkMaxBytes: 'REDRIVE_PARK_MAX_BYTES',
  /** The consumer mapping's filter patterns, a JSON array of pattern strings. @default none: every record */
  filterPatterns: 'REDRIVE_FILTER_PATTERNS',
  /** Kinesis sources: the consumer's role ARN, which Lambda names in each Kinesis record (invokeIdentityArn). @default empty */
  invokeIdentityArn: 'REDRIVE_INVOKE_IDENTITY_ARN',
} as const;

/** What the consumer toolkit (handlers/consumer.ts) reads; set by modules/stream-consumer.ts. */
export const CONSUMER_TOOLKIT_ENV = {
  /** The DynamoDB stream's view type, so reading an image the stream does not carry is an error naming it. */
  viewType: 'DDB_STREAMS_VIEW_TYPE',
  /** The idempotency table (`idempotency` on a consumer). */
  idempotencyTable: 'DDB_STREAMS_IDEMPOTENCY_TABLE',
  /** Seconds a processed change is remembered. @default DEFAULT_IDEMPOTENCY_TTL_SECONDS */
  idempotencyTtlSeconds: 'DDB_STREAMS_IDEMPOTENCY_TTL_SECONDS',
} as const;

/** Fourteen days: the longest a failure queue keeps a message for the redrive to re-send. */
export const DEFAULT_IDEMPOTENCY_TTL_SECONDS = 14 * 24 * 3600;

/** Replication metadata attribute names where a table does not name its own (`attributeNames`). */
export const DEFAULT_ATTRIBUTE_NAMES: {
  readonly version: string;
  readonly origin: string;
  readonly deleted: string;
  readonly ttl: string;
  readonly writtenFor: string;
} = { version: '_v', origin: '_o', deleted: '_d', ttl: '_ttl', writtenFor: '_w' };

/** What a masked attribute (`maskAttributes`) holds in the regions that mask it: a string. */
export const MASKED_VALUE = '***';

/** The writer's per-key state table (handlers/replicate/key-state.ts): partition key (S) and TTL attribute. */
export const STATE_TABLE = { partitionKey: 'k', expiresAt: 'exp' } as const;

/** The per-target backlog table (handlers/replicate/backlog.ts): partition key (S) = target, sort key (S) = item key hash. */
export const BACKLOG_TABLE = { partitionKey: 't', sortKey: 'k' } as const;

/** CloudWatch namespace of the replica writers' and drainers' metrics. */
export const REPLICATION_METRICS_NAMESPACE = 'DynamoDBReplication';

/** CloudWatch namespace of the redrive's metrics. */
export const REDRIVE_METRICS_NAMESPACE = 'DynamoDBStreamRedrive';

/**
 * Dimensions of the library's metrics. Powertools adds `service` (POWERTOOLS_SERVICE_NAME) to
 * each; per-target figures add SourceRegion and TargetRegion, drainer failures Reason.
 */
export const METRIC_DIMENSIONS = {
  service: 'service',
  sourceRegion: 'SourceRegion',
  targetRegion: 'TargetRegion',
  reason: 'Reason',
} as const;

/**
 * The Reason dimension of the drainer's TargetFailing metric: `transient`, or why a target is
 * blocked (handlers/common/sdk-errors.ts). The construct alarms once per reason.
 */
export const TARGET_FAILURE_REASONS = ['transient', 'access-denied', 'not-found', 'kms', 'validation', 'unknown'] as const;
export type TargetFailureReason = (typeof TARGET_FAILURE_REASONS)[number];

/** The replica writer's metrics (handlers/replicate/tally.ts). */
export const WRITER_METRICS = {
  replicated: 'Replicated',
  stale: 'Stale',
  pending: 'Pending',
  backlogged: 'Backlogged',
  /** ms from a write until it reached a target (per SourceRegion and TargetRegion). */
  lag: 'ReplicationLag',
  echoesSkipped: 'EchoesSkipped',
  selfStamped: 'SelfStamped',
  stampSuperseded: 'StampSuperseded',
  contentCheckOverridden: 'ContentCheckOverridden',
  repaired: 'Repaired',
  reversioned: 'Reversioned',
  statesSaved: 'KeyStatesSaved',
  waiting: 'KeysWaitingForEarlierChange',
  wentAhead: 'KeysWentAheadWithoutEarlierChange',
  ttlSkipped: 'TtlDeletesSkipped',
  parked: 'Parked',
  failedRecords: 'FailedRecords',
} as const;

/** The backlog drainer's metrics (handlers/replicate/drain-backlog.ts), per SourceRegion and TargetRegion. */
export const DRAIN_METRICS = {
  depth: 'BacklogDepth',
  oldestAge: 'BacklogOldestAgeSeconds',
  applied: 'BacklogApplied',
  /** 1 per run in which the target failed, with a Reason dimension. */
  failing: 'TargetFailing',
} as const;

/** The redrive's metrics (handlers/redrive/index.ts), per `service` (the redrive's function name). */
export const REDRIVE_METRICS = {
  rangesRedriven: 'RangesRedriven',
  rangesUnreadable: 'RangesUnreadable',
  objectsRead: 'FailureObjectsRead',
  recordsFiltered: 'RecordsFiltered',
  recordsRetried: 'RecordsRetried',
  recordsSucceeded: 'RecordsSucceeded',
  recordsParked: 'RecordsParked',
  /** Failure-queue messages the redrive could not handle (SQS hands them back). */
  messagesFailed: 'MessagesFailed',
} as const;

/**
 * The library's own Lambda handlers: bundle name (build/handlers/<name>/index.js, what the
 * constructs deploy) -> source entry (what `npm run build` bundles, and what a checkout without a
 * build bundles at synth time).
 */
export const LIBRARY_HANDLER_ENTRIES = {
  replicate: 'handlers/replicate/index.ts',
  redrive: 'handlers/redrive/index.ts',
  'drain-backlog': 'handlers/replicate/drain-backlog.ts',
} as const;

/** Name of one of the library's Lambda handler bundles. */
export type LibraryHandler = keyof typeof LIBRARY_HANDLER_ENTRIES;
