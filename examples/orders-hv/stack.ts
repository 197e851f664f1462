/**
 * High-volume orders: past what a DynamoDB stream serves well (two readers per shard, 24 hours,
 * no replay from a point in time), the orders table streams its changes to Kinesis Data Streams
 * (on-demand capacity, KMS, 7 days of retention, millisecond creation times). Two consumers read
 * it, each through its own enhanced fan-out consumer (2 MB/s per shard each, ~70 ms push latency):
 * the latest status of every order, and the full history of every order. A batch a consumer gives
 * up on lands whole in an S3 bucket, from which a redrive retries it and parks what still fails.
 * Synthesizes without an AWS account; `terraform plan` needs credentials.
 */
import { AwsProvider } from '@cdktf/provider-aws/lib/provider';
import { TerraformOutput, TerraformStack } from 'cdktf';
import { Construct } from 'constructs';
import { PipelineConsumerProps, StreamPipeline, StreamTable, TableKinesisStream } from '../../modules';
import { sourcePath } from '../source-path';

export interface HighVolumeOrdersStackProps {
  /** @default 'eu-west-1' */
  readonly region?: string;
  /** Environment name; prefixes resource names. @default 'prod' */
  readonly environment?: string;
}

export class HighVolumeOrdersStack extends TerraformStack {
  readonly orders: StreamTable;
  readonly changes: TableKinesisStream;
  readonly status: StreamPipeline;
  readonly history: StreamPipeline;

  constructor(scope: Construct, id: string, props: HighVolumeOrdersStackProps = {}) {
    super(scope, id);
    const env = props.environment ?? 'prod';
    const tags = { app: 'orders-hv', environment: env };
    new AwsProvider(this, 'aws', { region: props.region ?? 'eu-west-1', defaultTags: [{ tags }] });

    this.orders = new StreamTable(this, 'Orders', {
      tableName: `${env}-hv-orders`,
      partitionKey: { name: 'orderId', type: 'S' },
      timeToLiveAttribute: 'expiresAt',
    });
    this.changes = new TableKinesisStream(this, 'Changes', {
      table: this.orders,
      stream: { streamName: `${env}-hv-order-changes`, retentionHours: 168 },
    });
    const statusTable = new StreamTable(this, 'OrderStatus', {
      tableName: `${env}-hv-order-status`,
      partitionKey: { name: 'orderId', type: 'S' },
    });
    const historyTable = new StreamTable(this, 'OrderHistory', {
      tableName: `${env}-hv-order-history`,
      partitionKey: { name: 'orderId', type: 'S' },
      sortKey: { name: 'changedAt', type: 'N' },
    });

    // 50,000 changes a minute is ~830 a second: batches of 500 within a second keep invocations few.
    const consumer = (name: string, entry: string, environment: Record<string, string>): PipelineConsumerProps => ({
      functionName: `${env}-hv-${name}`,
      code: { entry: sourcePath(entry) },
      memorySize: 512,
      environment,
      fanOut: { consumerName: `${env}-hv-${name}` },
      batchSize: 500,
      maxBatchingWindowSeconds: 1,
      parallelizationFactor: 2,
      maxRecordAgeSeconds: 86400,
    });
    const pipeline = (id: string, name: string, entry: string, environment: Record<string, string>) =>
      new StreamPipeline(this, id, {
        source: this.changes,
        consumer: consumer(name, entry, environment),
        failureDestination: { kind: 's3', name: `${env}-hv-${name}-failures`, expirationDays: 30 },
        redrive: { invokeBatchSize: 500 },
        alarms: { alarmNamePrefix: `${env}-hv-${name}`, dashboardName: `${env}-hv-${name}` },
      });
    this.status = pipeline('Status', 'order-status', 'examples/orders-hv/order-status.ts', { STATUS_TABLE_NAME: statusTable.tableName });
    // The handlers call PutItem only (conditional on the status version): grant exactly that.
    this.status.consumer.grantItemActions(statusTable, ['dynamodb:PutItem']);
    this.history = pipeline('History', 'order-history', 'examples/orders-hv/order-history.ts', {
      HISTORY_TABLE_NAME: historyTable.tableName,
    });
    this.history.consumer.grantItemActions(historyTable, ['dynamodb:PutItem']);

    new TerraformOutput(this, 'table_arn', { value: this.orders.tableArn });
    new TerraformOutput(this, 'kinesis_stream_arn', { value: this.changes.streamArn });
    new TerraformOutput(this, 'status_failure_bucket', { value: this.status.failureDestination!.bucketName! });
    new TerraformOutput(this, 'history_failure_bucket', { value: this.history.failureDestination!.bucketName! });
  }
}
