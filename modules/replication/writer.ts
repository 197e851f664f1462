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
import { backlogGraphAndAlarm, regionKey, ReplicaBacklog, TableProtection, targetWriteStatements } from './backlog';
import { replicaFilterPatterns } from './internal/filters';
import { IReplicaWriter, LwwNames, ReplicationAlarmProps, ReplicaWriterOptions } from './props';
import { METRIC_DIMENSIONS, REPLICATION_METRICS_NAMESPACE, STATE_TABLE, WRITER_ENV, WRITER_METRICS } from '../../handlers/contract';

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
 * (on-failure destination of the mapping and parking place of records that can never be
 * written), its state table, its per-target backlog with the drainer that applies it, its alarms,
 * and the graphs it contributes to the table's dashboard.
 */
export class ReplicaWriter extends Construct implements IReplicaWriter {
  readonly sourceRegion: string;
  readonly consumer: StreamConsumer;
  readonly failures: FailureDestination;
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
      targets: props.targets,
      // The drainer reads the writer's own variables (handlers/drain-backlog.ts drainConfigFromEnv).
      environment: (backlogTable) => ({
        [WRITER_ENV.sourceRegion]: source.region,
        [WRITER_ENV.targets]: targetsJson,
        [WRITER_ENV.backlogTable]: backlogTable,
        [WRITER_ENV.versionAttribute]: names.version,
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
      // The writer parks what can never be written itself, so a reported failure is transient (a
      // target region down, throttling): keep retrying until the record ages out instead of
      // dropping the batch after a few tries.
      retryAttempts: o.retryAttempts ?? -1,
      maxRecordAgeSeconds: o.maxRecordAgeSeconds,
      startingPosition: o.startingPosition,
      // Dropped and failed-invoke counts of the mapping: the writer's alarms watch them.
      eventCountMetrics: true,
      filters,
      onFailure: this.failures,
      additionalStatements: writerStatements(props, this.stateTable.arn, this.backlog.table.arn),
      tags: o.tags ?? props.tags,
    });
    // Copies into a target that does not exist yet would only fail and retry; wait for the targets.
    const targetTables = props.targets.flatMap((t) => (t.resource ? [dependable(t.resource)] : []));
    if (targetTables.length) this.consumer.mapping.dependsOn = [...(this.consumer.mapping.dependsOn ?? []), ...targetTables];

    const fn = { namespace: 'AWS/Lambda', dimensions: { FunctionName: this.functionName } };
    const queue = { namespace: 'AWS/SQS', dimensions: { QueueName: this.failures.queueName! } };
    const region = source.region;
    this.widgets.push(
      { title: `${region} writer: iterator age (ms)`, region, lines: [{ ...fn, metricName: 'IteratorAge', stat: 'Maximum' }] },
      {
        title: `${region} writer: errors and throttles`,
        region,
        lines: [
          { ...fn, metricName: 'Errors', stat: 'Sum' },
          { ...fn, metricName: 'Throttles', stat: 'Sum' },
        ],
      },
      {
        title: `${region} writer: failure queue`,
        region,
        lines: [{ ...queue, metricName: 'ApproximateNumberOfMessagesVisible', stat: 'Maximum' }],
      },
    );
    if (props.alarms) {
      this.alarms = new PipelineAlarms(this, 'Alarms', {
        functionName: this.functionName,
        failureDestination: this.failures,
        actionArns: props.alarms.actionArns,
        alarms: props.alarms.pipeline,
        dashboard: false,
        eventSourceMappingUuid: this.consumer.mapping.uuid,
        tags: props.tags,
        provider,
      });
    }
    for (const t of props.targets) {
      backlogGraphAndAlarm(this.backlog, this.widgets, this.alarms, {
        serviceName: props.serviceName,
        sourceRegion: region,
        target: t,
        alarmsOn: !!props.alarms,
      });
      const lag = {
        namespace: REPLICATION_METRICS_NAMESPACE,
        metricName: WRITER_METRICS.lag,
        dimensions: lagDimensions(props.serviceName, region, t.region),
      };
      this.widgets.push({
        title: `Lag ${region} -> ${t.region} (ms)`,
        region,
        lines: [
          { ...lag, stat: 'Maximum', label: 'max' },
          { ...lag, stat: 'p99', label: 'p99' },
        ],
        threshold: props.alarms ? { label: 'alarm', value: props.alarms.replicationLag?.threshold ?? 60000 } : undefined,
      });
      this.alarms?.addAlarm(`lag${regionKey(t.region)}`, {
        ...lag,
        threshold: 60000,
        evaluationPeriods: 3,
        datapointsToAlarm: 3,
        ...props.alarms?.replicationLag,
        nameSuffix: `lag-${t.region}`,
        title: `Lag ${region} -> ${t.region} (ms)`,
        description:
          `Writes made in ${region} reach ${t.region} more than the threshold (ms) after they were made, or have not reached it ` +
          `for that long: the writer ${this.functionName} falls behind, ${t.region} is unreachable, or it throttles the writer.`,
      });
    }
  }
}

/** The writer's metric dimensions for one target: what Powertools publishes (service + the handler's own). */
export function lagDimensions(serviceName: string, sourceRegion: string, targetRegion: string): Record<string, string> {
  return {
    [METRIC_DIMENSIONS.service]: serviceName,
    [METRIC_DIMENSIONS.sourceRegion]: sourceRegion,
    [METRIC_DIMENSIONS.targetRegion]: targetRegion,
  };
}

/**
 * Exactly the calls the handler makes (test/handlers/grants-writer.test.ts records them):
 * conditional puts on the targets; versions (UpdateItem) and tombstones or repairs (PutItem) on its
 * own table; reads and rare writes of its state table; keeping copies a target refused in its
 * backlog.
 */
function writerStatements(props: ReplicaWriterProps, stateTableArn: string, backlogArn: string): PolicyStatement[] {
  const statements: PolicyStatement[] = [];
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
