/**
 * The review's rules on hand-written inputs (no terraform needed): reading cdktf's jsonencode
 * policies, what counts as IAM widening, replica removal, cdktf metadata, and determinism.
 */
import { ResourceChange } from '../../review/changes';
import { documentValue } from '../../review/hcl-expression';
import { iamFindings } from '../../review/iam-widening';
import { renderReview } from '../../review/markdown';
import { changesFromSynths } from '../../review/synth-diff';
import { pipelineStack } from './support/fixtures';

const policyChange = (before: object | null, after: object, action: ResourceChange['action'] = 'update'): ResourceChange => ({
  stack: 's',
  address: 'aws_iam_policy.p',
  type: 'aws_iam_policy',
  action,
  attributes: [],
  before: before && { policy: JSON.stringify(before) },
  after: { policy: JSON.stringify(after) },
});
const doc = (...Statement: object[]) => ({ Version: '2012-10-17', Statement });
const one = (tf: any) => new Map([['s', tf]]);

describe('IAM widening rules', () => {
  test('GIVEN the policy cdktf synthesizes with jsonencode WHEN read THEN statements come out with references kept as expressions', () => {
    const raw = pipelineStack().resource.aws_iam_role_policy.consumer_policy.policy;
    const d: any = documentValue(raw);
    expect(d.Statement.map((s: any) => [s.Sid, s.Resource])).toEqual([
      ['ReadStream', '${aws_dynamodb_table.orders.stream_arn}'],
      ['ListStreams', '*'],
      ['OnFailure', '${aws_sqs_queue.failures.arn}'],
    ]);
  });

  test('GIVEN an action already covered by a wildcard WHEN added explicitly THEN it is not a widening', () => {
    const before = doc({ Effect: 'Allow', Action: 'dynamodb:*', Resource: 'arn:t' });
    expect(
      iamFindings([policyChange(before, doc({ Effect: 'Allow', Action: ['dynamodb:*', 'dynamodb:PutItem'], Resource: 'arn:t' }))]),
    ).toEqual([]);
  });

  test('GIVEN a statement that loses its condition, and a Deny that is removed WHEN compared THEN both are widenings', () => {
    const cond = { Bool: { 'aws:SecureTransport': 'true' } };
    const before = doc(
      { Effect: 'Allow', Action: 'sqs:SendMessage', Resource: 'arn:q', Condition: cond },
      { Effect: 'Deny', Action: 'sqs:DeleteQueue', Resource: 'arn:q' },
    );
    const [f] = iamFindings([policyChange(before, doc({ Effect: 'Allow', Action: 'sqs:SendMessage', Resource: 'arn:q' }))]);
    expect(f.details).toEqual(['allows `sqs:SendMessage` on `arn:q`', 'no longer denies `sqs:DeleteQueue` on `arn:q`']);
  });

  test('GIVEN new policies WHEN created THEN only wildcards are flagged, and ListStreams on * (required by AWS) is not', () => {
    const listStreams = doc(
      { Effect: 'Allow', Action: 'dynamodb:ListStreams', Resource: '*' },
      { Effect: 'Allow', Action: 'dynamodb:GetRecords', Resource: 'arn:s' },
    );
    expect(iamFindings([policyChange(null, listStreams, 'create')])).toEqual([]);
    const [f] = iamFindings([policyChange(null, doc({ Effect: 'Allow', Action: 's3:*', Resource: 'arn:b' }), 'create')]);
    expect(f.details).toEqual(['new policy allows `s3:*` on `arn:b` — **wildcard**']);
  });
});

describe('synth diff rules', () => {
  const table = (extra: object) => ({
    resource: {
      aws_dynamodb_table: { t: { name: 't', hash_key: 'pk', stream_enabled: true, stream_view_type: 'NEW_AND_OLD_IMAGES', ...extra } },
    },
  });

  test('GIVEN a global table that drops a replica region WHEN diffed THEN the replica removal is flagged as data loss', () => {
    const base = table({ replica: [{ region_name: 'eu-central-1' }, { region_name: 'us-east-1' }] });
    const head = table({ replica: [{ region_name: 'us-east-1' }] });
    const md = renderReview({ source: 'synth diff', changes: changesFromSynths(one(base), one(head)) }).markdown;
    expect(md).toContain('- **REPLICA REMOVED** `aws_dynamodb_table.t`: replica in `eu-central-1` is deleted with its items.');
  });

  test('GIVEN a protected table removed from the code WHEN diffed THEN it is destroyed and the warning says the apply will fail until protection is off', () => {
    const md = renderReview({
      source: 'synth diff',
      changes: changesFromSynths(one(table({ deletion_protection_enabled: true })), one({})),
    }).markdown;
    expect(md).toContain(
      '- **TABLE DESTROYED** `aws_dynamodb_table.t`: All items are lost. Deletion protection is on, so the apply fails until it is switched off.',
    );
  });

  test('GIVEN a replica whose key is replaced WHEN diffed THEN the reference inside the replica set turns unknown, named by region', () => {
    const tf = (keyDescription: string) => ({
      resource: {
        aws_kms_key: { k: { description: keyDescription, customer_master_key_spec: 'SYMMETRIC_DEFAULT' } },
        aws_dynamodb_table: {
          t: { name: 't', hash_key: 'pk', replica: [{ region_name: 'us-east-1', kms_key_arn: '${aws_kms_key.k.arn}' }] },
        },
      },
    });
    const base = tf('a');
    const head = JSON.parse(JSON.stringify(tf('a')));
    head.resource.aws_kms_key.k.customer_master_key_spec = 'RSA_2048';
    const changes = changesFromSynths(one(base), one(head));
    const t = changes.find((c) => c.address === 'aws_dynamodb_table.t')!;
    expect(t.action).toBe('update');
    expect(t.attributes.map((a) => [a.path, a.before, typeof a.after])).toEqual([
      ['replica["us-east-1"].kms_key_arn', '${aws_kms_key.k.arn}', 'symbol'],
    ]);
  });

  test('GIVEN only cdktf metadata changes WHEN diffed THEN there is no change', () => {
    const base = table({ '//': { metadata: { path: 'a/t' } } });
    const head = table({ '//': { metadata: { path: 'b/t' } }, depends_on: ['x.y'] });
    expect(changesFromSynths(one(base), one(head))).toEqual([]);
  });

  test('GIVEN stacks given in a different order WHEN rendered THEN the bytes are identical', () => {
    const a = pipelineStack();
    const b = pipelineStack({ hashKey: 'id', batchSize: 7 });
    const q = { resource: { aws_sqs_queue: { z: { name: 'z' } } } };
    const first = changesFromSynths(
      new Map([
        ['orders', a],
        ['x', q],
      ]),
      new Map([['orders', b]]),
    );
    const second = changesFromSynths(
      new Map([
        ['x', q],
        ['orders', a],
      ]),
      new Map([['orders', b]]),
    );
    expect(renderReview({ source: 'synth diff', changes: second.reverse() }).markdown).toBe(
      renderReview({ source: 'synth diff', changes: first }).markdown,
    );
  });
});
