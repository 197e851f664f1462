import type { AlarmSubscribers, AlarmTopicProps } from '../alarm-topic';
import type { ConsumerToolkitOptions, IdempotencySettings } from '../props/consumer-toolkit';
import type { AlarmOverride, ExtraAlarmProps, FailureDestinationRef, KinesisAlarmSource, PipelineAlarmsProps } from '../alarms';
import type { FailureDestinationProps } from '../failure-destination';
import type { ExistingKinesisStream, TableKinesisStreamProps } from '../kinesis-stream';
import type { ModuleStackProps, ModuleVariableOptions } from '../module-stack';
import type { AlarmSettings, MetricId } from '../props/alarm-settings';
import type { FanOutOptions, ProvisionedPollerOptions, StreamEventSourceOptions } from '../props/event-source';
import type { BundlingOptions, FunctionOptions, LambdaCode } from '../props/function';
import type { KinesisStreamOptions } from '../props/kinesis';
import type { OnFailureTarget, PolicyStatement } from '../props/policy';
import type { FailureRedriveSettings, ParkedQueueProps } from '../props/redrive-settings';
import type { GlobalSecondaryIndexProps, KeyAttribute, LocalSecondaryIndexProps } from '../props/table-schema';
import type { FailureRedriveProps } from '../redrive';
import type { ReplicaAccessRoleProps } from '../replication/access-role';
import type {
  BacklogDrainerOptions,
  LwwNames,
  ReplicaRegionProps,
  ReplicatedTableProps,
  ReplicationAlarmProps,
  ReplicaWriterOptions,
} from '../replication/props';
import type { StreamConsumerProps } from '../stream-consumer';
import type { PipelineAlarmSettings, PipelineConsumerProps, PipelineKinesisProps, StreamPipelineProps } from '../stream-pipeline';
import type { StreamTableAttributes, StreamTableLookupOptions, StreamTableProps } from '../stream-table';
import { type Nested, o, r, type Shape, shapeOf } from './known-props';

// Each props interface of the public API, described once. Leaves (`o()`, `r()`) are scalars,
// references (constructs, tokens, providers) or free-form maps (tags, environment, conditions).

const object = (shape: Shape): Nested => ({ object: shape });
const arrayOf = (shape: Shape): Nested => ({ arrayOf: shape });

const KeyAttributeShape = shapeOf<KeyAttribute>('KeyAttribute', { name: r(), type: r() });
const key = object(KeyAttributeShape);

const GlobalSecondaryIndexShape = shapeOf<GlobalSecondaryIndexProps>('GlobalSecondaryIndexProps', {
  name: r(),
  partitionKey: r(key),
  sortKey: o(key),
  projectionType: o(),
  nonKeyAttributes: o(),
  readCapacity: o(),
  writeCapacity: o(),
});
const LocalSecondaryIndexShape = shapeOf<LocalSecondaryIndexProps>('LocalSecondaryIndexProps', {
  name: r(),
  sortKey: r(key),
  projectionType: o(),
  nonKeyAttributes: o(),
});

const StreamTableShape = shapeOf<StreamTableProps>('StreamTableProps', {
  tableName: r(),
  partitionKey: r(key),
  sortKey: o(key),
  billingMode: o(),
  readCapacity: o(),
  writeCapacity: o(),
  streamViewType: o(),
  globalSecondaryIndexes: o(arrayOf(GlobalSecondaryIndexShape)),
  localSecondaryIndexes: o(arrayOf(LocalSecondaryIndexShape)),
  timeToLiveAttribute: o(),
  encryption: o(),
  encryptionKeyArn: o(),
  pointInTimeRecovery: o(),
  pointInTimeRecoveryDays: o(),
  deletionProtection: o(),
  preventDestroy: o(),
  tableClass: o(),
  tags: o(),
  provider: o(),
});

const KinesisStreamOptionsShape = shapeOf<KinesisStreamOptions>('KinesisStreamOptions', {
  streamName: o(),
  capacityMode: o(),
  shardCount: o(),
  retentionHours: o(),
  kmsKeyArn: o(),
  preventDestroy: o(),
  tags: o(),
});
const ExistingKinesisStreamShape = shapeOf<ExistingKinesisStream>('ExistingKinesisStream', {
  streamArn: r(),
  streamName: r(),
  encryptionKeyArn: o(),
});
const kinesisStreamFields = {
  stream: o(object(KinesisStreamOptionsShape)),
  existingStream: o(object(ExistingKinesisStreamShape)),
  creationTimePrecision: o(),
};
const TableKinesisStreamShape = shapeOf<TableKinesisStreamProps>('TableKinesisStreamProps', {
  ...kinesisStreamFields,
  table: r(),
  provider: o(),
});
const PipelineKinesisShape = shapeOf<PipelineKinesisProps>('PipelineKinesisProps', kinesisStreamFields);

const functionFields = {
  functionName: o(),
  handler: o(),
  runtime: o(),
  architecture: o(),
  memorySize: o(),
  timeoutSeconds: o(),
  environment: o(),
  reservedConcurrency: o(),
  provisionedConcurrency: o(),
  aliasName: o(),
  logRetentionDays: o(),
  logFormat: o(),
  applicationLogLevel: o(),
  systemLogLevel: o(),
  tracing: o(),
  description: o(),
  roleName: o(),
  tags: o(),
};
const FunctionOptionsShape = shapeOf<FunctionOptions>('FunctionOptions', functionFields);

const FanOutShape = shapeOf<FanOutOptions>('FanOutOptions', { consumerName: o() });
const ProvisionedPollerShape = shapeOf<ProvisionedPollerOptions>('ProvisionedPollerOptions', { minimumPollers: o(), maximumPollers: o() });
const eventSourceFields = {
  batchSize: o(),
  maxBatchingWindowSeconds: o(),
  parallelizationFactor: o(),
  retryAttempts: o(),
  maxRecordAgeSeconds: o(),
  bisectBatchOnError: o(),
  tumblingWindowSeconds: o(),
  startingPosition: o(),
  startingPositionTimestamp: o(),
  fanOut: o(object(FanOutShape)),
  provisionedPollers: o(object(ProvisionedPollerShape)),
  reportBatchItemFailures: o(),
  filters: o(),
  eventCountMetrics: o(),
  enabled: o(),
};
const StreamEventSourceShape = shapeOf<StreamEventSourceOptions>('StreamEventSourceOptions', eventSourceFields);

const BundlingShape = shapeOf<BundlingOptions>('BundlingOptions', {
  minify: o(),
  sourceMap: o(),
  target: o(),
  externalModules: o(),
  define: o(),
  cacheDir: o(),
});
type EntryCode = Extract<LambdaCode, { entry: string }>;
type BundleDirectoryCode = Extract<LambdaCode, { bundleDirectory: string }>;
type ZipFileCode = Extract<LambdaCode, { zipFile: string }>;
const LambdaCodeShapes = [
  shapeOf<EntryCode>('LambdaCode', { entry: r(), bundling: o(object(BundlingShape)) }),
  shapeOf<BundleDirectoryCode>('LambdaCode', { bundleDirectory: r() }),
  shapeOf<ZipFileCode>('LambdaCode', { zipFile: r() }),
];
const code: Nested = { oneOf: LambdaCodeShapes };

const PolicyStatementShape = shapeOf<PolicyStatement>('PolicyStatement', {
  sid: o(),
  effect: o(),
  actions: r(),
  resources: r(),
  conditions: o(),
});
const OnFailureTargetShape = shapeOf<OnFailureTarget>('OnFailureTarget', {
  destinationArn: r(),
  sendStatements: r(arrayOf(PolicyStatementShape)),
  addSender: o(),
});

const IdempotencySettingsShape = shapeOf<IdempotencySettings>('IdempotencySettings', { ttlSeconds: o() });
const toolkitFields = { idempotency: o(object(IdempotencySettingsShape)) };
const ConsumerToolkitShape = shapeOf<ConsumerToolkitOptions>('ConsumerToolkitOptions', toolkitFields);

const consumerFields = {
  ...functionFields,
  ...eventSourceFields,
  code: r(code),
  additionalStatements: o(arrayOf(PolicyStatementShape)),
  ...toolkitFields,
};
const tableLookupFields = { streamViewType: o(), encryptionKeyArn: o(), indexNames: o(), provider: o() };
const StreamTableLookupShape = shapeOf<StreamTableLookupOptions>('StreamTableLookupOptions', tableLookupFields);
const StreamTableAttributesShape = shapeOf<StreamTableAttributes>('StreamTableAttributes', {
  ...tableLookupFields,
  tableArn: r(),
  streamArn: r(),
});

const StreamConsumerShape = shapeOf<StreamConsumerProps>(
  'StreamConsumerProps',
  {
    ...consumerFields,
    source: o(),
    table: o(),
    // A FailureDestination construct is passed here as often as a plain target.
    onFailure: o(object(OnFailureTargetShape)),
    provider: o(),
  },
  { table: 'source' },
);
const PipelineConsumerShape = shapeOf<PipelineConsumerProps>('PipelineConsumerProps', consumerFields);

const FailureDestinationShape = shapeOf<FailureDestinationProps>('FailureDestinationProps', {
  kind: o(),
  name: o(),
  fifo: o(),
  kmsKeyArn: o(),
  expirationDays: o(),
  messageRetentionSeconds: o(),
  visibilityTimeoutSeconds: o(),
  kmsDataKeyReusePeriodSeconds: o(),
  readerArns: o(),
  tags: o(),
  provider: o(),
});

const ParkedQueueShape = shapeOf<ParkedQueueProps>('ParkedQueueProps', {
  name: o(),
  kmsKeyArn: o(),
  messageRetentionSeconds: o(),
  tags: o(),
});
const redriveFields = {
  parkedQueue: o(object(ParkedQueueShape)),
  batchSize: o(),
  maxAttempts: o(),
  invokeBatchSize: o(),
  maxReceiveCount: o(),
  timeoutSeconds: o(),
  maximumConcurrency: o(),
  memorySize: o(),
  architecture: o(),
  logRetentionDays: o(),
  functionName: o(),
  roleName: o(),
  code: o(code),
  tags: o(),
};
const FailureRedriveSettingsShape = shapeOf<FailureRedriveSettings>('FailureRedriveSettings', { ...redriveFields, provider: o() });
const PipelineRedriveShape = shapeOf<Omit<FailureRedriveSettings, 'provider'>>('FailureRedriveSettings', redriveFields);
const FailureRedriveShape = shapeOf<FailureRedriveProps>('FailureRedriveProps', {
  ...redriveFields,
  provider: o(),
  failureDestination: r(),
  consumer: r(),
  streamEncryptionKeyArn: o(),
});

const alarmSettingsFields = {
  threshold: o(),
  period: o(),
  evaluationPeriods: o(),
  datapointsToAlarm: o(),
  treatMissingData: o(),
  statistic: o(),
  comparisonOperator: o(),
};
const AlarmSettingsShape = shapeOf<AlarmSettings>('AlarmSettings', alarmSettingsFields);
const AlarmOverrideShape = shapeOf<AlarmOverride>('AlarmOverride', { ...alarmSettingsFields, enabled: o() });
const overrides: Nested = { recordOf: AlarmOverrideShape };
const MetricIdShape = shapeOf<MetricId>('MetricId', { namespace: r(), metricName: r(), dimensions: r() });
const ExtraAlarmShape = shapeOf<ExtraAlarmProps>('ExtraAlarmProps', {
  ...alarmSettingsFields,
  enabled: o(),
  namespace: r(),
  metricName: r(),
  dimensions: r(),
  nameSuffix: r(),
  title: r(),
  description: r(),
  region: o(),
  provider: o(),
});
const FailureDestinationRefShape = shapeOf<FailureDestinationRef>('FailureDestinationRef', { kind: r(), queueName: o(), topicName: o() });
const KinesisAlarmSourceShape = shapeOf<KinesisAlarmSource>('KinesisAlarmSource', { streamName: r(), fanOutConsumerName: o() });
const AlarmSubscribersShape = shapeOf<AlarmSubscribers>('AlarmSubscribers', { emails: o(), httpsEndpoints: o() });
const alarmSettingFields = {
  alarmNamePrefix: o(),
  alarms: o(overrides),
  actionArns: o(),
  alarmTopicName: o(),
  alarmTopicKmsKeyArn: o(),
  notify: o(object(AlarmSubscribersShape)),
  notifyOk: o(),
  dashboard: o(),
  dashboardName: o(),
  region: o(),
  tags: o(),
};
const PipelineAlarmsShape = shapeOf<PipelineAlarmsProps>('PipelineAlarmsProps', {
  ...alarmSettingFields,
  functionName: r(),
  aliasName: o(),
  sourceTableName: o(),
  // A FailureDestination construct is passed here as often as a plain reference.
  failureDestination: o(object(FailureDestinationRefShape)),
  eventSourceMappingUuid: o(),
  kinesis: o(object(KinesisAlarmSourceShape)),
  provider: o(),
});
const PipelineAlarmSettingsShape = shapeOf<PipelineAlarmSettings>('PipelineAlarmSettings', alarmSettingFields);

const AlarmTopicShape = shapeOf<AlarmTopicProps>('AlarmTopicProps', {
  topicName: r(),
  kmsKeyArn: o(),
  subscribers: o(object(AlarmSubscribersShape)),
  tags: o(),
  provider: o(),
});

const StreamPipelineShape = shapeOf<StreamPipelineProps>(
  'StreamPipelineProps',
  {
    // A StreamTable, TableKinesisStream or other source construct is not looked into.
    source: o(object(StreamTableShape)),
    table: o(object(StreamTableShape)),
    kinesis: o(object(PipelineKinesisShape)),
    consumer: r(object(PipelineConsumerShape)),
    failureDestination: o(object(FailureDestinationShape)),
    redrive: o(object(PipelineRedriveShape)),
    alarms: o(object(PipelineAlarmSettingsShape)),
    provider: o(),
  },
  { table: 'source' },
);

const ReplicaRegionShape = shapeOf<ReplicaRegionProps>('ReplicaRegionProps', {
  region: r(),
  provider: o(),
  table: o(),
  encryptionKeyArn: o(),
  readReplica: o(),
  omitAttributes: o(),
  maskAttributes: o(),
  writerRoleArn: o(),
});
const BacklogDrainerShape = shapeOf<BacklogDrainerOptions>('BacklogDrainerOptions', {
  intervalMinutes: o(),
  timeoutSeconds: o(),
  memorySize: o(),
  reservedConcurrency: o(),
});
const ReplicaWriterShape = shapeOf<ReplicaWriterOptions>('ReplicaWriterOptions', {
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
const ReplicationAlarmShape = shapeOf<ReplicationAlarmProps>('ReplicationAlarmProps', {
  enabled: o(),
  actionArns: o(),
  pipeline: o(overrides),
  replicationLag: o(object(AlarmOverrideShape)),
});
const LwwNamesShape = shapeOf<LwwNames>('LwwNames', { version: r(), origin: r(), deleted: r(), ttl: r(), writtenFor: r() });
const AttributeNamesShape = shapeOf<Partial<Omit<LwwNames, 'ttl'>>>('LwwNames', {
  version: o(),
  origin: o(),
  deleted: o(),
  writtenFor: o(),
});
const ReplicatedTableShape = shapeOf<ReplicatedTableProps>('ReplicatedTableProps', {
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

const ReplicaAccessRoleShape = shapeOf<ReplicaAccessRoleProps>('ReplicaAccessRoleProps', {
  roleName: r(),
  writerRoleArns: r(),
  tableArn: r(),
  encryptionKeyArn: o(),
  provider: o(),
  tags: o(),
});
const ModuleStackShape = shapeOf<ModuleStackProps>('ModuleStackProps', { providerAliases: o(), awsVersionConstraint: o() });
const ModuleVariableShape = shapeOf<ModuleVariableOptions>('ModuleVariableOptions', {
  type: r(),
  description: r(),
  default: o(),
  nullable: o(),
  sensitive: o(),
  validation: o(),
});

/**
 * Every props type of the public API (modules/index.ts) by its exported name; the compiler test
 * walks the same names. `LambdaCode` is a union: one shape per alternative.
 */
export const PROP_SHAPES = {
  KeyAttribute: KeyAttributeShape,
  GlobalSecondaryIndexProps: GlobalSecondaryIndexShape,
  LocalSecondaryIndexProps: LocalSecondaryIndexShape,
  StreamTableProps: StreamTableShape,
  KinesisStreamOptions: KinesisStreamOptionsShape,
  ExistingKinesisStream: ExistingKinesisStreamShape,
  TableKinesisStreamProps: TableKinesisStreamShape,
  PipelineKinesisProps: PipelineKinesisShape,
  FunctionOptions: FunctionOptionsShape,
  FanOutOptions: FanOutShape,
  ProvisionedPollerOptions: ProvisionedPollerShape,
  StreamEventSourceOptions: StreamEventSourceShape,
  BundlingOptions: BundlingShape,
  LambdaCode: LambdaCodeShapes,
  PolicyStatement: PolicyStatementShape,
  OnFailureTarget: OnFailureTargetShape,
  StreamConsumerProps: StreamConsumerShape,
  StreamTableAttributes: StreamTableAttributesShape,
  StreamTableLookupOptions: StreamTableLookupShape,
  PipelineConsumerProps: PipelineConsumerShape,
  FailureDestinationProps: FailureDestinationShape,
  ParkedQueueProps: ParkedQueueShape,
  FailureRedriveSettings: FailureRedriveSettingsShape,
  FailureRedriveProps: FailureRedriveShape,
  AlarmSettings: AlarmSettingsShape,
  AlarmOverride: AlarmOverrideShape,
  MetricId: MetricIdShape,
  ExtraAlarmProps: ExtraAlarmShape,
  FailureDestinationRef: FailureDestinationRefShape,
  KinesisAlarmSource: KinesisAlarmSourceShape,
  PipelineAlarmsProps: PipelineAlarmsShape,
  PipelineAlarmSettings: PipelineAlarmSettingsShape,
  AlarmTopicProps: AlarmTopicShape,
  AlarmSubscribers: AlarmSubscribersShape,
  ConsumerToolkitOptions: ConsumerToolkitShape,
  IdempotencySettings: IdempotencySettingsShape,
  StreamPipelineProps: StreamPipelineShape,
  ReplicaRegionProps: ReplicaRegionShape,
  ReplicaWriterOptions: ReplicaWriterShape,
  BacklogDrainerOptions: BacklogDrainerShape,
  ReplicationAlarmProps: ReplicationAlarmShape,
  LwwNames: LwwNamesShape,
  ReplicatedTableProps: ReplicatedTableShape,
  ReplicaAccessRoleProps: ReplicaAccessRoleShape,
  ModuleStackProps: ModuleStackShape,
  ModuleVariableOptions: ModuleVariableShape,
} as const;
