/**
 * `plan-json` refuses what is not a plan, with one line naming the file and what was expected,
 * exit code 1 and no stack trace. The wrong inputs are REAL terraform output where terraform
 * makes them (a text plan, a state file, `terraform show -json` of a state, a real plan cut in
 * half); the empty file and the unknown format_version major (a real plan with "2.0" written
 * in, since no Terraform writes one yet) are hand-made.
 */
import { mkdtempSync, writeFileSync } from 'fs';
import { tmpdir } from 'os';
import { join } from 'path';
import { main } from '../../review/cli';
import { pipelineStack } from './support/fixtures';
import { PlanLab, planLab } from './support/plan-lab';
import { BATCH_SIZE_10, REVIEW_PLANS } from './support/review-plans';

let lab: PlanLab;
let dir: string;
let show: any;
beforeAll(() => {
  lab = planLab();
  // Its plans come from the review tier's shared batch (support/review-plans.ts).
  lab.prepare(REVIEW_PLANS);
  dir = mkdtempSync(join(tmpdir(), 'review-input-'));
  show = lab.plan(pipelineStack(), pipelineStack(BATCH_SIZE_10));
});
afterAll(() => lab?.dispose());

function runOn(name: string, content: string): { code: number; err: string; out: string } {
  const file = join(dir, name);
  writeFileSync(file, content);
  const writes: string[] = [];
  const spy = jest.spyOn(process.stderr, 'write').mockImplementation((t: any) => (writes.push(String(t)), true));
  let out = '';
  try {
    const code = main(['plan-json', file], (t) => (out += t));
    return { code, err: writes.join(''), out };
  } finally {
    spy.mockRestore();
  }
}

function expectRefused(r: { code: number; err: string; out: string }, file: string, why: RegExp) {
  expect(r.code).toBe(1);
  expect(r.out).toBe('');
  const lines = r.err.split('\n').filter(Boolean);
  expect(lines).toHaveLength(1);
  expect(lines[0]).toMatch(why);
  expect(lines[0]).toContain(join(dir, file));
  expect(lines[0]).toContain('expected the JSON of `terraform show -json <planfile>`');
  expect(r.err).not.toMatch(/\n\s+at /);
}

describe('plan-json input checks', () => {
  test('GIVEN the real plan WHEN read THEN it is accepted (the control case)', () => {
    const r = runOn('ok.json', JSON.stringify(show));
    expect(r.code).toBe(0);
    expect(r.out).toContain('`batch_size`: `100` -> `10`');
  });

  test('GIVEN an empty file WHEN read THEN refused as empty', () => {
    expectRefused(runOn('empty.json', '\n'), 'empty.json', /the file is empty/);
  });

  test('GIVEN a real plan cut off half way WHEN read THEN refused as cut off', () => {
    const text = JSON.stringify(show);
    expectRefused(runOn('cut.json', text.slice(0, text.length / 2)), 'cut.json', /cut off or invalid/);
  });

  test('GIVEN the real text output of terraform plan WHEN read THEN refused as a text plan', () => {
    const text = lab.run(['plan', '-input=false', '-no-color', '-lock=false', '-refresh=false']);
    expect(text).toMatch(/Terraform will perform|Plan: /);
    expectRefused(runOn('plan.txt', text), 'plan.txt', /text output of `terraform plan`/);
  });

  test('GIVEN a real terraform.tfstate and a real `terraform show -json` of that state WHEN read THEN both refused as state', () => {
    expectRefused(runOn('terraform.tfstate', lab.priorState(pipelineStack())), 'terraform.tfstate', /Terraform state file/);
    const stateShow = lab.run(['show', '-json', 'terraform.tfstate']);
    expect(JSON.parse(stateShow).values).toBeDefined();
    expectRefused(runOn('state-show.json', stateShow), 'state-show.json', /this is a state/);
  });

  test('GIVEN a plan with an unknown format_version major WHEN read THEN refused naming the version', () => {
    expectRefused(runOn('v2.json', JSON.stringify({ ...show, format_version: '2.0' })), 'v2.json', /format_version 2\.0 is not supported/);
  });
});
