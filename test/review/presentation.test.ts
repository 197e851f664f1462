/**
 * How the review is presented, on synth diffs (no terraform: the changes come from two real
 * synths of raw provider resources): alerts ordered by harm across stacks, the size budget,
 * the calm line, the sticky-comment marker and the CLI options. The expected orders and limits
 * are written from the wording and GitHub's documented limit, not read from the code.
 */
import { Alert } from '../../review/alerts';
import { commentSize } from '../../review/budget';
import { ChangeSet } from '../../review/changes';
import { main } from '../../review/cli';
import { renderReview, reviewMarker } from '../../review/markdown';
import { changesFromSynths } from '../../review/synth-diff';
import { topologyFromSynths } from '../../review/topology';
import { pipelineStack } from './support/fixtures';

const GITHUB_LIMIT = 65536;

function diff(
  base: Record<string, object>,
  head: Record<string, object>,
): { set: ChangeSet; topology: ReturnType<typeof topologyFromSynths> } {
  const b = new Map(Object.entries(base));
  const h = new Map(Object.entries(head));
  return { set: { source: 'synth diff', changes: changesFromSynths(b, h) }, topology: topologyFromSynths(b, h) };
}

const queues = (n: number, name: (i: number) => string, extra: (i: number) => object = () => ({})) => ({
  resource: {
    aws_sqs_queue: Object.fromEntries(
      Array.from({ length: n }, (_, i) => [`q_${String(i).padStart(3, '0')}`, { name: name(i), ...extra(i) }]),
    ),
  },
});
const alertLabels = (md: string) =>
  [...md.matchAll(/^- \*\*([A-Z ,]+)\*\* (`[^`]+` )?`([^`]+)`/gm)].map((m) => `${m[1]} ${m[2] ?? ''}${m[3]}`);

describe('plan review presentation', () => {
  test('GIVEN harm in four stacks WHEN reviewed THEN table loss leads wherever its stack sorts, then mapping, queue, bucket losses, then widening', () => {
    const policy = (resources: string[]) =>
      JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: 'sqs:SendMessage', Resource: resources }] });
    const billing = (gone: boolean, wide: boolean) => ({
      resource: {
        ...(gone ? {} : { aws_sqs_queue: { dlq: { name: 'billing-dlq' } }, aws_s3_bucket: { records: { bucket: 'billing-records' } } }),
        aws_iam_policy: { send: { name: 'send', policy: policy(wide ? ['*'] : ['arn:aws:sqs:eu-west-1:123456789012:billing-dlq']) } },
      },
    });
    const table = {
      resource: {
        aws_dynamodb_table: {
          ledger: { name: 'ledger', hash_key: 'pk', billing_mode: 'PAY_PER_REQUEST', attribute: [{ name: 'pk', type: 'S' }] },
        },
      },
    };
    const { set } = diff(
      { 'aaa-billing': billing(false, false), 'mmm-ingest': pipelineStack(), 'zzz-ledger': table },
      { 'aaa-billing': billing(true, true), 'mmm-ingest': pipelineStack({ startingPosition: 'LATEST' }), 'zzz-ledger': {} },
    );
    const md = renderReview(set).markdown;
    expect(alertLabels(md)).toEqual([
      'TABLE DESTROYED `zzz-ledger` aws_dynamodb_table.ledger',
      'MAPPING REPLACED `mmm-ingest` aws_lambda_event_source_mapping.consumer_mapping',
      'QUEUE DESTROYED `aaa-billing` aws_sqs_queue.dlq',
      'BUCKET DESTROYED `aaa-billing` aws_s3_bucket.records',
      'IAM WIDENED `aaa-billing` aws_iam_policy.send',
    ]);
    // The rows follow the same order: the lost table is the first row.
    const rows = md.split('\n').filter((l) => /^\| (create|update|replace|destroy) \|/.test(l));
    expect(rows[0]).toBe('| destroy | `zzz-ledger` | `aws_dynamodb_table.ledger` |  |');

    // Findings of other checks slot in by kind; an unknown kind by its severity, never before data loss.
    const extra = (kind: string, label: string, severity: Alert['severity'] = 'alert'): Alert => ({
      kind,
      severity,
      label,
      stack: 'aaa-billing',
      address: 'aws_iam_policy.send',
      text: 'x',
    });
    const withExtra = renderReview(set, {
      extraAlerts: [
        extra('safety', 'PITR OFF'),
        extra('something-new', 'NEW KIND'),
        extra('move', 'MOVED', 'notice'),
        extra('rename', 'RENAMED, NOT MOVED'),
      ],
    }).markdown;
    expect(alertLabels(withExtra).map((l) => l.split(' `')[0])).toEqual([
      'TABLE DESTROYED',
      'RENAMED, NOT MOVED',
      'MAPPING REPLACED',
      'QUEUE DESTROYED',
      'BUCKET DESTROYED',
      'PITR OFF',
      'NEW KIND',
      'IAM WIDENED',
      'MOVED',
    ]);
    expect(renderReview(set, { extraAlerts: [extra('move', 'MOVED', 'notice')] }).warnings).toBe(5);
  });

  test('GIVEN 400 queues renamed (400 replacements) WHEN reviewed THEN every alert is kept, rows are cut with a notice, and the body fits GitHub at every limit', () => {
    const { set } = diff({ app: queues(400, (i) => `app-q-${i}`) }, { app: queues(400, (i) => `app-v2-q-${i}`) });
    const full = renderReview(set, { maxChars: 0 });
    expect(commentSize(full.markdown)).toBeGreaterThan(GITHUB_LIMIT);
    expect(full.cut).toEqual([]);
    const fitted = renderReview(set);
    expect(commentSize(fitted.markdown)).toBeLessThanOrEqual(GITHUB_LIMIT);
    expect(alertLabels(fitted.markdown)).toHaveLength(400);
    expect(fitted.markdown).toMatch(/^> \[!WARNING\]\n> Cut to fit one comment \(65,536 characters\): \d+ of 400 change rows not shown\./m);
    // The notice comes before the details, where it is seen.
    expect(fitted.markdown.indexOf('Cut to fit')).toBeLessThan(fitted.markdown.indexOf('### ⚠️'));
    for (const limit of [2000, 5000, 20000, 40000, 65536]) {
      const r = renderReview(set, { maxChars: limit });
      expect(commentSize(r.markdown)).toBeLessThanOrEqual(limit);
      expect(r.cut.length).toBeGreaterThan(0);
      expect(r.markdown).toContain('Cut to fit one comment');
    }
    // When even the alerts do not fit, they are cut too, and the notice says how many.
    expect(renderReview(set, { maxChars: 20000 }).markdown).toMatch(/: \d+ of 400 alerts, 400 of 400 change rows not shown/);
  });

  test('GIVEN 345 identical tag updates among other changes WHEN reviewed THEN they are one group line in a collapsed section, the other change a row', () => {
    const base = queues(
      345,
      (i) => `app-q-${i}`,
      () => ({ tags: { team: 'orders' } }),
    );
    const head = queues(
      345,
      (i) => `app-q-${i}`,
      () => ({ tags: { team: 'orders', 'cost-center': '42' } }),
    );
    head.resource.aws_sqs_queue.q_000 = { name: 'app-q-0', tags: { team: 'orders' }, delay_seconds: 5 } as any;
    const { set } = diff({ app: base }, { app: head });
    const md = renderReview(set).markdown;
    expect(md).toContain('**0 to create, 345 to update, 0 to replace, 0 to destroy.**');
    expect(md).toContain('### Routine updates (344)\n\n<details><summary>344 resources in 1 group of identical updates</summary>');
    expect(md).toContain('- **344 resources** (`aws_sqs_queue` ×344): `tags` +`cost-center`=`"42"`');
    expect(md).toContain('| update | `aws_sqs_queue.q_000` | `delay_seconds`: `null` -> `5` |');
    expect(md.split('\n').filter((l) => l.startsWith('| update |'))).toHaveLength(1);
    expect(md).not.toContain('Cut to fit');
    // In a small room the group line stays and its address list is shortened, with the count said.
    const small = renderReview(set, { maxChars: 6000 }).markdown;
    expect(commentSize(small)).toBeLessThanOrEqual(6000);
    expect(small).toContain('- **344 resources** (`aws_sqs_queue` ×344): `tags` +`cost-center`=`"42"`');
    expect(small).toMatch(/, … and \d+ more\n/);
    expect(small).toMatch(/Cut to fit one comment \(6,000 characters\): \d+ addresses in the routine groups not shown/);
  });

  test('GIVEN no change, or only tags WHEN reviewed THEN one calm line under the marker (tags listed collapsed)', () => {
    const same = diff({ app: pipelineStack() }, { app: pipelineStack() });
    expect(renderReview(same.set).markdown).toBe(`${reviewMarker()}\n**Terraform change review:** ✅ no changes.\n`);
    const tags = diff(
      { app: queues(3, (i) => `q${i}`) },
      {
        app: queues(
          3,
          (i) => `q${i}`,
          () => ({ tags: { 'cost-center': '42' } }),
        ),
      },
    );
    const md = renderReview(tags.set, { key: 'orders' }).markdown;
    const visible = md.split('<details>')[0].trim().split('\n');
    expect(visible).toEqual([
      '<!-- cdktf-dynamodb-streams-review:orders -->',
      '**Terraform change review:** ✅ only tags change: 3 resources, `tags` +`cost-center`=`"42"`. Nothing is created, replaced or destroyed.',
    ]);
    expect(md).toContain('- `aws_sqs_queue.q_002`: `tags` +`cost-center`=`"42"`');
    expect(renderReview(tags.set).warnings).toBe(0);
  });

  test('GIVEN the CLI WHEN --comment-key and --max-chars are given THEN the marker carries the key and the body fits; bad values are one-line errors', () => {
    const { mkdtempSync, mkdirSync, writeFileSync } = require('fs');
    const { join } = require('path');
    const dir = mkdtempSync(join(require('os').tmpdir(), 'review-present-'));
    const write = (name: string, tf: object) => {
      mkdirSync(join(dir, name));
      writeFileSync(join(dir, name, 'cdk.tf.json'), JSON.stringify(tf));
      return join(dir, name);
    };
    const base = write(
      'base',
      queues(200, (i) => `a-${i}`),
    );
    const head = write(
      'head',
      queues(200, (i) => `b-${i}`),
    );
    let out = '';
    expect(main(['diff', '--base', base, '--head', head, '--comment-key', 'orders/prod', '--max-chars', '8000'], (t) => (out += t))).toBe(
      0,
    );
    expect(out.startsWith('<!-- cdktf-dynamodb-streams-review:orders/prod -->\n')).toBe(true);
    expect(commentSize(out)).toBeLessThanOrEqual(8000);
    const errors: string[] = [];
    const spy = jest.spyOn(process.stderr, 'write').mockImplementation((t: any) => errors.push(String(t)) > 0);
    try {
      expect(main(['diff', '--base', base, '--head', head, '--comment-key', 'x-->y'], () => {})).toBe(1);
      expect(main(['diff', '--base', base, '--head', head, '--max-chars', '100'], () => {})).toBe(1);
      expect(main(['diff', '--base', base, '--head', head, '--max-char', '9000'], () => {})).toBe(1);
    } finally {
      spy.mockRestore();
    }
    expect(errors[0]).toMatch(/^review: comment key "x-->y": use 1-100 letters/);
    expect(errors[1]).toBe('review: --max-chars "100": expected 0 (no limit) or an integer of at least 2000\n');
    expect(errors[2]).toMatch(/^review: unknown option --max-char\n/);
  });
});
