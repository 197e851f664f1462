import { Token } from 'cdktf';
import { DynamodbTable, type DynamodbTableReplica, dynamodbTableReplicaToTerraform } from '@cdktf/provider-aws/lib/dynamodb-table';
import type { PropsValidator } from '../../internal/validation';
import type { GlobalTableConsistency, ReplicatedTableProps } from '../props';

const CONSISTENCIES: readonly GlobalTableConsistency[] = ['eventual', 'strong'];
const REGION = /^[a-z]{2}(-[a-z]+)+-\d+$/;

/**
 * The region sets of multi-region strong consistency: every replica and the witness of one table
 * must be in one set (AWS, "Global tables: how it works", multi-Region strong consistency).
 */
export const MRSC_REGION_SETS: Readonly<Record<string, readonly string[]>> = {
  US: ['us-east-1', 'us-east-2', 'us-west-2'],
  EU: ['eu-west-1', 'eu-west-2', 'eu-west-3', 'eu-central-1'],
  AP: ['ap-northeast-1', 'ap-northeast-2', 'ap-northeast-3'],
};

/** The first hashicorp/aws releases with `replica.consistency_mode` and `global_table_witness` (provider CHANGELOG). */
export const MRSC_MIN_AWS = { consistencyMode: '6.3.0', witness: '6.22.0' } as const;

/** Checks the props of a global table's consistency; reports every problem to `v`. */
export function checkGlobalTableConsistency(v: PropsValidator, props: ReplicatedTableProps): GlobalTableConsistency {
  const consistency = props.globalTableConsistency ?? 'eventual';
  v.oneOf('globalTableConsistency', consistency, CONSISTENCIES);
  const mode = props.mode ?? 'multi-active';
  if (props.globalTableConsistency !== undefined && mode !== 'global-table')
    v.fail(
      'globalTableConsistency',
      props.globalTableConsistency,
      "unset unless mode is 'global-table'",
      'replica writers copy changes after the write returns; only DynamoDB itself can make a write wait for another region',
    );
  const witness = props.witnessRegion;
  if (witness !== undefined && consistency !== 'strong')
    v.fail(
      'witnessRegion',
      witness,
      "unset unless globalTableConsistency is 'strong'",
      'only a strongly consistent global table has a witness',
    );
  if (consistency !== 'strong' || mode !== 'global-table') return consistency;

  const regions = [props.home, ...(props.replicas ?? [])].map((r) => r?.region);
  if (witness !== undefined) {
    v.matches('witnessRegion', witness, REGION, 'an AWS region name such as us-west-2');
    if (regions.includes(witness))
      v.fail('witnessRegion', witness, 'a region without a replica', 'a witness stands in for a third replica');
  }
  const wanted = witness === undefined ? 3 : 2;
  if (regions.length !== wanted)
    v.fail(
      'replicas',
      regions.slice(1),
      witness === undefined
        ? 'two regions (three with home), or one region and a witnessRegion'
        : 'one region (two with home) besides the witnessRegion',
      'a strongly consistent global table has exactly three regions: three replicas, or two replicas and a witness',
    );
  const all = [...regions, ...(witness === undefined ? [] : [witness])].filter((r): r is string => !!r && !Token.isUnresolved(r));
  const sets = new Set(all.map((r) => Object.keys(MRSC_REGION_SETS).find((k) => MRSC_REGION_SETS[k].includes(r)) ?? `none:${r}`));
  if (sets.size > 1 || [...sets].some((s) => s.startsWith('none:')))
    v.fail(
      'regions',
      all,
      `regions of one region set (${Object.entries(MRSC_REGION_SETS)
        .map(([k, rs]) => `${k}: ${rs.join(', ')}`)
        .join('; ')})`,
      'multi-region strong consistency is offered only within these sets',
    );
  if (props.timeToLiveAttribute !== undefined)
    v.fail(
      'timeToLiveAttribute',
      props.timeToLiveAttribute,
      "unset with globalTableConsistency 'strong'",
      'a strongly consistent global table cannot have TTL',
    );
  if (props.alarms?.replicationLag !== undefined)
    v.fail(
      'alarms.replicationLag',
      props.alarms.replicationLag,
      "unset with globalTableConsistency 'strong'",
      'a strongly consistent global table publishes no ReplicationLatency metric: a write returns only once another region has it',
    );
  if (props.alarms?.actionArns !== undefined)
    v.fail(
      'alarms.actionArns',
      props.alarms.actionArns,
      "unset with globalTableConsistency 'strong'",
      'it gets no alarms: it has no writers and publishes no ReplicationLatency metric',
    );
  return consistency;
}

/**
 * What the installed provider binding can emit, found by asking its generated code rather than a
 * version number: the binding the constructs import is the one whose schema Terraform gets, and
 * cdktf pins the provider to exactly the version that binding was generated from. A 5.x binding
 * drops `consistencyMode` when converting a replica block and has no `putGlobalTableWitness`.
 */
export function bindingSupport(): { consistencyMode: boolean; witness: boolean } {
  const replica = dynamodbTableReplicaToTerraform({ regionName: 'us-east-1', consistencyMode: 'STRONG' } as DynamodbTableReplica);
  return {
    consistencyMode: replica?.consistency_mode === 'STRONG',
    witness: typeof (DynamodbTable.prototype as unknown as Record<string, unknown>).putGlobalTableWitness === 'function',
  };
}

/** The hashicorp/aws version the binding of `table` was generated from (and pins), for messages. */
export function bindingProviderVersion(table: DynamodbTable): string {
  return table.terraformGeneratorMetadata?.providerVersion ?? 'unknown';
}

/**
 * Whether a module's hashicorp/aws version constraint excludes every version below `minimum`:
 * one of its lower bounds (`>=`, `>`, `~>` or an exact version) is at least `minimum`.
 */
export function constraintRequiresAtLeast(constraint: string, minimum: string): boolean {
  const atLeast = (v: string) => compareVersions(v, minimum) >= 0;
  return constraint.split(',').some((part) => {
    const m = /^\s*(>=|>|~>|=)?\s*(\d+(?:\.\d+){0,2})\s*$/.exec(part);
    return !!m && atLeast(m[2]);
  });
}

function compareVersions(a: string, b: string): number {
  const pa = a.split('.').map(Number);
  const pb = b.split('.').map(Number);
  for (let i = 0; i < 3; i++) if ((pa[i] ?? 0) !== (pb[i] ?? 0)) return (pa[i] ?? 0) - (pb[i] ?? 0);
  return 0;
}

/**
 * Makes `table`'s replica blocks strongly consistent and adds its witness, through the installed
 * binding's own setters, or fails naming the binding's hashicorp/aws version and the one needed.
 * Inside a ModuleStack the module's version range must exclude releases without these arguments.
 */
export function applyStrongConsistency(
  v: PropsValidator,
  table: DynamodbTable,
  replicas: DynamodbTableReplica[],
  witnessRegion: string | undefined,
  moduleConstraint: string | undefined,
): void {
  const support = bindingSupport();
  const version = bindingProviderVersion(table);
  const needs = witnessRegion === undefined ? MRSC_MIN_AWS.consistencyMode : MRSC_MIN_AWS.witness;
  if (!support.consistencyMode)
    v.fail(
      'globalTableConsistency',
      'strong',
      `used with a provider binding of hashicorp/aws >= ${MRSC_MIN_AWS.consistencyMode} (such as @cdktf/provider-aws 21.x or @cdktn/provider-aws 25.x)`,
      `the installed binding was generated from hashicorp/aws ${version}, which has no replica.consistency_mode; ` +
        "upgrade the binding, or keep globalTableConsistency 'eventual'",
    );
  if (witnessRegion !== undefined && support.consistencyMode && !support.witness)
    v.fail(
      'witnessRegion',
      witnessRegion,
      `used with a provider binding of hashicorp/aws >= ${MRSC_MIN_AWS.witness}`,
      `the installed binding was generated from hashicorp/aws ${version}, which has no global_table_witness; ` +
        'upgrade the binding, or use three replicas',
    );
  if (moduleConstraint !== undefined && !constraintRequiresAtLeast(moduleConstraint, needs))
    v.fail(
      'globalTableConsistency',
      'strong',
      `in a ModuleStack whose awsVersionConstraint admits only hashicorp/aws >= ${needs}, such as ">= ${needs}, < 7.0.0" (it is ${JSON.stringify(moduleConstraint)})`,
      'a caller on an older provider would get a plan error on the strong-consistency arguments',
    );
  if (v.hasProblems) return;
  table.putReplica(replicas.map((r) => ({ ...r, consistencyMode: 'STRONG' }) as DynamodbTableReplica));
  if (witnessRegion !== undefined)
    (table as unknown as { putGlobalTableWitness(w: { regionName: string }): void }).putGlobalTableWitness({ regionName: witnessRegion });
}
