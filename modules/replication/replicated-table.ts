import { dependable, Lazy, TerraformProvider, TerraformStack } from 'cdktf';
import { Construct } from 'constructs';
import { CloudwatchDashboard } from '@cdktf/provider-aws/lib/cloudwatch-dashboard';
import type { DynamodbTable } from '@cdktf/provider-aws/lib/dynamodb-table';
import type { CloudwatchMetricAlarm } from '@cdktf/provider-aws/lib/cloudwatch-metric-alarm';
import { AlarmTopic } from '../alarm-topic';
import { dashboardBody, MetricWidgetSpec } from '../internal/dashboard';
import { validateActions } from '../internal/metric-alarm';
import { physicalName } from '../internal/naming';
import { PropsValidator } from '../internal/validation';
import { TableKinesisStream } from '../kinesis-stream';
import { ModuleStack } from '../module-stack';
import { IDataTable, IStreamSource, StreamTable } from '../stream-table';
import { ReplicaAccessRole } from './access-role';
import { GlobalTableAlarms } from './internal/global-alarms';
import { planReplication } from './internal/plan';
import { applyStrongConsistency, checkGlobalTableConsistency } from './internal/strong-consistency';
import { checkRegionProviders } from './internal/providers';
import type { GlobalTableConsistency, IReplicaWriter, LwwNames, ReplicaRegionProps, ReplicatedTableProps, ReplicationMode } from './props';
import { regionProvider, replicaAttribute, ReplicaStream } from './region';
import { ReplicaWriter, WriterTarget } from './writer';
import { checkKnownProps } from '../internal/known-props';
import { PROP_SHAPES } from '../internal/prop-shapes';

export { MASKED_VALUE } from '../../handlers/contract';

/** One region of a replicated table: the same attributes in every mode. */
export interface ReplicaRegion {
  readonly region: string;
  readonly provider: TerraformProvider;
  /** Physical table name (the same in every region). */
  readonly tableName: string;
  readonly tableArn: string;
  readonly streamArn: string;
  readonly encryptionKeyArn?: string;
  /** The region's stream and items, for your own consumers and grants (its reader count includes the writers). */
  readonly stream: IStreamSource & IDataTable;
  /** The table construct, when this region's table is its own resource (not in global-table mode's replicas). */
  readonly table?: StreamTable;
  /** The Kinesis stream the region's table streams into, where its writer reads (changeSource 'kinesis'). */
  readonly kinesis?: TableKinesisStream;
  /** The writers that read this region's stream. */
  readonly writers: IReplicaWriter[];
  /** Writes made in this region are not replicated. */
  readonly readReplica: boolean;
}

/**
 * A DynamoDB table in several regions kept in sync by last-write-wins replica writers
 * (handlers/replicate.ts), or by DynamoDB global tables with `mode: 'global-table'`.
 *
 * Each writer runs in the region of the stream it reads, holds exactly the permissions it uses,
 * parks what can never be written in its failure queue, and reports lag per target region; one
 * dashboard in the home region shows every region.
 *
 * @example
 * new ReplicatedTable(stack, 'Customers', {
 *   tableName: 'customers',
 *   partitionKey: { name: 'customerId', type: 'S' },
 *   home: { region: 'eu-west-1', provider: ireland },
 *   replicas: [{ region: 'us-east-1', provider: virginia }],
 * });
 */
export class ReplicatedTable extends Construct {
  readonly mode: ReplicationMode;
  /** Names of the replication metadata attributes. */
  readonly names: LwwNames;
  /** Home first, then the replicas in the order given. */
  readonly regions: ReplicaRegion[];
  readonly home: ReplicaRegion;
  /** Every replica writer, in the order of the regions they read. */
  readonly writers: IReplicaWriter[] = [];
  readonly dashboard?: CloudwatchDashboard;
  /** The global table's consistency (global-table mode only). */
  readonly globalTableConsistency?: GlobalTableConsistency;
  /** The witness region of a strongly consistent global table with two replicas. */
  readonly witnessRegion?: string;
  /** The global table resource (global-table mode only). */
  readonly globalTable?: DynamodbTable;
  /** DynamoDB ReplicationLatency alarms per region pair (global-table mode with alarms on; empty otherwise). */
  readonly globalAlarms: CloudwatchMetricAlarm[] = [];
  private readonly widgets: MetricWidgetSpec[] = [];

  constructor(scope: Construct, id: string, props: ReplicatedTableProps) {
    super(scope, id);
    checkKnownProps(this, PROP_SHAPES.ReplicatedTableProps, props);
    const v = new PropsValidator(this);
    const plan = planReplication(v, props);
    checkRegionProviders(v, this, plan.regions, plan.mode);
    const consistency = checkGlobalTableConsistency(v, props);
    const actions = props.alarms?.actionArns ?? {};
    for (const [region, arns] of Object.entries(actions)) {
      validateActions(v, `alarms.actionArns.${region}`, arns);
      const alarmed = plan.mode === 'global-table' ? plan.regions.map((r) => r.region) : plan.writes.map((w) => w.source);
      if (!alarmed.includes(region))
        v.fail(`alarms.actionArns.${region}`, arns, `keyed by a region whose alarms it receives (${alarmed.join(', ')})`);
    }
    v.throwIfInvalid();
    this.mode = plan.mode;
    this.names = plan.names;
    if (plan.mode === 'global-table') {
      this.globalTableConsistency = consistency;
      this.witnessRegion = props.witnessRegion;
    }

    this.regions =
      plan.mode === 'global-table'
        ? this.globalRegions(props, plan.regions)
        : plan.regions.map((r, i) => this.ownRegion(props, r, i === 0 || (plan.mode === 'multi-active' && !r.readReplica)));
    this.home = this.regions[0];
    const byName = new Map(this.regions.map((r) => [r.region, r]));
    const given = new Map(plan.regions.map((r) => [r.region, r]));

    const alarmsOn = props.alarms?.enabled !== false;
    const topics = new Map<string, string[]>();
    const actionsFor = (region: string): string[] => {
      if (actions[region]) return actions[region];
      if (!topics.has(region)) {
        const topic = new AlarmTopic(this, `AlarmTopic-${region}`, {
          topicName: physicalName(this, 240, `-${region}-alarms`),
          tags: props.tags,
          provider: byName.get(region)!.provider,
        });
        topics.set(region, [topic.topicArn]);
      }
      return topics.get(region)!;
    };

    for (const w of plan.writes) {
      const source = byName.get(w.source)!;
      const targets: WriterTarget[] = w.targets.map((t) => {
        const r = byName.get(t)!;
        const g = given.get(t)!;
        return {
          region: t,
          tableName: r.tableName,
          tableArn: r.tableArn,
          encryptionKeyArn: r.encryptionKeyArn,
          roleArn: g.writerRoleArn,
          omit: g.omitAttributes,
          mask: g.maskAttributes,
          resource: r.table?.table,
        };
      });
      const groups =
        plan.layout === 'per-target'
          ? targets.map((t) => ({ id: `Writer-${w.source}-to-${t.region}`, targets: [t] }))
          : [{ id: `Writer-${w.source}`, targets }];
      const changes = plan.changeSource === 'kinesis' ? this.kinesisOf(source, props) : source.stream;
      for (const group of groups) {
        const writer = new ReplicaWriter(this, group.id, {
          source: {
            region: source.region,
            stream: changes,
            tableArn: source.tableArn,
            encryptionKeyArn: source.encryptionKeyArn,
            provider: source.provider,
          },
          targets: group.targets,
          names: this.names,
          stampedWritesOnly: props.stampedWritesOnly ?? false,
          replicateItemsWhere: props.replicateItemsWhere,
          options: props.writer ?? {},
          serviceName: `${props.tableName}-replication`,
          protection: { deletionProtection: props.deletionProtection, preventDestroy: props.preventDestroy },
          alarms: alarmsOn
            ? { actionArns: actionsFor(w.source), pipeline: props.alarms?.pipeline, replicationLag: props.alarms?.replicationLag }
            : undefined,
          tags: props.tags,
        });
        this.writers.push(writer);
        source.writers.push(writer);
        this.widgets.push(...writer.widgets);
      }
    }
    // A strongly consistent global table publishes no ReplicationLatency: a write returns only once another region has it.
    if (plan.mode === 'global-table' && consistency === 'eventual') {
      this.widgets.push(...globalTableWidgets(props.tableName, this.regions, props.alarms?.replicationLag?.threshold));
      if (alarmsOn) {
        const regions = this.regions.map((r) => ({ region: r.region, provider: r.provider, actionArns: actionsFor(r.region) }));
        this.globalAlarms.push(
          ...new GlobalTableAlarms(this, 'GlobalTableAlarms', {
            tableName: props.tableName,
            regions,
            override: props.alarms?.replicationLag,
            tags: props.tags,
          }).alarms,
        );
      }
    }

    // Nothing to graph for a strongly consistent global table: it has no writers and no ReplicationLatency.
    if (props.dashboard !== false && this.widgets.length > 0) {
      this.dashboard = new CloudwatchDashboard(this, 'Dashboard', {
        provider: this.home.provider,
        dashboardName: `${props.tableName}-replication`.replace(/[^0-9A-Za-z_-]+/g, '-').slice(0, 255),
        dashboardBody: Lazy.stringValue({
          produce: () => {
            const alarmArns = [...this.writers.flatMap((w) => Object.values(w.alarms?.alarms ?? {})), ...this.globalAlarms].map(
              (a) => a.arn,
            );
            return JSON.stringify(
              dashboardBody({
                region: this.home.region,
                alarmArns,
                alarmsTitle: `${props.tableName} replication alarms`,
                widgets: this.widgets,
              }),
            );
          },
        }),
      });
    }
  }

  /**
   * The Kinesis stream a writing region's table streams into, created once per region, with
   * microsecond creation times: the writer orders an item's changes by them.
   */
  private kinesisOf(region: ReplicaRegion, props: ReplicatedTableProps): TableKinesisStream {
    if (!region.kinesis) {
      const given = props.kinesisStream;
      const kinesis = new TableKinesisStream(this, `Changes-${region.region}`, {
        table: { tableName: region.tableName },
        stream: { ...given, ...(given?.streamName ? { streamName: `${given.streamName}-${region.region}` } : {}) },
        creationTimePrecision: 'MICROSECOND',
        provider: region.provider,
      });
      // The destination can only be enabled on a table that exists.
      if (region.table) kinesis.destination.dependsOn = [...(kinesis.destination.dependsOn ?? []), dependable(region.table.table)];
      (region as { kinesis?: TableKinesisStream }).kinesis = kinesis;
    }
    return region.kinesis!;
  }

  /** The region named `region`; throws when the table has no such region. */
  region(region: string): ReplicaRegion {
    const r = this.regions.find((x) => x.region === region);
    if (!r) throw new Error(`${this.node.path}: no region ${region} (regions: ${this.regions.map((x) => x.region).join(', ')})`);
    return r;
  }

  /**
   * ARNs of the roles of every writer that writes into `region`, and of each writer's backlog
   * drainer, which writes there too (for a ReplicaAccessRole's trust policy).
   */
  writerRoleArnsInto(region: string): string[] {
    return this.writers
      .filter((w) => w.targetRegions.includes(region))
      .flatMap((w) => [w.consumer.roleArn, ...(w instanceof ReplicaWriter ? [w.backlog.role.arn] : [])]);
  }

  /**
   * Emits, in `scope` (typically the target account's stack), the role that writers of other
   * accounts assume to write into `region`'s table: trusted by exactly the writers that write
   * there, allowed exactly their item writes on that table. Its ARN is that region's `writerRoleArn`.
   */
  accessRole(
    scope: Construct,
    id: string,
    region: string,
    options: { roleName: string; provider?: TerraformProvider; tags?: Record<string, string> },
  ): ReplicaAccessRole {
    const r = this.region(region);
    return new ReplicaAccessRole(scope, id, {
      roleName: options.roleName,
      writerRoleArns: this.writerRoleArnsInto(region),
      tableArn: r.tableArn,
      encryptionKeyArn: r.encryptionKeyArn,
      provider: options.provider ?? r.provider,
      tags: options.tags,
    });
  }

  private ownRegion(props: ReplicatedTableProps, r: ReplicaRegionProps, writes: boolean): ReplicaRegion {
    const table =
      r.table ??
      new StreamTable(this, `Table-${r.region}`, {
        ...tableSettings(props),
        encryptionKeyArn: r.encryptionKeyArn,
        provider: regionProvider(this, r.region, r.provider),
      });
    return {
      region: r.region,
      provider: table.provider!,
      tableName: props.tableName,
      tableArn: table.tableArn,
      streamArn: table.streamArn,
      encryptionKeyArn: table.encryptionKeyArn,
      stream: table,
      table,
      writers: [],
      readReplica: !writes,
    };
  }

  private globalRegions(props: ReplicatedTableProps, regions: ReplicaRegionProps[]): ReplicaRegion[] {
    const [home, ...replicas] = regions;
    const provider = regionProvider(this, home.region, home.provider);
    const strong = props.globalTableConsistency === 'strong';
    const table = new StreamTable(this, `Table-${home.region}`, {
      ...tableSettings(props),
      // A strongly consistent global table cannot have TTL (its timeToLiveAttribute is refused).
      timeToLiveAttribute: strong ? undefined : (props.timeToLiveAttribute ?? '_ttl'),
      encryptionKeyArn: home.encryptionKeyArn,
      provider,
    });
    // The provider's aws_dynamodb_table docs: replica blocks need stream_enabled with
    // NEW_AND_OLD_IMAGES (StreamTable's default, forced here) or every plan shows a diff; never mix
    // them with aws_dynamodb_table_replica.
    table.table.streamEnabled = true;
    table.table.streamViewType = 'NEW_AND_OLD_IMAGES';
    const replicaBlocks = replicas.map((r) => ({
      regionName: r.region,
      kmsKeyArn: r.encryptionKeyArn,
      pointInTimeRecovery: props.pointInTimeRecovery ?? true,
      propagateTags: true,
    }));
    if (strong) {
      const v = new PropsValidator(this);
      const stack = TerraformStack.of(this);
      applyStrongConsistency(
        v,
        table.table,
        replicaBlocks,
        props.witnessRegion,
        stack instanceof ModuleStack ? stack.awsVersionConstraint : undefined,
      );
      v.throwIfInvalid();
    } else table.table.putReplica(replicaBlocks);
    (this as { globalTable?: DynamodbTable }).globalTable = table.table;
    const homeRegion: ReplicaRegion = {
      region: home.region,
      provider,
      tableName: props.tableName,
      tableArn: table.tableArn,
      streamArn: table.streamArn,
      encryptionKeyArn: table.encryptionKeyArn,
      stream: table,
      table,
      writers: [],
      readReplica: false,
    };
    return [
      homeRegion,
      ...replicas.map((r) => {
        const p = regionProvider(this, r.region, r.provider);
        const stream = new ReplicaStream(this, `Replica-${r.region}`, {
          region: r.region,
          tableName: props.tableName,
          tableArn: replicaAttribute(table.table, r.region, 'arn'),
          streamArn: replicaAttribute(table.table, r.region, 'stream_arn'),
          encryptionKeyArn: r.encryptionKeyArn,
          provider: p,
          indexNames: table.indexNames,
        });
        return {
          region: r.region,
          provider: p,
          tableName: props.tableName,
          tableArn: stream.tableArn,
          streamArn: stream.streamArn,
          encryptionKeyArn: r.encryptionKeyArn,
          stream,
          writers: [],
          readReplica: false,
        };
      }),
    ];
  }
}

function tableSettings(props: ReplicatedTableProps) {
  return {
    tableName: props.tableName,
    partitionKey: props.partitionKey,
    sortKey: props.sortKey,
    billingMode: props.billingMode,
    readCapacity: props.readCapacity,
    writeCapacity: props.writeCapacity,
    streamViewType: 'NEW_AND_OLD_IMAGES' as const,
    globalSecondaryIndexes: props.globalSecondaryIndexes,
    timeToLiveAttribute: props.timeToLiveAttribute ?? '_ttl',
    encryption: props.encryption,
    pointInTimeRecovery: props.pointInTimeRecovery,
    deletionProtection: props.deletionProtection,
    preventDestroy: props.preventDestroy,
    tableClass: props.tableClass,
    tags: props.tags,
  };
}

/** DynamoDB's own lag metric of a global table, per receiving region, read in each source region. */
function globalTableWidgets(tableName: string, regions: ReplicaRegion[], threshold = 60000): MetricWidgetSpec[] {
  return regions.map((source) => ({
    title: `Replication latency from ${source.region} (ms)`,
    region: source.region,
    threshold: { label: 'alarm', value: threshold },
    lines: regions
      .filter((r) => r !== source)
      .map((r) => ({
        namespace: 'AWS/DynamoDB',
        metricName: 'ReplicationLatency',
        dimensions: { TableName: tableName, ReceivingRegion: r.region },
        stat: 'Maximum',
        label: r.region,
      })),
  }));
}
