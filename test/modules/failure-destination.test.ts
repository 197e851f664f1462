// The cdktf matchers are registered in test/support/setup.ts; this brings their types.
import type {} from 'cdktf/lib/testing/adapters/jest';
import { TerraformLocal, TerraformStack, TerraformVariable, Testing } from 'cdktf';
import { AwsProvider } from '@cdktf/provider-aws/lib/provider';
import { KmsKey } from '@cdktf/provider-aws/lib/kms-key';
import { SnsTopic } from '@cdktf/provider-aws/lib/sns-topic';
import { SqsQueue } from '@cdktf/provider-aws/lib/sqs-queue';
import { SqsQueuePolicy } from '@cdktf/provider-aws/lib/sqs-queue-policy';
import { FailureDestination, FailureDestinationProps } from '../../modules/failure-destination';
import { planOf } from '../support/stack-plans';
import { denyWithoutTls, SNS_TOPIC_ACTIONS } from '../support/tls-only';

const KEY = 'arn:aws:kms:eu-west-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab';

function stackWith(props?: FailureDestinationProps) {
  const stack = new TerraformStack(Testing.app(), 'orders');
  new AwsProvider(stack, 'aws', { region: 'eu-west-1' });
  const dest = new FailureDestination(stack, 'Failures', props);
  return { stack, dest };
}

function synthJson(stack: TerraformStack): any {
  return JSON.parse(Testing.synth(stack));
}

/** A value with its tokens resolved as Terraform will see them (through a local, read back from synth). */
function resolved(stack: TerraformStack, value: unknown): any {
  const id = `resolved${stack.node.children.length}`;
  new TerraformLocal(stack, id, value);
  return synthJson(stack).locals[id];
}

/** The message a FailureDestination with these props fails with. */
function errorOf(props: FailureDestinationProps): string {
  try {
    stackWith(props);
  } catch (e: any) {
    return e.message;
  }
  throw new Error('expected the construct to refuse ' + JSON.stringify(props));
}

describe('FailureDestination (SQS)', () => {
  test('GIVEN no props WHEN synthesized THEN a standard SSE-SQS queue keeps failures 14 days with a 30 s visibility timeout', () => {
    const { stack, dest } = stackWith();
    const tf = synthJson(stack);
    expect(tf.resource.aws_sqs_queue).toEqual({
      Failures_Queue_DA0AD3E9: expect.anything(),
    });
    const queue: any = Object.values(tf.resource.aws_sqs_queue)[0];
    expect(queue).toEqual({
      name: 'orders-Failures',
      message_retention_seconds: 1209600,
      visibility_timeout_seconds: 30,
      sqs_managed_sse_enabled: true,
    });
    expect(dest.kind).toBe('sqs');
    expect(dest.queueName).toBe('orders-Failures');
    expect(dest.topicArn).toBeUndefined();
    expect(tf.resource.aws_sns_topic).toBeUndefined();
  });

  test('GIVEN no props WHEN synthesized THEN the queue policy denies every non-TLS request and nothing else', () => {
    const { stack } = stackWith();
    const tf = synthJson(stack);
    const policies: any[] = Object.values(tf.resource.aws_sqs_queue_policy);
    expect(policies).toHaveLength(1);
    expect(policies[0].queue_url).toBe('${aws_sqs_queue.Failures_Queue_DA0AD3E9.url}');
    expect(JSON.parse(policies[0].policy)).toEqual({
      Version: '2012-10-17',
      Statement: [denyWithoutTls('sqs:*', '${aws_sqs_queue.Failures_Queue_DA0AD3E9.arn}')],
    });
  });

  test('GIVEN an SSE-SQS queue WHEN the consumer asks THEN it may only SendMessage to this queue ARN', () => {
    const { stack, dest } = stackWith();
    expect(dest.destinationArn).toBe(dest.queueArn);
    expect(resolved(stack, dest.sendStatements)).toEqual([
      { sid: 'SendFailureRecords', actions: ['sqs:SendMessage'], resources: ['${aws_sqs_queue.Failures_Queue_DA0AD3E9.arn}'] },
    ]);
    expect(resolved(stack, dest.queueUrl)).toBe('${aws_sqs_queue.Failures_Queue_DA0AD3E9.url}');
  });

  test('GIVEN a customer-managed key WHEN synthesized THEN the queue uses it instead of SSE-SQS and the consumer may use the key', () => {
    const { stack, dest } = stackWith({ kmsKeyArn: KEY });
    expect(Testing.synth(stack)).toHaveResourceWithProperties(SqsQueue, {
      kms_master_key_id: KEY,
      kms_data_key_reuse_period_seconds: 300,
    });
    const queue: any = Object.values(synthJson(stack).resource.aws_sqs_queue)[0];
    expect(queue.sqs_managed_sse_enabled).toBeUndefined();
    expect(dest.kmsKeyArn).toBe(KEY);
    expect(resolved(stack, dest.sendStatements)).toEqual([
      { sid: 'SendFailureRecords', actions: ['sqs:SendMessage'], resources: ['${aws_sqs_queue.Failures_Queue_DA0AD3E9.arn}'] },
      { sid: 'EncryptFailureRecords', actions: ['kms:Decrypt', 'kms:GenerateDataKey'], resources: [KEY] },
    ]);
  });

  test('GIVEN every SQS option WHEN synthesized THEN each reaches the queue', () => {
    const { stack, dest } = stackWith({
      name: 'orders-failed-batches',
      kmsKeyArn: KEY,
      messageRetentionSeconds: 86400,
      visibilityTimeoutSeconds: 900,
      kmsDataKeyReusePeriodSeconds: 3600,
      tags: { team: 'orders' },
    });
    expect(Testing.synth(stack)).toHaveResourceWithProperties(SqsQueue, {
      name: 'orders-failed-batches',
      message_retention_seconds: 86400,
      visibility_timeout_seconds: 900,
      kms_master_key_id: KEY,
      kms_data_key_reuse_period_seconds: 3600,
      tags: { team: 'orders' },
    });
    expect(dest.queueName).toBe('orders-failed-batches');
  });

  test('GIVEN a key ARN that is a token WHEN synthesized THEN it is passed through unchecked', () => {
    const stack = new TerraformStack(Testing.app(), 'orders');
    new AwsProvider(stack, 'aws', { region: 'eu-west-1' });
    const key = new KmsKey(stack, 'Key', {});
    const dest = new FailureDestination(stack, 'Failures', { kmsKeyArn: key.arn });
    expect(Testing.synth(stack)).toHaveResourceWithProperties(SqsQueue, { kms_master_key_id: '${aws_kms_key.Key.arn}' });
    expect(resolved(stack, dest.sendStatements[1].resources)).toEqual(['${aws_kms_key.Key.arn}']);
  });

  test('GIVEN a deep construct path WHEN no name is given THEN the default name is cut to 80 characters with a hash', () => {
    const { dest } = stackWith();
    const stack = new TerraformStack(Testing.app(), 'a'.repeat(60));
    new AwsProvider(stack, 'aws', { region: 'eu-west-1' });
    const deep = new FailureDestination(stack, 'b'.repeat(40));
    expect(deep.queueName).toMatch(/^a{60}-b{10}-[0-9a-f]{8}$/);
    expect(deep.queueName).toHaveLength(80);
    expect(dest.queueName).toBe('orders-Failures');
  });

  test('GIVEN a provider for another region WHEN synthesized THEN the queue and its policy use it', () => {
    const stack = new TerraformStack(Testing.app(), 'orders');
    new AwsProvider(stack, 'aws', { region: 'eu-west-1' });
    const west = new AwsProvider(stack, 'west', { region: 'us-west-2', alias: 'west' });
    new FailureDestination(stack, 'Failures', { provider: west });
    const synth = Testing.synth(stack);
    expect(synth).toHaveResourceWithProperties(SqsQueue, { provider: 'aws.west' });
    expect(synth).toHaveResourceWithProperties(SqsQueuePolicy, { provider: 'aws.west' });
  });

  test('GIVEN a retention that is a Terraform variable WHEN synthesized THEN it is not range-checked', () => {
    const stack = new TerraformStack(Testing.app(), 'orders');
    new AwsProvider(stack, 'aws', { region: 'eu-west-1' });
    const retention = new TerraformVariable(stack, 'retention', { type: 'number' });
    expect(() => new FailureDestination(stack, 'Failures', { messageRetentionSeconds: retention.numberValue })).not.toThrow();
  });
});

describe('FailureDestination (SNS)', () => {
  test('GIVEN kind sns WHEN synthesized THEN a topic encrypted with alias/aws/sns and no queue', () => {
    const { stack, dest } = stackWith({ kind: 'sns' });
    const tf = synthJson(stack);
    expect(Object.values(tf.resource.aws_sns_topic)).toEqual([{ name: 'orders-Failures', kms_master_key_id: 'alias/aws/sns' }]);
    expect(tf.resource.aws_sqs_queue).toBeUndefined();
    expect(tf.resource.aws_sqs_queue_policy).toBeUndefined();
    expect(dest.kind).toBe('sns');
    expect(dest.topicName).toBe('orders-Failures');
    expect(dest.queueArn).toBeUndefined();
    expect(dest.destinationArn).toBe(dest.topicArn);
    expect(resolved(stack, dest.sendStatements)).toEqual([
      { sid: 'PublishFailureRecords', actions: ['sns:Publish'], resources: ['${aws_sns_topic.Failures_Topic_4FEA5E49.arn}'] },
    ]);
  });

  test('GIVEN kind sns WHEN synthesized THEN the topic policy denies every topic action without TLS and allows nothing', () => {
    const { stack, dest } = stackWith({ kind: 'sns' });
    const policies: any[] = Object.values(synthJson(stack).resource.aws_sns_topic_policy);
    expect(policies).toHaveLength(1);
    expect(policies[0].arn).toBe('${aws_sns_topic.Failures_Topic_4FEA5E49.arn}');
    expect(JSON.parse(policies[0].policy)).toEqual({
      Version: '2012-10-17',
      Statement: [denyWithoutTls(SNS_TOPIC_ACTIONS, '${aws_sns_topic.Failures_Topic_4FEA5E49.arn}')],
    });
    expect(dest.topicPolicy).toBeDefined();
  });

  test('GIVEN kind sns with a customer key, a name and tags WHEN synthesized THEN the topic uses them and the consumer may use the key', () => {
    const { stack, dest } = stackWith({ kind: 'sns', kmsKeyArn: KEY, name: 'orders_failures', tags: { team: 'orders' } });
    expect(Testing.synth(stack)).toHaveResourceWithProperties(SnsTopic, {
      name: 'orders_failures',
      kms_master_key_id: KEY,
      tags: { team: 'orders' },
    });
    expect(resolved(stack, dest.sendStatements)).toEqual([
      { sid: 'PublishFailureRecords', actions: ['sns:Publish'], resources: ['${aws_sns_topic.Failures_Topic_4FEA5E49.arn}'] },
      { sid: 'EncryptFailureRecords', actions: ['kms:Decrypt', 'kms:GenerateDataKey'], resources: [KEY] },
    ]);
  });
});

describe('FailureDestination validation', () => {
  const P = 'orders/Failures: ';
  const FIFO = 'AWS accepts only standard queues and topics as an on-failure destination of an event source mapping';
  test.each<[string, FailureDestinationProps, string]>([
    ['a FIFO queue', { fifo: true }, `fifo must be false (${FIFO}) (got true)`],
    ['a FIFO topic', { kind: 'sns', fifo: true }, `fifo must be false (${FIFO}) (got true)`],
    ['a .fifo name', { name: 'orders.fifo' }, `name must be a name without the .fifo suffix (${FIFO}) (got "orders.fifo")`],
    [
      'a queue name with a dot',
      { name: 'orders.failures' },
      'name must be 1..80 characters of [0-9A-Za-z_-] for an SQS queue (got "orders.failures")',
    ],
    [
      'an 81-character queue name',
      { name: 'q'.repeat(81) },
      `name must be 1..80 characters of [0-9A-Za-z_-] for an SQS queue (got "${'q'.repeat(81)}")`,
    ],
    ['an empty name', { name: '' }, 'name must be 1..80 characters of [0-9A-Za-z_-] for an SQS queue (got "")'],
    [
      'a 257-character topic name',
      { kind: 'sns', name: 't'.repeat(257) },
      `name must be 1..256 characters of [0-9A-Za-z_-] for an SNS topic (got "${'t'.repeat(257)}")`,
    ],
    ['a retention under a minute', { messageRetentionSeconds: 59 }, 'messageRetentionSeconds must be an integer 60..1209600 (got 59)'],
    [
      'a retention over 14 days',
      { messageRetentionSeconds: 1209601 },
      'messageRetentionSeconds must be an integer 60..1209600 (got 1209601)',
    ],
    ['a fractional retention', { messageRetentionSeconds: 60.5 }, 'messageRetentionSeconds must be an integer 60..1209600 (got 60.5)'],
    [
      'a visibility timeout over 12 hours',
      { visibilityTimeoutSeconds: 43201 },
      'visibilityTimeoutSeconds must be an integer 0..43200 (got 43201)',
    ],
    ['a negative visibility timeout', { visibilityTimeoutSeconds: -1 }, 'visibilityTimeoutSeconds must be an integer 0..43200 (got -1)'],
    [
      'a key reuse period over a day',
      { kmsKeyArn: KEY, kmsDataKeyReusePeriodSeconds: 86401 },
      'kmsDataKeyReusePeriodSeconds must be an integer 60..86400 (got 86401)',
    ],
    [
      'a key reuse period without a key',
      { kmsDataKeyReusePeriodSeconds: 600 },
      'kmsDataKeyReusePeriodSeconds must be unset (it only applies with a customer-managed kmsKeyArn; SSE-SQS manages its own keys) (got 600)',
    ],
    [
      'a key alias',
      { kmsKeyArn: 'alias/orders' },
      'kmsKeyArn must be a KMS key ARN (arn:aws:kms:<region>:<account>:key/<id>) (the consumer role is granted kms:Decrypt and kms:GenerateDataKey on it, and IAM needs the key ARN, not an id or alias) (got "alias/orders")',
    ],
    ['an unknown kind', { kind: 'kinesis' as any }, 'kind must be one of "sqs", "sns", "s3" (got "kinesis")'],
    [
      'an SNS topic with a queue retention',
      { kind: 'sns', messageRetentionSeconds: 600 },
      'messageRetentionSeconds must be unset (it configures an SQS queue and this destination is an SNS topic) (got 600)',
    ],
    [
      'an SNS topic with a visibility timeout',
      { kind: 'sns', visibilityTimeoutSeconds: 60 },
      'visibilityTimeoutSeconds must be unset (it configures an SQS queue and this destination is an SNS topic) (got 60)',
    ],
    [
      'an SNS topic with a key reuse period',
      { kind: 'sns', kmsKeyArn: KEY, kmsDataKeyReusePeriodSeconds: 300 },
      'kmsDataKeyReusePeriodSeconds must be unset (it configures an SQS queue and this destination is an SNS topic) (got 300)',
    ],
  ])('GIVEN %s WHEN constructed THEN it fails naming the prop, the range and the value', (_case, props, message) => {
    expect(errorOf(props)).toBe(P + message);
  });

  test('GIVEN several bad props WHEN constructed THEN one error lists them all', () => {
    expect(errorOf({ name: 'a b', messageRetentionSeconds: 1, visibilityTimeoutSeconds: 50000 }).split('\n')).toEqual([
      P + 'name must be 1..80 characters of [0-9A-Za-z_-] for an SQS queue (got "a b")',
      P + 'messageRetentionSeconds must be an integer 60..1209600 (got 1)',
      P + 'visibilityTimeoutSeconds must be an integer 0..43200 (got 50000)',
    ]);
  });

  test('GIVEN the limits themselves WHEN constructed THEN they are accepted', () => {
    expect(() => stackWith({ name: 'q'.repeat(80), messageRetentionSeconds: 60, visibilityTimeoutSeconds: 0 })).not.toThrow();
    expect(() =>
      stackWith({ messageRetentionSeconds: 1209600, visibilityTimeoutSeconds: 43200, kmsKeyArn: KEY, kmsDataKeyReusePeriodSeconds: 60 }),
    ).not.toThrow();
    expect(() => stackWith({ kind: 'sns', name: 't'.repeat(256) })).not.toThrow();
  });
});

describe('FailureDestination with real terraform', () => {
  test('GIVEN every kind and encryption in one stack WHEN planned offline with aws 5.100 THEN terraform accepts it and creates exactly these resources', () => {
    const plan = planOf('everyFailureDestination');
    const changes = plan.resource_changes.map((c: any) => `${c.type} ${c.change.actions.join('+')}`);
    expect(changes.sort()).toEqual(
      [
        'aws_kms_key create',
        ...Array(3).fill('aws_sqs_queue create'),
        ...Array(3).fill('aws_sqs_queue_policy create'),
        ...Array(2).fill('aws_sns_topic create'),
        ...Array(2).fill('aws_sns_topic_policy create'),
      ].sort(),
    );
    const planned = (type: string, name: string) =>
      plan.resource_changes.find((c: any) => c.type === type && c.change.after.name === name).change.after;
    expect(planned('aws_sqs_queue', 'orders-cmk')).toMatchObject({
      message_retention_seconds: 60,
      visibility_timeout_seconds: 43200,
      kms_data_key_reuse_period_seconds: 86400,
      fifo_queue: false,
    });
    expect(planned('aws_sqs_queue', 'orders-SqsDefault')).toMatchObject({
      sqs_managed_sse_enabled: true,
      message_retention_seconds: 1209600,
    });
    expect(planned('aws_sns_topic', 'orders-SnsDefault')).toMatchObject({ kms_master_key_id: 'alias/aws/sns' });
  });
});
