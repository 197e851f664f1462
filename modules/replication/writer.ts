import { dependable, TerraformProvider, TerraformResource } from 'cdktf';
import { DynamodbTable } from '@cdktf/provider-aws/lib/dynamodb-table';
import { Construct } from 'constructs';
import { PipelineAlarms } from '../alarms';
import { FailureDestination } from '../failure-destination';
import type { MetricWidgetSpec } from '../internal/dashboard';
import { libraryHandlerCode } from '../internal/library-handler';
import { physicalName } from '../internal/naming';
import type { PolicyStatement } from '../props/policy';
import { ChangeSource, isKinesisSource, StreamConsumer } from '../stream-consumer';
import { ReplicaBacklog, TableProtection, targetWriteStatements } from './backlog';
import { replicaFilterPatterns } from './internal/filters';
import { writerGraphsAndAlarms } from './writer-alarms';
import { IReplicaWriter, LwwNames, ReplicationAlarmProps, ReplicaWriterOptions } from './props';
import { REPLICATION_METRICS_NAMESPACE, STATE_TABLE, WRITER_ENV } from '../../handlers/contract';

/** One table a writer copies into, as its role and its environment need it. */
export interface WriterTarget {
  readonly region: string;
  /** Physical name (a literal, so the environment is readable and testable). */
  readonly tableName: string;
  readonly tableArn: string;
  readonly encryptionKeyArn?: string;
  readonly roleArn?: string;
  readonly omit?: string[];
  readonly mask?: string[];
  /** The target table resource, when this stack creates it (the mapping waits for it). */
  readonly resource?: TerraformResource;
}

/** The stream a writer reads, with what its self-stamping writes need. */
export interface WriterSource {
  readonly region: string;
  /** The region's DynamoDB stream, or the Kinesis stream its table streams into. */
  readonly stream: ChangeSource;
  /** Physical name of the source table: the writer's liveness alarm watches its writes. */
  readonly tableName: string;
  readonly tableArn: string;
  readonly encryptionKeyArn?: string;
  readonly provider?: TerraformProvider;
}

export interface ReplicaWriterProps {
  readonly source: WriterSource;
  readonly targets: WriterTarget[];
  readonly names: LwwNames;
  readonly stampedWritesOnly: boolean;
  readonly replicateItemsWhere?: Record<string, unknown>;
  readonly options: ReplicaWriterOptions;
  /**
   * The mapping's maximum record age, derived from the source's retention
   * (modules/replication/internal/retention.ts) and checked there when given.
   */
  readonly maxRecordAgeSeconds: number;
  /** Powertools service name: the `service` dimension of every writer metric of this table. */
  readonly serviceName: string;
  /** Alarm settings with this region's actions resolved; undefined = no alarms. */
  readonly alarms?: Omit<ReplicationAlarmProps, 'actionArns' | 'enabled'> & { readonly actionArns: string[] };
  /** The replicated table's own protection, applied to the writer's state and backlog tables. */
  readonly protection?: TableProtection;
  readonly tags?: Record<string, string>;
}

/**
 * One replica writer: the bundled handler as a stream consumer of one region, its failure queue
 * (parking place of records that can never be written), its failed-batch bucket (the mapping's
 * on-failure destination, which receives given-up batches whole), its state table, its per-target
 * backlog with the drainer that applies it, its alarms, and the graphs it contributes to the
 * table's dashboard.
 */
export class ReplicaWriter extends Construct implements IReplicaWriter {
  readonly sourceRegion: string;
  readonly consumer: StreamConsumer;
  readonly failures: FailureDestination;
  /**
   * The mapping's on-failure destination: an S3 bucket into which Lambda writes a given-up batch
   * whole (its records, not only their stream positions), so nothing given up depends on the
   * stream's retention (docs/replication-protocol.md, "What a writer's mapping gives up").
   */
  readonly failedBatches: FailureDestination;
  readonly alarms?: PipelineAlarms;
  readonly functionName: string;
  /**
   * The writer's per-key state in its own region (docs/replication-protocol.md, "Floors across
   * batches"): rarely written, kept two days by TTL.
   */
  readonly stateTable: DynamodbTable;
  /** The per-target backlog and its drainer (docs/replication-protocol.md, "Targets that fail"). */
  readonly backlog: ReplicaBacklog;
  /** Regions this writer copies into. */
  readonly targetRegions: string[];
  /** The function's environment, exactly as synthesized (queue URL as a reference). */
  readonly environment: Record<string, string>;
  readonly widgets: MetricWidgetSpec[] = [];

  constructor(scope: Construct, id: string, props: ReplicaWriterProps) {
    super(scope, id);
    const { source, names, options: o } = props;
    const provider = source.provider;
    this.functionName = physicalName(this, 64);
    this.sourceRegion = source.region;
    this.targetRegions = props.targets.map((t) => t.region);
    this.failures = new FailureDestination(this, 'Failures', { provider, tags: props.tags });
    this.failedBatches = new FailureDestination(this, 'FailedBatches', { kind: 's3', provider, tags: props.tags });
    const stateTableName = physicalName(this, 255, '-state');
    this.stateTable = new DynamodbTable(this, 'State', {
      provider,
      name: stateTableName,
      billingMode: 'PAY_PER_REQUEST',
      hashKey: STATE_TABLE.partitionKey,
      attribute: [{ name: STATE_TABLE.partitionKey, type: 'S' }],
      ttl: { enabled: true, attributeName: STATE_TABLE.expiresAt },
      serverSideEncryption: { enabled: true },
      // Floors lost to a mistaken delete would let an older copy overwrite a newer one.
      pointInTimeRecovery: { enabled: true },
      deletionProtectionEnabled: props.protection?.deletionProtection ?? true,
      tags: props.tags,
    });
    const targets = props.targets.map((t) => ({
      region: t.region,
      table: t.tableName,
      ...(t.roleArn ? { roleArn: t.roleArn } : {}),
      ...(t.omit?.length ? { omit: t.omit } : {}),
      ...(t.mask?.length ? { mask: t.mask } : {}),
    }));
    const targetsJson = JSON.stringify(targets);
    this.backlog = new ReplicaBacklog(this, 'Backlog', {
      provider,
      encryptionKeyArn: source.encryptionKeyArn,
      sourceTableArn: source.tableArn,
      targets: props.targets,
      // The drainer reads the writer's own variables (handlers/replicate/drain-backlog.ts drainConfigFromEnv).
      drainer: o.drainer,
      environment: (backlogTable) => ({
        [WRITER_ENV.sourceRegion]: source.region,
        [WRITER_ENV.sourceTable]: source.tableName,
        [WRITER_ENV.targets]: targetsJson,
        [WRITER_ENV.backlogTable]: backlogTable,
        [WRITER_ENV.versionAttribute]: names.version,
        // A tombstone applied late gets a fresh lifetime: the drainer reads and sets the same attributes.
        [WRITER_ENV.deletedAttribute]: names.deleted,
        [WRITER_ENV.ttlAttribute]: names.ttl,
        ...(o.tombstoneTtlSeconds !== undefined ? { [WRITER_ENV.tombstoneTtlSeconds]: String(o.tombstoneTtlSeconds) } : {}),
        POWERTOOLS_SERVICE_NAME: props.serviceName,
        POWERTOOLS_METRICS_NAMESPACE: REPLICATION_METRICS_NAMESPACE,
      }),
      logRetentionDays: o.logRetentionDays,
      architecture: o.architecture,
      protection: props.protection,
      tags: o.tags ?? props.tags,
    });
    this.environment = {
      [WRITER_ENV.sourceRegion]: source.region,
      [WRITER_ENV.targets]: targetsJson,
      [WRITER_ENV.failureQueueUrl]: this.failures.queueUrl!,
      [WRITER_ENV.versionAttribute]: names.version,
      [WRITER_ENV.originAttribute]: names.origin,
      [WRITER_ENV.deletedAttribute]: names.deleted,
      [WRITER_ENV.ttlAttribute]: names.ttl,
      [WRITER_ENV.writtenForAttribute]: names.writtenFor,
      // A literal, like the target names, so the environment is readable and testable.
      [WRITER_ENV.stateTable]: stateTableName,
      [WRITER_ENV.backlogTable]: this.backlog.tableName,
      ...(o.tombstoneTtlSeconds !== undefined ? { [WRITER_ENV.tombstoneTtlSeconds]: String(o.tombstoneTtlSeconds) } : {}),
      ...(o.concurrency !== undefined ? { [WRITER_ENV.concurrency]: String(o.concurrency) } : {}),
      POWERTOOLS_SERVICE_NAME: props.serviceName,
      POWERTOOLS_METRICS_NAMESPACE: REPLICATION_METRICS_NAMESPACE,
    };
    const patterns = replicaFilterPatterns({
      sourceRegion: source.region,
      names,
      stampedWritesOnly: props.stampedWritesOnly,
      replicateItemsWhere: props.replicateItemsWhere,
    });
    // A Kinesis record's change is its `data` (JSON), the only key Kinesis mappings filter on.
    const filters = isKinesisSource(source.stream) ? patterns.map((p) => ({ data: p })) : patterns;

    this.consumer = new StreamConsumer(this, 'Consumer', {
      source: source.stream,
      code: o.code ?? libraryHandlerCode('replicate'),
      provider,
      functionName: this.functionName,
      roleName: physicalName(this, 64, '-role'),
      description:
        `Replicates ${source.region} writes of ${targets[0]?.table} to ` +
        `${props.targets.map((t) => t.region).join(', ')} (last write wins)`,
      environment: this.environment,
      memorySize: o.memorySize,
      timeoutSeconds: o.timeoutSeconds,
      reservedConcurrency: o.reservedConcurrency,
      logRetentionDays: o.logRetentionDays,
      applicationLogLevel: o.applicationLogLevel,
      architecture: o.architecture,
      tracing: o.tracing,
      batchSize: o.batchSize,
      maxBatchingWindowSeconds: o.maxBatchingWindowSeconds,
      parallelizationFactor: o.parallelizationFactor,
      // A failing target's copies go to its backlog and what can never be written is parked, so a
      // reported failure is the writer's own region failing it (or a crash): keep retrying while
      // that lasts, bounded by the record age derived from the source's retention.
      retryAttempts: o.retryAttempts ?? -1,
      maxRecordAgeSeconds: props.maxRecordAgeSeconds,
      startingPosition: o.startingPosition,
      // Dropped and failed-invoke counts of the mapping: the writer's alarms watch them.
      eventCountMetrics: true,
      filters,
      onFailure: this.failedBatches,
      additionalStatements: writerStatements(props, this.stateTable.arn, this.backlog.table.arn, this.failures),
      tags: o.tags ?? props.tags,
    });
    // Copies into a target that does not exist yet would only fail and retry; wait for the targets.
    const targetTables = props.targets.flatMap((t) => (t.resource ? [dependable(t.resource)] : []));
    if (targetTables.length) this.consumer.mapping.dependsOn = [...(this.consumer.mapping.dependsOn ?? []), ...targetTables];

    // The handler parks records in the failure queue with this role: only it may send there.
    this.failures.addSender(this.consumer.roleArn);
    const graphs = writerGraphsAndAlarms(this, {
      functionName: this.functionName,
      serviceName: props.serviceName,
      sourceRegion: source.region,
      sourceTableName: source.tableName,
      kinesisStreamName: isKinesisSource(source.stream) ? source.stream.streamName : undefined,
      mappingUuid: this.consumer.mapping.uuid,
      failures: this.failures,
      failedBatches: this.failedBatches,
      backlog: this.backlog,
      targets: props.targets,
      alarms: props.alarms,
      tags: props.tags,
      provider,
    });
    this.alarms = graphs.alarms;
    this.widgets.push(...graphs.widgets);
  }
}

/** The writer's metric dimensions for one target: what Powertools publishes (service + the handler's own). */
export function lagDimensions(serviceName: string, sourceRegion: string, targetRegion: string): Record<string, string> {
  return { service: serviceName, SourceRegion: sourceRegion, TargetRegion: targetRegion };
}

/**
 * Exactly the calls the handler makes (test/handlers/grants-writer.test.ts records them):
 * parking in its failure queue; conditional puts on the targets; versions (UpdateItem) and tombstones or repairs (PutItem) on its
 * own table; reads and rare writes of its state table; keeping copies a target refused in its
 * backlog.
 */
function writerStatements(
  props: ReplicaWriterProps,
  stateTableArn: string,
  backlogArn: string,
  parking: FailureDestination,
): PolicyStatement[] {
  const statements: PolicyStatement[] = [];
  // Records that can never be written are parked in the failure queue (handlers/replicate/park.ts).
  statements.push({ sid: 'ParkRecords', actions: ['sqs:SendMessage'], resources: [parking.queueArn!] });
  statements.push(...targetWriteStatements(props.targets));
  // Even with stamped writes only: a helper write stamped by a clock behind the version it
  // replaced sorts lower, and the writer must version it again in place or the regions diverge.
  statements.push({ sid: 'SettleInPlace', actions: ['dynamodb:PutItem', 'dynamodb:UpdateItem'], resources: [props.source.tableArn] });
  statements.push({ sid: 'KeyState', actions: ['dynamodb:BatchGetItem', 'dynamodb:PutItem'], resources: [stateTableArn] });
  // A failed target's copy is kept with a conditional update (last write wins within the backlog).
  statements.push({ sid: 'KeepBacklog', actions: ['dynamodb:UpdateItem'], resources: [backlogArn] });
  if (props.source.encryptionKeyArn)
    // The backlog shares the source table's key; its conditional updates read what they replace.
    statements.push({
      sid: 'EncryptSource',
      actions: ['kms:Decrypt', 'kms:Encrypt', 'kms:GenerateDataKey'],
      resources: [props.source.encryptionKeyArn],
    });
  return statements;
}
