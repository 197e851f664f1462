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
export type PipelineConsumerProps = Omit<StreamConsumerProps, 'source' | 'table' | 'onFailure' | 'provider'>;

/** Alarm settings of a pipeline: everything but what the pipeline knows from its parts. */
export type PipelineAlarmSettings = Omit<
  PipelineAlarmsProps,
  'functionName' | 'aliasName' | 'failureDestination' | 'eventSourceMappingUuid' | 'kinesis' | 'sourceTableName' | 'provider'
>;

/** Settings of the Kinesis stream a pipeline creates for its table: everything but the table and provider. */
export type PipelineKinesisProps = Omit<TableKinesisStreamProps, 'table' | 'provider'>;

/** Props of a {@link StreamPipeline}. */
export interface StreamPipelineProps {
  /**
   * The source the pipeline consumes: props for a new {@link StreamTable}, or an existing change
   * source (a StreamTable, an imported table from `StreamTable.fromAttributes`, a replica table's
   * DynamoDB stream, or a {@link TableKinesisStream}). Required (or its deprecated name `table`).
   */
  readonly source?: StreamTableProps | ChangeSource;
  /**
   * The source, under its former name.
   * @deprecated Use `source`; `table` is accepted until 1.0. Setting both is refused.
   */
  readonly table?: StreamTableProps | ChangeSource;
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
 *
 * @example
 * const pipeline = new StreamPipeline(stack, 'Orders', {
 *   source: { tableName: 'orders', partitionKey: { name: 'orderId', type: 'S' } },
 *   consumer: { code: { entry: 'src/order-events.ts' }, batchSize: 500 },
 *   redrive: true,
 *   alarms: { notify: { emails: ['orders-oncall@example.com'] } },
 * });
 */
export class StreamPipeline extends Construct {
  /** The change source the consumer reads: the table created here, its Kinesis stream, or the source passed in. */
  readonly source: ChangeSource;
  /**
   * The change source the consumer reads, under its former name.
   * @deprecated Use `source` (the same object); kept until 1.0.
   */
  readonly table: ChangeSource;
  /** The table created here from props; undefined when an existing source was passed. */
  readonly streamTable?: StreamTable;
  /** The Kinesis stream created here for the table (`kinesis`). */
  readonly kinesisStream?: TableKinesisStream;
  /** The consumer function and its mapping. */
  readonly consumer: StreamConsumer;
  /** Where failed batches go, unless `failureDestination` is false. */
  readonly failureDestination?: FailureDestination;
  /** The alarms and dashboard, unless `alarms` is false. */
  readonly alarms?: PipelineAlarms;
  /** The redrive of the failure queue, when `redrive` is on. */
  readonly redrive?: FailureRedrive;

  constructor(scope: Construct, id: string, props: StreamPipelineProps) {
    super(scope, id);
    checkKnownProps(this, PROP_SHAPES.StreamPipelineProps, props);
    const provider = props.provider;
    // checkKnownProps made sure exactly one of the two names is set.
    const given = (props.source ?? props.table)!;
    let source: ChangeSource;
    if (isChangeSource(given)) {
      if (props.kinesis)
        new PropsValidator(this)
          .fail(
            'kinesis',
            props.kinesis,
            'unset when source is an existing source',
            'only a table created here can be streamed to Kinesis by the pipeline; pass a TableKinesisStream as source instead',
          )
          .throwIfInvalid();
      source = given;
    } else {
      this.streamTable = new StreamTable(this, 'Table', { provider, ...given });
      source = this.streamTable;
      if (props.kinesis) {
        this.kinesisStream = new TableKinesisStream(this, 'Kinesis', {
          ...(props.kinesis === true ? {} : props.kinesis),
          table: this.streamTable,
          provider,
        });
        source = this.kinesisStream;
      }
    }
    this.source = source;
    this.table = source;
    if (props.failureDestination !== false) {
      this.failureDestination = new FailureDestination(this, 'FailureDestination', { provider, ...props.failureDestination });
    }
    const eventCountMetrics = props.consumer.eventCountMetrics ?? props.alarms !== false;
    this.consumer = new StreamConsumer(this, 'Consumer', {
      ...props.consumer,
      eventCountMetrics,
      source,
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
      const kinesis = isKinesisSource(source) ? source : undefined;
      this.alarms = new PipelineAlarms(this, 'Alarms', {
        ...props.alarms,
        functionName: this.consumer.functionName,
        aliasName: this.consumer.alias?.name,
        failureDestination: this.failureDestination,
        eventSourceMappingUuid: eventCountMetrics ? this.consumer.mapping.uuid : undefined,
        kinesis: kinesis ? { streamName: kinesis.streamName, fanOutConsumerName: this.consumer.fanOutConsumerName } : undefined,
        sourceTableName: sourceTableName(source),
        provider,
      });
      if (this.redrive) this.alarmOnRedrive(this.alarms, this.redrive);
    }
  }

  /**
   * Parked records need a person: each new one notifies (records the redrive parks; messages SQS
   * moves there after maxReceiveCount are not counted by NumberOfMessagesSent, and show as
   * redrive failures), and one left a day alarms. The redrive catches its failures and reports
   * them per message, so its Errors alarm only sees crashes: MessagesFailed sees the rest.
   */
  private alarmOnRedrive(alarms: PipelineAlarms, redrive: FailureRedrive): void {
    alarms.addAlarm('ParkedArrivals', {
      nameSuffix: 'parked-arrivals',
      title: 'Records parked by the redrive',
      description:
        'The redrive parked records it could not deliver (still failing, or no longer readable from the stream); inspect the parked queue.',
      ...redrive.metricParked(),
      statistic: 'Sum',
      threshold: 0,
    });
    alarms.addAlarm('ParkedAge', {
      nameSuffix: 'parked-age',
      title: 'Oldest parked record (s)',
      description: 'A parked record has waited over a day for a person; inspect and replay or delete it before the queue drops it.',
      ...redrive.metricParkedAge(),
      statistic: 'Maximum',
      threshold: 86400,
      // SQS stops publishing a queue's metrics after six hours without API calls: keep the state.
      treatMissingData: 'ignore',
    });
    alarms.addAlarm('RedriveErrors', {
      nameSuffix: 'redrive-errors',
      title: 'Redrive function errors',
      description: 'The redrive function crashed or timed out; failure-queue messages wait for it. Check its logs.',
      ...redrive.metricErrors(),
      statistic: 'Sum',
      threshold: 0,
    });
    alarms.addAlarm('RedriveFailures', {
      nameSuffix: 'redrive-failures',
      title: 'Failure-queue messages the redrive could not handle',
      description:
        'The redrive could not handle failure-queue messages (a range it could not read or park, a transient error): ' +
        'SQS hands them back, then moves them to the parked queue after maxReceiveCount. Check the redrive logs for "message failed".',
      ...redrive.metricMessagesFailed(),
      statistic: 'Sum',
      threshold: 0,
    });
  }
}

/** The table whose writes the consumer must receive, when the source tells it. */
function sourceTableName(source: ChangeSource): string | undefined {
  const name = (source as { tableName?: unknown }).tableName;
  return typeof name === 'string' ? name : undefined;
}

function isChangeSource(t: StreamTableProps | ChangeSource): t is ChangeSource {
  return typeof (t as IStreamSource).streamReadStatements === 'function' || (t as IKinesisSource).sourceKind === 'kinesis';
}
