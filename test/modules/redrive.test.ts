import { join } from 'path';
import { Testing } from 'cdktf';
import { FailureDestination } from '../../modules/failure-destination';
import { FailureRedrive, FailureRedriveProps } from '../../modules/redrive';
import { libraryHandlerCode } from '../../modules/internal/library-handler';
import type { FilterPattern } from '../../modules';
import { StreamConsumer } from '../../modules/stream-consumer';
import { StreamPipeline } from '../../modules/stream-pipeline';
import { CACHE_DIR, HANDLER_ENTRY, KEY_ARN, newStack, newTable, only } from '../support/consumer-stack';
import { planOf } from '../support/stack-plans';

const REDRIVE_CODE = { entry: join(__dirname, '..', '..', 'handlers', 'redrive', 'index.ts'), bundling: { cacheDir: CACHE_DIR } };
const OTHER_KEY = 'arn:aws:kms:eu-west-1:123456789012:key/99999999-12ab-34cd-56ef-1234567890ab';

function redriveOf(
  overrides: Partial<FailureRedriveProps> = {},
  opts: { provisioned?: boolean; failure?: ConstructorParameters<typeof FailureDestination>[2]; filters?: FilterPattern[] } = {},
) {
  const stack = newStack();
  const table = newTable(stack);
  const failure = new FailureDestination(stack, 'Failures', { name: 'orders-failures', ...opts.failure });
  const consumer = new StreamConsumer(stack, 'Consumer', {
    table,
    functionName: 'orders-consumer',
    code: { entry: HANDLER_ENTRY, bundling: { cacheDir: CACHE_DIR } },
    onFailure: failure,
    ...(opts.provisioned ? { provisionedConcurrency: 1 } : {}),
    ...(opts.filters ? { filters: opts.filters } : {}),
  });
  const redrive = new FailureRedrive(stack, 'Redrive', { failureDestination: failure, consumer, code: REDRIVE_CODE, ...overrides });
  return { stack, redrive, json: () => JSON.parse(Testing.synth(stack)) };
}

const ref = (type: string, json: any, idPrefix: string, attr: string) => {
  const id = Object.keys(json.resource[type]).find((k) => k.startsWith(idPrefix));
  if (!id) throw new Error(`no ${type} ${idPrefix}* in ${Object.keys(json.resource[type])}`);
  return `\${${type}.${id}.${attr}}`;
};

describe('FailureRedrive', () => {
  test('GIVEN a consumer with an SQS failure queue WHEN a redrive is added THEN its role policy holds exactly the queue, stream, invoke, park and log statements on exact ARNs', () => {
    const { json } = redriveOf();
    const j = json();
    const failureArn = ref('aws_sqs_queue', j, 'Failures_Queue', 'arn');
    const parkedArn = ref('aws_sqs_queue', j, 'Redrive_Parked_Queue', 'arn');
    const policies = Object.entries(j.resource.aws_iam_role_policy).filter(([k]) => k.startsWith('Redrive_'));
    expect(policies).toHaveLength(1);
    expect(JSON.parse((policies[0][1] as any).policy)).toEqual({
      Version: '2012-10-17',
      Statement: [
        {
          Sid: 'ConsumeFailureRecords',
          Effect: 'Allow',
          Action: ['sqs:DeleteMessage', 'sqs:GetQueueAttributes', 'sqs:ReceiveMessage'],
          Resource: failureArn,
        },
        {
          Sid: 'ReadFailedRanges',
          Effect: 'Allow',
          Action: ['dynamodb:GetRecords', 'dynamodb:GetShardIterator'],
          Resource: ref('aws_dynamodb_table', j, 'Orders_Table', 'stream_arn'),
        },
        {
          Sid: 'InvokeConsumer',
          Effect: 'Allow',
          Action: 'lambda:InvokeFunction',
          Resource: ref('aws_lambda_function', j, 'Consumer_Function', 'arn'),
        },
        { Sid: 'ParkRecords', Effect: 'Allow', Action: 'sqs:SendMessage', Resource: parkedArn },
        {
          Sid: 'WriteLogs',
          Effect: 'Allow',
          Action: ['logs:CreateLogStream', 'logs:PutLogEvents'],
          Resource: `${ref('aws_cloudwatch_log_group', j, 'Redrive_LogGroup', 'arn')}:*`,
        },
      ],
    });
  });

  test('GIVEN defaults WHEN synthesized THEN an SQS mapping with partial batch responses feeds the function, which knows the parked queue, and the failure queue dead-letters into the parked queue', () => {
    const { json } = redriveOf();
    const j = json();
    const fn = j.resource.aws_lambda_function[Object.keys(j.resource.aws_lambda_function).find((k) => k.startsWith('Redrive_'))!];
    // Worst case with the consumer's defaults (timeout 30 s, batches of 100): 1 message x 3 attempts
    // x (ceil(100 / 100) + 1) invocations x 30 s + 1 s for the pauses before attempts 2 and 3
    // (at most 100 ms and 200 ms, rounded up) + (5 s + 100 x 0.05 s) for reading and parking.
    expect(fn).toMatchObject({
      function_name: 'test-Redrive',
      runtime: 'nodejs22.x',
      handler: 'index.handler',
      architectures: ['arm64'],
      timeout: 191,
      memory_size: 256,
    });
    expect(
      j.resource.aws_sqs_queue[Object.keys(j.resource.aws_sqs_queue).find((k) => k.startsWith('Failures_Queue'))!]
        .visibility_timeout_seconds,
    ).toBe(6 * 191);
    expect(fn.environment.variables).toEqual({
      REDRIVE_PARKED_QUEUE_URL: ref('aws_sqs_queue', j, 'Redrive_Parked_Queue', 'url'),
      REDRIVE_MAX_ATTEMPTS: '3',
      REDRIVE_INVOKE_BATCH_SIZE: '100',
      POWERTOOLS_SERVICE_NAME: 'test-Redrive',
      POWERTOOLS_METRICS_NAMESPACE: 'DynamoDBStreamRedrive',
    });
    const mappings = Object.entries(j.resource.aws_lambda_event_source_mapping).filter(([k]) => k.startsWith('Redrive_'));
    expect(mappings).toHaveLength(1);
    expect(mappings[0][1]).toMatchObject({
      event_source_arn: ref('aws_sqs_queue', j, 'Failures_Queue', 'arn'),
      function_name: ref('aws_lambda_function', j, 'Redrive_Function', 'arn'),
      batch_size: 1,
      function_response_types: ['ReportBatchItemFailures'],
      scaling_config: { maximum_concurrency: 2 },
    });
    expect((mappings[0][1] as any).starting_position).toBeUndefined();
    const parked = j.resource.aws_sqs_queue[Object.keys(j.resource.aws_sqs_queue).find((k) => k.startsWith('Redrive_Parked_Queue'))!];
    expect(parked).toMatchObject({ name: 'test-Redrive-Parked', message_retention_seconds: 1209600, sqs_managed_sse_enabled: true });
    const redrivePolicy = only(j, 'aws_sqs_queue_redrive_policy');
    expect(redrivePolicy.queue_url).toBe(ref('aws_sqs_queue', j, 'Failures_Queue', 'url'));
    expect(JSON.parse(redrivePolicy.redrive_policy)).toEqual({
      deadLetterTargetArn: ref('aws_sqs_queue', j, 'Redrive_Parked_Queue', 'arn'),
      maxReceiveCount: 10,
    });
    const log =
      j.resource.aws_cloudwatch_log_group[Object.keys(j.resource.aws_cloudwatch_log_group).find((k) => k.startsWith('Redrive_'))!];
    expect(log).toEqual({ name: '/aws/lambda/test-Redrive', retention_in_days: 30 });
  });

  test('GIVEN customer-managed keys on the failure queue, the parked queue and the stream, and a consumer alias WHEN synthesized THEN kms grants name exactly those keys and the alias may be invoked', () => {
    const { json } = redriveOf(
      {
        parkedQueue: { kmsKeyArn: OTHER_KEY, name: 'parked' },
        streamEncryptionKeyArn: KEY_ARN,
        maxAttempts: 2,
        invokeBatchSize: 50,
        batchSize: 2,
        maxReceiveCount: 3,
      },
      { provisioned: true, failure: { kmsKeyArn: KEY_ARN } },
    );
    const j = json();
    const policy = JSON.parse(Object.entries<any>(j.resource.aws_iam_role_policy).find(([k]) => k.startsWith('Redrive_'))![1].policy);
    const bySid = Object.fromEntries(policy.Statement.map((s: any) => [s.Sid, s]));
    expect(Object.keys(bySid)).toEqual([
      'ConsumeFailureRecords',
      'DecryptFailureRecords',
      'ReadFailedRanges',
      'DecryptStream',
      'InvokeConsumer',
      'ParkRecords',
      'EncryptParkedRecords',
      'WriteLogs',
    ]);
    expect(bySid.DecryptFailureRecords).toEqual({
      Sid: 'DecryptFailureRecords',
      Effect: 'Allow',
      Action: 'kms:Decrypt',
      Resource: KEY_ARN,
    });
    expect(bySid.DecryptStream).toEqual({ Sid: 'DecryptStream', Effect: 'Allow', Action: 'kms:Decrypt', Resource: KEY_ARN });
    expect(bySid.EncryptParkedRecords).toEqual({
      Sid: 'EncryptParkedRecords',
      Effect: 'Allow',
      Action: ['kms:Decrypt', 'kms:GenerateDataKey'],
      Resource: OTHER_KEY,
    });
    expect(bySid.InvokeConsumer.Resource).toEqual([
      ref('aws_lambda_function', j, 'Consumer_Function', 'arn'),
      ref('aws_lambda_alias', j, 'Consumer_Alias', 'arn'),
    ]);
    const fn = Object.entries<any>(j.resource.aws_lambda_function).find(([k]) => k.startsWith('Redrive_'))![1];
    expect(fn.environment.variables).toMatchObject({ REDRIVE_MAX_ATTEMPTS: '2', REDRIVE_INVOKE_BATCH_SIZE: '50' });
    // 2 messages x (2 attempts x (ceil(100 / 50) + 1) invocations x 30 s + 1 s pause (100 ms, rounded up) + 5 s + 5 s)
    expect(fn.timeout).toBe(382);
    expect(Object.entries<any>(j.resource.aws_lambda_event_source_mapping).find(([k]) => k.startsWith('Redrive_'))![1].batch_size).toBe(2);
    expect(JSON.parse(only(j, 'aws_sqs_queue_redrive_policy').redrive_policy).maxReceiveCount).toBe(3);
    expect(j.resource.aws_sqs_queue[Object.keys(j.resource.aws_sqs_queue).find((k) => k.startsWith('Redrive_Parked'))!]).toMatchObject({
      name: 'parked',
      kms_master_key_id: OTHER_KEY,
    });
  });

  test('GIVEN a consumer with filter criteria WHEN a redrive is added THEN the redrive gets the exact patterns of the mapping, to apply them again', () => {
    const filters = [{ eventName: ['INSERT'] }, { dynamodb: { NewImage: { status: { S: [{ prefix: 'PAID' }] } } } }];
    const j = redriveOf({}, { filters }).json();
    const consumerMapping = Object.entries<any>(j.resource.aws_lambda_event_source_mapping).find(([k]) => k.startsWith('Consumer_'))![1];
    const fn = Object.entries<any>(j.resource.aws_lambda_function).find(([k]) => k.startsWith('Redrive_'))![1];
    expect(JSON.parse(fn.environment.variables.REDRIVE_FILTER_PATTERNS)).toEqual(
      consumerMapping.filter_criteria.filter.map((f: any) => f.pattern),
    );
    expect(JSON.parse(fn.environment.variables.REDRIVE_FILTER_PATTERNS).map((p: string) => JSON.parse(p))).toEqual(filters);
  });

  test('GIVEN a consumer filter with an operator the redrive cannot apply WHEN a redrive is added THEN it fails naming the pattern and the operator', () => {
    expect(() =>
      redriveOf({}, { filters: [{ eventName: ['INSERT'] }, { dynamodb: { Keys: { pk: { S: [{ wildcard: 'order-*' }] } } } }] }),
    ).toThrow(
      'test/Redrive: consumer.filters[1] must be a pattern using only prefix, suffix, equals-ignore-case, anything-but, numeric, exists and value lists (the redrive re-applies the mapping\'s filters to re-read records and does not implement wildcard) (got "{\\"dynamodb\\":{\\"Keys\\":{\\"pk\\":{\\"S\\":[{\\"wildcard\\":\\"order-*\\"}]}}}}")',
    );
  });

  test('GIVEN a timeout below the worst case of one invocation WHEN constructed THEN it fails with the worst case and how it is made up', () => {
    expect(() => redriveOf({ timeoutSeconds: 90 })).toThrow(
      'test/Redrive: timeoutSeconds must be at least 191 s, the worst case of one invocation (1 message(s) x 3 attempt(s) x 2 invocation(s) of the consumer (timeout 30 s, batches of up to 100 records re-sent 100 at a time) plus the pauses between attempts, reading and parking; a shorter timeout stops a redrive half-done and SQS delivers the message again) (got 90)',
    );
    const { json } = redriveOf({ timeoutSeconds: 200 });
    const j = json();
    expect(Object.entries<any>(j.resource.aws_lambda_function).find(([k]) => k.startsWith('Redrive_'))![1].timeout).toBe(200);
    expect(Object.entries<any>(j.resource.aws_sqs_queue).find(([k]) => k.startsWith('Failures_Queue'))![1].visibility_timeout_seconds).toBe(
      1200,
    );
  });

  test('GIVEN settings whose worst case exceeds 900 s WHEN constructed THEN they are refused with the figure and the levers', () => {
    expect(() => redriveOf({ batchSize: 10, maxAttempts: 5, invokeBatchSize: 10 })).toThrow(
      "test/Redrive: batchSize, maxAttempts and invokeBatchSize must let one redrive invocation finish within Lambda's 900 s timeout (it may take 16620 s: 10 message(s) x 5 attempt(s) x 11 invocation(s) of the consumer (timeout 30 s, batches of up to 100 records re-sent 10 at a time) plus the pauses between attempts, reading and parking); lower batchSize or maxAttempts, raise invokeBatchSize, or lower the consumer's timeoutSeconds or batchSize",
    );
  });

  test('GIVEN a failure queue with its own visibility timeout WHEN it is under 6 x the redrive timeout THEN it is refused; at or above, it is kept', () => {
    expect(() => redriveOf({}, { failure: { visibilityTimeoutSeconds: 600 } })).toThrow(
      'test/Redrive: failureDestination.visibilityTimeoutSeconds must be at least 1146 s (6 x the redrive timeout of 191 s) (AWS advises at least six times the function timeout for an SQS event source; a message that becomes visible mid-redrive is redriven twice. Leave it unset to have it derived) (got 600)',
    );
    const j = redriveOf({}, { failure: { visibilityTimeoutSeconds: 3000 } }).json();
    expect(Object.entries<any>(j.resource.aws_sqs_queue).find(([k]) => k.startsWith('Failures_Queue'))![1].visibility_timeout_seconds).toBe(
      3000,
    );
  });

  test('GIVEN maximumConcurrency out of range or not below the consumer reserved concurrency WHEN constructed THEN it is refused', () => {
    expect(() => redriveOf({ maximumConcurrency: 1 })).toThrow(
      "test/Redrive: maximumConcurrency must be an integer 2..1000 (the range of an SQS event source mapping's scaling_config) (got 1)",
    );
    const reserved = (n: number, max: number) => {
      const stack = newStack();
      const failure = new FailureDestination(stack, 'Failures', {});
      const consumer = new StreamConsumer(stack, 'Consumer', {
        table: newTable(stack),
        code: { entry: HANDLER_ENTRY, bundling: { cacheDir: CACHE_DIR } },
        onFailure: failure,
        reservedConcurrency: n,
      });
      return () =>
        new FailureRedrive(stack, 'Redrive', { failureDestination: failure, consumer, code: REDRIVE_CODE, maximumConcurrency: max });
    };
    expect(reserved(3, 3)).toThrow(
      "test/Redrive: maximumConcurrency must be below the consumer's reserved concurrency (3) (each concurrent redrive invokes the consumer, which must keep at least one execution for its own stream mapping; raise the consumer's reservedConcurrency) (got 3)",
    );
    expect(reserved(3, 2)).not.toThrow();
    const j = JSON.parse(Testing.synth(redriveOf({ maximumConcurrency: 7 }).stack));
    expect(
      Object.entries<any>(j.resource.aws_lambda_event_source_mapping).find(([k]) => k.startsWith('Redrive_'))![1].scaling_config,
    ).toEqual({ maximum_concurrency: 7 });
  });

  test('GIVEN an SNS failure destination and out-of-range settings WHEN constructed THEN every problem is reported at once', () => {
    let message = '';
    try {
      redriveOf(
        {
          batchSize: 11,
          maxAttempts: 0,
          invokeBatchSize: 20000,
          maxReceiveCount: 0,
          memorySize: 64,
          logRetentionDays: 2,
          functionName: 'bad name',
        },
        { failure: { kind: 'sns' } },
      );
    } catch (e) {
      message = (e as Error).message;
    }
    expect(message.split('\n')).toEqual([
      "test/Redrive: failureDestination must be a FailureDestination of kind 'sqs' or 's3' (the redrive reads the on-failure records from a queue or a bucket; an SNS topic keeps nothing to read) (got \"kind sns\")",
      'test/Redrive: batchSize must be an integer 1..10 (an SQS event source without a batching window) (got 11)',
      'test/Redrive: maxAttempts must be an integer 1..10 (got 0)',
      'test/Redrive: invokeBatchSize must be an integer 1..10000 (got 20000)',
      'test/Redrive: maxReceiveCount must be an integer 1..1000 (the SQS redrive policy range) (got 0)',
      'test/Redrive: memorySize must be an integer 128..10240 (MB) (got 64)',
      'test/Redrive: logRetentionDays must be one of 0, 1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653 (the values CloudWatch Logs accepts) (got 2)',
      'test/Redrive: functionName must be 1..64 characters of [0-9A-Za-z_-] (got "bad name")',
    ]);
  });

  test('GIVEN no code WHEN synthesized THEN the function deploys the library redrive handler (prebuilt bundle, else handlers/redrive/index.ts bundled at synth)', () => {
    const code = libraryHandlerCode('redrive');
    expect('bundleDirectory' in code ? code.bundleDirectory : (code as { entry: string }).entry).toMatch(
      /(build\/handlers\/redrive|handlers\/redrive\.ts)$/,
    );
    const byDefault = redriveOf({ code: undefined }).redrive;
    const explicit = redriveOf({ code: 'entry' in code ? { ...code, bundling: { cacheDir: CACHE_DIR } } : code }).redrive;
    expect(byDefault.function.sourceCodeHashInput).toMatch(/^[0-9a-f]{64}$/);
    expect(byDefault.function.sourceCodeHashInput).toBe(explicit.function.sourceCodeHashInput);
  });
});

describe('StreamPipeline redrive', () => {
  const TABLE = { tableName: 'orders', partitionKey: { name: 'pk', type: 'S' as const }, encryptionKeyArn: KEY_ARN };
  const CONSUMER = { code: { entry: HANDLER_ENTRY, bundling: { cacheDir: CACHE_DIR } } };

  test('GIVEN redrive settings WHEN the pipeline is synthesized THEN a redrive reads its failure queue and gets kms:Decrypt on the table key', () => {
    const stack = newStack();
    const p = new StreamPipeline(stack, 'Orders', { table: TABLE, consumer: CONSUMER, redrive: { code: REDRIVE_CODE } });
    expect(p.redrive).toBeDefined();
    expect(p.redrive!.policyStatements.find((s) => s.sid === 'DecryptStream')).toEqual({
      sid: 'DecryptStream',
      actions: ['kms:Decrypt'],
      resources: [KEY_ARN],
    });
    const j = JSON.parse(Testing.synth(stack));
    const mapping = Object.entries<any>(j.resource.aws_lambda_event_source_mapping).find(([k]) => k.startsWith('Orders_Redrive_'))![1];
    expect(mapping.event_source_arn).toBe(ref('aws_sqs_queue', j, 'Orders_FailureDestination_Queue', 'arn'));
  });

  test('GIVEN redrive unset WHEN the pipeline is synthesized THEN no redrive exists', () => {
    const stack = newStack();
    const p = new StreamPipeline(stack, 'Orders', { table: TABLE, consumer: CONSUMER });
    expect(p.redrive).toBeUndefined();
    expect(Object.keys(JSON.parse(Testing.synth(stack)).resource.aws_lambda_function)).toHaveLength(1);
  });

  test('GIVEN redrive with no failure destination WHEN constructed THEN it fails saying the redrive needs the queue', () => {
    expect(
      () => new StreamPipeline(newStack(), 'Orders', { table: TABLE, consumer: CONSUMER, failureDestination: false, redrive: true }),
    ).toThrow(
      'test/Orders: redrive must be false or unset when failureDestination is false (the redrive consumes the SQS failure queue) (got true)',
    );
  });
});

describe('FailureRedrive of a consumer with a tumbling window', () => {
  const TABLE = { tableName: 'orders', partitionKey: { name: 'pk', type: 'S' as const } };
  const code = { entry: HANDLER_ENTRY, bundling: { cacheDir: CACHE_DIR } };

  test('GIVEN a consumer with a tumbling window and redrive: true WHEN constructed THEN it is refused: the redrive would count records the window never aggregated as applied', () => {
    expect(
      () => new StreamPipeline(newStack(), 'Orders', { table: TABLE, consumer: { code, tumblingWindowSeconds: 60 }, redrive: true }),
    ).toThrow(
      'test/Orders/Redrive: consumer must be a consumer without a tumbling window (tumblingWindowSeconds unset or 0) (the redrive re-invokes the consumer without the window state and fields',
    );
  });

  test('GIVEN a tumbling window of 0 (off) or no redrive WHEN constructed THEN both are accepted', () => {
    expect(
      () => new StreamPipeline(newStack(), 'Orders', { table: TABLE, consumer: { code, tumblingWindowSeconds: 0 }, redrive: true }),
    ).not.toThrow();
    expect(() => new StreamPipeline(newStack(), 'Orders', { table: TABLE, consumer: { code, tumblingWindowSeconds: 60 } })).not.toThrow();
  });
});

describe('FailureRedrive with the real provider (offline terraform)', () => {
  test('GIVEN a pipeline with a redrive on CMK queues and a consumer alias WHEN init, validate and plan run THEN hashicorp/aws 5.100 accepts it and plans every redrive resource', () => {
    const plan = planOf('redriveOnCmkQueues');
    const created = plan.resource_changes
      .filter((c: any) => c.address.includes('Orders_Redrive_'))
      .map((c: any) => [c.type, c.change.actions]);
    expect(created.map((c: any) => c[0]).sort()).toEqual(
      [
        'aws_cloudwatch_log_group',
        'aws_iam_role',
        'aws_iam_role_policy',
        'aws_lambda_event_source_mapping',
        'aws_lambda_function',
        'aws_sqs_queue',
        'aws_sqs_queue_policy',
        // Only the failure queue may move messages into the parked queue.
        'aws_sqs_queue_redrive_allow_policy',
        'aws_sqs_queue_redrive_policy',
      ].sort(),
    );
    for (const c of created) expect(c[1]).toEqual(['create']);
    const plannedAfter = (address: string) => plan.resource_changes.find((c: any) => c.address.startsWith(address)).change.after;
    expect(plannedAfter('aws_lambda_function.Orders_Redrive_Function').timeout).toBe(131);
    expect(plannedAfter('aws_sqs_queue.Orders_FailureDestination_Queue').visibility_timeout_seconds).toBe(786);
    expect(plannedAfter('aws_lambda_event_source_mapping.Orders_Redrive_Mapping').scaling_config).toEqual([{ maximum_concurrency: 5 }]);
  });
});
