/**
 * Not part of `npm test` (about 330 s of CPU): the check that a batched plan (plan-batch.ts) is
 * the plan of the same pair planned alone, prior state and `terraform show -json` alike (all but
 * the timestamp). Run it after changing plan-batch.ts or plan-lab.ts:
 *   PLAN_LAB_RUN_CACHE=off npx jest --testMatch '<rootDir>/test/review/support/plan-batch-equivalence.ts'
 */
import { pipelineStack } from './fixtures';
import { forceNewStack } from './force-new-cases';
import { planLab } from './plan-lab';
import { CHANGES, LARGE_PLAN, SENSITIVE_PLANS } from './review-plans';

const strip = (show: any) => {
  const { timestamp, ...rest } = show;
  return rest;
};

test('GIVEN pairs planned batched and alone WHEN compared THEN prior states and plan documents are equal', () => {
  // One of each kind the review files batch (review-plans.ts): the pipeline, a sensitive variable
  // (changed, and its block added), a SecureString, the force-new stack of 50 resource types, and
  // the large app whose provider blocks (default tags) differ from the others' (aliased providers).
  const pairs: [object, object][] = [
    [pipelineStack(), pipelineStack(CHANGES.batchAndThreshold)],
    SENSITIVE_PLANS.sensitiveVariableChanged,
    SENSITIVE_PLANS.sensitiveBlockAdded,
    SENSITIVE_PLANS.rotatedSecret,
    [forceNewStack('before'), forceNewStack('after')],
    [...LARGE_PLAN],
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
