/** Shared set-up for the ReplicatedTable tests: a stack, region providers and synthesized-JSON lookups. */
import { TerraformStack, Testing } from 'cdktf';
import { AwsProvider } from '@cdktf/provider-aws/lib/provider';
import { ReplicatedTable, ReplicatedTableProps } from '../../../modules';

export const REGIONS = ['eu-west-1', 'us-east-1', 'ap-southeast-2'] as const;
export const KEY = (region: string) => `arn:aws:kms:${region}:123456789012:key/11111111-2222-3333-4444-555555555555`;

export function newStack(): TerraformStack {
  return new TerraformStack(Testing.app(), 'test');
}

/** A provider per region with the alias the construct would create (eu_west_1, ...). */
export function providers(stack: TerraformStack, regions: readonly string[] = REGIONS): Record<string, AwsProvider> {
  return Object.fromEntries(regions.map((r) => [r, new AwsProvider(stack, `aws-${r}`, { region: r, alias: r.replace(/-/g, '_') })]));
}

export type Overrides = Partial<ReplicatedTableProps>;

/** A `customers` table over `regions` (home first), each with its own provider; `overrides` replace any prop. */
export function replicated(overrides: Overrides = {}, regions: readonly string[] = REGIONS) {
  const stack = newStack();
  const p = providers(stack, regions);
  const [home, ...replicas] = regions;
  const table = new ReplicatedTable(stack, 'Customers', {
    tableName: 'customers',
    partitionKey: { name: 'pk', type: 'S' },
    home: { region: home, provider: p[home] },
    replicas: replicas.map((r) => ({ region: r, provider: p[r] })),
    ...overrides,
  });
  return { stack, table, providers: p, synth: () => JSON.parse(Testing.synth(stack)) };
}

/** Resources of `type` whose logical id contains `part`. */
export function resources(json: any, type: string, part = ''): [string, any][] {
  return Object.entries(json.resource?.[type] ?? {}).filter(([id]) => id.includes(part)) as [string, any][];
}

/** A Terraform reference to `attr` of the single resource of `type` whose logical id contains `part`. */
export function ref(json: any, type: string, part: string, attr: string): string {
  const found = resources(json, type, part);
  if (found.length !== 1) throw new Error(`no single ${type} ${part}`);
  return `\${${type}.${found[0][0]}.${attr}}`;
}

/** The single resource of `type` whose logical id contains `part`. */
export function one(json: any, type: string, part: string): any {
  const found = resources(json, type, part);
  if (found.length !== 1) throw new Error(`expected one ${type} matching ${part}, found ${found.map(([id]) => id).join(', ') || 'none'}`);
  return found[0][1];
}

/** The writer's own function (its consumer), not its backlog drainer. */
export function writerEnv(json: any, writerId: string): Record<string, string> {
  return one(json, 'aws_lambda_function', `${writerId}_Consumer_`).environment.variables;
}

export function writerPolicy(json: any, writerId: string): any {
  return JSON.parse(one(json, 'aws_iam_role_policy', `${writerId}_Consumer_`).policy);
}

/** The backlog drainer next to a writer: its environment and its role's policy. */
export function drainerEnv(json: any, writerId: string): Record<string, string> {
  return one(json, 'aws_lambda_function', `${writerId}_Backlog_`).environment.variables;
}

export function drainerPolicy(json: any, writerId: string): any {
  return JSON.parse(one(json, 'aws_iam_role_policy', `${writerId}_Backlog_`).policy);
}
