import { Token } from 'cdktf';
import { Construct } from 'constructs';
import { LOG_RETENTION_DAYS, ModuleStack } from '../../modules';
import { OrdersAnalytics } from './orders-analytics';

/**
 * The orders pipeline as a Terraform module for estates written by hand (see
 * examples/existing-estate). Whatever a caller may want to decide is a variable, checked by
 * Terraform with the same wording as the constructs' own validation.
 */
export class OrdersModule extends ModuleStack {
  constructor(scope: Construct, id: string) {
    super(scope, id);
    const namePrefix = this.variable('name_prefix', {
      type: 'string',
      description: 'Prefix of every resource name, e.g. "shop-prod".',
      validation: [
        {
          condition: '${can(regex("^[0-9A-Za-z_-]{1,40}$", var.name_prefix))}',
          errorMessage: 'name_prefix must be 1..40 characters of [0-9A-Za-z_-] (it prefixes table, function, queue and alarm names).',
        },
      ],
    });
    const tags = this.variable('tags', { type: 'map(string)', description: 'Tags for every resource.', default: {} });
    const alarmActions = this.variable('alarm_action_arns', {
      type: 'list(string)',
      description: 'SNS topic ARNs the alarms notify (at most 5).',
      validation: [
        {
          condition: '${length(var.alarm_action_arns) <= 5}',
          errorMessage: 'alarm_action_arns must be at most 5 ARNs (CloudWatch limit per alarm).',
        },
      ],
    });
    const batchSize = this.variable('batch_size', {
      type: 'number',
      description: 'Most stream records per invocation.',
      default: 1000,
      validation: [
        {
          condition: '${var.batch_size >= 1 && var.batch_size <= 10000 && floor(var.batch_size) == var.batch_size}',
          errorMessage: 'batch_size must be an integer 1..10000 (for a DynamoDB stream).',
        },
      ],
    });
    const logRetention = this.variable('log_retention_days', {
      type: 'number',
      description: 'Days the consumer keeps its logs.',
      default: 30,
      validation: [
        {
          condition: `\${contains(${JSON.stringify(LOG_RETENTION_DAYS)}, var.log_retention_days)}`,
          errorMessage: `log_retention_days must be one of ${LOG_RETENTION_DAYS.join(', ')}.`,
        },
      ],
    });

    const analytics = new OrdersAnalytics(this, 'Analytics', {
      prefix: namePrefix.stringValue,
      tags: Token.asStringMap(tags.value),
      batchSize: batchSize.numberValue,
      logRetentionDays: logRetention.numberValue,
      alarmActionArns: alarmActions.listValue,
    });
    const stats = analytics.pipeline;
    this.output('table_name', analytics.orders.tableName, 'Name of the orders table.');
    this.output('table_arn', analytics.orders.tableArn, 'ARN of the orders table.');
    this.output('stream_arn', stats.source.streamArn, 'ARN of the orders table stream.');
    this.output('function_arn', stats.consumer.functionArn, 'ARN of the consumer function.');
    this.output('failure_queue_url', stats.failureDestination!.queueUrl, 'URL of the on-failure queue.');
    this.output('failure_queue_arn', stats.failureDestination!.queueArn, 'ARN of the on-failure queue.');
    this.output('dashboard_name', stats.alarms!.dashboard!.dashboardName, 'Name of the CloudWatch dashboard.');
    this.output(
      'alarm_names',
      Object.keys(stats.alarms!.alarms)
        .sort()
        .map((k) => stats.alarms!.alarms[k].alarmName),
      'Names of the pipeline alarms.',
    );
    this.output('stats_table_name', analytics.stats.tableName, 'Name of the per-day statistics table.');
  }
}
