/**
 * Checks the replace-forcing table (review/force-new.ts) against the real provider: one stack of
 * independent resources, each changed in one argument, planned for real against a prior state.
 * Terraform's action for every resource must equal the one the synth-diff mode derives.
 */
import { changesFromSynths } from '../../review/synth-diff';
import { CASES, forceNewStack } from './support/force-new-cases';
import { PlanLab, planLab } from './support/plan-lab';
import { REVIEW_PLANS } from './support/review-plans';

let lab: PlanLab;
beforeAll(() => {
  lab = planLab();
  // Planned in the run's shared batch, with the other review files' pairs (support/review-plans.ts).
  lab.prepare(REVIEW_PLANS);
});
afterAll(() => lab?.dispose());

test('GIVEN one argument changed on each resource type the library emits WHEN planned for real THEN terraform and the replace-forcing table agree on replace vs update', () => {
  const before = forceNewStack('before');
  const after = forceNewStack('after');
  const show = lab.plan(before, after);
  const byTerraform = new Map<string, string>(
    show.resource_changes.map((c: any) => [c.name, c.change.actions.length === 2 ? 'replace' : c.change.actions[0]]),
  );
  const bySynthDiff = new Map(
    changesFromSynths(new Map([['s', before]]), new Map([['s', after]])).map((c) => [c.address.split('.')[1], c.action]),
  );
  const rows = Object.entries(CASES).map(([name, [type, , change, expected]]) => ({
    case: `${type} ${Object.keys(change).join('+')} (${name})`,
    terraform: byTerraform.get(name),
    synthDiff: bySynthDiff.get(name),
    expected,
  }));
  expect(rows.filter((r) => r.terraform !== r.synthDiff)).toEqual([]);
  expect(rows.filter((r) => r.terraform !== r.expected)).toEqual([]);
});
