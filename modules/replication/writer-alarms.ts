import type { TerraformProvider } from 'cdktf';
import type { Construct } from 'constructs';
import { PipelineAlarms } from '../alarms';
import type { FailureDestination } from '../failure-destination';
import type { MetricWidgetSpec } from '../internal/dashboard';
import type { ReplicaBacklog } from './backlog';
import type { ReplicationAlarmProps } from './props';
import { DRAIN_METRICS, METRIC_DIMENSIONS, REPLICATION_METRICS_NAMESPACE, WRITER_METRICS } from '../../handlers/contract';
import { TARGET_FAILURES, targetFailingSettings } from './internal/target-failures';

/** What a writer's graphs and alarms watch. */
export interface WriterWatch {
  readonly functionName: string;
  readonly serviceName: string;
  readonly sourceRegion: string;
  /** The source table: its writes against what the writer's mapping read (the liveness alarm). */
  readonly sourceTableName: string;
  /** The Kinesis stream between the table and the writer (changeSource 'kinesis'). */
  readonly kinesisStreamName?: string;
  readonly mappingUuid: string;
  /** The queue the handler parks records in that can never be written. */
  readonly failures: FailureDestination;
  /** The mapping's on-failure destination (S3, whole batches). */
  readonly failedBatches: FailureDestination;
  readonly backlog: ReplicaBacklog;
  readonly targets: readonly { readonly region: string; readonly tableName: string }[];
  /** Alarm settings with this region's actions resolved; undefined = no alarms. */
  readonly alarms?: Omit<ReplicationAlarmProps, 'actionArns' | 'enabled'> & { readonly actionArns: string[] };
  readonly tags?: Record<string, string>;
  readonly provider?: TerraformProvider;
}

/**
 * A writer's graphs on the table's dashboard and its alarms: the pipeline alarms of its function
 * and mapping (liveness included), its parked records, and per target region its lag, its
 * backlog's age, and one alarm per reason kind the target fails for (docs/alarms.md).
 */
export function writerGraphsAndAlarms(scope: Construct, w: WriterWatch): { alarms?: PipelineAlarms; widgets: MetricWidgetSpec[] } {
  const region = w.sourceRegion;
  const fn = { namespace: 'AWS/Lambda', dimensions: { FunctionName: w.functionName } };
  const parked = { namespace: 'AWS/SQS', dimensions: { QueueName: w.failures.queueName! } };
  const widgets: MetricWidgetSpec[] = [
    { title: `${region} writer: iterator age (ms)`, region, lines: [{ ...fn, metricName: 'IteratorAge', stat: 'Maximum' }] },
    {
      title: `${region} writer: errors and throttles`,
      region,
      lines: [
        { ...fn, metricName: 'Errors', stat: 'Sum' },
        { ...fn, metricName: 'Throttles', stat: 'Sum' },
      ],
    },
    {
      title: `${region} writer: parked records`,
      region,
      lines: [{ ...parked, metricName: 'ApproximateNumberOfMessagesVisible', stat: 'Maximum' }],
    },
  ];
  const alarms = w.alarms
    ? new PipelineAlarms(scope, 'Alarms', {
        functionName: w.functionName,
        failureDestination: w.failedBatches,
        actionArns: w.alarms.actionArns,
        alarms: w.alarms.pipeline,
        dashboard: false,
        eventSourceMappingUuid: w.mappingUuid,
        sourceTableName: w.sourceTableName,
        kinesis: w.kinesisStreamName ? { streamName: w.kinesisStreamName } : undefined,
        tags: w.tags,
        provider: w.provider,
      })
    : undefined;
  if (alarms) alarmOnParked(alarms, w);
  for (const t of w.targets) {
    widgets.push(lagGraph(w, t.region), backlogGraph(w, t.region));
    if (!alarms) continue;
    alarmOnLag(alarms, w, t.region);
    alarmOnBacklog(alarms, w, t);
    alarmOnTargetFailing(alarms, w, t);
  }
  return { alarms, widgets };
}

/** The writer's metric dimensions for one target: what Powertools publishes (service + the handler's own). */
export function lagDimensions(serviceName: string, sourceRegion: string, targetRegion: string): Record<string, string> {
  return {
    [METRIC_DIMENSIONS.service]: serviceName,
    [METRIC_DIMENSIONS.sourceRegion]: sourceRegion,
    [METRIC_DIMENSIONS.targetRegion]: targetRegion,
  };
}

/** eu-west-1 -> EuWest1, access-denied -> AccessDenied: part of an alarm key (letters and digits only). */
export function keyPart(name: string): string {
  return name.replace(/-(\w)/g, (_, c: string) => c.toUpperCase()).replace(/^\w/, (c) => c.toUpperCase());
}

const LAG_THRESHOLD_MS = 60000;
const BACKLOG_AGE_THRESHOLD_S = 300;

function replicationMetric(w: WriterWatch, metricName: string, targetRegion: string) {
  return { namespace: REPLICATION_METRICS_NAMESPACE, metricName, dimensions: lagDimensions(w.serviceName, w.sourceRegion, targetRegion) };
}

/**
 * Parked records need a person, and the parking queue is read by nobody else: each new one
 * notifies, and one left a day alarms (SQS stops publishing an idle queue's metrics, so the age
 * alarm keeps its state on missing data).
 */
function alarmOnParked(alarms: PipelineAlarms, w: WriterWatch): void {
  const queue = { namespace: 'AWS/SQS', dimensions: { QueueName: w.failures.queueName! } };
  const what =
    `records ${w.functionName} can never write to a target (over 400 KB with the replication metadata, ` +
    'undecodable, or a malformed version) were parked in';
  alarms.addAlarm('parkedArrivals', {
    ...queue,
    metricName: 'NumberOfMessagesSent',
    statistic: 'Sum',
    nameSuffix: 'parked-arrivals',
    title: `${w.sourceRegion} writer: records parked`,
    description:
      `New ${what} ${w.failures.queueName}: each message holds the record and the reason. Fix the item (or omit the ` +
      'attribute for that target), then write it again or backfill its key (docs/backfill.md); the queue keeps it 14 days.',
  });
  alarms.addAlarm('parkedAge', {
    ...queue,
    metricName: 'ApproximateAgeOfOldestMessage',
    threshold: 86400,
    treatMissingData: 'ignore',
    nameSuffix: 'parked-age',
    title: `${w.sourceRegion} writer: oldest parked record (s)`,
    description:
      `A record parked a day ago still waits in ${w.failures.queueName} (${what} it): handle it before the ` +
      "queue's 14-day retention drops it; until then that key's copy is missing in the target.",
  });
}

function lagGraph(w: WriterWatch, target: string): MetricWidgetSpec {
  const lag = replicationMetric(w, WRITER_METRICS.lag, target);
  return {
    title: `Lag ${w.sourceRegion} -> ${target} (ms)`,
    region: w.sourceRegion,
    lines: [
      { ...lag, stat: 'Maximum', label: 'max' },
      { ...lag, stat: 'p99', label: 'p99' },
    ],
    threshold: w.alarms ? { label: 'alarm', value: w.alarms.replicationLag?.threshold ?? LAG_THRESHOLD_MS } : undefined,
  };
}

function alarmOnLag(alarms: PipelineAlarms, w: WriterWatch, target: string): void {
  const region = w.sourceRegion;
  alarms.addAlarm(`lag${keyPart(target)}`, {
    ...replicationMetric(w, WRITER_METRICS.lag, target),
    threshold: LAG_THRESHOLD_MS,
    evaluationPeriods: 3,
    datapointsToAlarm: 3,
    ...w.alarms?.replicationLag,
    nameSuffix: `lag-${target}`,
    title: `Lag ${region} -> ${target} (ms)`,
    description:
      `Writes made in ${region} reach ${target} more than the threshold (ms) after they were made, or have not reached it ` +
      `for that long: the writer ${w.functionName} falls behind, ${target} is unreachable, or it throttles the writer.`,
  });
}

function backlogGraph(w: WriterWatch, target: string): MetricWidgetSpec {
  return {
    title: `Backlog ${w.sourceRegion} -> ${target}`,
    region: w.sourceRegion,
    lines: [
      { ...replicationMetric(w, DRAIN_METRICS.depth, target), stat: 'Maximum', label: 'copies waiting' },
      { ...replicationMetric(w, DRAIN_METRICS.oldestAge, target), stat: 'Maximum', label: 'oldest (s)' },
    ],
    threshold: w.alarms ? { label: 'alarm (s)', value: BACKLOG_AGE_THRESHOLD_S } : undefined,
  };
}

/**
 * The target's backlog when its oldest copy has waited 5 minutes in two drain runs in a row: the
 * target cannot be written (the target-failing alarms say why) and its readers see data that old.
 * The drainer publishes the age on every run, 0 when nothing waits, so no datapoint means it did
 * not run (schedule disabled, a crash at start): missing data is breaching.
 */
function alarmOnBacklog(alarms: PipelineAlarms, w: WriterWatch, t: { region: string; tableName: string }): void {
  const { sourceRegion: region, backlog } = w;
  alarms.addAlarm(`backlog${keyPart(t.region)}`, {
    ...replicationMetric(w, DRAIN_METRICS.oldestAge, t.region),
    threshold: BACKLOG_AGE_THRESHOLD_S,
    period: backlog.intervalMinutes * 60,
    evaluationPeriods: 2,
    datapointsToAlarm: 2,
    treatMissingData: 'breaching',
    nameSuffix: `backlog-${t.region}`,
    title: `Backlog ${region} -> ${t.region} oldest (s)`,
    description:
      `Copies from ${region} to ${t.tableName} in ${t.region} have waited in the backlog ${backlog.tableName} ` +
      `for more than ${BACKLOG_AGE_THRESHOLD_S} s: ${t.region} cannot be written (the ${w.functionName}-failing-${t.region}-* ` +
      `alarm names the reason; logs of ${backlog.functionName}); the drainer applies them once it can. With no data, ` +
      `${backlog.functionName} has not run: check its schedule rule and its errors.`,
  });
}

/**
 * One alarm per reason kind the drainer reports for a target (its TargetFailing metric, dimension
 * Reason), so the alarm's name and description say which target fails and why, and what to do.
 */
function alarmOnTargetFailing(alarms: PipelineAlarms, w: WriterWatch, t: { region: string; tableName: string }): void {
  for (const [reason, failure] of Object.entries(TARGET_FAILURES)) {
    alarms.addAlarm(`failing${keyPart(t.region)}${keyPart(reason)}`, {
      namespace: REPLICATION_METRICS_NAMESPACE,
      metricName: DRAIN_METRICS.failing,
      dimensions: { ...lagDimensions(w.serviceName, w.sourceRegion, t.region), [METRIC_DIMENSIONS.reason]: reason },
      ...targetFailingSettings(reason, w.backlog.intervalMinutes),
      nameSuffix: `failing-${t.region}-${reason}`,
      title: `${t.region} failing (${reason})`,
      description:
        `${t.tableName} in ${t.region} refuses copies from ${w.sourceRegion} (${reason}: ${failure.cause}). ` +
        `${failure.action} The copies wait in the backlog ${w.backlog.tableName}; ${w.backlog.functionName} applies ` +
        'them once the target takes them; other targets are not held back.',
    });
  }
}
