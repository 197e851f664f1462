import type { PipelineAlarmsProps } from '../alarms';
import type { LivenessAlarmKey, MetricId, PipelineAlarmKey, SourceAlarmKey } from '../props/alarm-settings';
import type { MetricWidgetSpec } from './dashboard';
import { LIVENESS_ALARMS, LivenessSource, livenessAlarmCandidates, livenessWidget, MetricMath } from './liveness-alarm-catalog';
import { ResolvedAlarmSettings, resolveAlarmSettings, validateAlarmSettings } from './metric-alarm';
import { SOURCE_ALARMS, sourceAlarmCandidates, sourceWidgets } from './source-alarm-catalog';
import { lambdaMetric, snsMetric, sqsMetric } from './metrics';
import { PropsValidator } from './validation';

/** Construct id and alarm name suffix of each pipeline alarm. */
export const PIPELINE_ALARMS: Record<PipelineAlarmKey, { readonly id: string; readonly suffix: string }> = {
  iteratorAge: { id: 'IteratorAge', suffix: 'iterator-age' },
  errors: { id: 'Errors', suffix: 'errors' },
  throttles: { id: 'Throttles', suffix: 'throttles' },
  failureQueueArrivals: { id: 'FailureQueueArrivals', suffix: 'failure-queue-arrivals' },
  failureQueueAge: { id: 'FailureQueueAge', suffix: 'failure-queue-age' },
  failedNotifications: { id: 'FailedNotifications', suffix: 'failed-notifications' },
  destinationDeliveryFailures: { id: 'DestinationDeliveryFailures', suffix: 'destination-delivery-failures' },
  ...SOURCE_ALARMS,
  ...LIVENESS_ALARMS,
};

/** Any count above zero in one minute; idle pipelines publish no data, which is healthy. */
const COUNT: ResolvedAlarmSettings = {
  threshold: 0,
  period: 60,
  evaluationPeriods: 1,
  datapointsToAlarm: 1,
  treatMissingData: 'notBreaching',
  statistic: 'Sum',
  comparisonOperator: 'GreaterThanThreshold',
};

/** The seeds' line: alert above 60 s; three minutes in a row so one slow batch does not page. */
const ITERATOR_AGE: ResolvedAlarmSettings = {
  ...COUNT,
  threshold: 60000,
  evaluationPeriods: 3,
  datapointsToAlarm: 3,
  statistic: 'Maximum',
};

/**
 * A failure waiting over an hour: nobody (person or redrive) handles the queue, and the stream's
 * 24 hours run. Missing data keeps the state: SQS stops publishing a queue's metrics after six
 * hours without API calls, which a queue nobody reads reaches while a message still waits.
 */
const QUEUE_AGE: ResolvedAlarmSettings = { ...COUNT, threshold: 3600, statistic: 'Maximum', treatMissingData: 'ignore' };

export interface PlannedAlarm {
  readonly key: PipelineAlarmKey;
  /** The one metric, or `math` over several. */
  readonly metric?: MetricId;
  readonly math?: MetricMath;
  readonly settings: ResolvedAlarmSettings;
  readonly description: string;
}

export interface PipelineAlarmPlan {
  readonly prefix: string;
  readonly alarms: PlannedAlarm[];
  readonly widgets: MetricWidgetSpec[];
}

/**
 * Decides which alarms and graphs a pipeline gets and with which settings, reporting bad
 * overrides to `v` (the caller throws).
 */
export function pipelineAlarmPlan(props: PipelineAlarmsProps, v: PropsValidator): PipelineAlarmPlan {
  const fn = props.functionName;
  const alias = props.aliasName;
  const prefix = props.alarmNamePrefix ?? (alias ? `${fn}-${alias}` : fn);
  const lambda = (metricName: string): MetricId => lambdaMetric(metricName, fn, alias);
  const dest = props.failureDestination;
  // An SQS failure record holds stream positions only: the records are readable as long as the source keeps them.
  const kept = props.kinesis ? "the Kinesis stream's retention period" : '24 hours for a DynamoDB stream';
  const overrides = props.alarms ?? {};

  for (const key of Object.keys(overrides)) {
    if (!(key in PIPELINE_ALARMS))
      v.fail(
        `alarms.${key}`,
        overrides[key as PipelineAlarmKey],
        `one of ${Object.keys(PIPELINE_ALARMS).join(', ')}`,
        'not a pipeline alarm; use addAlarm for other metrics',
      );
  }
  const misplaced = (key: PipelineAlarmKey, needs: 'sqs' | 'sns') => {
    if (overrides[key] === undefined || dest?.kind === needs) return;
    const what = needs === 'sqs' ? 'an SQS failure queue' : 'an SNS failure topic';
    const has = dest ? `failureDestination is ${dest.kind === 'sqs' ? 'an SQS queue' : 'an SNS topic'}` : 'there is no failureDestination';
    v.fail(`alarms.${key}`, overrides[key], 'unset', `it watches ${what} and ${has}`);
  };
  misplaced('failureQueueArrivals', 'sqs');
  misplaced('failureQueueAge', 'sqs');
  misplaced('failedNotifications', 'sns');

  const sourceKeys = new Set(sourceAlarmCandidates(fn, props, COUNT, ITERATOR_AGE).map((c) => c[0]));
  for (const key of Object.keys(SOURCE_ALARMS) as SourceAlarmKey[]) {
    if (overrides[key] !== undefined && !sourceKeys.has(key)) v.fail(`alarms.${key}`, overrides[key], 'unset', sourceAlarmWhy(key));
  }
  const liveness = livenessSource(props, lambda);
  for (const key of Object.keys(LIVENESS_ALARMS) as LivenessAlarmKey[]) {
    const o = overrides[key];
    if (o === undefined) continue;
    if (!liveness) v.fail(`alarms.${key}`, o, 'unset', 'it watches the source table and no sourceTableName is given');
    else if (key === 'kinesisDestinationStalled' && !props.kinesis)
      v.fail(`alarms.${key}`, o, 'unset', 'it watches a Kinesis streaming destination and kinesis is not given');
    if (o.statistic !== undefined)
      v.fail(
        `alarms.${key}.statistic`,
        o.statistic,
        'unset',
        'a liveness alarm compares a metric-math expression (1 when stalled), not one statistic',
      );
  }
  const candidates: [PipelineAlarmKey, boolean, MetricId | MetricMath, ResolvedAlarmSettings, (t: number) => string][] = [
    [
      'iteratorAge',
      true,
      lambda('IteratorAge'),
      ITERATOR_AGE,
      (t) =>
        `Records wait over ${t} ms in the stream before ${fn} processes them: the consumer falls ` +
        `behind or a failing batch blocks its shard (stream records expire after 24 hours).`,
    ],
    [
      'errors',
      true,
      lambda('Errors'),
      COUNT,
      () =>
        `${fn} returned errors: the mapping retries (bisecting the batch), then sends the batch's metadata to the on-failure destination.`,
    ],
    [
      'throttles',
      true,
      lambda('Throttles'),
      COUNT,
      () => `${fn} was throttled: its shards wait while throttling lasts. Check its reserved concurrency and the account's concurrency.`,
    ],
    [
      'failureQueueArrivals',
      dest?.kind === 'sqs',
      sqsMetric('NumberOfMessagesSent', dest?.queueName ?? ''),
      COUNT,
      () =>
        `${fn} gave up on a batch and its mapping sent it to the failure queue ${dest?.queueName}: ` +
        `redrive it while the stream still holds its records (${kept} after they were written).`,
    ],
    [
      'failureQueueAge',
      dest?.kind === 'sqs',
      sqsMetric('ApproximateAgeOfOldestMessage', dest?.queueName ?? ''),
      QUEUE_AGE,
      (t) =>
        `A failed batch of ${fn} has waited over ${t} s in the failure queue ${dest?.queueName}: nobody handles it. ` +
        `Redrive it before the stream drops its records (${kept} after they were written).`,
    ],
    [
      'failedNotifications',
      dest?.kind === 'sns',
      snsMetric('NumberOfNotificationsFailed', dest?.topicName ?? ''),
      COUNT,
      () => `SNS failed to deliver failure notifications of ${fn} from topic ${dest?.topicName} to its subscribers.`,
    ],
    [
      'destinationDeliveryFailures',
      dest !== undefined,
      lambda('DestinationDeliveryFailures'),
      COUNT,
      () =>
        `Lambda could not send on-failure records of ${fn} to its destination: those batches ` +
        `are lost unless read back from the stream. Check the role's send and KMS permissions.`,
    ],
    ...sourceAlarmCandidates(fn, props, COUNT, ITERATOR_AGE).map(
      ([key, metric, defaults, describe]) =>
        [key, true, metric, defaults, describe] as [PipelineAlarmKey, boolean, MetricId, ResolvedAlarmSettings, (t: number) => string],
    ),
    ...(liveness ? livenessAlarmCandidates(fn, liveness) : []).map(
      ([key, math, defaults, describe]) =>
        [key, true, math, defaults, describe] as [PipelineAlarmKey, boolean, MetricMath, ResolvedAlarmSettings, (t: number) => string],
    ),
  ];

  const alarms: PlannedAlarm[] = [];
  for (const [key, applies, metric, defaults, describe] of candidates) {
    const override = overrides[key] ?? {};
    const settings = resolveAlarmSettings(defaults, override);
    validateAlarmSettings(v, `alarms.${key}`, settings);
    // enabled: true creates a destination alarm without a known destination only for
    // destinationDeliveryFailures; the other two were refused above.
    if (override.enabled ?? applies)
      alarms.push({
        key,
        ...('expression' in metric ? { math: metric } : { metric }),
        settings,
        description: describe(settings.threshold),
      });
  }

  const threshold = (key: PipelineAlarmKey) => {
    const a = alarms.find((x) => x.key === key);
    return a ? { label: 'alarm', value: a.settings.threshold } : undefined;
  };
  const line = (m: MetricId, stat: string, label?: string, yAxis?: 'right') => ({
    ...m,
    stat,
    ...(label ? { label } : {}),
    ...(yAxis ? { yAxis } : {}),
  });
  const widgets: MetricWidgetSpec[] = [
    { title: 'Iterator age (ms)', lines: [line(lambda('IteratorAge'), 'Maximum')], threshold: threshold('iteratorAge') },
    { title: 'Invocations', lines: [line(lambda('Invocations'), 'Sum')] },
    { title: 'Errors and throttles', lines: [line(lambda('Errors'), 'Sum'), line(lambda('Throttles'), 'Sum')] },
    {
      title: 'Duration (ms)',
      lines: [line(lambda('Duration'), 'p50', 'p50'), line(lambda('Duration'), 'p99', 'p99'), line(lambda('Duration'), 'Maximum', 'max')],
    },
    { title: 'Concurrent executions', lines: [line(lambda('ConcurrentExecutions'), 'Maximum')] },
  ];
  if (dest?.kind === 'sqs') {
    const q = { namespace: 'AWS/SQS', dimensions: { QueueName: dest.queueName ?? '' } };
    widgets.push({
      title: 'Failure queue',
      lines: [
        line({ ...q, metricName: 'NumberOfMessagesSent' }, 'Sum', 'arrived'),
        line({ ...q, metricName: 'ApproximateNumberOfMessagesVisible' }, 'Maximum', 'visible'),
        line({ ...q, metricName: 'ApproximateAgeOfOldestMessage' }, 'Maximum', 'oldest (s)', 'right'),
      ],
      threshold: threshold('failureQueueArrivals'),
    });
  } else if (dest?.kind === 'sns') {
    const t = { namespace: 'AWS/SNS', dimensions: { TopicName: dest.topicName ?? '' } };
    widgets.push({
      title: 'Failure topic',
      lines: [
        line({ ...t, metricName: 'NumberOfMessagesPublished' }, 'Sum', 'published'),
        line({ ...t, metricName: 'NumberOfNotificationsFailed' }, 'Sum', 'failed'),
      ],
      threshold: threshold('failedNotifications'),
    });
  }
  if (dest || alarms.some((a) => a.key === 'destinationDeliveryFailures')) {
    widgets.push({
      title: 'On-failure delivery failures',
      lines: [line(lambda('DestinationDeliveryFailures'), 'Sum')],
      threshold: threshold('destinationDeliveryFailures'),
    });
  }
  widgets.push(...sourceWidgets(props, threshold));
  if (liveness) widgets.push(livenessWidget(liveness));
  return { prefix, alarms, widgets };
}

/**
 * What the liveness alarms compare, when the source table is known: the mapping's PolledEventCount
 * counts every record read, filtered out or not; without EventCount metrics only the function's
 * Invocations are left, which stay at zero while a filter drops every record.
 */
function livenessSource(props: PipelineAlarmsProps, lambda: (metricName: string) => MetricId): LivenessSource | undefined {
  if (props.sourceTableName === undefined) return undefined;
  const uuid = props.eventSourceMappingUuid;
  const received: MetricId =
    uuid !== undefined
      ? { namespace: 'AWS/Lambda', metricName: 'PolledEventCount', dimensions: { EventSourceMappingUUID: uuid } }
      : lambda('Invocations');
  return { tableName: props.sourceTableName, received: { ...received, stat: 'Sum' }, kinesisStreamName: props.kinesis?.streamName };
}

/** Why a source alarm override does not apply to this pipeline. */
function sourceAlarmWhy(key: SourceAlarmKey): string {
  if (key === 'droppedEvents' || key === 'failedInvokeEvents' || key === 'onFailureDelivered')
    return "it watches the mapping's EventCount metrics and no eventSourceMappingUuid is given";
  if (key === 'fanOutLag') return 'it watches an enhanced fan-out consumer and kinesis.fanOutConsumerName is not given';
  if (key === 'kinesisWriteThrottles') return 'it watches a Kinesis stream and kinesis is not given';
  return 'it watches the polling (shared-throughput) readers of a Kinesis stream and kinesis is not given or names a fan-out consumer';
}
