import { Fn, TerraformIterator, TerraformProvider, TerraformStack, Token } from 'cdktf';
import type { Construct } from 'constructs';
import { AwsProvider } from '@cdktf/provider-aws/lib/provider';
import type { DynamodbTable } from '@cdktf/provider-aws/lib/dynamodb-table';
import { ModuleStack } from '../module-stack';
import type { StreamViewType } from '../stream-table';
import { StreamTableBase } from '../stream-table-base';

/**
 * The aws provider for `region`: the one given, or an aliased provider created once per stack and
 * region (alias `eu_west_1` for eu-west-1), so two replicated tables of one stack share it.
 */
export function regionProvider(scope: Construct, region: string, given?: TerraformProvider): TerraformProvider {
  if (given) return given;
  const stack = TerraformStack.of(scope);
  if (stack instanceof ModuleStack) {
    // A module's providers come from its caller; one created here would be stripped from the output.
    throw new Error(
      `${scope.node.path}: in a ModuleStack, pass the provider of ${region} ` +
        "(stack.provider('<alias>'), declared in providerAliases) as the region's provider",
    );
  }
  const alias = region.replace(/-/g, '_');
  const id = `aws_${alias}`;
  const existing = stack.node.tryFindChild(id);
  if (existing) return existing as TerraformProvider;
  return new AwsProvider(stack, id, { region, alias });
}

/**
 * Reads `attribute` of the replica block of `regionName` on a global table. The provider keeps
 * replicas in a set, so a position says nothing about the region; a `for` expression keyed by
 * region_name does.
 */
export function replicaAttribute(table: DynamodbTable, regionName: string, attribute: 'arn' | 'stream_arn'): string {
  const byRegion = TerraformIterator.fromComplexList(table.replica, 'region_name').forExpressionForMap(
    'val.region_name',
    `val.${attribute}`,
  );
  return Token.asString(Fn.lookup(byRegion, regionName));
}

export interface ReplicaStreamProps {
  readonly region: string;
  readonly tableName: string;
  readonly tableArn: string;
  readonly streamArn: string;
  readonly encryptionKeyArn?: string;
  readonly provider?: TerraformProvider;
  /** Names of the table's secondary indexes (reads are granted on each by exact ARN). */
  readonly indexNames: string[];
}

/**
 * The stream and items of a global table's replica in another region: what a consumer or a grant
 * needs, with the same reader bookkeeping as StreamTable (at most 2 readers per stream).
 */
export class ReplicaStream extends StreamTableBase {
  readonly region: string;
  readonly tableName: string;
  readonly tableArn: string;
  readonly streamArn: string;
  readonly encryptionKeyArn?: string;
  readonly provider?: TerraformProvider;
  readonly streamViewType: StreamViewType = 'NEW_AND_OLD_IMAGES';
  readonly indexNames: string[];
  protected readonly streamDescription: string;

  constructor(scope: Construct, id: string, props: ReplicaStreamProps) {
    super(scope, id);
    this.region = props.region;
    this.tableName = props.tableName;
    this.tableArn = props.tableArn;
    this.streamArn = props.streamArn;
    this.encryptionKeyArn = props.encryptionKeyArn;
    this.provider = props.provider;
    this.indexNames = props.indexNames;
    this.streamDescription = `the ${props.region} replica of "${props.tableName}"`;
  }
}
