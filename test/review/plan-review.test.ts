/**
 * The review of REAL plans: the real terraform and hashicorp/aws 5.100.0 plan each fixture change
 * offline against a prior state (support/plan-lab.ts); the review must report what Terraform
 * decided, and the synth-diff mode must reach the same actions from the two synths alone.
 */
import { mkdirSync, readFileSync, writeFileSync } from 'fs';
import { join } from 'path';
import { commentSize } from '../../review/budget';
import { ChangeSet, ResourceChange } from '../../review/changes';
import { renderReview } from '../../review/markdown';
import { topologyFromPlan } from '../../review/topology';
import { changesFromPlan } from '../../review/plan-changes';
import { changesFromSynths } from '../../review/synth-diff';
import { PipelineOptions, pipelineStack } from './support/fixtures';
import { PlanLab, planLab } from './support/plan-lab';
import { CHANGES, LARGE_PLAN, REVIEW_PLANS, globalTable } from './support/review-plans';
import { semanticsCases } from './support/semantics-cases';

let lab: PlanLab;
beforeAll(() => {
  lab = planLab();
  // One terraform run for all of them (and one for the prior states), shared with the other review files.
  lab.prepare(REVIEW_PLANS);
});
afterAll(() => lab?.dispose());

interface Scenario {
  show: any;
  plan: ChangeSet;
  synth: ChangeSet;
  md: string;
  warnings: number;
}

function scenario(after: PipelineOptions, before: PipelineOptions = {}): Scenario {
  const b = pipelineStack(before);
  const a = pipelineStack(after);
  const show = lab.plan(b, a);
  const plan: ChangeSet = { source: 'terraform plan', changes: changesFromPlan(show, 'orders') };
  const synth: ChangeSet = { source: 'synth diff', changes: changesFromSynths(new Map([['orders', b]]), new Map([['orders', a]])) };
  const review = renderReview(plan, { topology: topologyFromPlan(show, 'orders') });
  return { show, plan, synth, md: review.markdown, warnings: review.warnings };
}

const actions = (changes: ResourceChange[]) => changes.map((c) => `${c.action} ${c.address}`).sort();
/** What terraform itself planned, straight from show -json (not through our reader). */
const terraformActions = (show: any) =>
  show.resource_changes
    .filter((c: any) => c.change.actions.join() !== 'no-op')
    .map((c: any) => `${c.change.actions.length === 2 ? 'replace' : c.change.actions[0]} ${c.address}`)
    .sort();
const row = (md: string, address: string) => md.split('\n').find((l) => l.includes(`| \`${address}\` |`));

describe('plan review of real plans', () => {
  test('GIVEN a batch size and an alarm threshold change WHEN reviewed THEN both are updates shown as before -> after and nothing is flagged', () => {
    const s = scenario(CHANGES.batchAndThreshold);
    expect(terraformActions(s.show)).toEqual([
      'update aws_cloudwatch_metric_alarm.iterator_age',
      'update aws_lambda_event_source_mapping.consumer_mapping',
    ]);
    expect(actions(s.plan.changes)).toEqual(terraformActions(s.show));
    expect(s.md).toContain('**0 to create, 2 to update, 0 to replace, 0 to destroy.**');
    expect(s.md).toContain('### ⚠️ Destructive or widening changes (0)');
    expect(row(s.md, 'aws_lambda_event_source_mapping.consumer_mapping')).toBe(
      '| update | `aws_lambda_event_source_mapping.consumer_mapping` | `batch_size`: `100` -> `500` |',
    );
    expect(row(s.md, 'aws_cloudwatch_metric_alarm.iterator_age')).toBe(
      '| update | `aws_cloudwatch_metric_alarm.iterator_age` | `threshold`: `60000` -> `30000` |',
    );
    expect(s.warnings).toBe(0);
    expect(actions(s.synth.changes)).toEqual(terraformActions(s.show));
  });

  test('GIVEN a hash key change WHEN reviewed THEN the table replacement and the mapping it drags along are flagged first', () => {
    const s = scenario(CHANGES.hashKey);
    expect(terraformActions(s.show)).toEqual([
      'replace aws_dynamodb_table.orders',
      'replace aws_lambda_event_source_mapping.consumer_mapping',
      'update aws_iam_role_policy.consumer_policy',
    ]);
    const warnings = s.md.slice(s.md.indexOf('### ⚠️'), s.md.indexOf('### Changes'));
    expect(warnings).toContain(
      '- **TABLE REPLACED** `aws_dynamodb_table.orders`: Terraform deletes the table and creates an empty one: all items are lost',
    );
    expect(warnings).toContain('Forced by `hash_key`: `"pk"` -> `"id"`.');
    expect(warnings).toContain(
      '- **MAPPING REPLACED** `aws_lambda_event_source_mapping.consumer_mapping`: the new mapping starts at `TRIM_HORIZON`',
    );
    expect(warnings).toContain('- **IAM UNKNOWN UNTIL APPLY** `aws_iam_role_policy.consumer_policy` `policy`');
    expect(row(s.md, 'aws_dynamodb_table.orders')).toMatch(/^\| replace \| .*`hash_key`: `"pk"` -> `"id"` \*\*\(forces replacement\)\*\*/);
    expect(s.md.indexOf('TABLE REPLACED')).toBeLessThan(s.md.indexOf('### Changes'));
    expect(actions(s.synth.changes)).toEqual(terraformActions(s.show));
  });

  test('GIVEN a stream view type change WHEN reviewed THEN the new stream ARN and the replaced mapping are flagged', () => {
    const s = scenario(CHANGES.streamViewType);
    expect(terraformActions(s.show)).toEqual([
      'replace aws_lambda_event_source_mapping.consumer_mapping',
      'update aws_dynamodb_table.orders',
      'update aws_iam_role_policy.consumer_policy',
    ]);
    expect(s.md).toContain(
      '- **NEW STREAM** `aws_dynamodb_table.orders`: `stream_view_type`: `"NEW_AND_OLD_IMAGES"` -> `"KEYS_ONLY"`: DynamoDB closes the stream and opens a new, empty one with a new ARN.',
    );
    expect(s.md).toContain('Forced by `event_source_arn`: `"arn:aws:dynamodb:eu-west-1:123456789012:table/orders/stream/');
    expect(row(s.md, 'aws_dynamodb_table.orders')).toContain('`stream_arn`: ');
    expect(actions(s.synth.changes)).toEqual(terraformActions(s.show));
  });

  test('GIVEN a policy that gains an action on a wildcard resource WHEN reviewed THEN the widening is flagged with the action and the wildcard', () => {
    const s = scenario(CHANGES.wildcardGrant);
    expect(terraformActions(s.show)).toEqual(['update aws_iam_role_policy.consumer_policy']);
    expect(s.md).toContain(
      '- **IAM WIDENED** `aws_iam_role_policy.consumer_policy` `policy`: allows `dynamodb:PutItem` on `*` — **wildcard**.',
    );
    expect(row(s.md, 'aws_iam_role_policy.consumer_policy')).toContain(
      '`policy`: document with 3 statements -> document with 4 statements',
    );
    const synthReview = renderReview(s.synth).markdown;
    expect(synthReview).toContain(
      '- **IAM WIDENED** `aws_iam_role_policy.consumer_policy` `policy`: allows `dynamodb:PutItem` on `*` — **wildcard**.',
    );
    expect(actions(s.synth.changes)).toEqual(terraformActions(s.show));
  });

  test('GIVEN a policy that references a queue created by the same change WHEN reviewed THEN the policy is reported unknown until apply', () => {
    const s = scenario(CHANGES.auditQueue);
    expect(terraformActions(s.show)).toEqual(['create aws_sqs_queue.audit', 'update aws_iam_role_policy.consumer_policy']);
    expect(s.md).toContain(
      '- **IAM UNKNOWN UNTIL APPLY** `aws_iam_role_policy.consumer_policy` `policy`: policy document is unknown until apply',
    );
    // Without a plan the document is still readable: the new grant is named by its reference.
    expect(renderReview(s.synth).markdown).toContain('allows `sqs:SendMessage` on `${aws_sqs_queue.audit.arn}`');
    expect(actions(s.synth.changes)).toEqual(terraformActions(s.show));
  });

  test('GIVEN a role trusted by one more service WHEN reviewed THEN the trust policy widening names the principal', () => {
    const s = scenario(CHANGES.trustedService);
    expect(s.md).toContain(
      '- **IAM WIDENED** `aws_iam_role.consumer_role` `assume_role_policy`: allows `sts:AssumeRole` to `Service:ec2.amazonaws.com`.',
    );
    expect(actions(s.synth.changes)).toEqual(terraformActions(s.show));
  });

  test('GIVEN a starting position change WHEN reviewed THEN the mapping replacement says where the new mapping starts and why', () => {
    const s = scenario(CHANGES.startingPosition);
    expect(terraformActions(s.show)).toEqual(['replace aws_lambda_event_source_mapping.consumer_mapping']);
    expect(s.md).toContain(
      '- **MAPPING REPLACED** `aws_lambda_event_source_mapping.consumer_mapping`: the new mapping starts at `LATEST`: records written while the mapping is switched are skipped. Forced by `starting_position`: `"TRIM_HORIZON"` -> `"LATEST"`.',
    );
    expect(row(s.md, 'aws_lambda_event_source_mapping.consumer_mapping')).toMatch(/computed values known after apply\)/);
    expect(actions(s.synth.changes)).toEqual(terraformActions(s.show));
  });

  test('GIVEN a global table that drops a replica region WHEN planned THEN the removal is flagged and the row names the region', () => {
    const before = globalTable(['eu-central-1', 'us-east-1']);
    const after = globalTable(['us-east-1']);
    const show = lab.plan(before, after);
    expect(terraformActions(show)).toEqual(['update aws_dynamodb_table.global']);
    const md = renderReview({ source: 'terraform plan', changes: changesFromPlan(show, 'global') }).markdown;
    expect(md).toContain('- **REPLICA REMOVED** `aws_dynamodb_table.global`: replica in `eu-central-1` is deleted with its items.');
    expect(row(md, 'aws_dynamodb_table.global')).toMatch(
      /^\| update \| `aws_dynamodb_table.global` \| `replica\["eu-central-1"\]`: removed(<br>|$)/,
    );
    const synth = changesFromSynths(new Map([['global', before]]), new Map([['global', after]]));
    expect(actions(synth)).toEqual(terraformActions(show));
  });

  test('GIVEN the same plan twice, resource order shuffled WHEN rendered THEN the bytes are identical, and equal review/SAMPLE.md (UPDATE_REVIEW_SAMPLE=1 rewrites it)', () => {
    const s = scenario(CHANGES.sample);
    const shuffled = { ...s.show, resource_changes: [...s.show.resource_changes].reverse() };
    const again = renderReview(
      { source: 'terraform plan', changes: changesFromPlan(JSON.parse(JSON.stringify(shuffled)), 'orders') },
      { topology: topologyFromPlan(shuffled, 'orders') },
    ).markdown;
    expect(again).toBe(s.md);
    expect(s.md).not.toMatch(/\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z/);
    // The sample in the repository is what this renders; a test never rewrites a tracked file unasked.
    const sample = join(__dirname, '../../review/SAMPLE.md');
    if (process.env.UPDATE_REVIEW_SAMPLE === '1') writeFileSync(sample, s.md);
    expect(readFileSync(sample, 'utf8')).toBe(s.md);
  });

  test('GIVEN a real plan of 350+ changes (200 queues renamed, a default tag added, the table key changed) WHEN reviewed THEN it fits one comment, every alert is shown, table loss first, the tag updates one group', () => {
    const show = lab.plan(...LARGE_PLAN);
    const planned = show.resource_changes.filter((c: any) => c.change.actions.join() !== 'no-op');
    expect(planned.length).toBeGreaterThan(300);
    const review = renderReview(
      { source: 'terraform plan', changes: changesFromPlan(show, 'orders') },
      { topology: topologyFromPlan(show, 'orders') },
    );
    const md = review.markdown;
    expect(commentSize(md)).toBeLessThanOrEqual(65536);
    // Unbudgeted, the same review would be refused by GitHub.
    expect(
      commentSize(renderReview({ source: 'terraform plan', changes: changesFromPlan(show, 'orders') }, { maxChars: 0 }).markdown),
    ).toBeGreaterThan(65536);
    expect(md).toMatch(
      /^> Cut to fit one comment \(65,536 characters\): \d+ of \d+ change rows(, \d+ addresses in the routine groups)? not shown\./m,
    );
    // Every replacement terraform planned is an alert in the comment; the table's first.
    const replaced = planned.filter((c: any) => c.change.actions.length === 2);
    const label: Record<string, string> = {
      aws_sqs_queue: 'QUEUE REPLACED',
      aws_dynamodb_table: 'TABLE REPLACED',
      aws_lambda_event_source_mapping: 'MAPPING REPLACED',
    };
    expect(replaced.filter((c: any) => c.type === 'aws_sqs_queue')).toHaveLength(200);
    for (const c of replaced) if (label[c.type]) expect(md).toContain(`- **${label[c.type]}** \`${c.address}\`:`);
    const firstAlert = md.split('\n').find((l) => l.startsWith('- **'));
    expect(firstAlert).toMatch(/^- \*\*TABLE REPLACED\*\* `aws_dynamodb_table.orders`/);
    // Updates whose only change (per terraform) is tags_all gaining cost-center are one group line.
    const sameExceptTags = (c: any) =>
      Object.keys({ ...c.change.before, ...c.change.after }).every(
        (k) => k === 'tags_all' || JSON.stringify(c.change.before[k]) === JSON.stringify(c.change.after[k]),
      );
    const tagOnly = planned.filter((c: any) => c.change.actions.join() === 'update' && sameExceptTags(c));
    expect(tagOnly.length).toBeGreaterThanOrEqual(150);
    expect(md).toContain(`- **${tagOnly.length} resources** (`);
    expect(md).toContain('`tags_all` +`cost-center`=`"42"`');
    // Kept (untracked) for rendering it as GitHub would; see docs/review.md.
    mkdirSync(join(__dirname, '../../build/review-samples'), { recursive: true });
    writeFileSync(join(__dirname, '../../build/review-samples/large-plan.md'), md);
  });
});

describe('what the review understands: moves, renames, safety regressions, stream changes, widening', () => {
  semanticsCases(() => lab);
});
