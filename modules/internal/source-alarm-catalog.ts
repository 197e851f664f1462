import type { MetricId, SourceAlarmKey } from '../props/alarm-settings';
import type { MetricLine, MetricWidgetSpec } from './dashboard';
import type { ResolvedAlarmSettings } from './metric-alarm';

/**
 * The alarms and graphs a pipeline gets from its event source mapping's own metrics
 * (`metrics_config` EventCount: AWS/Lambda, dimension EventSourceMappingUUID) and, for a Kinesis
 * source, from the stream (AWS/Kinesis, StreamName; fan-out lag also by ConsumerName).
 */

export const SOURCE_ALARMS: Record<SourceAlarmKey, { readonly id: string; readonly suffix: string }> = {
  droppedEvents: { id: 'DroppedEvents', suffix: 'dropped-events' },
  failedInvokeEvents: { id: 'FailedInvokeEvents', suffix: 'failed-invoke-events' },
  onFailureDelivered: { id: 'OnFailureDelivered', suffix: 'on-failure-delivered' },
  kinesisIteratorAge: { id: 'KinesisIteratorAge', suffix: 'kinesis-iterator-age' },
  kinesisReadThrottles: { id: 'KinesisReadThrottles', suffix: 'kinesis-read-throttles' },
  kinesisWriteThrottles: { id: 'KinesisWriteThrottles', suffix: 'kinesis-write-throttles' },
  fanOutLag: { id: 'FanOutLag', suffix: 'fan-out-lag' },
};

/** The source a pipeline's alarms watch besides its function. */
export interface SourceMetrics {
  /** UUID of the mapping, when it publishes EventCount metrics. */
  readonly eventSourceMappingUuid?: string;
  /** The Kinesis stream read, and the fan-out consumer when the mapping has one. */
  readonly kinesis?: { readonly streamName: string; readonly fanOutConsumerName?: string };
}

export type Candidate = [SourceAlarmKey, MetricId, ResolvedAlarmSettings, (t: number) => string];

/** The alarm candidates that apply to `source` (settings are the defaults; overrides come later). */
export function sourceAlarmCandidates(
  fn: string,
  source: SourceMetrics,
  count: ResolvedAlarmSettings,
  age: ResolvedAlarmSettings,
): Candidate[] {
  const out: Candidate[] = [];
  const uuid = source.eventSourceMappingUuid;
  if (uuid !== undefined) {
    const esm = (metricName: string): MetricId => ({ namespace: 'AWS/Lambda', metricName, dimensions: { EventSourceMappingUUID: uuid } });
    out.push(
      [
        'droppedEvents',
        esm('DroppedEventCount'),
        count,
        () =>
          `The mapping of ${fn} dropped records (retries or record age exhausted) without delivering ` +
          `them to an on-failure destination: they are lost unless read back from the source.`,
      ],
      [
        'failedInvokeEvents',
        esm('FailedInvokeEventCount'),
        count,
        () =>
          `Records of ${fn}'s mapping failed in an invocation; the mapping retries ` +
          `them (bisecting), then reports them to the on-failure destination.`,
      ],
      [
        'onFailureDelivered',
        esm('OnFailureDestinationDeliveredEventCount'),
        count,
        () =>
          `The mapping of ${fn} gave up on records and sent them to its ` +
          `on-failure destination: they wait there for the redrive or a person.`,
      ],
    );
  }
  const k = source.kinesis;
  if (k) {
    const stream = (metricName: string): MetricId => ({ namespace: 'AWS/Kinesis', metricName, dimensions: { StreamName: k.streamName } });
    if (k.fanOutConsumerName === undefined) {
      out.push(
        [
          'kinesisIteratorAge',
          stream('GetRecords.IteratorAgeMilliseconds'),
          age,
          (t) =>
            `Records wait over ${t} ms in Kinesis stream ${k.streamName} before ` +
            `its polling readers get them: a reader falls behind or is throttled.`,
        ],
        [
          'kinesisReadThrottles',
          stream('ReadProvisionedThroughputExceeded'),
          count,
          () =>
            `Reads of Kinesis stream ${k.streamName} were throttled: its shared-throughput readers need more ` +
            `than 2 MB/s or 5 calls per second per shard. Use enhanced fan-out or fewer shared readers.`,
        ],
      );
    } else {
      const lag: MetricId = {
        namespace: 'AWS/Kinesis',
        metricName: 'SubscribeToShardEvent.MillisBehindLatest',
        dimensions: { StreamName: k.streamName, ConsumerName: k.fanOutConsumerName },
      };
      out.push([
        'fanOutLag',
        lag,
        age,
        (t) => `Fan-out consumer ${k.fanOutConsumerName} of ${fn} is over ${t} ms behind the tip of Kinesis stream ${k.streamName}.`,
      ]);
    }
    out.push([
      'kinesisWriteThrottles',
      stream('WriteProvisionedThroughputExceeded'),
      count,
      () =>
        `DynamoDB's writes into Kinesis stream ${k.streamName} were throttled: ` +
        `changes reach consumers late. Add shards or use on-demand capacity.`,
    ]);
  }
  return out;
}

/** The graphs of the source metrics; `threshold` gives an alarm's line when it exists. */
export function sourceWidgets(
  source: SourceMetrics,
  threshold: (key: SourceAlarmKey) => { label: string; value: number } | undefined,
): MetricWidgetSpec[] {
  const widgets: MetricWidgetSpec[] = [];
  const line = (m: MetricId, stat: string, label?: string): MetricLine => ({ ...m, stat, ...(label ? { label } : {}) });
  const uuid = source.eventSourceMappingUuid;
  if (uuid !== undefined) {
    const esm = (metricName: string, label: string) =>
      line({ namespace: 'AWS/Lambda', metricName, dimensions: { EventSourceMappingUUID: uuid } }, 'Sum', label);
    widgets.push({
      title: 'Mapping events',
      lines: [
        esm('PolledEventCount', 'polled'),
        esm('FilteredOutEventCount', 'filtered out'),
        esm('InvokedEventCount', 'invoked'),
        esm('FailedInvokeEventCount', 'failed invoke'),
      ],
      threshold: threshold('failedInvokeEvents'),
    });
    widgets.push({
      title: 'Mapping: records given up',
      lines: [esm('OnFailureDestinationDeliveredEventCount', 'to on-failure destination'), esm('DroppedEventCount', 'dropped')],
      threshold: threshold('droppedEvents'),
    });
  }
  const k = source.kinesis;
  if (k) {
    const stream = (metricName: string, stat: string, label?: string) =>
      line({ namespace: 'AWS/Kinesis', metricName, dimensions: { StreamName: k.streamName } }, stat, label);
    if (k.fanOutConsumerName === undefined) {
      widgets.push({
        title: 'Kinesis iterator age (ms)',
        lines: [stream('GetRecords.IteratorAgeMilliseconds', 'Maximum')],
        threshold: threshold('kinesisIteratorAge'),
      });
    } else {
      const lag = line(
        {
          namespace: 'AWS/Kinesis',
          metricName: 'SubscribeToShardEvent.MillisBehindLatest',
          dimensions: { StreamName: k.streamName, ConsumerName: k.fanOutConsumerName },
        },
        'Maximum',
      );
      widgets.push({ title: 'Fan-out lag, MillisBehindLatest (ms)', lines: [lag], threshold: threshold('fanOutLag') });
    }
    widgets.push({
      title: 'Kinesis throughput exceeded',
      lines: [stream('ReadProvisionedThroughputExceeded', 'Sum', 'reads'), stream('WriteProvisionedThroughputExceeded', 'Sum', 'writes')],
    });
  }
  return widgets;
}
