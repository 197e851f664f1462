import { AwsProvider } from '@cdktf/provider-aws/lib/provider';
import { App, TerraformStack } from 'cdktf';
import { cpSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from 'fs';
import { tmpdir } from 'os';
import { join, relative } from 'path';
import { StreamPipeline } from '../../modules/stream-pipeline';
import { OrdersModule } from '../../examples/orders/module';
import { OrdersStack } from '../../examples/orders/stack';

const FIXTURES = join(__dirname, '..', 'support', 'handlers');

/** Every file below `dir` with its bytes, for whole-tree comparison. */
function tree(dir: string): Map<string, Buffer> {
  const out = new Map<string, Buffer>();
  const walk = (d: string) => {
    for (const name of readdirSync(d).sort()) {
      const p = join(d, name);
      if (statSync(p).isDirectory()) walk(p);
      else out.set(relative(dir, p), readFileSync(p));
    }
  };
  walk(dir);
  return out;
}

function synthExampleApp(cacheDir: string): string {
  process.env.CDKTF_DDB_STREAMS_CACHE_DIR = cacheDir;
  const outdir = mkdtempSync(join(tmpdir(), 'app-'));
  const app = new App({ outdir });
  new OrdersStack(app, 'orders');
  new OrdersModule(app, 'orders-module');
  app.synth();
  return outdir;
}

/** A stack with two consumers whose handlers live in a scratch copy that the test may edit. */
function synthTwoConsumers(handlers: string, outdir: string): any {
  const app = new App({ outdir });
  const stack = new TerraformStack(app, 'two');
  new AwsProvider(stack, 'aws', { region: 'eu-west-1' });
  for (const [id, entry] of [
    ['Counts', 'count-changes.ts'],
    ['Greets', 'plain/index.ts'],
  ]) {
    new StreamPipeline(stack, id, {
      table: { tableName: `${id.toLowerCase()}-table`, partitionKey: { name: 'pk', type: 'S' } },
      consumer: { code: { entry: join(handlers, entry) } },
      alarms: false,
    });
  }
  app.synth();
  return JSON.parse(readFileSync(join(outdir, 'stacks', 'two', 'cdk.tf.json'), 'utf8'));
}

describe('determinism of synthesized output', () => {
  afterEach(() => delete process.env.CDKTF_DDB_STREAMS_CACHE_DIR);

  test('GIVEN the example app WHEN synthesized twice, once with a cold and once with another cold cache THEN every file, zips included, is byte-identical', () => {
    const a = tree(synthExampleApp(mkdtempSync(join(tmpdir(), 'cache-a-'))));
    const b = tree(synthExampleApp(mkdtempSync(join(tmpdir(), 'cache-b-'))));
    expect([...a.keys()]).toEqual([...b.keys()]);
    expect([...a.keys()].filter((k) => k.endsWith('.zip')).length).toBe(2);
    for (const [name, bytes] of a) expect({ name, same: bytes.equals(b.get(name)!) }).toEqual({ name, same: true });
  });

  test("GIVEN two functions WHEN one handler changes THEN only that function's hash and code path change", () => {
    process.env.CDKTF_DDB_STREAMS_CACHE_DIR = mkdtempSync(join(tmpdir(), 'cache-'));
    // Inside the repository, so that the handlers' imports resolve from its node_modules.
    mkdirSync(join(__dirname, '..', '..', 'build'), { recursive: true });
    const handlers = mkdtempSync(join(__dirname, '..', '..', 'build', 'handlers-copy-'));
    cpSync(FIXTURES, handlers, { recursive: true });
    const before = synthTwoConsumers(handlers, mkdtempSync(join(tmpdir(), 'out-')));
    writeFileSync(
      join(handlers, 'plain', 'greeting.ts'),
      readFileSync(join(handlers, 'plain', 'greeting.ts'), 'utf8').replace('hello', 'good morning'),
    );
    const after = synthTwoConsumers(handlers, mkdtempSync(join(tmpdir(), 'out-')));

    const changed: string[] = [];
    const diff = (x: any, y: any, path: string) => {
      if (JSON.stringify(x) === JSON.stringify(y)) return;
      if (x && y && typeof x === 'object' && typeof y === 'object') {
        for (const k of new Set([...Object.keys(x), ...Object.keys(y)])) diff(x[k], y[k], `${path}.${k}`);
      } else changed.push(path);
    };
    diff(before.resource, after.resource, 'resource');
    rmSync(handlers, { recursive: true, force: true });
    expect(changed.sort()).toEqual([
      expect.stringMatching(/^resource\.aws_lambda_function\.Greets_Consumer_Function_\w+\.filename$/),
      expect.stringMatching(/^resource\.aws_lambda_function\.Greets_Consumer_Function_\w+\.source_code_hash$/),
    ]);
  });
});
