/**
 * The CLI end to end (in-process `main`, the same code dist/review/cli.js runs): `plan` drives the
 * real terraform in a stack folder with the caller's TF_CLI_CONFIG_FILE, `plan-json` reads a saved
 * show file, `diff` compares two cdktf.out folders; --fail-on-destructive turns warnings into
 * exit code 2. Also checks that the example workflow is valid YAML calling commands that exist.
 */
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'fs';
import { tmpdir } from 'os';
import { join } from 'path';
import { main } from '../../review/cli';
import { REVIEW_MARKER } from '../../review/markdown';
import { makeOffline, writeCliConfig } from '../support/terraform';
import { App, TerraformStack } from 'cdktf';
import { PipelineOptions, addPipeline, pipelineStack } from './support/fixtures';
import { PlanLab, planLab } from './support/plan-lab';
import { BATCH_SIZE_10, REVIEW_PLANS } from './support/review-plans';

let lab: PlanLab;
beforeAll(() => {
  lab = planLab();
  // Its plans come from the review tier's shared batch (support/review-plans.ts).
  lab.prepare(REVIEW_PLANS);
});
afterAll(() => lab?.dispose());

function run(argv: string[]): { code: number; out: string } {
  let out = '';
  const code = main(argv, (t) => (out += t));
  return { code, out };
}

function outFolder(stacks: Record<string, object>): string {
  const dir = mkdtempSync(join(tmpdir(), 'review-out-'));
  for (const [name, tf] of Object.entries(stacks)) {
    mkdirSync(join(dir, 'stacks', name), { recursive: true });
    writeFileSync(join(dir, 'stacks', name, 'cdk.tf.json'), JSON.stringify(tf, null, 2));
  }
  return dir;
}

/** A real `cdktf.out` (App.synth: metadata, backend, manifest) with one pipeline per stack. */
function synthApp(stacks: Record<string, PipelineOptions>): string {
  const outdir = mkdtempSync(join(tmpdir(), 'review-app-'));
  const app = new App({ outdir });
  for (const [name, o] of Object.entries(stacks)) addPipeline(new TerraformStack(app, name), o);
  app.synth();
  return outdir;
}

describe('review CLI', () => {
  test('GIVEN two stack folders with prior state WHEN `plan --no-refresh --fail-on-destructive` runs THEN terraform plans both offline, one review is written and the exit code is 2', () => {
    const before = pipelineStack();
    const stackDir = (name: string, after: object) => {
      const dir = join(mkdtempSync(join(tmpdir(), 'review-stack-')), name);
      mkdirSync(dir);
      writeFileSync(join(dir, 'cdk.tf.json'), JSON.stringify(makeOffline(after)));
      writeFileSync(join(dir, 'terraform.tfstate'), lab.priorState(before));
      return dir;
    };
    const orders = stackDir('orders', pipelineStack({ startingPosition: 'LATEST' }));
    const billing = stackDir('billing', pipelineStack(BATCH_SIZE_10));
    const saved = process.env.TF_CLI_CONFIG_FILE;
    process.env.TF_CLI_CONFIG_FILE = writeCliConfig(mkdtempSync(join(tmpdir(), 'review-cli-')));
    try {
      const out = join(orders, 'review.md');
      expect(run(['plan', '--stack-dir', orders, '--stack-dir', billing, '--no-refresh', '--out', out, '--fail-on-destructive']).code).toBe(
        2,
      );
      const md = readFileSync(out, 'utf8');
      expect(md.startsWith(REVIEW_MARKER + '\n## Terraform change review\n')).toBe(true);
      expect(md).toContain(
        '- **MAPPING REPLACED** `orders` `aws_lambda_event_source_mapping.consumer_mapping`: the new mapping starts at `LATEST`',
      );
      expect(md).toContain('| update | `billing` | `aws_lambda_event_source_mapping.consumer_mapping` | `batch_size`: `100` -> `10` |');
      expect(run(['plan', '--stack-dir', billing, '--no-refresh', '--fail-on-destructive']).code).toBe(0);
    } finally {
      if (saved === undefined) delete process.env.TF_CLI_CONFIG_FILE;
      else process.env.TF_CLI_CONFIG_FILE = saved;
    }
  });

  test('GIVEN a saved `terraform show -json` WHEN `plan-json` runs THEN it prints the review, exit code 0 for a harmless change even with --fail-on-destructive', () => {
    const show = lab.plan(pipelineStack(), pipelineStack(BATCH_SIZE_10));
    const file = join(mkdtempSync(join(tmpdir(), 'review-json-')), 'show.json');
    writeFileSync(file, JSON.stringify(show));
    const r = run(['plan-json', file, '--stack', 'orders', '--fail-on-destructive']);
    expect(r.code).toBe(0);
    expect(r.out).toContain('| update | `aws_lambda_event_source_mapping.consumer_mapping` | `batch_size`: `100` -> `10` |');
    expect(r.out).toContain('### ⚠️ Destructive or widening changes (0)');
  });

  test('GIVEN two cdktf.out folders with several stacks WHEN `diff` runs THEN the table names the stack of each change and a removed stack is destroyed', () => {
    const base = outFolder({ orders: pipelineStack(), audit: { resource: { aws_sqs_queue: { q: { name: 'audit' } } } } });
    const head = outFolder({ orders: pipelineStack({ hashKey: 'id' }) });
    const r = run(['diff', '--base', base, '--head', head, '--fail-on-destructive']);
    expect(r.code).toBe(2);
    expect(r.out).toContain('| Action | Stack | Resource | Changes |');
    expect(r.out).toContain('| destroy | `audit` | `aws_sqs_queue.q` |  |');
    expect(r.out).toContain(
      '- **QUEUE DESTROYED** `audit` `aws_sqs_queue.q`: messages in the queue (on-failure records included) are lost.',
    );
    expect(r.out).toContain('- **TABLE REPLACED** `orders` `aws_dynamodb_table.orders`');
    expect(r.out).toContain('**0 to create, 1 to update, 2 to replace, 1 to destroy.**');
    // The same two stacks given as single cdk.tf.json files review identically.
    const single = run(['diff', '--base', join(base, 'stacks/orders/cdk.tf.json'), '--head', join(head, 'stacks/orders/cdk.tf.json')]);
    expect(single.out).toContain('| replace | `aws_dynamodb_table.orders` |');
    expect(run(['diff', '--base', base, '--head', head]).out).toBe(r.out);
  });

  test('GIVEN two real cdktf.out folders of an App with two stacks WHEN `diff` runs THEN only the real changes show, per stack', () => {
    const base = synthApp({ orders: {}, billing: {} });
    const head = synthApp({ orders: { streamViewType: 'NEW_IMAGE' }, billing: { batchSize: 10 } });
    expect(
      JSON.parse(readFileSync(join(base, 'stacks/orders/cdk.tf.json'), 'utf8')).resource.aws_dynamodb_table.orders['//'],
    ).toBeDefined();
    const r = run(['diff', '--base', base, '--head', head]);
    expect(r.code).toBe(0);
    expect(r.out).toContain('**0 to create, 3 to update, 1 to replace, 0 to destroy.**');
    expect(r.out).toContain('| update | `billing` | `aws_lambda_event_source_mapping.consumer_mapping` | `batch_size`: `100` -> `10` |');
    expect(r.out).toContain(
      '- **NEW STREAM** `orders` `aws_dynamodb_table.orders`: `stream_view_type`: `"NEW_AND_OLD_IMAGES"` -> `"NEW_IMAGE"`',
    );
    expect(r.out).toContain('- **MAPPING REPLACED** `orders` `aws_lambda_event_source_mapping.consumer_mapping`');
  });

  test('GIVEN a bad command or a missing path WHEN run THEN exit code 1', () => {
    expect(run(['apply']).code).toBe(1);
    expect(run(['diff', '--base', '/nonexistent', '--head', '/nonexistent']).code).toBe(1);
  });

  test('GIVEN the example workflow WHEN parsed THEN it is valid YAML that only calls existing CLI commands and finds its comment by the review marker', () => {
    // The workflow itself is never run here; parsing it proves it is valid YAML that calls real commands.
    const yaml = require('js-yaml');
    const text = readFileSync(join(__dirname, '../../.github/workflows/plan-review.yml'), 'utf8');
    const wf = yaml.load(text);
    expect(Object.keys(wf.on)).toEqual(['pull_request']);
    const scripts: string[] = wf.jobs.review.steps.map((s: any) => s.run).filter(Boolean);
    // The installed package's bin, as an app repository has it (package.json "bin").
    const [bin] = Object.keys(JSON.parse(readFileSync(join(__dirname, '../../package.json'), 'utf8')).bin);
    expect(scripts.join('\n')).not.toContain('dist/review/cli.js');
    const calls = scripts.join('\n').match(new RegExp(`npx --no-install ${bin} [^\\n]*`, 'g')) ?? [];
    expect(calls.map((c) => c.split(' ')[3]).sort()).toEqual(['diff', 'plan']);
    for (const c of calls) {
      for (const opt of c.slice(`npx --no-install ${bin} `.length).match(/--[a-z-]+/g) ?? [])
        expect(['--base', '--head', '--out', '--stack-dir', '--no-refresh', '--fail-on-destructive']).toContain(opt);
    }
    expect(text).toContain(`marker='${REVIEW_MARKER}'`);
  });
});
