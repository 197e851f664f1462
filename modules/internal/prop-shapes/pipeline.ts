/** Shape of StreamPipeline's props, made of the other constructs' shapes. */
import type { StreamPipelineProps } from '../../stream-pipeline';
import { o, r, shapeOf } from '../known-props';
import { PipelineAlarmSettingsShape } from './alarms';
import { PipelineConsumerShape } from './stream-consumer';
import { FailureDestinationShape, PipelineRedriveShape } from './failure';
import { PipelineKinesisShape } from './kinesis';
import { object } from './nested';
import { StreamTableShape } from './table';

export const StreamPipelineShape = shapeOf<StreamPipelineProps>(
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
