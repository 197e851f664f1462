/**
 * Which tables a synthesized stack replicates, read from what it deploys: each mapping whose
 * function is a replica writer (its environment names replication targets, modules/internal/
 * replica-writer.ts WRITER_ENV) makes its table's region a writable region of that table, and
 * each target a region the writes reach, with the attributes the target leaves out or masks. A
 * region that no writer reads from (a read replica) is only ever a target.
 */
import { WRITER_ENV } from '../../handlers/contract';
import type { LocalDeployment } from '../synthesized/deployment';

export interface RegionTarget {
  readonly omit: string[];
  readonly mask: string[];
}

export interface ReplicatedTablePlan {
  readonly table: string;
  readonly partitionKey: string;
  readonly sortKey?: string;
  /** Declared attributes (table and index keys) and their types: S, N or B. */
  readonly attributes: Record<string, string>;
  /** Regions with a writer: applications may write there. */
  readonly writable: string[];
  /** Regions only written by writers, with what each leaves out or masks. */
  readonly readOnly: Record<string, RegionTarget>;
  /** The attribute names the writers are configured with (the write helper's defaults otherwise). */
  readonly names: Partial<Record<'version' | 'origin' | 'deleted' | 'ttl' | 'writtenFor', string>>;
  /** Per writable region, the writer's backlog table there (what its targets still need), when it has one. */
  readonly backlogs: Record<string, string>;
}

export function replicationPlan(deployment: LocalDeployment): ReplicatedTablePlan[] {
  const byTable = new Map<
    string,
    {
      writable: Set<string>;
      targets: Map<string, RegionTarget>;
      names: ReplicatedTablePlan['names'];
      resource: Record<string, any>;
      backlogs: Record<string, string>;
    }
  >();
  for (const m of deployment.mappings) {
    const env = m.function.definition.environment;
    if (!env[WRITER_ENV.targets]) continue;
    const plan = byTable.get(m.table.name) ?? {
      writable: new Set<string>(),
      targets: new Map<string, RegionTarget>(),
      names: namesOf(env),
      resource: m.table.resource,
      backlogs: {},
    };
    byTable.set(m.table.name, plan);
    plan.writable.add(m.table.region);
    if (env[WRITER_ENV.backlogTable]) plan.backlogs[m.table.region] = env[WRITER_ENV.backlogTable];
    for (const t of JSON.parse(env[WRITER_ENV.targets]) as { region: string; table: string; omit?: string[]; mask?: string[] }[]) {
      if (t.table !== m.table.name)
        throw new Error(
          `${m.mapping.name}: replicates ${m.table.name} into ${t.table} in ${t.region}; only same-named replicas are compared`,
        );
      plan.targets.set(t.region, { omit: t.omit ?? [], mask: t.mask ?? [] });
    }
  }
  return [...byTable].map(([table, p]) => ({
    table,
    partitionKey: p.resource.hash_key,
    sortKey: p.resource.range_key,
    attributes: Object.fromEntries((p.resource.attribute ?? []).map((a: { name: string; type: string }) => [a.name, a.type])),
    writable: [...p.writable].sort(),
    readOnly: Object.fromEntries([...p.targets].filter(([region]) => !p.writable.has(region)).sort(([a], [b]) => a.localeCompare(b))),
    names: p.names,
    backlogs: p.backlogs,
  }));
}

function namesOf(env: Readonly<Record<string, string>>): ReplicatedTablePlan['names'] {
  const names = {
    version: env[WRITER_ENV.versionAttribute],
    origin: env[WRITER_ENV.originAttribute],
    deleted: env[WRITER_ENV.deletedAttribute],
    ttl: env[WRITER_ENV.ttlAttribute],
    writtenFor: env[WRITER_ENV.writtenForAttribute],
  };
  return Object.fromEntries(Object.entries(names).filter(([, v]) => v));
}
