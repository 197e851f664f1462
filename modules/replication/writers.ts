import type { Construct } from 'constructs';
import type { ReplicatedTableProps } from './props';
import type { ReplicaRegion } from './replica-region';
import { ReplicaWriter, WriterTarget } from './writer';
import type { RegionAlarmActions } from './alarm-actions';
import type { ReplicationPlan } from './internal/plan';
import { writerRecordAgeSeconds } from './internal/retention';

/**
 * The writers of a writer-replicated table: per writing region one fan-out writer, or one per
 * target with `writerLayout: 'per-target'`. Each is also listed on the region it reads.
 */
export function createWriters(
  scope: Construct,
  props: ReplicatedTableProps,
  plan: ReplicationPlan,
  regions: ReplicaRegion[],
  actions: RegionAlarmActions | undefined,
): ReplicaWriter[] {
  const byName = new Map(regions.map((r) => [r.region, r]));
  const given = new Map(plan.regions.map((r) => [r.region, r]));
  const writers: ReplicaWriter[] = [];
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
    for (const group of groups) {
      const writer = new ReplicaWriter(scope, group.id, {
        source: {
          region: source.region,
          stream: source.kinesis ?? source.stream,
          tableName: source.tableName,
          tableArn: source.tableArn,
          encryptionKeyArn: source.encryptionKeyArn,
          provider: source.provider,
        },
        targets: group.targets,
        names: plan.names,
        stampedWritesOnly: props.stampedWritesOnly ?? false,
        replicateItemsWhere: props.replicateItemsWhere,
        options: props.writer ?? {},
        maxRecordAgeSeconds: writerRecordAgeSeconds(props),
        serviceName: `${props.tableName}-replication`,
        protection: { deletionProtection: props.deletionProtection, preventDestroy: props.preventDestroy },
        alarms: actions
          ? { actionArns: actions.for(w.source), pipeline: props.alarms?.pipeline, replicationLag: props.alarms?.replicationLag }
          : undefined,
        tags: props.tags,
      });
      writers.push(writer);
      source.writers.push(writer);
    }
  }
  return writers;
}
