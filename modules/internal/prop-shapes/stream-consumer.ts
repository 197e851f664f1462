/** Shapes of the consumer props: the function, its code, the event source, grants and the consumer toolkit. */
import type { ConsumerToolkitOptions, IdempotencySettings } from '../../props/consumer-toolkit';
import type { FanOutOptions, ProvisionedPollerOptions, StreamEventSourceOptions } from '../../props/event-source';
import type { BundlingOptions, FunctionOptions, LambdaCode } from '../../props/function';
import type { OnFailureTarget, PolicyStatement } from '../../props/policy';
import type { StreamConsumerProps } from '../../stream-consumer';
import type { PipelineConsumerProps } from '../../stream-pipeline';
import { type Nested, o, r, shapeOf } from '../known-props';
import { arrayOf, object } from './nested';

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
export const FunctionOptionsShape = shapeOf<FunctionOptions>('FunctionOptions', functionFields);

export const FanOutShape = shapeOf<FanOutOptions>('FanOutOptions', { consumerName: o() });
export const ProvisionedPollerShape = shapeOf<ProvisionedPollerOptions>('ProvisionedPollerOptions', {
  minimumPollers: o(),
  maximumPollers: o(),
});
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
export const StreamEventSourceShape = shapeOf<StreamEventSourceOptions>('StreamEventSourceOptions', eventSourceFields);

export const BundlingShape = shapeOf<BundlingOptions>('BundlingOptions', {
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
export const LambdaCodeShapes = [
  shapeOf<EntryCode>('LambdaCode', { entry: r(), bundling: o(object(BundlingShape)) }),
  shapeOf<BundleDirectoryCode>('LambdaCode', { bundleDirectory: r() }),
  shapeOf<ZipFileCode>('LambdaCode', { zipFile: r() }),
];
export const code: Nested = { oneOf: LambdaCodeShapes };

export const PolicyStatementShape = shapeOf<PolicyStatement>('PolicyStatement', {
  sid: o(),
  effect: o(),
  actions: r(),
  resources: r(),
  conditions: o(),
});
export const OnFailureTargetShape = shapeOf<OnFailureTarget>('OnFailureTarget', {
  destinationArn: r(),
  sendStatements: r(arrayOf(PolicyStatementShape)),
  addSender: o(),
});

export const IdempotencySettingsShape = shapeOf<IdempotencySettings>('IdempotencySettings', { ttlSeconds: o() });
const toolkitFields = { idempotency: o(object(IdempotencySettingsShape)) };
export const ConsumerToolkitShape = shapeOf<ConsumerToolkitOptions>('ConsumerToolkitOptions', toolkitFields);

const consumerFields = {
  ...functionFields,
  ...eventSourceFields,
  code: r(code),
  additionalStatements: o(arrayOf(PolicyStatementShape)),
  ...toolkitFields,
};
export const StreamConsumerShape = shapeOf<StreamConsumerProps>(
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
export const PipelineConsumerShape = shapeOf<PipelineConsumerProps>('PipelineConsumerProps', consumerFields);
