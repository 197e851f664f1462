import { Construct } from 'constructs';
import { PipelineAlarmSettings, StreamPipeline, StreamTable } from '../../modules';
import { sourcePath } from '../source-path';

export interface OrdersAnalyticsProps {
  /** Prefix of every name, e.g. `prod` or `${var.name_prefix}`. */
  readonly prefix: string;
  readonly tags?: Record<string, string>;
  /** @default 1000 */
  readonly batchSize?: number;
  /** @default 30 */
  readonly logRetentionDays?: number;
  /** @default a new encrypted alarm topic */
  readonly alarmActionArns?: string[];
}

/**
 * The real-time analytics pattern: every change to an order updates per-day statistics. The
 * consumer (order-stats.ts, on the consumer toolkit's windowHandler) folds changes into a tumbling
 * window in memory and flushes each window in one transaction, one write per day, so the stats
 * table sees a few writes a minute however busy the orders table is, each change counted once.
 */
export class OrdersAnalytics extends Construct {
  readonly pipeline: StreamPipeline;
  readonly orders: StreamTable;
  readonly stats: StreamTable;

  constructor(scope: Construct, id: string, props: OrdersAnalyticsProps) {
    super(scope, id);
    const { prefix, tags } = props;
    this.stats = new StreamTable(this, 'OrderStats', {
      tableName: `${prefix}-order-stats`,
      partitionKey: { name: 'day', type: 'S' },
      tags,
    });
    const alarms: PipelineAlarmSettings = {
      alarmNamePrefix: `${prefix}-orders`,
      dashboardName: `${prefix}-orders`,
      actionArns: props.alarmActionArns,
      tags,
    };
    this.pipeline = new StreamPipeline(this, 'Orders', {
      source: {
        tableName: `${prefix}-orders`,
        partitionKey: { name: 'orderId', type: 'S' },
        globalSecondaryIndexes: [
          { name: 'byCustomer', partitionKey: { name: 'customerId', type: 'S' }, sortKey: { name: 'createdAt', type: 'S' } },
        ],
        timeToLiveAttribute: 'expiresAt',
        tags,
      },
      consumer: {
        functionName: `${prefix}-order-stats`,
        roleName: `${prefix}-order-stats`,
        code: { entry: sourcePath('examples/orders/order-stats.ts') },
        memorySize: 512,
        environment: { STATS_TABLE_NAME: this.stats.tableName },
        batchSize: props.batchSize ?? 1000,
        maxBatchingWindowSeconds: 5,
        tumblingWindowSeconds: 60,
        // The handler returns its window state, not a batchItemFailures list.
        reportBatchItemFailures: false,
        // Where windowHandler marks each flush done, so a retried invocation does not count twice.
        idempotency: true,
        logRetentionDays: props.logRetentionDays,
        tags,
      },
      failureDestination: { name: `${prefix}-orders-failures`, tags },
      alarms,
    });
    this.orders = this.pipeline.streamTable!;
    // The handler's writes to the stats table (order-stats.ts writeFlush): an ADD per day, in a
    // TransactWriteItems that IAM authorises as UpdateItem on this table (and PutItem on the
    // idempotency table, which `idempotency` grants).
    this.pipeline.consumer.grantItemActions(this.stats, ['dynamodb:UpdateItem']);
  }
}
