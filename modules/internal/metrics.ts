import { REDRIVE_METRICS, REDRIVE_METRICS_NAMESPACE } from '../../handlers/contract';
import type { MetricId } from '../props/alarm-settings';

/**
 * The metric ids the constructs' metric helpers return and their alarms watch: one definition per
 * kind of metric, so a helper and the alarm on the same metric cannot drift apart.
 */

/** A function's metric; with an alias, the alias's own series (Lambda adds the Resource dimension). */
export function lambdaMetric(metricName: string, functionName: string, aliasName?: string): MetricId {
  return {
    namespace: 'AWS/Lambda',
    metricName,
    dimensions: aliasName ? { FunctionName: functionName, Resource: `${functionName}:${aliasName}` } : { FunctionName: functionName },
  };
}

/** An SQS queue's metric. */
export function sqsMetric(metricName: string, queueName: string): MetricId {
  return { namespace: 'AWS/SQS', metricName, dimensions: { QueueName: queueName } };
}

/** An SNS topic's metric. */
export function snsMetric(metricName: string, topicName: string): MetricId {
  return { namespace: 'AWS/SNS', metricName, dimensions: { TopicName: topicName } };
}

/** A redrive's own metric (handlers/redrive/index.ts publishes it with `service` = the function name). */
export function redriveMetric(metric: keyof typeof REDRIVE_METRICS, functionName: string): MetricId {
  return { namespace: REDRIVE_METRICS_NAMESPACE, metricName: REDRIVE_METRICS[metric], dimensions: { service: functionName } };
}
