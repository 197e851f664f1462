/** Shapes of the Kinesis props: TableKinesisStream and a pipeline's `kinesis`. */
import type { ExistingKinesisStream, TableKinesisStreamProps } from '../../kinesis-stream';
import type { KinesisStreamOptions } from '../../props/kinesis';
import type { PipelineKinesisProps } from '../../stream-pipeline';
import { o, r, shapeOf } from '../known-props';
import { object } from './nested';

export const KinesisStreamOptionsShape = shapeOf<KinesisStreamOptions>('KinesisStreamOptions', {
  streamName: o(),
  capacityMode: o(),
  shardCount: o(),
  retentionHours: o(),
  kmsKeyArn: o(),
  preventDestroy: o(),
  tags: o(),
});
export const ExistingKinesisStreamShape = shapeOf<ExistingKinesisStream>('ExistingKinesisStream', {
  streamArn: r(),
  streamName: r(),
  encryptionKeyArn: o(),
});
const kinesisStreamFields = {
  stream: o(object(KinesisStreamOptionsShape)),
  existingStream: o(object(ExistingKinesisStreamShape)),
  creationTimePrecision: o(),
};
export const TableKinesisStreamShape = shapeOf<TableKinesisStreamProps>('TableKinesisStreamProps', {
  ...kinesisStreamFields,
  table: r(),
  provider: o(),
});
export const PipelineKinesisShape = shapeOf<PipelineKinesisProps>('PipelineKinesisProps', kinesisStreamFields);
