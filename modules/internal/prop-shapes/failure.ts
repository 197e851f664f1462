/** Shapes of the failure-handling props: FailureDestination and FailureRedrive. */
import type { FailureDestinationProps } from '../../failure-destination';
import type { FailureRedriveSettings, ParkedQueueProps } from '../../props/redrive-settings';
import type { FailureRedriveProps } from '../../redrive';
import { o, r, shapeOf } from '../known-props';
import { code } from './stream-consumer';
import { object } from './nested';

export const FailureDestinationShape = shapeOf<FailureDestinationProps>('FailureDestinationProps', {
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

export const ParkedQueueShape = shapeOf<ParkedQueueProps>('ParkedQueueProps', {
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
export const FailureRedriveSettingsShape = shapeOf<FailureRedriveSettings>('FailureRedriveSettings', { ...redriveFields, provider: o() });
export const PipelineRedriveShape = shapeOf<Omit<FailureRedriveSettings, 'provider'>>('FailureRedriveSettings', redriveFields);
export const FailureRedriveShape = shapeOf<FailureRedriveProps>('FailureRedriveProps', {
  ...redriveFields,
  provider: o(),
  failureDestination: r(),
  consumer: r(),
  streamEncryptionKeyArn: o(),
});
