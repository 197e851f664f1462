import { dependable, TerraformStack } from 'cdktf';
import type { Construct } from 'constructs';
import type { DynamodbTable } from '@cdktf/provider-aws/lib/dynamodb-table';
import { PropsValidator } from '../internal/validation';
import { TableKinesisStream } from '../kinesis-stream';
import { ModuleStack } from '../module-stack';
import { StreamTable } from '../stream-table';
import type { ReplicaRegionProps, ReplicatedTableProps } from './props';
import { regionProvider, replicaAttribute, ReplicaStream } from './region';
import type { ReplicaRegion } from './replica-region';
import type { ReplicationPlan } from './internal/plan';
import { applyStrongConsistency } from './internal/strong-consistency';

/**
 * The regions of a writer-replicated table (multi-active or one-way): each its own StreamTable
 * (given or created), and, for a writing region with `changeSource: 'kinesis'`, the Kinesis
 * stream its table streams into, where its writer reads.
 */
export function writerRegions(scope: Construct, props: ReplicatedTableProps, plan: ReplicationPlan): ReplicaRegion[] {
  const writing = new Set(plan.writes.map((w) => w.source));
  return plan.regions.map((r, i) => {
    // The home region of a one-way table accepts writes even though no writer copies them back.
    const accepts = i === 0 || (plan.mode === 'multi-active' && !r.readReplica);
    const table =
      r.table ??
      new StreamTable(scope, `Table-${r.region}`, {
        ...tableSettings(props),
        encryptionKeyArn: r.encryptionKeyArn,
        provider: regionProvider(scope, r.region, r.provider),
      });
    const kinesis = plan.changeSource === 'kinesis' && writing.has(r.region) ? kinesisOf(scope, r.region, table, props) : undefined;
    return { ...ownTableRegion(r.region, table.provider!, props.tableName, table, !accepts), kinesis };
  });
}

/** A region whose table is its own StreamTable resource: every attribute comes from it. */
function ownTableRegion(
  region: string,
  provider: ReplicaRegion['provider'],
  tableName: string,
  table: StreamTable,
  readReplica: boolean,
): ReplicaRegion {
  return {
    region,
    provider,
    tableName,
    tableArn: table.tableArn,
    streamArn: table.streamArn,
    encryptionKeyArn: table.encryptionKeyArn,
    stream: table,
    table,
    writers: [],
    readReplica,
  };
}

/**
 * The Kinesis stream a writing region's table streams into, with microsecond creation times: the
 * writer orders an item's changes by them.
 */
function kinesisOf(scope: Construct, region: string, table: StreamTable, props: ReplicatedTableProps): TableKinesisStream {
  const given = props.kinesisStream;
  const kinesis = new TableKinesisStream(scope, `Changes-${region}`, {
    table: { tableName: props.tableName },
    stream: { ...given, ...(given?.streamName ? { streamName: `${given.streamName}-${region}` } : {}) },
    creationTimePrecision: 'MICROSECOND',
    provider: table.provider,
  });
  // The destination can only be enabled on a table that exists.
  kinesis.destination.dependsOn = [...(kinesis.destination.dependsOn ?? []), dependable(table.table)];
  return kinesis;
}

/** The regions of a global table (`mode: 'global-table'`): the home table with replica blocks, and a view of each replica. */
export function globalTableRegions(
  scope: Construct,
  props: ReplicatedTableProps,
  regions: ReplicaRegionProps[],
): { regions: ReplicaRegion[]; globalTable: DynamodbTable } {
  const [home, ...replicas] = regions;
  const provider = regionProvider(scope, home.region, home.provider);
  const strong = props.globalTableConsistency === 'strong';
  const table = new StreamTable(scope, `Table-${home.region}`, {
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
    const v = new PropsValidator(scope);
    const stack = TerraformStack.of(scope);
    applyStrongConsistency(
      v,
      table.table,
      replicaBlocks,
      props.witnessRegion,
      stack instanceof ModuleStack ? stack.awsVersionConstraint : undefined,
    );
    v.throwIfInvalid();
  } else table.table.putReplica(replicaBlocks);
  const homeRegion = ownTableRegion(home.region, provider, props.tableName, table, false);
  const replicaRegions = replicas.map((r): ReplicaRegion => {
    const p = regionProvider(scope, r.region, r.provider);
    const stream = new ReplicaStream(scope, `Replica-${r.region}`, {
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
  });
  return { regions: [homeRegion, ...replicaRegions], globalTable: table.table };
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
