/**
 * Failure data locked down: the S3 failure bucket and the SQS failure queue deny writes to every
 * principal but the consumer's execution role, and reads to every principal but the redrive's role
 * (and `readerArns`). The synthesized policies are evaluated by a MODEL of IAM's explicit-deny
 * evaluation (test/support/resource-policy-model.ts: IAM has no local counterpart), with Terraform
 * references replaced by the ARNs they would resolve to.
 */
import { Testing } from 'cdktf';
import { StreamPipeline, StreamPipelineProps } from '../../modules/stream-pipeline';
import { CACHE_DIR, HANDLER_ENTRY, newStack } from '../support/consumer-stack';
import { explicitlyDenied } from '../support/resource-policy-model';

const ACCOUNT = '123456789012';
const CONSUMER_ROLE = `arn:aws:iam::${ACCOUNT}:role/orders-consumer`;
const REDRIVE_ROLE = `arn:aws:iam::${ACCOUNT}:role/orders-redrive`;
const ONCALL = `arn:aws:iam::${ACCOUNT}:role/oncall`;
const OTHER = `arn:aws:iam::${ACCOUNT}:role/some-app-with-s3-and-sqs-full-access`;
const BUCKET = 'arn:aws:s3:::orders-failures-0123';
const QUEUE = `arn:aws:sqs:eu-west-1:${ACCOUNT}:orders-failures`;
const PARKED = `arn:aws:sqs:eu-west-1:${ACCOUNT}:orders-parked`;

function synth(props: Partial<StreamPipelineProps>) {
  const stack = newStack();
  new StreamPipeline(stack, 'Orders', {
    table: { tableName: 'orders', partitionKey: { name: 'pk', type: 'S' } },
    consumer: { code: { entry: HANDLER_ENTRY, bundling: { cacheDir: CACHE_DIR } }, roleName: 'orders-consumer' },
    alarms: false,
    ...props,
  });
  return JSON.parse(Testing.synth(stack));
}

/** The policy with each Terraform reference replaced by what Terraform would resolve it to. */
function resolved(policy: string): string {
  return policy
    .replace(/\$\{aws_iam_role\.Orders_Consumer_Role_\w+\.arn\}/g, CONSUMER_ROLE)
    .replace(/\$\{aws_iam_role\.Orders_Redrive_Role_\w+\.arn\}/g, REDRIVE_ROLE)
    .replace(/\$\{aws_s3_bucket\.\w+\.arn\}/g, BUCKET)
    .replace(/\$\{aws_sqs_queue\.Orders_FailureDestination_Queue_\w+\.arn\}/g, QUEUE)
    .replace(/\$\{aws_sqs_queue\.Orders_Redrive_Parked_Queue_\w+\.arn\}/g, PARKED);
}
const only = (json: any, type: string, prefix: string) => Object.entries<any>(json.resource[type]).find(([k]) => k.startsWith(prefix))![1];

describe('S3 failure bucket policy', () => {
  const json = synth({ failureDestination: { kind: 's3', readerArns: [ONCALL] }, redrive: { roleName: 'orders-redrive' } });
  const policy = resolved(only(json, 'aws_s3_bucket_policy', 'Orders_FailureDestination_Bucket').policy);
  const object = `${BUCKET}/aws/lambda/uuid/shardId-0/2026/12/01/x`;

  test.each([
    [CONSUMER_ROLE, false],
    [REDRIVE_ROLE, true],
    [ONCALL, true],
    [OTHER, true],
  ])(
    'GIVEN %s WHEN it puts a failure object THEN explicitly denied: %s (only the consumer writes: nobody can inject records the redrive would replay)',
    (who, denied) => {
      expect(explicitlyDenied(policy, { action: 's3:PutObject', resource: object, principalArn: who })).toBe(denied);
    },
  );

  test.each([
    [REDRIVE_ROLE, false],
    [ONCALL, false],
    [CONSUMER_ROLE, true],
    [OTHER, true],
  ])('GIVEN %s WHEN it gets a failure object THEN explicitly denied: %s (only the redrive and readerArns read)', (who, denied) => {
    expect(explicitlyDenied(policy, { action: 's3:GetObject', resource: object, principalArn: who })).toBe(denied);
  });

  test('GIVEN the consumer WHEN it writes without TLS THEN denied; ListBucket (metadata, needed for 404s) is not restricted', () => {
    expect(
      explicitlyDenied(policy, { action: 's3:PutObject', resource: object, principalArn: CONSUMER_ROLE, secureTransport: false }),
    ).toBe(true);
    expect(explicitlyDenied(policy, { action: 's3:ListBucket', resource: BUCKET, principalArn: REDRIVE_ROLE })).toBe(false);
  });
});

describe('SQS failure queue policy', () => {
  test('GIVEN a redrive WHEN principals send and receive THEN only the consumer sends and only the redrive receives, deletes or hides messages', () => {
    const json = synth({ redrive: { roleName: 'orders-redrive' } });
    const policy = resolved(only(json, 'aws_sqs_queue_policy', 'Orders_FailureDestination_TlsOnly').policy);
    const req = (action: string, who: string) => explicitlyDenied(policy, { action, resource: QUEUE, principalArn: who });
    expect([CONSUMER_ROLE, REDRIVE_ROLE, OTHER].map((w) => req('sqs:SendMessage', w))).toEqual([false, true, true]);
    for (const a of ['sqs:ReceiveMessage', 'sqs:DeleteMessage', 'sqs:ChangeMessageVisibility'])
      expect([REDRIVE_ROLE, CONSUMER_ROLE, OTHER].map((w) => req(a, w))).toEqual([false, true, true]);
    expect(req('sqs:GetQueueAttributes', OTHER)).toBe(false);
  });

  test('GIVEN no redrive and no readerArns WHEN a person reads the queue THEN reads stay with IAM (somebody must handle failures), writes are still the consumer only', () => {
    const json = synth({});
    const policy = resolved(only(json, 'aws_sqs_queue_policy', 'Orders_FailureDestination_TlsOnly').policy);
    expect(explicitlyDenied(policy, { action: 'sqs:ReceiveMessage', resource: QUEUE, principalArn: ONCALL })).toBe(false);
    expect(explicitlyDenied(policy, { action: 'sqs:SendMessage', resource: QUEUE, principalArn: OTHER })).toBe(true);
  });

  test('GIVEN readerArns that are not IAM principal ARNs, or on an SNS destination WHEN constructed THEN refused naming the prop', () => {
    expect(() => synth({ failureDestination: { readerArns: ['oncall'] } })).toThrow(
      /test\/Orders\/FailureDestination: readerArns\[0\] must be an IAM role or user ARN/,
    );
    expect(() => synth({ failureDestination: { kind: 'sns', readerArns: [ONCALL] } })).toThrow(
      /readerArns must be unset \(an SNS topic keeps nothing to read/,
    );
  });
});

describe('SQS parked queue policy', () => {
  test('GIVEN a redrive WHEN principals send to its parked queue THEN only the redrive role may, and a request without an IAM principal (how a dead-letter move would arrive, if its policy were evaluated) is not denied', () => {
    const json = synth({ redrive: { roleName: 'orders-redrive' } });
    const policy = resolved(only(json, 'aws_sqs_queue_policy', 'Orders_Redrive_Parked_TlsOnly').policy);
    const send = (who?: string) => explicitlyDenied(policy, { action: 'sqs:SendMessage', resource: PARKED, principalArn: who });
    expect([REDRIVE_ROLE, CONSUMER_ROLE, OTHER].map(send)).toEqual([false, true, true]);
    expect(send(undefined)).toBe(false);
    expect(
      explicitlyDenied(policy, { action: 'sqs:SendMessage', resource: PARKED, principalArn: REDRIVE_ROLE, secureTransport: false }),
    ).toBe(true);
    // Reads stay with IAM: a person handles parked records.
    expect(explicitlyDenied(policy, { action: 'sqs:ReceiveMessage', resource: PARKED, principalArn: ONCALL })).toBe(false);
  });

  test.each([
    ['an SQS', {}, 'Orders_FailureDestination_Queue_'],
    ['an S3', { failureDestination: { kind: 's3' as const } }, 'Orders_Redrive_Notifications_'],
  ])(
    'GIVEN %s failure destination WHEN synthesized THEN only the queue the redrive consumes may move messages into the parked queue',
    (_, props, consumed) => {
      const json = synth({ ...props, redrive: {} });
      const allow = only(json, 'aws_sqs_queue_redrive_allow_policy', 'Orders_Redrive_ParkedRedriveAllow');
      const queueId = Object.keys(json.resource.aws_sqs_queue).find((k) => k.startsWith(consumed))!;
      expect(allow.queue_url).toMatch(/^\$\{aws_sqs_queue\.Orders_Redrive_Parked_Queue_\w+\.url\}$/);
      expect(JSON.parse(allow.redrive_allow_policy)).toEqual({
        redrivePermission: 'byQueue',
        sourceQueueArns: [`\${aws_sqs_queue.${queueId}.arn}`],
      });
    },
  );
});
