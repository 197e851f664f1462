/** How the constructs' CloudWatch alarms evaluate their metrics. */

/** Statistic of an alarm's metric (the CloudWatch PutMetricAlarm values). */
export type AlarmStatistic = 'SampleCount' | 'Average' | 'Sum' | 'Minimum' | 'Maximum';
/** The static-threshold comparison operators (the anomaly-band ones need a threshold metric, which these alarms do not define). */
export type AlarmComparison = 'GreaterThanThreshold' | 'GreaterThanOrEqualToThreshold' | 'LessThanThreshold' | 'LessThanOrEqualToThreshold';
/** How CloudWatch counts a period without data. */
export type TreatMissingData = 'missing' | 'ignore' | 'breaching' | 'notBreaching';

/** How an alarm evaluates its metric; every field can be overridden per alarm. */
export interface AlarmSettings {
  /** Value the statistic is compared with, in the metric's unit (ms for IteratorAge, a count otherwise). */
  readonly threshold?: number;
  /** Length of one evaluated datapoint in seconds: 10, 20, 30 or a multiple of 60. */
  readonly period?: number;
  /** How many recent periods are evaluated: >= 1, and period x evaluationPeriods <= 86400 when period < 3600. */
  readonly evaluationPeriods?: number;
  /** How many of the evaluated periods must breach to alarm: 1..evaluationPeriods. */
  readonly datapointsToAlarm?: number;
  /** What a period without data counts as: missing, ignore, breaching or notBreaching. */
  readonly treatMissingData?: TreatMissingData;
  /** Statistic of the metric: SampleCount, Average, Sum, Minimum or Maximum. */
  readonly statistic?: AlarmStatistic;
  /** Comparison of statistic and threshold (the four static-threshold operators). */
  readonly comparisonOperator?: AlarmComparison;
}

/** One CloudWatch metric: namespace, name and dimensions (in the order CloudWatch shows them). */
export interface MetricId {
  /** CloudWatch namespace, e.g. `AWS/Lambda` or a custom one such as `StreamPipeline`. */
  readonly namespace: string;
  /** Metric name within the namespace, e.g. `IteratorAge`. */
  readonly metricName: string;
  /** Dimension names and values; they must match the published metric exactly (no wildcards). */
  readonly dimensions: Record<string, string>;
}

/**
 * The alarms of a pipeline's source: its mapping's EventCount metrics (dropped, failed-invoke and
 * given-up records), and for Kinesis iterator age, read and write throttling and fan-out lag.
 */
export type SourceAlarmKey =
  | 'droppedEvents'
  | 'failedInvokeEvents'
  | 'onFailureDelivered'
  | 'kinesisIteratorAge'
  | 'kinesisReadThrottles'
  | 'kinesisWriteThrottles'
  | 'fanOutLag';

/**
 * Liveness alarms, on metric math: the source table was written but the consumer received nothing,
 * or (Kinesis) DynamoDB put nothing on the stream.
 */
export type LivenessAlarmKey = 'consumerStalled' | 'kinesisDestinationStalled';

/**
 * The alarms of a stream pipeline: those of its function and failure destination, and those of its
 * source when the mapping publishes EventCount metrics or reads Kinesis.
 */
export type PipelineAlarmKey =
  | 'iteratorAge'
  | 'errors'
  | 'throttles'
  | 'failureQueueArrivals'
  | 'failureQueueAge'
  | 'failedNotifications'
  | 'destinationDeliveryFailures'
  | SourceAlarmKey
  | LivenessAlarmKey;
