/**
 * No secret reaches the comment. Inputs are REAL plans (support/plan-lab.ts: real terraform and
 * hashicorp/aws 5.100.0, offline, against a state built from planned values): a rotated SSM
 * SecureString, a Lambda environment variable fed by a `sensitive = true` variable (a sensitive
 * value nested in the `environment` block's map). The oracle is the secret text itself: it must not
 * occur anywhere in the Markdown, while the change is still reported. Diff mode gets the same
 * configurations as synths (hand-written Terraform JSON, the shape cdktf synthesizes).
 */
import { ChangeSet } from '../../review/changes';
import { renderReview } from '../../review/markdown';
import { changesFromPlan } from '../../review/plan-changes';
import { SCHEMA_SENSITIVE } from '../../review/sensitive';
import { changesFromSynths } from '../../review/synth-diff';
import { PlanLab, planLab } from './support/plan-lab';
import { REVIEW_PLANS, SENSITIVE_PLANS, lambda, ssm } from './support/review-plans';

let lab: PlanLab;
beforeAll(() => {
  lab = planLab();
  // One terraform run for the real plans below (and one for their prior states), shared with the other review files.
  lab.prepare(REVIEW_PLANS);
});
afterAll(() => lab?.dispose());

const reviewPlan = (show: any) => renderReview({ source: 'terraform plan', changes: changesFromPlan(show, 'orders') }).markdown;
const reviewDiff = (base: object, head: object) => {
  const set: ChangeSet = { source: 'synth diff', changes: changesFromSynths(new Map([['orders', base]]), new Map([['orders', head]])) };
  return renderReview(set).markdown;
};
const row = (md: string, address: string) => md.split('\n').find((l) => l.includes(`\`${address}\` |`));

describe('sensitive values are masked', () => {
  test('GIVEN an SSM SecureString rotated WHEN the real plan is reviewed THEN the change is shown, neither value is', () => {
    const show = lab.plan(...SENSITIVE_PLANS.rotatedSecret);
    // Ground truth from terraform itself: it planned an update and marks the value sensitive.
    const rc = show.resource_changes.find((c: any) => c.address === 'aws_ssm_parameter.db');
    expect(rc.change.actions).toEqual(['update']);
    expect(rc.change.after_sensitive.value).toBe(true);
    const md = reviewPlan(show);
    expect(md).not.toContain('hunter2');
    // The provider also renews `version` and `insecure_value`; the secret's row leads with the masked change.
    expect(row(md, 'aws_ssm_parameter.db')).toMatch(
      /^\| update \| `aws_ssm_parameter.db` \| `value`: `\(sensitive value\)` -> `\(sensitive value\)`<br>/,
    );
  });

  test('GIVEN a Lambda environment variable fed by a sensitive variable WHEN the variable changes THEN the nested value is masked and its neighbour is shown', () => {
    const show = lab.plan(...SENSITIVE_PLANS.sensitiveVariableChanged);
    const rc = show.resource_changes.find((c: any) => c.address === 'aws_lambda_function.consumer');
    expect(JSON.stringify(rc.change.before)).toContain('s3cr3t-before');
    expect(rc.change.after_sensitive.environment[0].variables.DB_PASSWORD).toBe(true);
    const md = reviewPlan(show);
    expect(md).not.toContain('s3cr3t');
    const r = row(md, 'aws_lambda_function.consumer')!;
    expect(r).toContain('`environment[0].variables.DB_PASSWORD`: `(sensitive value)` -> `(sensitive value)`');
    expect(r).toContain('`environment[0].variables.MODE`: `"steady"` -> `"catch-up"`');
  });

  test('GIVEN a whole block marked sensitive WHEN it is added THEN the added block prints masked', () => {
    const show = lab.plan(...SENSITIVE_PLANS.sensitiveBlockAdded);
    const md = reviewPlan(show);
    expect(md).not.toContain('s3cr3t');
    expect(row(md, 'aws_lambda_function.consumer')).toContain('`environment[0].variables.DB_PASSWORD`: `null` -> `(sensitive value)`');
  });

  test('GIVEN two synths where an argument starts reading a sensitive variable, directly or through a local WHEN diffed THEN no value it feeds is printed', () => {
    const locals = { locals: { dsn: 'postgres://app:${var.db_password}@db' } };
    const base = lambda('s3cr3t-default', { DB_PASSWORD: 'plain-old', MODE: 'steady' }, locals);
    const head = lambda('s3cr3t-default', { DB_PASSWORD: '${var.db_password}', DSN: '${local.dsn}', MODE: 'steady' }, locals);
    const md = reviewDiff(base, head);
    expect(md).not.toContain('s3cr3t');
    expect(md).not.toContain('var.db_password');
    expect(md).not.toContain('postgres://');
    expect(row(md, 'aws_lambda_function.consumer')).toContain(
      '`environment.variables.DB_PASSWORD`: `"plain-old"` -> `(sensitive value)`<br>`environment.variables.DSN`: `null` -> `(sensitive value)`',
    );
  });

  test('GIVEN two synths of a SecureString with a literal value WHEN diffed THEN the attribute the provider marks sensitive is masked', () => {
    const md = reviewDiff(ssm('hunter2-old-secret'), ssm('hunter2-new-secret'));
    expect(md).not.toContain('hunter2');
    // No plan: only the argument itself changes (the provider's renewed `version` is not modelled here).
    expect(row(md, 'aws_ssm_parameter.db')).toBe(
      '| update | `aws_ssm_parameter.db` | `value`: `(sensitive value)` -> `(sensitive value)` |',
    );
  });

  test('GIVEN the provider schema WHEN compared with the table diff mode uses THEN every listed attribute is sensitive in hashicorp/aws 5.100.0', () => {
    const schemas = lab.schemas();
    for (const [type, attrs] of Object.entries(SCHEMA_SENSITIVE)) {
      for (const a of attrs) expect([type, a, schemas[type].block.attributes[a].sensitive]).toEqual([type, a, true]);
    }
  });
});
