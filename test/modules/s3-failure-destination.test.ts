import { join } from 'path';
import { Testing } from 'cdktf';
import { FailureDestination, FailureDestinationProps } from '../../modules/failure-destination';
import { TableKinesisStream } from '../../modules/kinesis-stream';
import { FailureRedrive } from '../../modules/redrive';
import { StreamConsumer } from '../../modules/stream-consumer';
import { CACHE_DIR, HANDLER_ENTRY, KEY_ARN, newStack, newTable, only } from '../support/consumer-stack';
import { planOf } from '../support/stack-plans';

const CODE = { entry: HANDLER_ENTRY, bundling: { cacheDir: CACHE_DIR } };
const REDRIVE_CODE = { entry: join(__dirname, '..', '..', 'handlers', 'redrive', 'index.ts'), bundling: { cacheDir: CACHE_DIR } };
const ref = (json: any, type: string, prefix: string, attr: string) =>
  `\${${type}.${Object.keys(json.resource[type]).find((k) => k.startsWith(prefix))}.${attr}}`;

function bucketOf(props: FailureDestinationProps = {}) {
  const stack = newStack();
  const d = new FailureDestination(stack, 'Failures', { kind: 's3', ...props });
  return { d, j: JSON.parse(Testing.synth(stack)) };
}

describe('FailureDestination of kind s3', () => {
  test('GIVEN defaults WHEN synthesized THEN the bucket is SSE-S3 encrypted, private, owner-enforced, TLS-only, and expires failure records after 14 days', () => {
    const { d, j } = bucketOf();
    const bucketId = ref(j, 'aws_s3_bucket', 'Failures_Bucket', 'id');
    const bucketArn = ref(j, 'aws_s3_bucket', 'Failures_Bucket', 'arn');
    expect(only(j, 'aws_s3_bucket')).toEqual({ bucket_prefix: 'test-failures' });
    expect(only(j, 'aws_s3_bucket_public_access_block')).toEqual({
      bucket: bucketId,
      block_public_acls: true,
      block_public_policy: true,
      ignore_public_acls: true,
      restrict_public_buckets: true,
    });
    expect(only(j, 'aws_s3_bucket_ownership_controls')).toEqual({ bucket: bucketId, rule: { object_ownership: 'BucketOwnerEnforced' } });
    expect(only(j, 'aws_s3_bucket_server_side_encryption_configuration')).toEqual({
      bucket: bucketId,
      rule: [{ apply_server_side_encryption_by_default: { sse_algorithm: 'AES256' } }],
    });
    expect(only(j, 'aws_s3_bucket_lifecycle_configuration')).toEqual({
      bucket: bucketId,
      rule: [
        {
          id: 'expire-failure-records',
          status: 'Enabled',
          filter: [{ prefix: 'aws/lambda/' }],
          expiration: [{ days: 14 }],
          abort_incomplete_multipart_upload: [{ days_after_initiation: 1 }],
        },
      ],
    });
    expect(JSON.parse(only(j, 'aws_s3_bucket_policy').policy)).toEqual({
      Version: '2012-10-17',
      Statement: [
        {
          Sid: 'DenyInsecureTransport',
          Effect: 'Deny',
          Principal: '*',
          Action: 's3:*',
          Resource: [bucketArn, `${bucketArn}/*`],
          Condition: { Bool: { 'aws:SecureTransport': 'false' } },
        },
      ],
    });
    expect(d.destinationArn).toBe(d.bucketArn);
    expect(d.sendStatements).toEqual([
      { sid: 'WriteFailureRecords', actions: ['s3:PutObject'], resources: [`${d.bucketArn}/aws/lambda/*`] },
      { sid: 'ListFailureBucket', actions: ['s3:ListBucket'], resources: [d.bucketArn] },
    ]);
  });

  test('GIVEN a customer key, a name and an expiry WHEN synthesized THEN the bucket uses SSE-KMS with a bucket key and the consumer may generate data keys with it', () => {
    const { d, j } = bucketOf({ kmsKeyArn: KEY_ARN, name: 'orders-failures', expirationDays: 90 });
    expect(only(j, 'aws_s3_bucket').bucket_prefix).toBe('orders-failures');
    expect(only(j, 'aws_s3_bucket_server_side_encryption_configuration').rule).toEqual([
      { apply_server_side_encryption_by_default: { sse_algorithm: 'aws:kms', kms_master_key_id: KEY_ARN }, bucket_key_enabled: true },
    ]);
    expect(only(j, 'aws_s3_bucket_lifecycle_configuration').rule[0].expiration).toEqual([{ days: 90 }]);
    expect(d.sendStatements[2]).toEqual({ sid: 'EncryptFailureRecords', actions: ['kms:GenerateDataKey'], resources: [KEY_ARN] });
  });

  test.each<[string, FailureDestinationProps, string]>([
    [
      'an upper-case name',
      { kind: 's3', name: 'Orders' },
      'name must be 1..37 characters of [a-z0-9-] starting with a letter or digit (the prefix of a bucket name; Terraform appends 26 unique characters) (got "Orders")',
    ],
    ['expiry out of range', { kind: 's3', expirationDays: 0 }, 'expirationDays must be an integer 1..3650 (got 0)'],
    [
      'a queue setting',
      { kind: 's3', visibilityTimeoutSeconds: 60 },
      'visibilityTimeoutSeconds must be unset (it configures an SQS queue and this destination is an S3 bucket) (got 60)',
    ],
    [
      'an expiry on a queue',
      { kind: 'sqs', expirationDays: 7 },
      'expirationDays must be unset (it expires objects of an S3 bucket and this destination is an SQS queue) (got 7)',
    ],
  ])('GIVEN %s WHEN constructed THEN it fails with the exact message', (_n, props, message) => {
    expect(() => new FailureDestination(newStack(), 'Failures', props)).toThrow(`test/Failures: ${message}`);
  });

  test('GIVEN a consumer with an S3 destination WHEN synthesized THEN its mapping reports to the bucket and its role holds exactly the S3 grants', () => {
    const stack = newStack();
    const failures = new FailureDestination(stack, 'Failures', { kind: 's3' });
    new StreamConsumer(stack, 'Consumer', { table: newTable(stack), code: CODE, onFailure: failures });
    const j = JSON.parse(Testing.synth(stack));
    const bucketArn = ref(j, 'aws_s3_bucket', 'Failures_Bucket', 'arn');
    expect(only(j, 'aws_lambda_event_source_mapping').destination_config).toEqual({ on_failure: { destination_arn: bucketArn } });
    const statements = JSON.parse(only(j, 'aws_iam_role_policy').policy).Statement.filter((s: any) =>
      JSON.stringify(s.Action).includes('s3:'),
    );
    expect(statements).toEqual([
      { Sid: 'WriteFailureRecords', Effect: 'Allow', Action: 's3:PutObject', Resource: `${bucketArn}/aws/lambda/*` },
      { Sid: 'ListFailureBucket', Effect: 'Allow', Action: 's3:ListBucket', Resource: bucketArn },
    ]);
  });
});

describe('FailureRedrive per source and destination', () => {
  function redriveOn(kind: 'sqs' | 's3', fanOut = false) {
    const stack = newStack();
    const changes = new TableKinesisStream(stack, 'Changes', { table: newTable(stack), stream: { kmsKeyArn: KEY_ARN } });
    const failure = new FailureDestination(stack, 'Failures', { kind });
    const consumer = new StreamConsumer(stack, 'Consumer', {
      table: changes,
      code: CODE,
      onFailure: failure,
      fanOut,
      filters: [{ data: { eventName: ['INSERT'] } }],
    });
    const redrive = new FailureRedrive(stack, 'Redrive', { failureDestination: failure, consumer, code: REDRIVE_CODE });
    const j = JSON.parse(Testing.synth(stack));
    const fn = Object.entries<any>(j.resource.aws_lambda_function).find(([k]) => k.startsWith('Redrive_'))![1];
    const policy = JSON.parse(Object.entries<any>(j.resource.aws_iam_role_policy).find(([k]) => k.startsWith('Redrive_'))![1].policy);
    return { redrive, j, fn, bySid: Object.fromEntries(policy.Statement.map((s: any) => [s.Sid, s])) };
  }

  test('GIVEN a Kinesis source with an SQS destination WHEN a redrive is added THEN it may read exactly that stream (even behind a fan-out consumer) and decrypt with its key, and names the consumer role in re-read records', () => {
    const { j, fn, bySid } = redriveOn('sqs', true);
    const stream = ref(j, 'aws_kinesis_stream', 'Changes_Stream', 'arn');
    expect(Object.keys(bySid)).toEqual([
      'ConsumeFailureRecords',
      'ReadFailedRanges',
      'DecryptStream',
      'InvokeConsumer',
      'ParkRecords',
      'WriteLogs',
    ]);
    expect(bySid.ReadFailedRanges).toEqual({
      Sid: 'ReadFailedRanges',
      Effect: 'Allow',
      Action: ['kinesis:GetRecords', 'kinesis:GetShardIterator'],
      Resource: stream,
    });
    expect(bySid.DecryptStream).toEqual({ Sid: 'DecryptStream', Effect: 'Allow', Action: 'kms:Decrypt', Resource: KEY_ARN });
    expect(fn.environment.variables).toMatchObject({
      REDRIVE_INVOKE_IDENTITY_ARN: ref(j, 'aws_iam_role', 'Consumer_Role', 'arn'),
      REDRIVE_FILTER_PATTERNS: JSON.stringify(['{"data":{"eventName":["INSERT"]}}']),
    });
  });

  test('GIVEN an S3 destination WHEN a redrive is added THEN S3 notifies a queue only that bucket may send to, the redrive consumes it and may read exactly the failure objects, and reads no stream', () => {
    const { j, fn, bySid, redrive } = redriveOn('s3');
    const bucketArn = ref(j, 'aws_s3_bucket', 'Failures_Bucket', 'arn');
    const queueArn = ref(j, 'aws_sqs_queue', 'Redrive_Notifications_Queue', 'arn');
    expect(Object.keys(bySid)).toEqual([
      'ConsumeFailureRecords',
      'ReadFailureObjects',
      'ListFailureBucket',
      'InvokeConsumer',
      'ParkRecords',
      'WriteLogs',
    ]);
    expect(bySid.ConsumeFailureRecords.Resource).toBe(queueArn);
    expect(bySid.ReadFailureObjects).toEqual({
      Sid: 'ReadFailureObjects',
      Effect: 'Allow',
      Action: 's3:GetObject',
      Resource: `${bucketArn}/aws/lambda/*`,
    });
    // Without ListBucket S3 answers an expired object with 403 (test/handlers/redrive-s3-access.test.ts).
    expect(bySid.ListFailureBucket).toEqual({ Sid: 'ListFailureBucket', Effect: 'Allow', Action: 's3:ListBucket', Resource: bucketArn });
    expect(only(j, 'aws_s3_bucket_notification')).toMatchObject({
      bucket: ref(j, 'aws_s3_bucket', 'Failures_Bucket', 'bucket'),
      queue: [{ queue_arn: queueArn, events: ['s3:ObjectCreated:*'], filter_prefix: 'aws/lambda/' }],
    });
    const queue = Object.entries<any>(j.resource.aws_sqs_queue).find(([k]) => k.startsWith('Redrive_Notifications'))![1];
    expect(queue).toMatchObject({ visibility_timeout_seconds: 6 * redrive.timing!.timeoutSeconds, sqs_managed_sse_enabled: true });
    expect(JSON.parse(queue.redrive_policy)).toEqual({
      deadLetterTargetArn: ref(j, 'aws_sqs_queue', 'Redrive_Parked_Queue', 'arn'),
      maxReceiveCount: 10,
    });
    const policy = JSON.parse(
      Object.entries<any>(j.resource.aws_sqs_queue_policy).find(([k]) => k.startsWith('Redrive_Notifications'))![1].policy,
    );
    expect(policy.Statement[1]).toEqual({
      Sid: 'AllowFailureBucketNotifications',
      Effect: 'Allow',
      Principal: { Service: 's3.amazonaws.com' },
      Action: 'sqs:SendMessage',
      Resource: queueArn,
      Condition: {
        ArnEquals: { 'aws:SourceArn': bucketArn },
        StringEquals: {
          'aws:SourceAccount': `\${local.${Object.keys(j.locals).find((k) => k.startsWith('Redrive_Notifications_Account'))}}`,
        },
      },
    });
    expect(Object.entries<any>(j.locals).find(([k]) => k.startsWith('Redrive_Notifications_Account'))![1]).toBe(
      `\${element(split(":", ${queueArn.slice(2, -1)}), 4)}`,
    );
    // Records in an S3 object are the batch the function got: the filters are not applied again.
    expect(fn.environment.variables.REDRIVE_FILTER_PATTERNS).toBeUndefined();
    expect(j.resource.aws_sqs_queue_redrive_policy).toBeUndefined();
  });
});

describe('Kinesis and S3 with the real provider (offline terraform)', () => {
  test('GIVEN a loaded Kinesis pipeline (provisioned stream with a key, shared and fan-out consumers, S3 destinations with a key, redrives) WHEN init, validate and plan run THEN hashicorp/aws 5.100 accepts every resource', () => {
    const plan = planOf('loadedKinesisPipeline');
    expect(plan.resource_changes.every((c: any) => c.change.actions.join() === 'create')).toBe(true);
    const types = new Set(plan.resource_changes.map((c: any) => c.type));
    for (const t of [
      'aws_kinesis_stream',
      'aws_dynamodb_kinesis_streaming_destination',
      'aws_kinesis_stream_consumer',
      'aws_s3_bucket',
      'aws_s3_bucket_notification',
      'aws_s3_bucket_policy',
      'aws_s3_bucket_lifecycle_configuration',
    ])
      expect(types).toContain(t);
    const mappings = plan.resource_changes.filter((c: any) => c.type === 'aws_lambda_event_source_mapping').map((c: any) => c.change.after);
    expect(mappings.find((m: any) => m.starting_position === 'AT_TIMESTAMP')).toMatchObject({
      starting_position_timestamp: '2026-12-01T00:00:00Z',
    });
  });
});
