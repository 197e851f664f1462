/**
 * Every [before, after] pair the review test files plan against a prior state, in one list. Each
 * of those files calls `lab.prepare(REVIEW_PLANS)`: the first of the jest run plans them all in
 * one batched terraform run (support/plan-batch.ts) while the others wait, then read the plans
 * from the run cache (support/run-cache.ts). A terraform command costs 4-7 s of CPU whatever it
 * plans, so one batch for the whole review tier instead of one per file saves most of them.
 */
import { forceNewStack } from './force-new-cases';
import { PipelineOptions, pipelineStack } from './fixtures';
import { semanticsStack } from './semantics-fixture';

/** The changes plan-review.test.ts plans against the plain pipeline, one per test. */
export const CHANGES = {
  batchAndThreshold: { batchSize: 500, alarmThreshold: 30000 },
  hashKey: { hashKey: 'id' },
  streamViewType: { streamViewType: 'KEYS_ONLY' },
  wildcardGrant: { extraStatement: { actions: ['dynamodb:PutItem'], resources: ['*'] } },
  auditQueue: { auditQueue: true },
  trustedService: { trustedService: 'ec2.amazonaws.com' },
  startingPosition: { startingPosition: 'LATEST' },
  sample: {
    startingPosition: 'LATEST',
    batchSize: 250,
    alarmThreshold: 30000,
    extraStatement: { actions: ['dynamodb:PutItem', 'dynamodb:DeleteItem'], resources: ['*'] },
  },
} satisfies Record<string, PipelineOptions>;

/** The harmless change cli.test.ts and plan-input.test.ts read as a saved plan. */
export const BATCH_SIZE_10: PipelineOptions = { batchSize: 10 };

/**
 * The large plan of plan-review.test.ts: real cdktf output made bigger by hand, the pipeline plus
 * 350 queues, as a large app has them; then 200 queues renamed, a default tag added, the table
 * key changed.
 */
export const LARGE_PLAN = [largeApp({}), largeApp({ hashKey: 'id', costCenter: true, renamed: 200 })] as const;

function largeApp(o: { hashKey?: string; costCenter?: boolean; renamed?: number }) {
  const tf = pipelineStack({ hashKey: o.hashKey });
  tf.provider.aws[0].default_tags = [{ tags: { team: 'orders', ...(o.costCenter ? { 'cost-center': '42' } : {}) } }];
  for (let i = 0; i < 350; i++)
    tf.resource.aws_sqs_queue[`work_${i}`] = { name: i < (o.renamed ?? 0) ? `orders-v2-work-${i}` : `orders-work-${i}` };
  return tf;
}

/** A global table with replicas in `regions` (plan-review.test.ts). */
export function globalTable(regions: string[]) {
  return {
    ...PROVIDER,
    resource: {
      aws_dynamodb_table: {
        global: {
          name: 'global',
          billing_mode: 'PAY_PER_REQUEST',
          hash_key: 'pk',
          attribute: [{ name: 'pk', type: 'S' }],
          stream_enabled: true,
          stream_view_type: 'NEW_AND_OLD_IMAGES',
          replica: regions.map((region_name) => ({ region_name })),
        },
      },
    },
  };
}

const PROVIDER = {
  provider: { aws: [{ region: 'eu-west-1' }] },
  terraform: { required_providers: { aws: { source: 'aws', version: '5.100.0' } } },
};

/** An SSM SecureString holding `value` (sensitive.test.ts). */
export function ssm(value: string): object {
  return { ...PROVIDER, resource: { aws_ssm_parameter: { db: { name: '/orders/db-password', type: 'SecureString', value } } } };
}

/** A Lambda function whose environment may read the sensitive variable `db_password` (sensitive.test.ts). */
export function lambda(password: string, env: Record<string, string>, extra: object = {}): object {
  return {
    ...PROVIDER,
    variable: { db_password: { type: 'string', sensitive: true, default: password } },
    ...extra,
    resource: {
      aws_lambda_function: {
        consumer: {
          function_name: 'orders-consumer',
          role: 'arn:aws:iam::123456789012:role/r',
          handler: 'index.handler',
          runtime: 'nodejs22.x',
          filename: 'fn.zip',
          source_code_hash: 'h1',
          environment: { variables: env },
        },
      },
    },
  };
}

/** The real plans sensitive.test.ts reviews: [before, after]. */
export const SENSITIVE_PLANS = {
  rotatedSecret: [ssm('hunter2-old-secret'), ssm('hunter2-new-secret')],
  sensitiveVariableChanged: [
    lambda('s3cr3t-before', { DB_PASSWORD: '${var.db_password}', MODE: 'steady' }),
    lambda('s3cr3t-after', { DB_PASSWORD: '${var.db_password}', MODE: 'catch-up' }),
  ],
  sensitiveBlockAdded: [lambda('s3cr3t-x', { MODE: 'steady' }), lambda('s3cr3t-x', { MODE: 'steady', DB_PASSWORD: '${var.db_password}' })],
} satisfies Record<string, [object, object]>;

export const REVIEW_PLANS: ReadonlyArray<readonly [object, object]> = [
  ...Object.values(CHANGES).map((c) => [pipelineStack(), pipelineStack(c)] as const),
  [pipelineStack(), pipelineStack(BATCH_SIZE_10)],
  [globalTable(['eu-central-1', 'us-east-1']), globalTable(['us-east-1'])],
  // Its provider has default tags: batched under an aliased provider (support/plan-batch.ts).
  LARGE_PLAN,
  // Its after (moved and removed blocks) is planned alone, but its prior state converges here.
  [semanticsStack(false), semanticsStack(true)],
  ...Object.values(SENSITIVE_PLANS),
  [forceNewStack('before'), forceNewStack('after')],
];
