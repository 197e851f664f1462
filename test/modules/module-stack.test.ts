import { SqsQueue } from '@cdktf/provider-aws/lib/sqs-queue';
import { S3Object } from '@cdktf/provider-aws/lib/s3-object';
import { AssetType, TerraformAsset, Testing } from 'cdktf';
import { mkdtempSync, mkdirSync, writeFileSync } from 'fs';
import { tmpdir } from 'os';
import { join } from 'path';
import { ModuleStack } from '../../modules/module-stack';
import { terraformIn } from '../support/terraform';

function exampleModule(): ModuleStack {
  const stack = new ModuleStack(Testing.app(), 'queues', { providerAliases: ['replica'] });
  const prefix = stack.variable('name_prefix', {
    type: 'string',
    description: 'Prefix of every resource name.',
    default: 'demo',
    validation: [
      {
        condition: '${can(regex("^[0-9A-Za-z_-]{1,60}$", var.name_prefix))}',
        errorMessage: 'name_prefix must be 1..60 characters of [0-9A-Za-z_-].',
      },
    ],
  });
  const home = new SqsQueue(stack, 'home', { name: `${prefix.stringValue}-home` });
  const replica = new SqsQueue(stack, 'replica', { name: `${prefix.stringValue}-replica`, provider: stack.provider('replica') });
  stack.output('home_queue_url', home.url, 'URL of the home-region queue.');
  stack.output('replica_queue_arn', replica.arn, 'ARN of the replica-region queue.');
  return stack;
}

/** A hand-written root with two aws providers that calls the example module with `args`. */
function estateCalling(args: string, extra = ''): string {
  const root = mkdtempSync(join(tmpdir(), 'estate-'));
  mkdirSync(join(root, 'queues'));
  writeFileSync(join(root, 'queues', 'cdk.tf.json'), Testing.synth(exampleModule()));
  writeFileSync(
    join(root, 'main.tf'),
    `
provider "aws" { region = "eu-west-1" }
provider "aws" {
  alias  = "us"
  region = "us-east-1"
}
module "queues" {
  source      = "./queues"${args}
  providers   = { aws = aws, aws.replica = aws.us }
}
${extra}
`,
  );
  return root;
}

describe('ModuleStack', () => {
  test('GIVEN a module stack WHEN synthesized THEN it has no provider blocks or backend, a version range with configuration_aliases, and exact names', () => {
    const tf = JSON.parse(Testing.synth(exampleModule()));
    expect(tf.provider).toBeUndefined();
    expect(tf.terraform.backend).toBeUndefined();
    expect(tf.terraform.required_providers.aws).toEqual({
      source: 'hashicorp/aws',
      version: '>= 5.100.0, < 7.0.0',
      configuration_aliases: ['aws.replica'],
    });
    expect(Object.keys(tf.variable)).toEqual(['name_prefix']);
    expect(Object.keys(tf.output).sort()).toEqual(['home_queue_url', 'replica_queue_arn']);
    expect(tf.resource.aws_sqs_queue.replica.provider).toBe('aws.replica');
  });

  test('GIVEN an asset WHEN synthesized as a module THEN its path is relative to path.module', () => {
    const stack = new ModuleStack(Testing.app(), 'assets');
    const dir = mkdtempSync(join(tmpdir(), 'asset-'));
    writeFileSync(join(dir, 'index.js'), 'exports.handler = async () => {};');
    const asset = new TerraformAsset(stack, 'code', { path: dir, type: AssetType.ARCHIVE });
    new S3Object(stack, 'obj', { bucket: 'b', key: 'k', source: asset.path });
    const tf = JSON.parse(Testing.synth(stack));
    expect(tf.resource.aws_s3_object.obj.source).toBe(`\${path.module}/${asset.path}`);
  });

  test('GIVEN bad props WHEN constructing THEN every problem is reported', () => {
    expect(
      () => new ModuleStack(Testing.app(), 'm', { providerAliases: ['eu-west-1', 'x', 'x'], awsVersionConstraint: '5.100.0' }),
    ).toThrow(
      [
        'm: providerAliases[] must be a Terraform identifier: a letter, then letters, digits or underscores (got "eu-west-1")',
        'm: providerAliases must not repeat a name (got ["eu-west-1","x","x"])',
        'm: awsVersionConstraint must be a range such as ">= 5.100.0, < 7.0.0", not an exact pin, so the calling estate chooses the version (got "5.100.0")',
      ].join('\n'),
    );
  });

  test('GIVEN the module WHEN called from hand-written HCL with for_each and providers THEN terraform validates and plans it', () => {
    const root = estateCalling(
      `
  for_each    = toset(["staging", "prod"])
  name_prefix = "shop-\${each.key}"`,
      'output "urls" { value = { for k, m in module.queues : k => m.home_queue_url } }',
    );
    const plan = terraformIn(root).initValidatePlan();
    const created = plan.resource_changes.map((c: any) => c.address).sort();
    expect(created).toEqual([
      'module.queues["prod"].aws_sqs_queue.home',
      'module.queues["prod"].aws_sqs_queue.replica',
      'module.queues["staging"].aws_sqs_queue.home',
      'module.queues["staging"].aws_sqs_queue.replica',
    ]);
    const replica = plan.resource_changes.find((c: any) => c.address === 'module.queues["prod"].aws_sqs_queue.replica');
    expect(replica.change.after.name).toBe('shop-prod-replica');
    expect(replica.provider_name).toBe('registry.terraform.io/hashicorp/aws');
  });

  test('GIVEN a root that passes a bad name_prefix WHEN validated THEN the variable validation message appears', () => {
    const root = estateCalling(`
  name_prefix = "bad prefix!"`);
    expect(() => terraformIn(root).initValidatePlan()).toThrow(/name_prefix must be 1\.\.60 characters of \[0-9A-Za-z_-\]\./);
  });
});
