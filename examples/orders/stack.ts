import { AwsProvider } from '@cdktf/provider-aws/lib/provider';
import { TerraformOutput, TerraformStack } from 'cdktf';
import { Construct } from 'constructs';
import { sourcePath } from '../source-path';
import { StreamPipeline, StreamTable } from '../../modules';

export interface OrdersStackProps {
  readonly region?: string;
  readonly environment?: string;
}

/**
 * The real-time analytics pattern: every change to an order updates per-day statistics. The
 * consumer folds changes into a tumbling window in memory and flushes each window in one write per
 * day, so the stats table sees a few writes a minute however busy the orders table is.
 */
export class OrdersStack extends TerraformStack {
  readonly pipeline: StreamPipeline;
  readonly stats: StreamTable;

  constructor(scope: Construct, id: string, props: OrdersStackProps = {}) {
    super(scope, id);
    const env = props.environment ?? 'prod';
    new AwsProvider(this, 'aws', { region: props.region ?? 'eu-west-1', defaultTags: [{ tags: { app: 'orders', environment: env } }] });

    this.stats = new StreamTable(this, 'OrderStats', {
      tableName: `${env}-order-stats`,
      partitionKey: { name: 'day', type: 'S' },
    });

    this.pipeline = new StreamPipeline(this, 'Orders', {
      table: {
        tableName: `${env}-orders`,
        partitionKey: { name: 'orderId', type: 'S' },
        globalSecondaryIndexes: [{ name: 'byCustomer', partitionKey: { name: 'customerId', type: 'S' }, sortKey: { name: 'createdAt', type: 'S' } }],
        timeToLiveAttribute: 'expiresAt',
      },
      consumer: {
        functionName: `${env}-order-stats`,
        code: { entry: sourcePath('examples/orders/order-stats.ts') },
        memorySize: 512,
        environment: { STATS_TABLE_NAME: this.stats.tableName },
        batchSize: 1000,
        maxBatchingWindowSeconds: 5,
        tumblingWindowSeconds: 60,
        // The handler returns its window state, not a batchItemFailures list.
        reportBatchItemFailures: false,
      },
      alarms: { alarmNamePrefix: `${env}-orders` },
    });
    this.pipeline.consumer.grantWriteData(this.stats);

    new TerraformOutput(this, 'table_arn', { value: this.pipeline.streamTable!.tableArn });
    new TerraformOutput(this, 'stream_arn', { value: this.pipeline.table.streamArn });
    new TerraformOutput(this, 'failure_queue_url', { value: this.pipeline.failureDestination!.queueUrl });
    new TerraformOutput(this, 'dashboard_name', { value: this.pipeline.alarms!.dashboard!.dashboardName });
  }
}
