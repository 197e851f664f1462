/**
 * The public API of the package root: what is exported here is supported (and recorded in
 * api/cdktf-dynamodb-streams.api.md, which CI compares); everything else in modules/ is internal
 * and may change in any release. The write helper for replicated tables is the second entry
 * point, `cdktf-dynamodb-streams/client` (handlers/client.ts).
 */

// Tables and their streams
export { StreamTable } from './stream-table';
export { StreamTableBase } from './stream-table-base';
export type {
  BillingMode,
  IDataTable,
  IStreamSource,
  IStreamTable,
  StreamTableAttributes,
  StreamTableLookupOptions,
  StreamTableProps,
  StreamViewType,
  TableClass,
  TableEncryption,
} from './stream-table';
export type {
  AttributeType,
  GlobalSecondaryIndexProps,
  KeyAttribute,
  LocalSecondaryIndexProps,
  ProjectionType,
} from './props/table-schema';
export { KINESIS_AWS_MANAGED_KEY, TableKinesisStream } from './kinesis-stream';
export type {
  CreationTimePrecision,
  ExistingKinesisStream,
  IKinesisSource,
  KinesisThroughput,
  TableKinesisStreamProps,
} from './kinesis-stream';
export type { KinesisCapacityMode, KinesisStreamOptions } from './props/kinesis';
export type { ConsumerToolkitOptions, IdempotencySettings } from './props/consumer-toolkit';

// Consumers
export { isKinesisSource, StreamConsumer } from './stream-consumer';
export type { ChangeSource, StreamConsumerProps } from './stream-consumer';
export { LOG_RETENTION_DAYS } from './props/function';
export type {
  ApplicationLogLevel,
  Architecture,
  Bundle,
  BundlingOptions,
  FunctionOptions,
  LambdaCode,
  LogFormat,
  SystemLogLevel,
} from './props/function';
export type {
  FanOutOptions,
  FilterPattern,
  ProvisionedPollerOptions,
  StartingPosition,
  StreamEventSourceOptions,
} from './props/event-source';
export { TABLE_ITEM_ACTIONS } from './props/policy';
export type { OnFailureTarget, PolicyStatement, TableItemAction } from './props/policy';

// Failures and their redrive
export { FailureDestination } from './failure-destination';
export type { FailureDestinationKind, FailureDestinationProps } from './failure-destination';
export { FailureRedrive } from './redrive';
export type { FailureRedriveProps } from './redrive';
export type { FailureRedriveSettings, ParkedQueueProps, RedriveTiming } from './props/redrive-settings';

// Alarms and dashboards
export { PipelineAlarms } from './alarms';
export type { AlarmOverride, ExtraAlarmProps, FailureDestinationRef, KinesisAlarmSource, PipelineAlarmsProps } from './alarms';
export { AlarmTopic } from './alarm-topic';
export type { AlarmSubscribers, AlarmTopicProps } from './alarm-topic';
export type {
  AlarmComparison,
  AlarmSettings,
  AlarmStatistic,
  MetricId,
  LivenessAlarmKey,
  PipelineAlarmKey,
  SourceAlarmKey,
  TreatMissingData,
} from './props/alarm-settings';

// All of it at once
export { StreamPipeline } from './stream-pipeline';
export type { PipelineAlarmSettings, PipelineConsumerProps, PipelineKinesisProps, StreamPipelineProps } from './stream-pipeline';

// Multi-region tables
export { MASKED_VALUE, ReplicatedTable } from './replication/replicated-table';
export type { ReplicaRegion } from './replication/replica-region';
export { ReplicaAccessRole } from './replication/access-role';
export type { ReplicaAccessRoleProps } from './replication/access-role';
export { REPLICATION_METRICS_NAMESPACE } from './replication/props';
export type {
  BacklogDrainerOptions,
  GlobalTableConsistency,
  IReplicaWriter,
  LwwNames,
  ReplicaRegionProps,
  ReplicatedTableProps,
  ReplicationAlarmProps,
  ReplicationChangeSource,
  ReplicationMode,
  ReplicaWriterOptions,
  WriterLayout,
} from './replication/props';

// Terraform modules for hand-written estates
export { ModuleStack } from './module-stack';
export type { ModuleStackProps, ModuleVariableOptions } from './module-stack';

// Errors
export { ValidationError } from './errors';
