import { TerraformProvider } from 'cdktf';
import { Construct } from 'constructs';
import { PipelineAlarms, PipelineAlarmsProps } from './alarms';
import { FailureDestination, FailureDestinationProps } from './failure-destination';
import { PropsValidator } from './internal/validation';
import type { FailureRedriveSettings } from './props/redrive-settings';
import { IKinesisSource, TableKinesisStream, TableKinesisStreamProps } from './kinesis-stream';
import { FailureRedrive } from './redrive';
import { ChangeSource, isKinesisSource, StreamConsumer, StreamConsumerProps } from './stream-consumer';
import { IStreamSource, StreamTable, StreamTableProps } from './stream-table';
import { checkKnownProps } from './internal/known-props';
import { PROP_SHAPES } from './internal/prop-shapes';

/** Consumer settings of a pipeline: everything but what the pipeline wires itself. */
export type PipelineConsumerProps = Omit<StreamConsumerProps, 'table' | 'onFailure' | 'provider'>;

/** Alarm settings of a pipeline: everything but what the pipeline knows from its parts. */
export type PipelineAlarmSettings = Omit<
  PipelineAlarmsProps,
  'functionName' | 'aliasName' | 'failureDestination' | 'eventSourceMappingUuid' | 'kinesis' | 'provider'
>;

/** Settings of the Kinesis stream a pipeline creates for its table: everything but the table and provider. */
export type PipelineKinesisProps = Omit<TableKinesisStreamProps, 'table' | 'provider'>;

/** Props of a {@link StreamPipeline}. */
export interface StreamPipelineProps {
  /**
   * The source the pipeline consumes: props for a new {@link StreamTable}, or an existing change
   * source (a StreamTable or replica table's DynamoDB stream, or a {@link TableKinesisStream}).
   */
  readonly table: StreamTableProps | ChangeSource;
  /**
   * With table props only: stream the new table's changes to Kinesis Data Streams
   * ({@link TableKinesisStream}) and consume them from there instead of from the DynamoDB stream.
   * `true` for the defaults (on-demand, KMS, 24 h, millisecond creation times).
   * @default false (the consumer reads the table's DynamoDB stream)
   */
  readonly kinesis?: boolean | PipelineKinesisProps;
  /**
   * The consumer function and its event source mapping. In a pipeline, `eventCountMetrics`
   * defaults to true when alarms are on, so the mapping-metric alarms have data.
   */
  readonly consumer: PipelineConsumerProps;
  /**
   * Where batches that exhaust their retries or age out are reported. `false` sends them nowhere
   * (they are lost after the retries: only for consumers that may drop records).
   * @default an encrypted SQS queue with 14 days retention and a TLS-only policy
   */
  readonly failureDestination?: FailureDestinationProps | false;
  /**
   * An automated redrive of the failure queue ({@link FailureRedrive}): `true` for the defaults,
   * or its settings. Needs the SQS failure destination (not `false`, not kind 'sns').
   * @default false (failed batches wait in the failure queue for a person)
   */
  readonly redrive?: boolean | Omit<FailureRedriveSettings, 'provider'>;
  /**
   * Alarms and dashboard; `false` creates neither.
   * @default iterator age > 60 s, errors, throttles, failure-destination depth and delivery failures,
   * to a new encrypted SNS topic, plus a dashboard
   */
  readonly alarms?: PipelineAlarmSettings | false;
  /** Provider (region) of every part. @default the stack's default aws provider */
  readonly provider?: TerraformProvider;
}

/**
 * The common case in one construct: a table with its stream, a consumer wired by an event source
 * mapping, an on-failure destination, and alarms with a dashboard. Each part stays reachable
 * (`table`, `consumer`, `failureDestination`, `alarms`) for customisation.
 */
export class StreamPipeline extends Construct {
  /** The change source the consumer reads: the table created here, its Kinesis stream, or the source passed in. */
  readonly table: ChangeSource;
  /** The table created here from props; undefined when an existing source was passed. */
  readonly streamTable?: StreamTable;
  /** The Kinesis stream created here for the table (`kinesis`). */
  readonly kinesisStream?: TableKinesisStream;
  readonly consumer: StreamConsumer;
  readonly failureDestination?: FailureDestination;
  readonly alarms?: PipelineAlarms;
  /** The redrive of the failure queue, when `redrive` is on. */
  readonly redrive?: FailureRedrive;

  constructor(scope: Construct, id: string, props: StreamPipelineProps) {
    super(scope, id);
    checkKnownProps(this, PROP_SHAPES.StreamPipelineProps, props);
    const provider = props.provider;
    if (isChangeSource(props.table)) {
      if (props.kinesis)
        new PropsValidator(this)
          .fail(
            'kinesis',
            props.kinesis,
            'unset when table is an existing source',
            'only a table created here can be streamed to Kinesis by the pipeline; pass a TableKinesisStream as table instead',
          )
          .throwIfInvalid();
      this.table = props.table;
    } else {
      this.streamTable = new StreamTable(this, 'Table', { provider, ...props.table });
      this.table = this.streamTable;
      if (props.kinesis) {
        this.kinesisStream = new TableKinesisStream(this, 'Kinesis', {
          ...(props.kinesis === true ? {} : props.kinesis),
          table: this.streamTable,
          provider,
        });
        this.table = this.kinesisStream;
      }
    }
    if (props.failureDestination !== false) {
      this.failureDestination = new FailureDestination(this, 'FailureDestination', { provider, ...props.failureDestination });
    }
    const eventCountMetrics = props.consumer.eventCountMetrics ?? props.alarms !== false;
    this.consumer = new StreamConsumer(this, 'Consumer', {
      ...props.consumer,
      eventCountMetrics,
      table: this.table,
      onFailure: this.failureDestination,
      provider,
    });
    if (props.redrive) {
      if (!this.failureDestination) {
        new PropsValidator(this)
          .fail('redrive', props.redrive, 'false or unset when failureDestination is false', 'the redrive consumes the SQS failure queue')
          .throwIfInvalid();
      }
      const settings = props.redrive === true ? {} : props.redrive;
      this.redrive = new FailureRedrive(this, 'Redrive', {
        ...settings,
        failureDestination: this.failureDestination!,
        consumer: this.consumer,
        provider,
      });
    }
    if (props.alarms !== false) {
      const kinesis = isKinesisSource(this.table) ? (this.table as IKinesisSource) : undefined;
      this.alarms = new PipelineAlarms(this, 'Alarms', {
        ...props.alarms,
        functionName: this.consumer.functionName,
        aliasName: this.consumer.alias?.name,
        failureDestination: this.failureDestination,
        eventSourceMappingUuid: eventCountMetrics ? this.consumer.mapping.uuid : undefined,
        kinesis: kinesis ? { streamName: kinesis.streamName, fanOutConsumerName: this.consumer.fanOutConsumerName } : undefined,
        provider,
      });
      if (this.redrive) this.alarmOnRedrive(this.alarms, this.redrive);
    }
  }

  /** Parked records need a person; a failing redrive leaves the failure queue growing. */
  private alarmOnRedrive(alarms: PipelineAlarms, redrive: FailureRedrive): void {
    alarms.addAlarm('ParkedRecords', {
      nameSuffix: 'parked-records',
      title: 'Records parked by the redrive',
      description:
        'The redrive parked records it could not deliver (still failing, or no longer readable from the stream); inspect the parked queue.',
      namespace: 'AWS/SQS',
      metricName: 'ApproximateNumberOfMessagesVisible',
      dimensions: { QueueName: redrive.parked.queueName! },
      statistic: 'Maximum',
      threshold: 0,
    });
    alarms.addAlarm('RedriveErrors', {
      nameSuffix: 'redrive-errors',
      title: 'Redrive function errors',
      description: 'The redrive function failed; failure-queue messages wait for it.',
      namespace: 'AWS/Lambda',
      metricName: 'Errors',
      dimensions: { FunctionName: redrive.functionName },
      statistic: 'Sum',
      threshold: 0,
    });
  }
}

function isChangeSource(t: StreamTableProps | ChangeSource): t is ChangeSource {
  return typeof (t as IStreamSource).streamReadStatements === 'function' || (t as IKinesisSource).sourceKind === 'kinesis';
}
