import { execFileSync } from 'child_process';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'fs';
import { tmpdir } from 'os';
import { join } from 'path';
import { App, TerraformStack, Testing } from 'cdktf';
import { AwsProvider } from '@cdktf/provider-aws/lib/provider';
import { SqsQueue } from '@cdktf/provider-aws/lib/sqs-queue';
import { AWS_PROVIDER_VERSION, MIRROR_ENV, providerSource, stackFolder, terraformIn, writeCliConfig } from './terraform';

describe('terraform harness', () => {
  test('GIVEN a stack with an invalid argument WHEN planned THEN the real provider rejects it', () => {
    const stack = new TerraformStack(Testing.app(), 'bad');
    new AwsProvider(stack, 'aws', { region: 'eu-west-1' });
    new SqsQueue(stack, 'q', { name: 'ok', messageRetentionSeconds: 5 });
    expect(() => terraformIn(stackFolder(Testing.synth(stack))).initValidatePlan()).toThrow(/message_retention_seconds/);
  });

  test('GIVEN a valid stack WHEN planned THEN the plan creates its resources', () => {
    const stack = new TerraformStack(new App({ outdir: '/tmp/unused' }), 'good');
    new AwsProvider(stack, 'aws', { region: 'eu-west-1' });
    new SqsQueue(stack, 'q', { name: 'ok' });
    const plan = terraformIn(stackFolder(Testing.synth(stack))).initValidatePlan();
    expect(plan.resource_changes.map((c: any) => [c.address, c.change.actions])).toEqual([['aws_sqs_queue.q', ['create']]]);
  });

  test(`GIVEN ${MIRROR_ENV} or not WHEN the provider source is chosen THEN a named mirror is used, else the registry through a plugin cache`, () => {
    expect(providerSource({ [MIRROR_ENV]: '/somewhere/mirror' })).toEqual({ kind: 'mirror', dir: '/somewhere/mirror' });
    expect(providerSource({ TF_PLUGIN_CACHE_DIR: '/somewhere/cache' })).toEqual({ kind: 'registry', pluginCacheDir: '/somewhere/cache' });
    expect(providerSource({})).toEqual({ kind: 'registry', pluginCacheDir: join(__dirname, '..', '..', '.cache', 'terraform-plugins') });
  });

  test(`GIVEN ${MIRROR_ENV} naming a folder without the provider WHEN terraform is prepared THEN the error says what is missing and how to fill the mirror`, () => {
    const empty = mkdtempSync(join(tmpdir(), 'empty-mirror-'));
    expect(() => writeCliConfig(mkdtempSync(join(tmpdir(), 'cli-')), { kind: 'mirror', dir: empty })).toThrow(
      `${MIRROR_ENV}=${empty} holds no hashicorp/aws ${AWS_PROVIDER_VERSION} (no registry.terraform.io/hashicorp/aws/${AWS_PROVIDER_VERSION} in it). Fill it with \`terraform providers mirror ${empty}\``,
    );
  });

  test('GIVEN no mirror WHEN the registry config is written THEN real terraform accepts it and creates the plugin cache', () => {
    const cache = join(mkdtempSync(join(tmpdir(), 'plugin-cache-')), 'plugins');
    const root = mkdtempSync(join(tmpdir(), 'no-providers-'));
    writeFileSync(join(root, 'main.tf.json'), JSON.stringify({ output: { answer: { value: 42 } } }));
    const config = writeCliConfig(root, { kind: 'registry', pluginCacheDir: cache });
    expect(readFileSync(config, 'utf8')).toContain(`plugin_cache_dir = ${JSON.stringify(cache)}`);
    expect(existsSync(cache)).toBe(true);
    // A root without providers initializes without any network; a CLI config Terraform cannot read would be reported here.
    const out = execFileSync('terraform', ['init', '-input=false', '-no-color'], {
      cwd: root,
      env: { ...process.env, TF_CLI_CONFIG_FILE: config, CHECKPOINT_DISABLE: '1' },
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    expect(out).toContain('Terraform has been successfully initialized!');
    expect(out).not.toMatch(/problems with the CLI configuration/i);
  });
});
