/**
 * The semantic rules on inputs that need no terraform: cdktf synths (moveTo, importFrom, App
 * metadata) through the real diff mode and CLI, and the rule tables on hand-written changes.
 * The one hand-made plan is the import: planning an `import` block makes the provider read the
 * object from AWS, which cannot be done offline; its shape follows `terraform show -json`
 * (format 1.2, `change.importing.id`).
 */
import { mkdtempSync, readFileSync, rmSync } from 'fs';
import { tmpdir } from 'os';
import { join } from 'path';
import { App, TerraformStack, Testing } from 'cdktf';
import { AwsProvider } from '@cdktf/provider-aws/lib/provider';
import { DynamodbTable } from '@cdktf/provider-aws/lib/dynamodb-table';
import { LambdaEventSourceMapping } from '@cdktf/provider-aws/lib/lambda-event-source-mapping';
import { LambdaFunction } from '@cdktf/provider-aws/lib/lambda-function';
import { ChangeSet, ResourceChange } from '../../review/changes';
import { main } from '../../review/cli';
import { semanticFindings } from '../../review/findings';
import { wildcardName } from '../../review/iam-widening';
import { renderReview } from '../../review/markdown';
import { changeSetFromPlans } from '../../review/plan-changes';
import { changeSetFromSynths, loadSynth } from '../../review/synth-diff';

type Version = (stack: TerraformStack) => void;

function synth(version: Version): any {
  const stack = new TerraformStack(Testing.app(), 'shop');
  new AwsProvider(stack, 'aws', { region: 'eu-west-1' });
  version(stack);
  return JSON.parse(Testing.synth(stack));
}

/** A real `cdktf.out` folder (App.synth writes construct paths into `//` metadata). */
function synthOut(version: Version): string {
  const outdir = mkdtempSync(join(tmpdir(), 'review-sem-'));
  const app = new App({ outdir });
  const stack = new TerraformStack(app, 'shop');
  new AwsProvider(stack, 'aws', { region: 'eu-west-1' });
  version(stack);
  app.synth();
  return outdir;
}

const tableProps = { name: 'orders', billingMode: 'PAY_PER_REQUEST', hashKey: 'pk', attribute: [{ name: 'pk', type: 'S' }] };
const streamed = { ...tableProps, streamEnabled: true, streamViewType: 'NEW_AND_OLD_IMAGES' };

function pipeline(stack: TerraformStack, table: DynamodbTable, startingPosition = 'TRIM_HORIZON'): void {
  new LambdaEventSourceMapping(stack, 'mapping', { eventSourceArn: table.streamArn, functionName: 'f', startingPosition });
}

const diff = (b: Version, a: Version): ChangeSet => changeSetFromSynths(new Map([['shop', synth(b)]]), new Map([['shop', synth(a)]]));
const labels = (set: ChangeSet) => semanticFindings(set).map((f) => `${f.label} ${f.address}`);

function run(argv: string[]): { code: number; out: string } {
  let out = '';
  const code = main(argv, (t) => (out += t));
  return { code, out };
}

describe('moves and imports in diff mode', () => {
  test('GIVEN a table moved with moveTo/addMoveTarget and a mapping on its stream WHEN diffed with --fail-on-destructive THEN it passes and says MOVED', () => {
    const dirs = [
      synthOut((s) => pipeline(s, new DynamodbTable(s, 'orders', streamed))),
      synthOut((s) => {
        const renamed = new DynamodbTable(s, 'orders_table', streamed);
        renamed.addMoveTarget('orders-table');
        new DynamodbTable(s, 'orders', streamed).moveTo('orders-table');
        pipeline(s, renamed);
      }),
    ];
    try {
      const r = run(['diff', '--base', dirs[0], '--head', dirs[1], '--fail-on-destructive']);
      expect(r.code).toBe(0);
      expect(r.out).toContain('### ⚠️ Destructive or widening changes (0)');
      expect(r.out).toContain(
        '- **MOVED** `aws_dynamodb_table.orders_table`: from `aws_dynamodb_table.orders`: the same object under a new address',
      );
      expect(r.out).toContain('No infrastructure changes.');
      expect(r.out).not.toContain('No changes.');
    } finally {
      for (const d of dirs) rmSync(d, { recursive: true, force: true });
    }
  });

  test('GIVEN a table adopted with importFrom WHEN diffed THEN it is imported, not created', () => {
    const set = diff(
      () => undefined,
      (s) => new DynamodbTable(s, 'orders', tableProps).importFrom('orders'),
    );
    expect(set.changes).toEqual([]);
    expect(set.stateChanges).toEqual([
      { stack: 'shop', address: 'aws_dynamodb_table.orders', type: 'aws_dynamodb_table', kind: 'import', importId: 'orders' },
    ]);
    expect(renderReview(set).markdown).toContain(
      '- **IMPORTED** `aws_dynamodb_table.orders`: an existing object (id `orders`) is adopted into state, not created.',
    );
  });

  test('GIVEN a plan that only imports (hand-made: import needs AWS) WHEN reviewed THEN it is not "No changes."', () => {
    const values = { name: 'orders', hash_key: 'pk', billing_mode: 'PAY_PER_REQUEST' };
    const show = {
      format_version: '1.2',
      resource_changes: [
        {
          address: 'aws_dynamodb_table.orders',
          mode: 'managed',
          type: 'aws_dynamodb_table',
          name: 'orders',
          change: { actions: ['no-op'], before: values, after: values, after_unknown: {}, importing: { id: 'orders' } },
        },
      ],
    };
    const review = renderReview(changeSetFromPlans([{ show, stack: 'shop' }]));
    expect(review.warnings).toBe(0);
    expect(review.markdown).toContain('### State changes (1)');
    expect(review.markdown).toContain('- **IMPORTED** `aws_dynamodb_table.orders`: an existing object (id `orders`) is adopted into state');
    expect(review.markdown).toContain('No infrastructure changes.');
  });

  test('GIVEN a renamed function in a real cdktf.out WHEN diffed THEN the fix names the construct path to call moveFromId on', () => {
    const fn = (id: string) => (s: TerraformStack) =>
      new LambdaFunction(s, id, {
        functionName: 'orders-consumer',
        role: 'arn:aws:iam::123456789012:role/r',
        runtime: 'nodejs20.x',
        handler: 'index.handler',
        filename: 'f.zip',
      });
    const dirs = [synthOut(fn('consumer')), synthOut(fn('Consumer2'))];
    try {
      const set = changeSetFromSynths(loadSynth(dirs[0]), loadSynth(dirs[1]));
      const [rename] = semanticFindings(set).filter((f) => f.kind === 'rename');
      expect(rename.text).toContain('created with the same function name `orders-consumer`');
      expect(rename.text).toContain('the create collides with the function `orders-consumer` that still exists (the apply fails)');
      expect(rename.fix).toEqual({
        language: 'ts',
        code: '// on the resource now at shop/Consumer2\n<resource>.moveFromId("aws_lambda_function.consumer");',
      });
      expect(readFileSync(join(dirs[1], 'stacks/shop/cdk.tf.json'), 'utf8')).toContain('"path": "shop/Consumer2"');
    } finally {
      for (const d of dirs) rmSync(d, { recursive: true, force: true });
    }
  });

  test('GIVEN a destroy and a create with different names WHEN diffed THEN no rename is claimed', () => {
    const set = diff(
      (s) => new DynamodbTable(s, 'a', tableProps),
      (s) => new DynamodbTable(s, 'b', { ...tableProps, name: 'orders-v2' }),
    );
    expect(labels(set)).toEqual([]);
  });
});

describe('stream rules', () => {
  test('GIVEN a stream switched on WHEN diffed THEN nothing is flagged (nothing to lose)', () => {
    const set = diff(
      (s) => new DynamodbTable(s, 't', tableProps),
      (s) => new DynamodbTable(s, 't', streamed),
    );
    expect(renderReview(set).warnings).toBe(0);
  });

  test('GIVEN NEW_AND_OLD_IMAGES -> NEW_IMAGE WHEN diffed THEN OldImage is named as lost; the same-stream TRIM_HORIZON replacement still says redelivery', () => {
    const set = diff(
      (s) => pipeline(s, new DynamodbTable(s, 't', streamed)),
      (s) => pipeline(s, new DynamodbTable(s, 't', { ...streamed, streamViewType: 'NEW_IMAGE' })),
    );
    const md = renderReview(set).markdown;
    expect(md).toContain('Records no longer carry `OldImage`: consumers that read it (a replica writer, a change feed) get nothing there.');
    expect(md).toContain('it reads a new, empty stream, so nothing is delivered again');
    const again = diff(
      (s) => pipeline(s, new DynamodbTable(s, 't', streamed), 'LATEST'),
      (s) => pipeline(s, new DynamodbTable(s, 't', streamed), 'TRIM_HORIZON'),
    );
    expect(renderReview(again).markdown).toContain('up to 24 h of records already processed are delivered again');
  });
});

const change = (type: string, before: object, after: object, action: ResourceChange['action'] = 'update'): ResourceChange => ({
  stack: 's',
  address: `${type}.x`,
  type,
  action,
  attributes: [],
  before: before as Record<string, unknown>,
  after: after as Record<string, unknown>,
});
const found = (...changes: ResourceChange[]) => semanticFindings({ source: 'terraform plan', changes }).map((f) => `${f.label}: ${f.text}`);

describe('safety rules', () => {
  test.each([
    [
      'log group never expire -> 30 days',
      change('aws_cloudwatch_log_group', { retention_in_days: 0 }, { retention_in_days: 30 }),
      'RETENTION SHORTENED: `retention_in_days`: never expire -> 30 days',
    ],
    [
      'SNS topic loses its CMK',
      change('aws_sns_topic', { kms_master_key_id: 'alias/app' }, { kms_master_key_id: '' }),
      'ENCRYPTION DOWNGRADED: from a customer managed KMS key to no encryption: data at rest is no longer encrypted.',
    ],
    [
      'table AWS managed -> AWS owned',
      change('aws_dynamodb_table', { server_side_encryption: [{ enabled: true }] }, { server_side_encryption: [{ enabled: false }] }),
      'ENCRYPTION DOWNGRADED: from the AWS managed key to an AWS owned key',
    ],
    [
      'Kinesis KMS -> NONE',
      change('aws_kinesis_stream', { encryption_type: 'KMS', kms_key_id: 'alias/k' }, { encryption_type: 'NONE' }),
      'ENCRYPTION DOWNGRADED: from a customer managed KMS key to no encryption',
    ],
    [
      'replica loses PITR (a plain bool there)',
      change('aws_dynamodb_table_replica', { point_in_time_recovery: true }, { point_in_time_recovery: false }),
      'PITR OFF',
    ],
  ])('GIVEN %s WHEN checked THEN it is flagged as expected', (_name, c, text) => {
    expect(found(c)).toEqual([expect.stringMatching(new RegExp(`^${text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}`))]);
  });

  test('GIVEN stronger or equal settings (longer retention, another CMK, protection switched on) WHEN checked THEN nothing is flagged', () => {
    expect(
      found(
        change('aws_sqs_queue', { message_retention_seconds: 345600 }, { message_retention_seconds: 1209600 }),
        change('aws_cloudwatch_log_group', { retention_in_days: 30 }, { retention_in_days: 90 }),
        change(
          'aws_dynamodb_table',
          { server_side_encryption: [{ enabled: true, kms_key_arn: 'arn:k1' }] },
          { server_side_encryption: [{ enabled: true, kms_key_arn: 'arn:k2' }] },
        ),
        change('aws_dynamodb_table', { deletion_protection_enabled: false }, { deletion_protection_enabled: true }),
        change('aws_sqs_queue', {}, { sqs_managed_sse_enabled: true }),
      ),
    ).toEqual([]);
  });
});

describe('widening rules', () => {
  test.each([
    ['arn:aws:dynamodb:eu-west-1:123456789012:table/*', true],
    ['arn:aws:dynamodb:eu-west-1:123456789012:table/orders-*', true],
    ['arn:aws:lambda:eu-west-1:123456789012:function:*', true],
    ['arn:aws:sqs:eu-west-1:123456789012:*', true],
    ['arn:aws:dynamodb:eu-west-1:*:table/orders', true],
    ['arn:aws:dynamodb:eu-west-1:123456789012:table/orders/stream/*', false],
    ['arn:aws:dynamodb:eu-west-1:123456789012:table/orders/index/*', false],
    ['arn:aws:s3:::exports/*', false],
    ['arn:aws:logs:eu-west-1:123456789012:log-group:/aws/lambda/f:*', false],
  ])('GIVEN resource %s WHEN checked THEN wildcard over names is %s', (resource, wild) => {
    expect(wildcardName(resource)).toBe(wild);
  });

  const permission = (p: object) => ({ statement_id: 's', action: 'lambda:InvokeFunction', function_name: 'f', ...p });
  const own = { source_account: '123456789012', source_arn: 'arn:aws:s3:::exports' };

  test('GIVEN Lambda permissions replaced WHEN a source limit is added THEN calm; WHEN it is removed or the principal becomes * THEN flagged', () => {
    const narrowed = change(
      'aws_lambda_permission',
      permission({ principal: 's3.amazonaws.com' }),
      permission({ principal: 's3.amazonaws.com', ...own }),
      'replace',
    );
    expect(found(narrowed)).toEqual([]);
    const widened = change(
      'aws_lambda_permission',
      permission({ principal: 's3.amazonaws.com', ...own }),
      permission({ principal: 's3.amazonaws.com' }),
      'replace',
    );
    expect(found(widened)).toEqual([
      "PERMISSION WIDENED: permission now lets `s3.amazonaws.com` call `lambda:InvokeFunction` on `f`: no `source_arn` or `source_account`: the service may call it on behalf of **any account**'s resources (confused deputy).",
    ]);
    const anyone = change('aws_lambda_permission', {}, permission({ principal: '*' }), 'create');
    expect(found(anyone)).toEqual([
      'PERMISSION WIDENED: new permission lets `*` call `lambda:InvokeFunction` on `f`: **anyone** (no source condition).',
    ]);
  });

  test('GIVEN a new role trusted by another account WHEN created THEN it is flagged; trusted by its own account THEN calm', () => {
    const trust = (account: string) =>
      JSON.stringify({
        Version: '2012-10-17',
        Statement: [{ Effect: 'Allow', Principal: { AWS: `arn:aws:iam::${account}:root` }, Action: 'sts:AssumeRole' }],
      });
    const context = change('aws_sqs_queue', {}, { arn: 'arn:aws:sqs:eu-west-1:123456789012:q', policy: '' });
    const role = (account: string) => change('aws_iam_role', {}, { assume_role_policy: trust(account) }, 'create');
    const md = (account: string) => renderReview({ source: 'terraform plan', changes: [context, role(account)] }).markdown;
    expect(md('999999999999')).toContain(
      '- **IAM WIDENED** `aws_iam_role.x` `assume_role_policy`: new policy allows `sts:AssumeRole` to `AWS:arn:aws:iam::999999999999:root` — **another account** `999999999999`.',
    );
    expect(md('123456789012')).toContain('### ⚠️ Destructive or widening changes (0)');
  });

  test('GIVEN a key policy that drops a principal WHEN compared THEN nothing is flagged (narrowing stays calm)', () => {
    const stmt = (account: string) => ({
      Effect: 'Allow',
      Principal: { AWS: `arn:aws:iam::${account}:root` },
      Action: 'kms:Decrypt',
      Resource: '*',
    });
    const doc = (...Statement: object[]) => JSON.stringify({ Version: '2012-10-17', Statement });
    const c = change('aws_kms_key', { policy: doc(stmt('123456789012'), stmt('999999999999')) }, { policy: doc(stmt('123456789012')) });
    expect(renderReview({ source: 'terraform plan', changes: [c] }).warnings).toBe(0);
  });
});
