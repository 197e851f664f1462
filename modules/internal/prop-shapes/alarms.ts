/** Shapes of the alarm props: PipelineAlarms, their settings and AlarmTopic. */
import type { AlarmSubscribers, AlarmTopicProps } from '../../alarm-topic';
import type { AlarmOverride, ExtraAlarmProps, FailureDestinationRef, KinesisAlarmSource, PipelineAlarmsProps } from '../../alarms';
import type { AlarmSettings, MetricId } from '../../props/alarm-settings';
import type { PipelineAlarmSettings } from '../../stream-pipeline';
import { type Nested, o, r, shapeOf } from '../known-props';
import { object } from './nested';

const alarmSettingsFields = {
  threshold: o(),
  period: o(),
  evaluationPeriods: o(),
  datapointsToAlarm: o(),
  treatMissingData: o(),
  statistic: o(),
  comparisonOperator: o(),
};
export const AlarmSettingsShape = shapeOf<AlarmSettings>('AlarmSettings', alarmSettingsFields);
export const AlarmOverrideShape = shapeOf<AlarmOverride>('AlarmOverride', { ...alarmSettingsFields, enabled: o() });
export const overrides: Nested = { recordOf: AlarmOverrideShape };
export const MetricIdShape = shapeOf<MetricId>('MetricId', { namespace: r(), metricName: r(), dimensions: r() });
export const ExtraAlarmShape = shapeOf<ExtraAlarmProps>('ExtraAlarmProps', {
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
export const FailureDestinationRefShape = shapeOf<FailureDestinationRef>('FailureDestinationRef', {
  kind: r(),
  queueName: o(),
  topicName: o(),
});
export const KinesisAlarmSourceShape = shapeOf<KinesisAlarmSource>('KinesisAlarmSource', { streamName: r(), fanOutConsumerName: o() });
export const AlarmSubscribersShape = shapeOf<AlarmSubscribers>('AlarmSubscribers', { emails: o(), httpsEndpoints: o() });
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
export const PipelineAlarmsShape = shapeOf<PipelineAlarmsProps>('PipelineAlarmsProps', {
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
export const PipelineAlarmSettingsShape = shapeOf<PipelineAlarmSettings>('PipelineAlarmSettings', alarmSettingFields);

export const AlarmTopicShape = shapeOf<AlarmTopicProps>('AlarmTopicProps', {
  topicName: r(),
  kmsKeyArn: o(),
  subscribers: o(object(AlarmSubscribersShape)),
  tags: o(),
  provider: o(),
});
