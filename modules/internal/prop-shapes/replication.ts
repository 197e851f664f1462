/** Shapes of the replication props: ReplicatedTable, its regions, writers and alarms, and ReplicaAccessRole. */
import type { ReplicaAccessRoleProps } from '../../replication/access-role';
import type {
  BacklogDrainerOptions,
  LwwNames,
  ReplicaRegionProps,
  ReplicatedTableProps,
  ReplicationAlarmProps,
  ReplicaWriterOptions,
} from '../../replication/props';
import { o, r, shapeOf } from '../known-props';
import { AlarmOverrideShape, overrides } from './alarms';
import { code } from './stream-consumer';
import { KinesisStreamOptionsShape } from './kinesis';
import { arrayOf, object } from './nested';
import { GlobalSecondaryIndexShape, key } from './table';

export const ReplicaRegionShape = shapeOf<ReplicaRegionProps>('ReplicaRegionProps', {
  region: r(),
  provider: o(),
  table: o(),
  encryptionKeyArn: o(),
  readReplica: o(),
  omitAttributes: o(),
  maskAttributes: o(),
  writerRoleArn: o(),
});
export const BacklogDrainerShape = shapeOf<BacklogDrainerOptions>('BacklogDrainerOptions', {
  intervalMinutes: o(),
  timeoutSeconds: o(),
  memorySize: o(),
  reservedConcurrency: o(),
});
export const ReplicaWriterShape = shapeOf<ReplicaWriterOptions>('ReplicaWriterOptions', {
  memorySize: o(),
  timeoutSeconds: o(),
  reservedConcurrency: o(),
  logRetentionDays: o(),
  applicationLogLevel: o(),
  architecture: o(),
  tracing: o(),
  tags: o(),
  batchSize: o(),
  maxBatchingWindowSeconds: o(),
  parallelizationFactor: o(),
  retryAttempts: o(),
  maxRecordAgeSeconds: o(),
  startingPosition: o(),
  code: o(code),
  concurrency: o(),
  tombstoneTtlSeconds: o(),
  drainer: o(object(BacklogDrainerShape)),
});
export const ReplicationAlarmShape = shapeOf<ReplicationAlarmProps>('ReplicationAlarmProps', {
  enabled: o(),
  actionArns: o(),
  pipeline: o(overrides),
  replicationLag: o(object(AlarmOverrideShape)),
});
export const LwwNamesShape = shapeOf<LwwNames>('LwwNames', { version: r(), origin: r(), deleted: r(), ttl: r(), writtenFor: r() });
const AttributeNamesShape = shapeOf<Partial<Omit<LwwNames, 'ttl'>>>('LwwNames', {
  version: o(),
  origin: o(),
  deleted: o(),
  writtenFor: o(),
});
export const ReplicatedTableShape = shapeOf<ReplicatedTableProps>('ReplicatedTableProps', {
  tableName: r(),
  partitionKey: r(key),
  sortKey: o(key),
  home: r(object(ReplicaRegionShape)),
  replicas: r(arrayOf(ReplicaRegionShape)),
  mode: o(),
  globalTableConsistency: o(),
  witnessRegion: o(),
  writerLayout: o(),
  changeSource: o(),
  kinesisStream: o(object(KinesisStreamOptionsShape)),
  stampedWritesOnly: o(),
  replicateItemsWhere: o(),
  attributeNames: o(object(AttributeNamesShape)),
  timeToLiveAttribute: o(),
  billingMode: o(),
  readCapacity: o(),
  writeCapacity: o(),
  globalSecondaryIndexes: o(arrayOf(GlobalSecondaryIndexShape)),
  encryption: o(),
  pointInTimeRecovery: o(),
  deletionProtection: o(),
  preventDestroy: o(),
  tableClass: o(),
  tags: o(),
  writer: o(object(ReplicaWriterShape)),
  alarms: o(object(ReplicationAlarmShape)),
  dashboard: o(),
});

export const ReplicaAccessRoleShape = shapeOf<ReplicaAccessRoleProps>('ReplicaAccessRoleProps', {
  roleName: r(),
  writerRoleArns: r(),
  tableArn: r(),
  encryptionKeyArn: o(),
  provider: o(),
  tags: o(),
});
