import { Testing } from 'cdktf';
import { FailureDestination, PipelineAlarms, StreamConsumer, TableKinesisStream } from '../../modules';
import { CACHE_DIR, HANDLER_ENTRY, KEY_ARN, consumerOf, newStack, newTable } from '../support/consumer-stack';
import { problems } from '../support/validation-problems';

// Settings AWS accepts that cannot do what they say. Expected lines are written out by hand.

const warnings = (c: { node: { metadata: { type: string; data: unknown }[] } }) =>
  c.node.metadata.filter((m) => m.type === '@cdktf/warn').map((m) => String(m.data));
const CODE = { entry: HANDLER_ENTRY, bundling: { cacheDir: CACHE_DIR } };
const KEY_WHY = 'readers are granted kms:Decrypt on it, and IAM needs the key ARN, not an id or alias';

describe('refused settings', () => {
  test.each([
    ['an alias ARN', 'arn:aws:kms:eu-west-1:123456789012:alias/orders'],
    ['a key id', '1234abcd-12ab-34cd-56ef-1234567890ab'],
    ['a truncated ARN', 'arn:aws:kms:eu-west-1:123456789012:key/'],
  ])('GIVEN StreamTable encryptionKeyArn as %s WHEN built THEN refused with the key ARN form', (_name, arn) => {
    expect(problems(() => newTable(newStack(), { encryptionKeyArn: arn }))).toEqual([
      `test/Orders: encryptionKeyArn must be a KMS key ARN (arn:aws:kms:<region>:<account>:key/<id>) (${KEY_WHY}) (got ${JSON.stringify(arn)})`,
    ]);
  });

  test('GIVEN a key ARN or a token WHEN built THEN accepted', () => {
    expect(() => newTable(newStack(), { encryptionKeyArn: KEY_ARN })).not.toThrow();
    const stack = newStack();
    const key = new FailureDestination(stack, 'Any').destinationArn; // a token string
    expect(() => newTable(stack, { encryptionKeyArn: key })).not.toThrow();
  });

  test('GIVEN batchSize 1 with a batching window WHEN built THEN refused; with window 0 accepted', () => {
    expect(problems(() => consumerOf({ batchSize: 1, maxBatchingWindowSeconds: 5, onFailure: undefined }))).toEqual([
      'test/Consumer: maxBatchingWindowSeconds must be 0 or unset when batchSize is 1 (a one-record batch is full at its first record, so the window never waits) (got 5)',
    ]);
    expect(() => consumerOf({ batchSize: 1, maxBatchingWindowSeconds: 0 })).not.toThrow();
  });

  test('GIVEN a record age beyond 24 h on a DynamoDB stream WHEN built THEN refused; 86400 accepted', () => {
    expect(problems(() => consumerOf({ maxRecordAgeSeconds: 86401 }))).toEqual([
      'test/Consumer: maxRecordAgeSeconds must be -1 or at most 86400 seconds (the DynamoDB stream keeps records 24 hours, so older records are gone before they reach this age) (got 86401)',
    ]);
    expect(() => consumerOf({ maxRecordAgeSeconds: 86400 })).not.toThrow();
  });

  test('GIVEN a Kinesis stream kept 48 h WHEN the record age is 3 days THEN refused; within 48 h accepted', () => {
    const build = (age: number) => {
      const stack = newStack();
      const kinesis = new TableKinesisStream(stack, 'Changes', { table: newTable(stack), stream: { retentionHours: 48 } });
      return new StreamConsumer(stack, 'Consumer', { table: kinesis, code: CODE, maxRecordAgeSeconds: age });
    };
    expect(problems(() => build(259200))).toEqual([
      'test/Consumer: maxRecordAgeSeconds must be -1 or at most 172800 seconds (the Kinesis stream keeps records 48 hours, so older records are gone before they reach this age) (got 259200)',
    ]);
    expect(() => build(172800)).not.toThrow();
  });

  test('GIVEN reservedConcurrency 0 WHEN built THEN refused', () => {
    expect(problems(() => consumerOf({ reservedConcurrency: 0 }))).toEqual([
      'test/Consumer: reservedConcurrency must be -1 (unreserved) or an integer >= 1 (with 0 the function never runs and records wait until they expire) (got 0)',
    ]);
  });

  test('GIVEN a negative threshold on a library alarm WHEN built THEN refused; on a user metric allowed', () => {
    const stack = newStack();
    expect(problems(() => new PipelineAlarms(stack, 'A', { functionName: 'f', alarms: { errors: { threshold: -1 } } }))).toEqual([
      'test/A: alarms.errors.threshold must be a number >= 0 (the metric is a count, age or size, never negative, so the alarm could never change state) (got -1)',
    ]);
    const alarms = new PipelineAlarms(stack, 'B', { functionName: 'f', actionArns: ['arn:aws:sns:eu-west-1:123456789012:t'] });
    const base = { nameSuffix: 'x', title: 't', description: 'd', metricName: 'M', dimensions: {}, threshold: -5 };
    expect(problems(() => alarms.addAlarm('Lambda', { ...base, namespace: 'AWS/Lambda' }))).toEqual([
      'test/B: addAlarm(Lambda).threshold must be a number >= 0 (the metric is a count, age or size, never negative, so the alarm could never change state) (got -5)',
    ]);
    expect(alarms.addAlarm('Balance', { ...base, namespace: 'Shop', comparisonOperator: 'LessThanThreshold' })).toBeDefined();
  });

  test('GIVEN additionalStatements with full wildcards WHEN built THEN refused; a service wildcard on named resources and a Deny are accepted', () => {
    expect(
      problems(() =>
        consumerOf({
          additionalStatements: [
            { actions: ['*'], resources: ['*'] },
            { actions: ['dynamodb:*'], resources: ['*'] },
            { actions: ['s3:GetObject', '*'], resources: ['arn:aws:s3:::b/*'] },
          ],
        }),
      ),
    ).toEqual([
      'test/Consumer: additionalStatements[0].actions must be named actions, not "*" (every action of every service breaks least privilege) (got ["*"])',
      'test/Consumer: additionalStatements[1].actions must be named actions when resources is "*", not "dynamodb:*" (every action of a service on every resource breaks least privilege) (got ["dynamodb:*"])',
      'test/Consumer: additionalStatements[2].actions must be named actions, not "*" (every action of every service breaks least privilege) (got ["s3:GetObject","*"])',
    ]);
    expect(() =>
      consumerOf({
        additionalStatements: [
          { actions: ['dynamodb:*'], resources: ['arn:aws:dynamodb:eu-west-1:123456789012:table/audit'] },
          { effect: 'Deny', actions: ['*'], resources: ['*'] },
          { actions: ['cloudwatch:PutMetricData'], resources: ['*'] },
        ],
      }),
    ).not.toThrow();
  });
});

describe('synth warnings', () => {
  const DROPPED =
    'onFailure is unset: records that exhaust their retries (or exceed maxRecordAgeSeconds) are dropped and only counted in the ' +
    'DroppedEventCount metric; give a FailureDestination (StreamPipeline creates one unless failureDestination is false)';
  const PAUSED =
    'enabled false pauses the mapping, but a DynamoDB stream keeps records 24 hours: after that the mapping resumes past records it never read (docs/limits.md)';

  test('GIVEN a consumer without failure destination WHEN synthesized THEN it warns that failed records are dropped', () => {
    const { consumer, synth } = consumerOf();
    synth();
    expect(warnings(consumer)).toEqual([DROPPED]);
  });

  test('GIVEN a consumer with a failure destination WHEN built THEN no warning', () => {
    const stack = newStack();
    const c = new StreamConsumer(stack, 'Consumer', { table: newTable(stack), code: CODE, onFailure: new FailureDestination(stack, 'F') });
    expect(warnings(c)).toEqual([]);
  });

  test('GIVEN enabled false on a DynamoDB stream mapping WHEN built THEN it warns; on Kinesis it does not', () => {
    const stack = newStack();
    const onFailure = new FailureDestination(stack, 'F');
    const table = newTable(stack);
    const paused = new StreamConsumer(stack, 'Paused', { table, code: CODE, onFailure, enabled: false });
    expect(warnings(paused)).toEqual([PAUSED]);
    const kinesis = new TableKinesisStream(stack, 'Changes', { table });
    const k = new StreamConsumer(stack, 'K', { table: kinesis, code: CODE, onFailure, enabled: false });
    expect(warnings(k)).toEqual([]);
    expect(() => Testing.synth(stack)).not.toThrow();
  });
});
