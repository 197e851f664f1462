/**
 * Not part of `npm test` (about 165 s of CPU): the check that a batched plan (plan-batch.ts) is
 * the plan of the same pair planned alone, prior state and `terraform show -json` alike (all but
 * the timestamp). Run it after changing plan-batch.ts or plan-lab.ts:
 *   PLAN_LAB_RUN_CACHE=off npx jest --testMatch '<rootDir>/test/review/support/plan-batch-equivalence.ts'
 */
import { pipelineStack } from './fixtures';
import { planLab } from './plan-lab';

const provider = {
  provider: { aws: [{ region: 'eu-west-1' }] },
  terraform: { required_providers: { aws: { source: 'aws', version: '5.100.0' } } },
};
const lambda = (password: string, env: Record<string, string>) => ({
  ...provider,
  variable: { db_password: { type: 'string', sensitive: true, default: password } },
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
});
const strip = (show: any) => {
  const { timestamp, ...rest } = show;
  return rest;
};

test('GIVEN pairs planned batched and alone WHEN compared THEN prior states and plan documents are equal', () => {
  const pairs: [object, object][] = [
    [pipelineStack(), pipelineStack({ batchSize: 500, alarmThreshold: 30000 })],
    [lambda('a', { DB_PASSWORD: '${var.db_password}', MODE: 'steady' }), lambda('b', { DB_PASSWORD: '${var.db_password}', MODE: 'x' })],
    [lambda('c', { MODE: 'steady' }), lambda('c', { MODE: 'steady', DB_PASSWORD: '${var.db_password}' })],
  ];
  const batched = planLab();
  const alone = planLab();
  try {
    batched.prepare(pairs);
    const b = pairs.map(([x, y]) => batched.plan(x, y));
    const a = pairs.map(([x, y]) => alone.plan(x, y));
    expect(pairs.map(([x]) => batched.priorState(x))).toEqual(pairs.map(([x]) => alone.priorState(x)));
    expect(b.map(strip)).toEqual(a.map(strip));
  } finally {
    batched.dispose();
    alone.dispose();
  }
}, 1800000);
