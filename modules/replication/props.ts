import type { KinesisStreamOptions } from '../props/kinesis';
import type { IConstruct } from 'constructs';
import type { TerraformProvider } from 'cdktf';
import type { AlarmOverride, PipelineAlarms } from '../alarms';
import type { FailureDestination } from '../failure-destination';
import type { PipelineAlarmKey } from '../props/alarm-settings';
import type { StreamEventSourceOptions } from '../props/event-source';
import type { FunctionOptions, LambdaCode } from '../props/function';
import type { GlobalSecondaryIndexProps, KeyAttribute } from '../props/table-schema';
import type { StreamConsumer } from '../stream-consumer';
import type { BillingMode, StreamTable, TableClass, TableEncryption } from '../stream-table';

export { REPLICATION_METRICS_NAMESPACE } from '../../handlers/contract';

/**
 * One replica writer of a ReplicatedTable: the bundled handler reading one region's stream as a
 * StreamConsumer, the failure queue its mapping reports to (and where it parks records that can
 * never be written), and its alarms. Writers are created by ReplicatedTable, never directly.
 */
export interface IReplicaWriter extends IConstruct {
  /** Region whose stream the writer reads (and where it runs). */
  readonly sourceRegion: string;
  /** Regions the writer copies into. */
  readonly targetRegions: string[];
  /** Physical name of the writer's function. */
  readonly functionName: string;
  /** The function, its role, log group and event source mapping. */
  readonly consumer: StreamConsumer;
  /** The failure queue: where the writer parks records that can never be written. */
  readonly failures: FailureDestination;
  /** The mapping's on-failure destination: an S3 bucket that receives given-up batches whole. */
  readonly failedBatches: FailureDestination;
  /**
   * The writer's alarms (pipeline alarms with liveness, parked records, and per target region a
   * lag, a backlog and a target-failing alarm per reason kind), unless alarms are off.
   */
  readonly alarms?: PipelineAlarms;
}

/**
 * - `multi-active`: every region accepts writes; each region's writer copies to every other region.
 * - `one-way`: only the home region accepts writes; replicas are read replicas.
 * - `global-table`: the managed service (DynamoDB global tables, `replica` blocks) instead of writers.
 */
export type ReplicationMode = 'multi-active' | 'one-way' | 'global-table';

/**
 * Consistency of a global table (`mode: 'global-table'`), fixed when the table is created:
 * - `eventual` (MREC): every replica accepts writes on its own and replicates them within about a
 *   second, last writer wins; a region that is cut off keeps working and catches up when it returns.
 * - `strong` (MRSC): a write returns once it is stored in a second region, and a strongly
 *   consistent read in any region sees it (recovery point objective zero); a region cut off from
 *   the others stops taking writes and strongly consistent reads. Needs exactly three regions of
 *   one region set, or two and a `witnessRegion`, and hashicorp/aws >= 6.3.0 (>= 6.22.0 with a
 *   witness) through its provider binding: docs/replication-modes.md, docs/limits.md.
 */
export type GlobalTableConsistency = 'eventual' | 'strong';

/**
 * - `fan-out`: one writer per stream writes to every target (one of the stream's 2 readers).
 * - `per-target`: one writer per (stream, target) pair, so a slow region delays only its own copy;
 *   refused when a stream would get more than 2 readers.
 */
export type WriterLayout = 'fan-out' | 'per-target';

/** Where a replica writer reads its region's changes. */
export type ReplicationChangeSource = 'dynamodb-stream' | 'kinesis';

/** Names of the last-write-wins metadata attributes (handlers/lww.ts, docs/replication-protocol.md). */
export interface LwwNames {
  /** The version (LWW order). @default '_v' */
  readonly version: string;
  /** The region the version was made in. @default '_o' */
  readonly origin: string;
  /** The tombstone marker. @default '_d' */
  readonly deleted: string;
  /** The tombstone expiry: the table's TTL attribute. @default '_ttl' */
  readonly ttl: string;
  /** On an item a writer wrote itself (a tombstone for a hard delete, a repaired write): the stream record it stands for. @default '_w' */
  readonly writtenFor: string;
}

/** One region of a replicated table. */
export interface ReplicaRegionProps {
  /** AWS region name, such as `eu-west-1`. Each region appears once. */
  readonly region: string;
  /**
   * aws provider configured for this region (and account). @default an aliased provider created
   * once per stack and region: alias `<region with _>`, e.g. `aws.eu_west_1`
   */
  readonly provider?: TerraformProvider;
  /**
   * An existing StreamTable in this region to use instead of creating one; its keys must equal the
   * replicated table's and its stream must carry NEW_AND_OLD_IMAGES. Not with `global-table`.
   * @default a table created here from the replicated table's settings
   */
  readonly table?: StreamTable;
  /** Customer-managed KMS key of this region's table; required when `encryption` is CUSTOMER_MANAGED. @default none */
  readonly encryptionKeyArn?: string;
  /**
   * No writer reads this region's stream, so writes made here stay here (and both stream readers
   * stay free for the user). Regions with `omitAttributes`/`maskAttributes` must be read replicas:
   * their items are incomplete, and copying them back would erase the real values elsewhere.
   * @default false in multi-active mode; every replica region is one in one-way mode
   */
  readonly readReplica?: boolean;
  /**
   * Attributes left out of items written into this region (data residency). Key attributes and
   * the replication metadata can never be left out. @default none
   */
  readonly omitAttributes?: string[];
  /**
   * Attributes whose value is replaced by the string `"***"` in items written into this region
   * (PII). Key attributes, index keys and the replication metadata cannot be masked. @default none
   */
  readonly maskAttributes?: string[];
  /**
   * Role in the account of this region's table that writers assume to write into it (cross-account
   * replication; see ReplicaAccessRole for the role itself). The writers' roles then get only
   * sts:AssumeRole on it, no direct table permissions. @default none: writers write with their own role
   */
  readonly writerRoleArn?: string;
}

/**
 * The backlog drainer of each writer (modules/replication/backlog.ts): the function a schedule
 * runs to apply the copies that failing targets still need, and that publishes why a target fails.
 */
export interface BacklogDrainerOptions {
  /**
   * Minutes between runs, 1..3: how soon a recovered target gets its copies, and how soon a
   * failing target's alarm names it (its period). At most 3 so that alarm fires within 5 minutes.
   * @default 1
   */
  readonly intervalMinutes?: number;
  /** Function timeout in seconds, 10..(intervalMinutes x 60): a run ends before the next starts. @default 60 */
  readonly timeoutSeconds?: number;
  /** Function memory in MB, 128..10240. @default 256 */
  readonly memorySize?: number;
  /**
   * Reserved concurrency, 1..1000: guarantees the drainer can run when the account's concurrency
   * is exhausted (accounts with the default concurrency limit cannot reserve any).
   * @default none reserved
   */
  readonly reservedConcurrency?: number;
}

/** Settings of every replica writer (function and mapping). */
export interface ReplicaWriterOptions
  extends Pick<
      FunctionOptions,
      | 'memorySize'
      | 'timeoutSeconds'
      | 'reservedConcurrency'
      | 'logRetentionDays'
      | 'applicationLogLevel'
      | 'architecture'
      | 'tracing'
      | 'tags'
    >,
    Pick<StreamEventSourceOptions, 'batchSize' | 'maxBatchingWindowSeconds' | 'parallelizationFactor' | 'startingPosition'> {
  /**
   * The writer's code. @default the library's bundled replica writer (build/handlers/replicate),
   * or handlers/replicate/index.ts bundled at synth time in a source checkout without a build
   */
  readonly code?: LambdaCode;
  /** Keys written in parallel per invocation, >= 1. @default 32 */
  readonly concurrency?: number;
  /**
   * Seconds a tombstone written for a hard delete lives before TTL removes it, >= 86400; a tombstone
   * the backlog drainer applies late lives at least half of it after landing. Keep it above twice the
   * longest time two regions may both be cut off (docs/replication-protocol.md, Limits of "Targets
   * that fail"). @default 604800 (7 days)
   */
  readonly tombstoneTtlSeconds?: number;
  /**
   * Seconds after which the mapping gives up on a record its writer keeps failing (its own region
   * failing it, or a crash) and sends the whole batch to the writer's S3 bucket: 60..(the source's
   * retention less one hour), not -1, so the records queued behind it are read before the stream
   * trims them (docs/replication-protocol.md, "What a writer's mapping gives up").
   * @default half the source's retention: 43200 (12 h) on a DynamoDB stream, retentionHours x 1800 on Kinesis (at most 604800)
   */
  readonly maxRecordAgeSeconds?: number;
  /**
   * Retries of a failing batch before it is given up, -1 (until maxRecordAgeSeconds) or 0..10000.
   * A given-up batch is kept whole in S3, so fewer retries lose nothing, but a short outage of the
   * writer's own region then needs its keys backfilled.
   * @default -1
   */
  readonly retryAttempts?: number;
  /** The backlog drainer's schedule and function settings. @default see BacklogDrainerOptions */
  readonly drainer?: BacklogDrainerOptions;
}

/** Alarms of the writers; each writer gets its pipeline alarms plus a lag and a backlog alarm per target region. */
export interface ReplicationAlarmProps {
  /** false creates no alarms (the dashboard still shows every region). @default true */
  readonly enabled?: boolean;
  /**
   * Alarm actions per region (an alarm notifies topics of its own region), at most 5 ARNs each.
   * @default one encrypted SNS topic per writer region
   */
  readonly actionArns?: Record<string, string[]>;
  /** Overrides of the pipeline alarms of every writer (see PipelineAlarmsProps.alarms). @default none */
  readonly pipeline?: Partial<Record<PipelineAlarmKey, AlarmOverride>>;
  /**
   * Replication lag alarm per (writer, target region): Maximum of the writer's ReplicationLag
   * metric over 3 of 3 one-minute periods. The metric is, for each write an invocation handles,
   * the ms from its version time to its copy, or, while the copy is retried, its age so far. A
   * target that fails gets its copies kept in the writer's backlog instead of retried: the backlog
   * alarm per target (BacklogOldestAgeSeconds > 300 s) watches that.
   * @default { threshold: 60000 }
   */
  readonly replicationLag?: AlarmOverride;
}

/** The table's key schema, its regions and how they replicate (ReplicatedTable). */
export interface ReplicatedTableProps {
  /** Physical name of the table in every region, 3..255 characters of [a-zA-Z0-9_.-]. */
  readonly tableName: string;
  /** Partition key of the table in every region (replicas must share the key schema). */
  readonly partitionKey: KeyAttribute;
  /** Sort key of the table in every region. @default none */
  readonly sortKey?: KeyAttribute;
  /** The region whose table is the source in one-way mode and owns the dashboard. */
  readonly home: ReplicaRegionProps;
  /** The other regions, at least one. */
  readonly replicas: ReplicaRegionProps[];
  /**
   * `multi-active`: every region is written and replicated to every other, last write wins;
   * `one-way`: the home region replicates to read replicas; `global-table`: a DynamoDB global
   * table (replica blocks) instead of replica writers, with the same outputs.
   * @default 'multi-active'
   */
  readonly mode?: ReplicationMode;
  /**
   * Consistency of the global table, with `mode: 'global-table'` (it cannot change once the table
   * exists). `strong` needs exactly three regions of one region set (US: us-east-1, us-east-2,
   * us-west-2; EU: eu-west-1, eu-west-2, eu-west-3, eu-central-1; AP: ap-northeast-1,
   * ap-northeast-2, ap-northeast-3), or two and a `witnessRegion`; no TTL attribute (MRSC has no
   * TTL); a provider binding of hashicorp/aws >= 6.3.0 (synth fails on the 5.x bindings, which
   * lack `replica.consistency_mode`).
   * @default 'eventual'
   */
  readonly globalTableConsistency?: GlobalTableConsistency;
  /**
   * With `globalTableConsistency: 'strong'` and two regions: the region of the table's witness,
   * which stores the replicated data for the quorum but serves no reads or writes (no table, stream
   * or provider there). In the region set of the other two; needs hashicorp/aws >= 6.22.0.
   * @default none: three full replicas
   */
  readonly witnessRegion?: string;
  /**
   * `fan-out`: one writer per stream writes every target (one mapping per stream, leaving a reader
   * free for your consumer); `per-target`: one writer per target region (refused when a stream
   * would get more than 2 readers).
   * @default 'fan-out'
   */
  readonly writerLayout?: WriterLayout;
  /**
   * Where each writing region's writer reads the table's changes: its DynamoDB stream (one of the
   * stream's two readers), or a Kinesis data stream the table streams into (Kinesis Data Streams
   * for DynamoDB, created per writing region with microsecond creation times: many readers,
   * retention up to a year, replay; its changes may arrive out of order and more than once, which
   * the writer puts back in order, docs/replication-protocol.md). Not with `global-table`.
   * @default 'dynamodb-stream'
   */
  readonly changeSource?: ReplicationChangeSource;
  /**
   * Settings of each writing region's Kinesis stream, with `changeSource: 'kinesis'` (a stream
   * name, if given, is suffixed with the region).
   * @default on-demand, KMS with the AWS-managed key, 24 hours of retention, prevent_destroy
   */
  readonly kinesisStream?: KinesisStreamOptions;
  /**
   * Every application writes through handlers/client.ts (stamped versions, tombstone deletes), so
   * the mappings' filter criteria can drop echoes (and unstamped writes) before invocation.
   * @default false: the writers stamp unstamped writes themselves
   */
  readonly stampedWritesOnly?: boolean;
  /**
   * Only items whose new image matches this Lambda filter pattern replicate, e.g.
   * `{ tier: { S: ['gold'] } }` (deletes always replicate). An item that stops matching keeps its
   * last replicated state in the targets. Not with `global-table`. @default every item
   */
  readonly replicateItemsWhere?: Record<string, unknown>;
  /**
   * Names of the replication metadata attributes.
   * @default { version: '_v', origin: '_o', deleted: '_d', writtenFor: '_w', ttl: the table's TTL attribute }
   */
  readonly attributeNames?: Partial<Omit<LwwNames, 'ttl'>>;
  /**
   * TTL attribute of every table. Tombstones carry their expiry in it, so it is always on, except
   * on a strongly consistent global table, which cannot have TTL (it must stay unset there).
   * @default '_ttl' ('none' with globalTableConsistency 'strong')
   */
  readonly timeToLiveAttribute?: string;
  /** Capacity mode of every table. @default 'PAY_PER_REQUEST' */
  readonly billingMode?: BillingMode;
  /** With PROVISIONED, in every region. @default none */
  readonly readCapacity?: number;
  /** With PROVISIONED, in every region (the writers add the replicated writes). @default none */
  readonly writeCapacity?: number;
  /** Global secondary indexes, the same in every region. @default none */
  readonly globalSecondaryIndexes?: GlobalSecondaryIndexProps[];
  /** Encryption of every table; CUSTOMER_MANAGED needs each region's encryptionKeyArn. @default 'AWS_MANAGED' */
  readonly encryption?: TableEncryption;
  /** Point-in-time recovery of every table (switch off for DynamoDB Local, which lacks it). @default true */
  readonly pointInTimeRecovery?: boolean;
  /** Deletion protection of every table (global-table replicas: not settable in hashicorp/aws 5.100). @default true */
  readonly deletionProtection?: boolean;
  /** Terraform `prevent_destroy` on every table. @default true */
  readonly preventDestroy?: boolean;
  /** Table class of every table. @default 'STANDARD' */
  readonly tableClass?: TableClass;
  /** Tags for every resource. @default none */
  readonly tags?: Record<string, string>;
  /** Replica writer settings. @default see ReplicaWriterOptions */
  readonly writer?: ReplicaWriterOptions;
  /**
   * Alarms per writer and per region pair (iterator age, errors, throttles, failure queue, replication lag).
   * @default see ReplicationAlarmProps
   */
  readonly alarms?: ReplicationAlarmProps;
  /**
   * One CloudWatch dashboard (in the home region) with every region's graphs. A strongly
   * consistent global table gets none: it has no writers and no ReplicationLatency metric.
   * @default true
   */
  readonly dashboard?: boolean;
}
