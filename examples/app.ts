import { App } from 'cdktf';
import { multiRegionStack } from './multi-region';
import { OrdersModule } from './orders/module';
import { OrdersStack } from './orders/stack';
import { HighVolumeOrdersStack } from './orders-hv/stack';

/** The stacks of the example app, by name. main.ts synthesizes them; the tests snapshot and plan them. */
export function buildExampleApp(app: App): App {
  // The orders analytics pipeline, deployable with `cdktf deploy orders`.
  new OrdersStack(app, 'orders');
  // The same pipeline as a provider-less module, called from HCL in examples/existing-estate.
  new OrdersModule(app, 'orders-module');
  // A customers table replicated across three regions, one of them a masked read replica.
  multiRegionStack(app, 'multi-region');
  // High-volume orders: the table's changes in Kinesis, two fan-out consumers, S3 failure records.
  new HighVolumeOrdersStack(app, 'orders-hv');
  return app;
}

export const EXAMPLE_STACKS = ['orders', 'orders-module', 'multi-region', 'orders-hv'] as const;
