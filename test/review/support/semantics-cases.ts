/**
 * Cases run by plan-review.test.ts on its terraform working folder (one `init` and one provider
 * schema read for both sets of cases, to keep CI time down).
 *
 * What the review understands, on a REAL plan: one pull request (support/semantics-fixture.ts)
 * that moves, forgets and renames resources, weakens safety settings, changes streams and widens
 * resource policies, planned by the real terraform and hashicorp/aws 5.100.0 offline against a
 * prior state (support/plan-lab.ts). Terraform's own answer (actions, previous_address, forget)
 * is the oracle for moves and forgets, and for the claim that the printed fixes make a rename a
 * no-op: the fixes are applied and planned again. The diff mode must reach the same actions from
 * the two synths alone. Three terraform plans in all (before state, the change, the fixes).
 */
import { mkdtempSync, rmSync, writeFileSync } from 'fs';
import { tmpdir } from 'os';
import { join } from 'path';
import { ChangeSet, ResourceChange } from '../../../review/changes';
import { main } from '../../../review/cli';
import { Finding, semanticFindings } from '../../../review/findings';
import { renderReview } from '../../../review/markdown';
import { changeSetFromPlans } from '../../../review/plan-changes';
import { changeSetFromSynths } from '../../../review/synth-diff';
import { PlanLab } from './plan-lab';
import { OTHER_ACCOUNT, semanticsStack } from './semantics-fixture';

let lab: PlanLab;
let before: any;
let after: any;
let show: any;
let plan: ChangeSet;
let synth: ChangeSet;
let planMd: string;
let synthMd: string;

/** Defines the cases; call inside a describe of a file that owns `labOf()`'s lab. */
export function semanticsCases(labOf: () => PlanLab): void {
  beforeAll(() => {
    lab = labOf();
    before = semanticsStack(false);
    after = semanticsStack(true);
    show = lab.plan(before, after);
    plan = changeSetFromPlans([{ show, stack: 'shop' }]);
    synth = changeSetFromSynths(new Map([['shop', before]]), new Map([['shop', after]]));
    planMd = renderReview(plan).markdown;
    synthMd = renderReview(synth).markdown;
  });
  movesAndRenames();
  safetyStreamsAndWidening();
}

/** What terraform itself planned, straight from show -json (not through our reader). */
const terraformActions = (s: any) =>
  s.resource_changes
    .filter((c: any) => !['no-op', 'forget'].includes(c.change.actions.join()))
    .map((c: any) => `${c.change.actions.length === 2 ? 'replace' : c.change.actions[0]} ${c.address}`)
    .sort();
const actions = (changes: ResourceChange[]) => changes.map((c) => `${c.action} ${c.address}`).sort();
const alertSection = (md: string) => md.slice(md.indexOf('### ⚠️'), md.search(/### (State changes|Changes)/));
const labels = (set: ChangeSet, address: string) =>
  semanticFindings(set)
    .filter((f: Finding) => f.address === address)
    .map((f) => `${f.severity} ${f.label}`)
    .sort();

function movesAndRenames(): void {
  describe('moves, forgets and renames on a real plan', () => {
    test('GIVEN a table moved with moveFromId WHEN reviewed in both modes THEN it is a move with no change, not a destroy and a create', () => {
      const moved = show.resource_changes.find((c: any) => c.address === 'aws_dynamodb_table.customers_table');
      expect([moved.previous_address, moved.change.actions]).toEqual(['aws_dynamodb_table.customers', ['no-op']]);
      for (const set of [plan, synth]) {
        expect(set.stateChanges).toContainEqual({
          stack: 'shop',
          address: 'aws_dynamodb_table.customers_table',
          type: 'aws_dynamodb_table',
          kind: 'move',
          from: 'aws_dynamodb_table.customers',
        });
        expect(set.changes.filter((c) => /^aws_dynamodb_table\.customers/.test(c.address))).toEqual([]);
        expect(labels(set, 'aws_dynamodb_table.customers_table')).toEqual(['notice MOVED']);
      }
      // The reference to the moved table changes address, not value: no policy change in either mode.
      expect(actions(synth.changes)).toEqual(terraformActions(show));
      expect(actions(plan.changes)).toEqual(terraformActions(show));
      expect(alertSection(synthMd)).not.toContain('aws_dynamodb_table.customers');
      expect(alertSection(planMd)).not.toContain('aws_dynamodb_table.customers');
    });

    test('GIVEN a queue in a removed block with destroy = false WHEN reviewed THEN it is forgotten, not destroyed', () => {
      expect(show.resource_changes.find((c: any) => c.address === 'aws_sqs_queue.legacy').change.actions).toEqual(['forget']);
      for (const md of [planMd, synthMd]) {
        expect(md).toContain('- **FORGOTTEN** `aws_sqs_queue.legacy`: leaves Terraform state');
        expect(alertSection(md)).not.toContain('legacy');
      }
    });

    test('GIVEN the real plan cut to its move and its forget WHEN reviewed by the CLI with --fail-on-destructive THEN it passes and lists both, not "No changes."', () => {
      const stateOnly = {
        ...show,
        resource_changes: show.resource_changes.filter((c: any) => c.previous_address || c.change.actions.includes('forget')),
      };
      expect(stateOnly.resource_changes).toHaveLength(2);
      const dir = mkdtempSync(join(tmpdir(), 'review-sem-'));
      try {
        writeFileSync(join(dir, 'show.json'), JSON.stringify(stateOnly));
        let out = '';
        const code = main(['plan-json', join(dir, 'show.json'), '--fail-on-destructive'], (t) => (out += t));
        expect(code).toBe(0);
        expect(out).toContain('### State changes (2)');
        expect(out).toContain('- **MOVED** `aws_dynamodb_table.customers_table`: from `aws_dynamodb_table.customers`');
        expect(out).toContain('- **FORGOTTEN** `aws_sqs_queue.legacy`');
        expect(out).toContain('No infrastructure changes.');
        expect(out).not.toContain('No changes.');
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    });

    test('GIVEN a table and a queue whose construct ids were renamed WHEN reviewed THEN the rename, the collision and the fix are said', () => {
      for (const set of [plan, synth]) {
        expect(labels(set, 'aws_dynamodb_table.sessions_v2')).toEqual(['alert RENAMED, NOT MOVED']);
        expect(labels(set, 'aws_sqs_queue.jobs_queue')).toEqual(['alert RENAMED, NOT MOVED']);
      }
      expect(planMd).toContain(
        '`aws_dynamodb_table.sessions` is destroyed and `aws_dynamodb_table.sessions_v2` created with the same table name `sessions`: almost certainly a renamed construct id',
      );
      expect(planMd).toContain('the create collides with the table `sessions` that still exists (the apply fails)');
      expect(planMd).toContain(
        'the create adopts the existing queue `jobs` (same name), then the destroy of `aws_sqs_queue.jobs` deletes it',
      );
      expect(planMd).toContain(
        '  ```hcl\n  moved {\n    from = aws_dynamodb_table.sessions\n    to   = aws_dynamodb_table.sessions_v2\n  }\n  ```',
      );
      expect(synthMd).toContain(
        '  ```ts\n  // on the resource now at aws_dynamodb_table.sessions_v2\n  <resource>.moveFromId("aws_dynamodb_table.sessions");\n  ```',
      );
    });

    test('GIVEN the fixes the review prints WHEN applied and planned again THEN terraform moves both and destroys nothing', () => {
      // The table through the diff mode's fix (moveFromId), the queue through the plan mode's (HCL).
      const fixed = semanticsStack(true, { moveRenamedTable: true });
      const queueFix = hclFixes(planMd).find((b) => b.includes('aws_sqs_queue.jobs'))!;
      writeFileSync(join(lab.dir, 'review_fix.tf'), queueFix);
      let again: any;
      try {
        again = lab.plan(before, fixed);
      } finally {
        rmSync(join(lab.dir, 'review_fix.tf'), { force: true });
      }
      const moves = again.resource_changes
        .filter((c: any) => c.previous_address)
        .map((c: any) => `${c.previous_address} -> ${c.address} ${c.change.actions}`)
        .sort();
      expect(moves).toEqual([
        'aws_dynamodb_table.customers -> aws_dynamodb_table.customers_table no-op',
        'aws_dynamodb_table.sessions -> aws_dynamodb_table.sessions_v2 no-op',
        'aws_sqs_queue.jobs -> aws_sqs_queue.jobs_queue no-op',
      ]);
      expect(terraformActions(again).filter((a: string) => /^(delete|create) /.test(a))).toEqual([
        'create aws_lambda_permission.exports_invoke',
      ]);
      const review = changeSetFromSynths(new Map([['shop', before]]), new Map([['shop', fixed]]));
      expect(
        semanticFindings(review)
          .filter((f) => f.kind === 'rename')
          .map((f) => f.address),
      ).toEqual(['aws_sqs_queue.jobs_queue']);
    });
  });
}

function safetyStreamsAndWidening(): void {
  describe('safety regressions, stream changes and widening on a real plan', () => {
    test('GIVEN protection, PITR, encryption and retention weakened WHEN reviewed THEN each is an alert in both modes', () => {
      const expected: Record<string, string[]> = {
        'aws_dynamodb_table.orders': ['alert DELETION PROTECTION OFF', 'alert ENCRYPTION DOWNGRADED', 'alert PITR OFF'],
        'aws_dynamodb_table.audit': ['alert STREAM DISABLED'],
        'aws_kinesis_stream.clicks': ['alert RETENTION SHORTENED'],
        'aws_sqs_queue.failures': ['alert ENCRYPTION DOWNGRADED', 'alert RETENTION SHORTENED'],
      };
      for (const [address, want] of Object.entries(expected)) expect(labels(plan, address)).toEqual(want);
      // prevent_destroy is a lifecycle meta-argument: the plan JSON does not carry it, the synth does.
      expect(labels(synth, 'aws_dynamodb_table.orders')).toEqual(
        [...expected['aws_dynamodb_table.orders'], 'alert PREVENT_DESTROY REMOVED'].sort(),
      );
      for (const [address, want] of Object.entries(expected).slice(1)) expect(labels(synth, address)).toEqual(want);
      expect(planMd).toContain(
        '- **ENCRYPTION DOWNGRADED** `aws_dynamodb_table.orders`: from a customer managed KMS key to an AWS owned key',
      );
      expect(planMd).toContain('- **RETENTION SHORTENED** `aws_sqs_queue.failures`: `message_retention_seconds`: 1209600 s -> 345600 s');
    });

    test('GIVEN a stream switched to KEYS_ONLY WHEN reviewed THEN the lost backlog and the lost images are said, not a redelivery', () => {
      for (const md of [planMd, synthMd]) {
        const alerts = alertSection(md);
        expect(alerts).toContain(
          "opens a new, empty one with a new ARN. Mappings on the old stream are replaced and start on the new one: nothing is delivered again, but what they had not processed yet (the old stream's backlog",
        );
        expect(alerts).toContain(
          'Records no longer carry `NewImage` or `OldImage`: consumers that read them (a replica writer, a change feed) get only the keys.',
        );
        expect(alerts).toContain(
          '- **MAPPING REPLACED** `aws_lambda_event_source_mapping.events_mapping`: the new mapping starts at `TRIM_HORIZON`: it reads a new, empty stream',
        );
        expect(alerts).not.toContain('already processed are delivered again');
      }
    });

    test('GIVEN a key policy, a bucket policy, a permission, a trust policy and a table/* grant widened WHEN reviewed THEN each is flagged; the narrowed policy stays calm', () => {
      for (const md of [planMd, synthMd]) {
        const alerts = alertSection(md);
        expect(alerts).toContain(
          `- **IAM WIDENED** \`aws_kms_key.data_key\` \`policy\`: allows \`kms:Decrypt\` on \`(this key)\` to \`AWS:arn:aws:iam::${OTHER_ACCOUNT}:root\` — **another account** \`${OTHER_ACCOUNT}\`.`,
        );
        expect(alerts).toContain(
          '- **IAM WIDENED** `aws_s3_bucket_policy.exports_policy` `policy`: allows `s3:GetObject` on `arn:aws:s3:::shop-exports/*` to `*` — **anyone**.',
        );
        expect(alerts).toContain(
          `- **IAM WIDENED** \`aws_iam_role.consumer_role\` \`assume_role_policy\`: allows \`sts:AssumeRole\` to \`AWS:arn:aws:iam::${OTHER_ACCOUNT}:root\` — **another account** \`${OTHER_ACCOUNT}\`.`,
        );
        expect(alerts).toContain(
          '- **IAM WIDENED** `aws_iam_role_policy.customers_reader` `policy`: allows `dynamodb:GetItem` on `arn:aws:dynamodb:eu-west-1:123456789012:table/*` — **wildcard**.',
        );
        expect(alerts).toContain(
          "- **PERMISSION WIDENED** `aws_lambda_permission.exports_invoke`: new permission lets `s3.amazonaws.com` call `lambda:InvokeFunction` on `events-consumer`: no `source_arn` or `source_account`: the service may call it on behalf of **any account**'s resources (confused deputy).",
        );
        expect(alerts).not.toContain('narrowed');
      }
    });

    test('GIVEN the whole pull request WHEN rendered THEN both reviews match their golden outputs (reviewed by eye)', () => {
      expect(planMd).toMatchSnapshot('plan mode');
      expect(synthMd).toMatchSnapshot('diff mode');
    });
  });
}

/** The HCL blocks of the review's fixes, unindented. */
function hclFixes(md: string): string[] {
  return [...md.matchAll(/ {2}```hcl\n([\s\S]*?)\n {2}```/g)].map((m) => m[1].replace(/^ {2}/gm, ''));
}
