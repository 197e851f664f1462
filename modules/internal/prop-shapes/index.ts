// Each props interface of the public API, described once, in one file per construct. Leaves
// (`o()`, `r()`) are scalars, references (constructs, tokens, providers) or free-form maps (tags,
// environment, conditions).
import {
  AlarmOverrideShape,
  AlarmSettingsShape,
  AlarmSubscribersShape,
  AlarmTopicShape,
  ExtraAlarmShape,
  FailureDestinationRefShape,
  KinesisAlarmSourceShape,
  MetricIdShape,
  PipelineAlarmSettingsShape,
  PipelineAlarmsShape,
} from './alarms';
import {
  BundlingShape,
  ConsumerToolkitShape,
  FanOutShape,
  FunctionOptionsShape,
  IdempotencySettingsShape,
  LambdaCodeShapes,
  OnFailureTargetShape,
  PipelineConsumerShape,
  PolicyStatementShape,
  ProvisionedPollerShape,
  StreamConsumerShape,
  StreamEventSourceShape,
} from './stream-consumer';
import { FailureDestinationShape, FailureRedriveSettingsShape, FailureRedriveShape, ParkedQueueShape } from './failure';
import { ExistingKinesisStreamShape, KinesisStreamOptionsShape, PipelineKinesisShape, TableKinesisStreamShape } from './kinesis';
import { ModuleStackShape, ModuleVariableShape } from './module-stack';
import { StreamPipelineShape } from './pipeline';
import {
  BacklogDrainerShape,
  LwwNamesShape,
  ReplicaAccessRoleShape,
  ReplicaRegionShape,
  ReplicaWriterShape,
  ReplicatedTableShape,
  ReplicationAlarmShape,
} from './replication';
import {
  GlobalSecondaryIndexShape,
  KeyAttributeShape,
  LocalSecondaryIndexShape,
  StreamTableAttributesShape,
  StreamTableLookupShape,
  StreamTableShape,
} from './table';

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
