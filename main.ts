/**
 * Example app: `npm run synth` (or `npx cdktf synth`) writes Terraform for each stack into
 * cdktf.out/stacks/<name>; no AWS account is needed to synthesize.
 */
import { App } from 'cdktf';
import { OrdersStack } from './examples/orders/stack';

const app = new App();
new OrdersStack(app, 'orders');
app.synth();
