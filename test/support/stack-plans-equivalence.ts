/**
 * Not part of `npm test` (about 250 s of CPU): the check that each stack's plan cut from the
 * batched run (stack-plans.ts) is the plan of that stack planned alone, all but the timestamp
 * and what a module does not report (the root's outputs). Run it after changing stack-plans.ts,
 * plan-batch.ts or a planned stack:
 *   npx jest --testMatch '<rootDir>/test/support/stack-plans-equivalence.ts'
 */
import { runCache } from './run-cache';
import { PlannedStack, STACKS, planOf } from './stack-plans';
import { terraformIn } from './terraform';

/**
 * Without what only a root's plan has (the time it was made, its outputs, a prior state that
 * holds nothing but outputs), and with the relevant attributes in one order: they are a set,
 * which terraform lists in another order in the batch than in a plan of the stack alone.
 */
const comparable = (show: any) => {
  const { timestamp, output_changes, ...rest } = show;
  const { outputs, ...root } = rest.configuration.root_module;
  const { outputs: plannedOutputs, ...planned } = rest.planned_values;
  const relevant = rest.relevant_attributes?.map((a: any) => JSON.stringify(a)).sort();
  if (rest.prior_state && !rest.prior_state.values?.root_module?.resources) delete rest.prior_state;
  return { ...rest, configuration: { ...rest.configuration, root_module: root }, planned_values: planned, relevant_attributes: relevant };
};

test('GIVEN every planned stack WHEN planned in the batch and alone THEN the plan documents are equal', () => {
  expect(runCache()).toBeDefined();
  const names = Object.keys(STACKS) as PlannedStack[];
  const batched = names.map((name) => [name, comparable(planOf(name))]);
  const alone = names.map((name) => [name, comparable(terraformIn(STACKS[name]()).initValidatePlan())]);
  expect(batched).toEqual(alone);
}, 1800000);
