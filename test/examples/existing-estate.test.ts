import { App } from 'cdktf';
import { cpSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'fs';
import { tmpdir } from 'os';
import { join } from 'path';
import { OrdersModule } from '../../examples/orders/module';
import { terraformIn } from '../support/terraform';

const ESTATE = join(__dirname, '..', '..', 'examples', 'existing-estate');

/** A scratch copy of the repository layout the estate expects: cdktf.out/ and examples/existing-estate/. */
function estateTree(): string {
  const root = mkdtempSync(join(tmpdir(), 'estate-'));
  const app = new App({ outdir: join(root, 'cdktf.out') });
  new OrdersModule(app, 'orders-module');
  app.synth();
  mkdirSync(join(root, 'examples'));
  cpSync(ESTATE, join(root, 'examples', 'existing-estate'), { recursive: true });
  return root;
}

describe('examples/existing-estate: the synthesized module called from hand-written HCL', () => {
  test('GIVEN the orders module WHEN synthesized THEN it is a real module: no providers or backend, a version range, readable variables and outputs, assets under path.module', () => {
    const root = estateTree();
    const tf = JSON.parse(readFileSync(join(root, 'cdktf.out', 'stacks', 'orders-module', 'cdk.tf.json'), 'utf8'));
    expect(tf.provider).toBeUndefined();
    expect(tf.terraform.backend).toBeUndefined();
    expect(tf.terraform.required_providers.aws.version).toBe('>= 5.100.0, < 7.0.0');
    expect(Object.keys(tf.variable).sort()).toEqual(['alarm_action_arns', 'batch_size', 'log_retention_days', 'name_prefix', 'tags']);
    expect(Object.keys(tf.output).sort()).toEqual([
      'alarm_names',
      'dashboard_name',
      'failure_queue_arn',
      'failure_queue_url',
      'function_arn',
      'stats_table_name',
      'stream_arn',
      'table_arn',
      'table_name',
    ]);
    const fn: any = Object.values(tf.resource.aws_lambda_function)[0];
    expect(fn.filename).toMatch(/^\$\{path\.module\}\/assets\/.+\/lambda\.zip$/);
    expect(fn.function_name).toBe('${var.name_prefix}-order-stats');
  });

  test('GIVEN the estate root WHEN terraform init, validate and plan run offline THEN both environments plan with their own names, settings and the estate-owned alarm topic', () => {
    const root = estateTree();
    const plan = terraformIn(join(root, 'examples', 'existing-estate'), { inPlace: true }).initValidatePlan();
    const byAddress = new Map<string, any>(plan.resource_changes.map((c: any) => [c.address, c]));
    for (const [env, batch, retention] of [
      ['staging', 100, 7],
      ['prod', 1000, 90],
    ] as const) {
      const inModule = plan.resource_changes.filter((c: any) => c.module_address === `module.orders["${env}"]`);
      expect(inModule.every((c: any) => c.change.actions.join() === 'create')).toBe(true);
      const fn = inModule.find((c: any) => c.type === 'aws_lambda_function').change.after;
      expect(fn.function_name).toBe(`shop-${env}-order-stats`);
      expect(fn.tags).toEqual({ environment: env, owner: 'orders-team' });
      expect(inModule.find((c: any) => c.type === 'aws_lambda_event_source_mapping').change.after.batch_size).toBe(batch);
      expect(inModule.find((c: any) => c.type === 'aws_cloudwatch_log_group').change.after.retention_in_days).toBe(retention);
      const tables = inModule
        .filter((c: any) => c.type === 'aws_dynamodb_table')
        .map((c: any) => c.change.after.name)
        .sort();
      // Each environment's own, the idempotency table too (named after its function).
      expect(tables).toEqual([`shop-${env}-order-stats`, `shop-${env}-order-stats-idempotency`, `shop-${env}-orders`]);
      // The estate's topic is the alarm action: the module created no topic of its own.
      expect(inModule.filter((c: any) => c.type === 'aws_sns_topic')).toEqual([]);
    }
    expect(byAddress.get('aws_cloudwatch_metric_alarm.failures_parked["prod"]').change.actions).toEqual(['create']);
  });

  test('GIVEN a bad batch_size from the estate WHEN validated THEN terraform reports the module variable message', () => {
    const root = estateTree();
    const estate = join(root, 'examples', 'existing-estate');
    const main = readFileSync(join(estate, 'main.tf'), 'utf8').replace('prod    = { batch_size = 1000', 'prod    = { batch_size = 20000');
    writeFileSync(join(estate, 'main.tf'), main);
    expect(() => terraformIn(estate, { inPlace: true }).initValidatePlan()).toThrow(
      /batch_size must be an integer 1\.\.10000 \(for a DynamoDB stream\)\./,
    );
  });
});
