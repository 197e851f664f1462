import type { TerraformProvider } from 'cdktf';
import { Construct } from 'constructs';
import type { CloudwatchDashboard } from '@cdktf/provider-aws/lib/cloudwatch-dashboard';
import type { DynamodbTable } from '@cdktf/provider-aws/lib/dynamodb-table';
import type { CloudwatchMetricAlarm } from '@cdktf/provider-aws/lib/cloudwatch-metric-alarm';
import type { MetricWidgetSpec } from '../internal/dashboard';
import { validateActions } from '../internal/metric-alarm';
import { PropsValidator } from '../internal/validation';
import { ReplicaAccessRole } from './access-role';
import { RegionAlarmActions } from './alarm-actions';
import { globalTableWidgets, replicationDashboard } from './internal/dashboard';
import { GlobalTableAlarms } from './internal/global-alarms';
import { planReplication } from './internal/plan';
import { globalTableRegions, writerRegions } from './replica-regions';
import { checkGlobalTableConsistency } from './internal/strong-consistency';
import { checkRegionProviders } from './internal/providers';
import { createWriters } from './writers';
import type { GlobalTableConsistency, IReplicaWriter, LwwNames, ReplicatedTableProps, ReplicationMode } from './props';
import type { ReplicaRegion } from './replica-region';
import { ReplicaWriter } from './writer';
import { checkKnownProps } from '../internal/known-props';
import { PROP_SHAPES } from '../internal/prop-shapes';

export type { ReplicaRegion } from './replica-region';

export { MASKED_VALUE } from '../../handlers/contract';

/**
 * A DynamoDB table in several regions kept in sync by last-write-wins replica writers
 * (handlers/replicate/index.ts), or by DynamoDB global tables with `mode: 'global-table'`.
 *
 * Each writer runs in the region of the stream it reads, holds exactly the permissions it uses,
 * keeps what a failing target still needs in its backlog, and reports lag per target region; one
 * dashboard in the home region shows every region.
 */
export class ReplicatedTable extends Construct {
  /** How the regions replicate: the props' `mode`, `multi-active` when unset. */
  readonly mode: ReplicationMode;
  /** Names of the replication metadata attributes. */
  readonly names: LwwNames;
  /** Home first, then the replicas in the order given. */
  readonly regions: ReplicaRegion[];
  /** The home region (`regions[0]`): the source in one-way mode, and where the dashboard lives. */
  readonly home: ReplicaRegion;
  /** Every replica writer, in the order of the regions they read. */
  readonly writers: IReplicaWriter[];
  /**
   * The CloudWatch dashboard in the home region with every region's graphs; absent with
   * `dashboard: false` and for a strongly consistent global table (it has nothing to graph).
   */
  readonly dashboard?: CloudwatchDashboard;
  /** The global table's consistency (global-table mode only). */
  readonly globalTableConsistency?: GlobalTableConsistency;
  /** The witness region of a strongly consistent global table with two replicas. */
  readonly witnessRegion?: string;
  /** The global table resource (global-table mode only). */
  readonly globalTable?: DynamodbTable;
  /** DynamoDB ReplicationLatency alarms per region pair (global-table mode with alarms on; empty otherwise). */
  readonly globalAlarms: CloudwatchMetricAlarm[] = [];

  constructor(scope: Construct, id: string, props: ReplicatedTableProps) {
    super(scope, id);
    checkKnownProps(this, PROP_SHAPES.ReplicatedTableProps, props);
    const v = new PropsValidator(this);
    const plan = planReplication(v, props);
    checkRegionProviders(v, this, plan.regions, plan.mode);
    const consistency = checkGlobalTableConsistency(v, props);
    const given = props.alarms?.actionArns ?? {};
    for (const [region, arns] of Object.entries(given)) {
      validateActions(v, `alarms.actionArns.${region}`, arns);
      const alarmed = plan.mode === 'global-table' ? plan.regions.map((r) => r.region) : plan.writes.map((w) => w.source);
      if (!alarmed.includes(region))
        v.fail(`alarms.actionArns.${region}`, arns, `keyed by a region whose alarms it receives (${alarmed.join(', ')})`);
    }
    v.throwIfInvalid();
    this.mode = plan.mode;
    this.names = plan.names;
    const widgets: MetricWidgetSpec[] = [];

    if (plan.mode === 'global-table') {
      this.globalTableConsistency = consistency;
      this.witnessRegion = props.witnessRegion;
      const global = globalTableRegions(this, props, plan.regions);
      this.regions = global.regions;
      this.globalTable = global.globalTable;
    } else {
      this.regions = writerRegions(this, props, plan);
    }
    this.home = this.regions[0];
    const actions = props.alarms?.enabled !== false ? new RegionAlarmActions(this, given, this.regions, props.tags) : undefined;
    const writers = createWriters(this, props, plan, this.regions, actions);
    this.writers = writers;
    for (const w of writers) widgets.push(...w.widgets);

    // A strongly consistent global table publishes no ReplicationLatency: a write returns only once another region has it.
    if (plan.mode === 'global-table' && consistency === 'eventual') {
      widgets.push(...globalTableWidgets(props.tableName, this.regions, props.alarms?.replicationLag?.threshold));
      if (actions) {
        const regions = this.regions.map((r) => ({ region: r.region, provider: r.provider, actionArns: actions.for(r.region) }));
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
    if (props.dashboard !== false && widgets.length > 0)
      this.dashboard = replicationDashboard(this, {
        tableName: props.tableName,
        home: this.home,
        widgets,
        writers: this.writers,
        globalAlarms: this.globalAlarms,
      });
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
}
