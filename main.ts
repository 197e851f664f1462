/**
 * Example app: `npm run synth` (or `npx cdktf synth`) writes Terraform for each stack into
 * cdktf.out/stacks/<name>; no AWS account is needed to synthesize.
 *
 * - orders: the orders analytics pipeline, deployable with `cdktf deploy orders`.
 * - orders-module: the same pipeline as a provider-less Terraform module, called from hand-written
 *   HCL in examples/existing-estate.
 */
import { App } from 'cdktf';
import { OrdersModule } from './examples/orders/module';
import { OrdersStack } from './examples/orders/stack';

const app = new App();
new OrdersStack(app, 'orders');
new OrdersModule(app, 'orders-module');
app.synth();
