/**
 * Synthesizes one stack with N StreamPipelines (default 100), each with its own table, consumer,
 * failure queue, alarms and dashboard. Run as its own process by bench/run.ts.
 */
import { AwsProvider } from '@cdktf/provider-aws/lib/provider';
import { App, TerraformStack } from 'cdktf';
import { sourcePath } from '../examples/source-path';
import { StreamPipeline } from '../modules';

const count = Number(process.argv[2] ?? 100);
const app = new App();
const stack = new TerraformStack(app, `pipelines-${count}`);
new AwsProvider(stack, 'aws', { region: 'eu-west-1' });
const entry = sourcePath('examples/orders/order-stats.ts');
for (let i = 0; i < count; i++) {
  new StreamPipeline(stack, `P${i}`, {
    table: { tableName: `table-${i}`, partitionKey: { name: 'pk', type: 'S' } },
    consumer: { code: { entry }, reportBatchItemFailures: false },
  });
}
app.synth();
