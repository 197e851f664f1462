import type { LivenessAlarmKey, MetricId } from '../props/alarm-settings';
import type { MetricLine, MetricWidgetSpec } from './dashboard';
import type { ResolvedAlarmSettings } from './metric-alarm';

/**
 * Liveness alarms: a stalled pipeline publishes no metrics, so every per-metric alarm stays OK
 * while nothing flows. These alarms compare what went in (successful writes to the source table)
 * with what came out (records the consumer's mapping polled, or records DynamoDB put on the
 * Kinesis stream) with CloudWatch metric math, and alarm when the table was written but nothing
 * came out.
 */

export const LIVENESS_ALARMS: Record<LivenessAlarmKey, { readonly id: string; readonly suffix: string }> = {
  consumerStalled: { id: 'ConsumerStalled', suffix: 'consumer-stalled' },
  kinesisDestinationStalled: { id: 'KinesisDestinationStalled', suffix: 'kinesis-destination-stalled' },
};

/**
 * The item writes that make stream records. DynamoDB publishes SuccessfulRequestLatency per
 * operation only for periods with successful requests; its SampleCount is the number of requests.
 * Conditional writes that fail are not successful requests, so they do not count as writes.
 */
export const TABLE_WRITE_OPERATIONS = ['PutItem', 'UpdateItem', 'DeleteItem', 'BatchWriteItem', 'TransactWriteItems'] as const;

/**
 * Five-minute periods, three stalled in a row. A record written at the end of one period and
 * received in the next makes that one period look stalled, and the next cannot (it received), so
 * sparse writes never alarm while records arrive within ten minutes (a five-minute batching window
 * included). A consumer that received nothing for 15 minutes while the table was written in each
 * five-minute period does. Missing data is not breaching: no datapoint at all means the table had
 * no successful writes, so nothing was expected.
 */
export const LIVENESS: ResolvedAlarmSettings = {
  threshold: 0,
  period: 300,
  evaluationPeriods: 3,
  datapointsToAlarm: 3,
  treatMissingData: 'notBreaching',
  statistic: 'Maximum',
  comparisonOperator: 'GreaterThanThreshold',
};

/** A metric of a metric-math query: its id in the expression and the statistic it is read with. */
export interface MathMetric extends MetricId {
  readonly id: string;
  readonly stat: string;
}

/** An alarm on an expression over several metrics instead of one metric. */
export interface MetricMath {
  /** Evaluates to 1 in a stalled period, 0 otherwise. */
  readonly expression: string;
  readonly label: string;
  readonly metrics: MathMetric[];
}

/** What the liveness alarms watch: the source table and what should receive its changes. */
export interface LivenessSource {
  /** The table whose writes must arrive downstream. */
  readonly tableName: string;
  /** The mapping's PolledEventCount (with EventCount metrics), else the function's Invocations. */
  readonly received: MetricId & { readonly stat: 'Sum' };
  /** Name of the Kinesis stream between the table and the consumer. */
  readonly kinesisStreamName?: string;
}

export type LivenessCandidate = [LivenessAlarmKey, MetricMath, ResolvedAlarmSettings, (t: number) => string];

/** The liveness alarms that apply to `source`. */
export function livenessAlarmCandidates(fn: string, source: LivenessSource): LivenessCandidate[] {
  const writes = tableWriteMetrics(source.tableName);
  const out: LivenessCandidate[] = [
    [
      'consumerStalled',
      stalled(writes, { id: 'received', ...source.received }, `${source.tableName} written, ${fn} received nothing`),
      LIVENESS,
      () =>
        `Table ${source.tableName} was written but ${fn}'s mapping received no records for 3 periods in a row: ` +
        `the mapping is disabled or stalled, its role lost stream access, or the stream stopped. ` +
        `Check the mapping's state and last processing result (aws lambda get-event-source-mapping) before the stream's 24 hours run out.`,
    ],
  ];
  const k = source.kinesisStreamName;
  if (k !== undefined) {
    const incoming: MathMetric = {
      id: 'incoming',
      namespace: 'AWS/Kinesis',
      metricName: 'IncomingRecords',
      dimensions: { StreamName: k },
      stat: 'Sum',
    };
    out.push([
      'kinesisDestinationStalled',
      stalled(writes, incoming, `${source.tableName} written, nothing put on ${k}`),
      LIVENESS,
      () =>
        `Table ${source.tableName} was written but DynamoDB put no records on Kinesis stream ${k}: the streaming ` +
        `destination is disabled or failed (aws dynamodb describe-kinesis-streaming-destination), or the stream's key denies DynamoDB.`,
    ]);
  }
  return out;
}

/** The graph of writes against what arrived downstream. */
export function livenessWidget(source: LivenessSource): MetricWidgetSpec {
  const lines: MetricLine[] = [
    ...tableWriteMetrics(source.tableName).map(({ id: _id, ...m }) => ({ ...m, label: `${m.dimensions.Operation}` })),
    { ...source.received, label: 'received by the consumer' },
  ];
  if (source.kinesisStreamName !== undefined)
    lines.push({
      namespace: 'AWS/Kinesis',
      metricName: 'IncomingRecords',
      dimensions: { StreamName: source.kinesisStreamName },
      stat: 'Sum',
      label: 'put on Kinesis',
    });
  return { title: 'Table writes and records received', lines, period: LIVENESS.period };
}

function tableWriteMetrics(tableName: string): MathMetric[] {
  return TABLE_WRITE_OPERATIONS.map((op, i) => ({
    id: `w${i}`,
    namespace: 'AWS/DynamoDB',
    metricName: 'SuccessfulRequestLatency',
    dimensions: { TableName: tableName, Operation: op },
    stat: 'SampleCount',
  }));
}

/**
 * 1 in a period with writes and nothing received, else 0. FILL turns a metric's missing
 * datapoints into 0, so a period where writes exist and the receiving metric has none (a disabled
 * mapping publishes nothing) still evaluates.
 */
function stalled(writes: MathMetric[], received: MathMetric, label: string): MetricMath {
  const written = writes.map((w) => `FILL(${w.id}, 0)`).join(' + ');
  return { expression: `IF((${written}) > 0 AND FILL(${received.id}, 0) == 0, 1, 0)`, label, metrics: [...writes, received] };
}
