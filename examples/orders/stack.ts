import { AwsProvider } from '@cdktf/provider-aws/lib/provider';
import { TerraformOutput, TerraformStack } from 'cdktf';
import { Construct } from 'constructs';
import { OrdersAnalytics } from './orders-analytics';

export interface OrdersStackProps {
  /** @default 'eu-west-1' */
  readonly region?: string;
  /** Environment name; prefixes resource names. @default 'prod' */
  readonly environment?: string;
}

/** The orders analytics pipeline as a stack of its own, for `cdktf deploy`. */
export class OrdersStack extends TerraformStack {
  readonly analytics: OrdersAnalytics;

  constructor(scope: Construct, id: string, props: OrdersStackProps = {}) {
    super(scope, id);
    const env = props.environment ?? 'prod';
    new AwsProvider(this, 'aws', { region: props.region ?? 'eu-west-1', defaultTags: [{ tags: { app: 'orders', environment: env } }] });
    this.analytics = new OrdersAnalytics(this, 'Analytics', { prefix: env });
    const { pipeline } = this.analytics;
    new TerraformOutput(this, 'table_arn', { value: this.analytics.orders.tableArn });
    new TerraformOutput(this, 'stream_arn', { value: this.analytics.orders.streamArn });
    new TerraformOutput(this, 'failure_queue_url', { value: pipeline.failureDestination!.queueUrl });
    new TerraformOutput(this, 'dashboard_name', { value: pipeline.alarms!.dashboard!.dashboardName });
  }
}
