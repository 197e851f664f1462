import { createHash } from 'crypto';
import { mkdtempSync, readFileSync, writeFileSync } from 'fs';
import { tmpdir } from 'os';
import { join } from 'path';
import { App, TerraformStack, Testing } from 'cdktf';
import { AwsProvider } from '@cdktf/provider-aws/lib/provider';
import { directoryHash } from '../../modules/internal/bundling';
import { StreamConsumer } from '../../modules/stream-consumer';
import { StreamTable } from '../../modules/stream-table';
import { CACHE_DIR, HANDLER_ENTRY, KEY_ARN, consumerOf, newStack, newTable, only, policyOf } from '../support/consumer-stack';

const TABLE = 'aws_dynamodb_table.Orders_Table_C3D8F3FA';
const FUNCTION = 'aws_lambda_function.Consumer_Function_7B73AF2C';
const LOG_GROUP = 'aws_cloudwatch_log_group.Consumer_LogGroup_AB629567';
const QUEUE_ARN = 'arn:aws:sqs:eu-west-1:123456789012:orders-failures';

/** Resources of a statement list that are "*", with the actions that use them. */
function wildcards(policy: { Statement: any[] }): string[][] {
  return policy.Statement.filter((s) => [s.Resource].flat().includes('*')).map((s) => [s.Action].flat());
}

describe('StreamConsumer defaults', () => {
  test('GIVEN a handler entry and a table WHEN synthesized THEN the function, log group and role use the production defaults', () => {
    const { consumer, synth } = consumerOf();
    const json = synth();
    const fn = only(json, 'aws_lambda_function');
    expect(fn).toEqual({
      function_name: 'test-Consumer',
      role: '${aws_iam_role.Consumer_Role_C0875EEA.arn}',
      runtime: 'nodejs22.x',
      handler: 'index.handler',
      architectures: ['arm64'],
      memory_size: 256,
      timeout: 30,
      filename: `assets/Consumer_Code_374A78D3/${consumer.codeHash}/lambda.zip`,
      source_code_hash: consumer.codeHash,
      // What the consumer toolkit reads (docs/consumer-toolkit.md).
      environment: { variables: { DDB_STREAMS_VIEW_TYPE: 'NEW_AND_OLD_IMAGES' } },
      logging_config: { log_format: 'JSON', log_group: `\${${LOG_GROUP}.name}`, application_log_level: 'INFO', system_log_level: 'WARN' },
      depends_on: [LOG_GROUP],
    });
    expect(consumer.codeHash).toBe(consumer.bundle!.hash);
    expect(only(json, 'aws_cloudwatch_log_group')).toEqual({ name: '/aws/lambda/test-Consumer', retention_in_days: 30 });
    const role = only(json, 'aws_iam_role');
    expect(role.name).toBe('test-Consumer-role');
    expect(JSON.parse(role.assume_role_policy)).toEqual({
      Version: '2012-10-17',
      Statement: [{ Effect: 'Allow', Principal: { Service: 'lambda.amazonaws.com' }, Action: 'sts:AssumeRole' }],
    });
    expect(only(json, 'aws_iam_role_policy').role).toBe('${aws_iam_role.Consumer_Role_C0875EEA.name}');
    expect(json.resource.aws_lambda_alias).toBeUndefined();
  });

  test('GIVEN no mapping options WHEN synthesized THEN the mapping starts at TRIM_HORIZON, bisects, retries 3 times, drops records after a day and reports item failures', () => {
    const json = consumerOf().synth();
    expect(only(json, 'aws_lambda_event_source_mapping')).toEqual({
      event_source_arn: `\${${TABLE}.stream_arn}`,
      function_name: `\${${FUNCTION}.arn}`,
      starting_position: 'TRIM_HORIZON',
      batch_size: 100,
      maximum_retry_attempts: 3,
      maximum_record_age_in_seconds: 86400,
      bisect_batch_on_function_error: true,
      function_response_types: ['ReportBatchItemFailures'],
      enabled: true,
      depends_on: ['aws_iam_role_policy.Consumer_Policy_8CEFAA09'],
    });
  });

  test('GIVEN a default consumer WHEN its policy is read THEN it holds exactly stream read, ListStreams and log writes on exact ARNs', () => {
    const policy = policyOf(consumerOf().synth());
    expect(policy).toEqual({
      Version: '2012-10-17',
      Statement: [
        {
          Sid: 'ReadStream',
          Effect: 'Allow',
          Action: ['dynamodb:DescribeStream', 'dynamodb:GetRecords', 'dynamodb:GetShardIterator'],
          Resource: `\${${TABLE}.stream_arn}`,
        },
        { Sid: 'ListStreams', Effect: 'Allow', Action: 'dynamodb:ListStreams', Resource: '*' },
        { Sid: 'WriteLogs', Effect: 'Allow', Action: ['logs:CreateLogStream', 'logs:PutLogEvents'], Resource: `\${${LOG_GROUP}.arn}:*` },
      ],
    });
    expect(wildcards(policy)).toEqual([['dynamodb:ListStreams']]);
  });
});

describe('StreamConsumer IAM', () => {
  test('GIVEN a table with a customer-managed key WHEN synthesized THEN the role may decrypt with exactly that key', () => {
    const policy = policyOf(consumerOf({}, { encryptionKeyArn: KEY_ARN }).synth());
    expect(policy.Statement).toContainEqual({ Sid: 'DecryptStream', Effect: 'Allow', Action: 'kms:Decrypt', Resource: KEY_ARN });
    expect(wildcards(policy)).toEqual([['dynamodb:ListStreams']]);
  });

  test('GIVEN an on-failure target WHEN synthesized THEN the mapping reports to it and the role gets exactly its send statements', () => {
    const onFailure = {
      destinationArn: QUEUE_ARN,
      sendStatements: [{ sid: 'SendFailures', actions: ['sqs:SendMessage'], resources: [QUEUE_ARN] }],
    };
    const json = consumerOf({ onFailure }).synth();
    expect(only(json, 'aws_lambda_event_source_mapping').destination_config).toEqual({ on_failure: { destination_arn: QUEUE_ARN } });
    expect(policyOf(json).Statement).toContainEqual({
      Sid: 'SendFailures',
      Effect: 'Allow',
      Action: 'sqs:SendMessage',
      Resource: QUEUE_ARN,
    });
  });

  test('GIVEN tracing WHEN synthesized THEN tracing is Active and the only other wildcard is the X-Ray pair AWS cannot scope', () => {
    const json = consumerOf({ tracing: true }).synth();
    expect(only(json, 'aws_lambda_function').tracing_config).toEqual({ mode: 'Active' });
    expect(wildcards(policyOf(json))).toEqual([['dynamodb:ListStreams'], ['xray:PutTelemetryRecords', 'xray:PutTraceSegments']]);
  });

  test('GIVEN additional statements and grants made after construction WHEN synthesized THEN all land in the one policy, with unique Sids', () => {
    const { stack, consumer, synth } = consumerOf({
      additionalStatements: [
        { sid: 'ReadConfig', actions: ['ssm:GetParameter'], resources: ['arn:aws:ssm:eu-west-1:123456789012:parameter/orders'] },
      ],
    });
    const a = new StreamTable(stack, 'A', { tableName: 'table-a', partitionKey: { name: 'id', type: 'S' } });
    const b = new StreamTable(stack, 'B', { tableName: 'table-b', partitionKey: { name: 'id', type: 'S' }, encryptionKeyArn: KEY_ARN });
    consumer.grantWriteData(a);
    consumer.grantWriteData(b);
    consumer.grantReadData(a);
    const statements = policyOf(synth()).Statement;
    expect(statements.map((s) => [s.Sid, s.Resource])).toEqual([
      ['ReadStream', `\${${TABLE}.stream_arn}`],
      ['ListStreams', '*'],
      ['WriteLogs', `\${${LOG_GROUP}.arn}:*`],
      ['ReadConfig', 'arn:aws:ssm:eu-west-1:123456789012:parameter/orders'],
      ['WriteData', '${aws_dynamodb_table.A_Table_6D134FE0.arn}'],
      ['WriteData2', '${aws_dynamodb_table.B_Table_ABF4AEC7.arn}'],
      ['EncryptData', KEY_ARN],
      ['ReadData', '${aws_dynamodb_table.A_Table_6D134FE0.arn}'],
    ]);
    expect(new Set(statements.map((s) => s.Sid)).size).toBe(statements.length);
    expect(consumer.policyStatements.map((s) => s.sid)).toEqual(statements.map((s) => s.Sid));
  });
});

describe('StreamConsumer options', () => {
  test('GIVEN provisioned concurrency WHEN synthesized THEN a version is published, an alias carries the concurrency and the mapping invokes the alias', () => {
    const { consumer, synth } = consumerOf({ provisionedConcurrency: 2, reservedConcurrency: 5, aliasName: 'prod' });
    const json = synth();
    expect(only(json, 'aws_lambda_function')).toMatchObject({ publish: true, reserved_concurrent_executions: 5 });
    expect(only(json, 'aws_lambda_alias')).toEqual({
      name: 'prod',
      function_name: `\${${FUNCTION}.function_name}`,
      function_version: `\${${FUNCTION}.version}`,
    });
    expect(only(json, 'aws_lambda_provisioned_concurrency_config')).toEqual({
      function_name: `\${${FUNCTION}.function_name}`,
      qualifier: '${aws_lambda_alias.Consumer_Alias_3A583E6D.name}',
      provisioned_concurrent_executions: 2,
    });
    expect(only(json, 'aws_lambda_event_source_mapping').function_name).toBe('${aws_lambda_alias.Consumer_Alias_3A583E6D.arn}');
    expect(consumer.alias).toBeDefined();
  });

  test('GIVEN every mapping option WHEN synthesized THEN each is rendered', () => {
    const json = consumerOf({
      batchSize: 500,
      maxBatchingWindowSeconds: 5,
      parallelizationFactor: 4,
      retryAttempts: -1,
      maxRecordAgeSeconds: -1,
      bisectBatchOnError: false,
      tumblingWindowSeconds: 60,
      startingPosition: 'LATEST',
      reportBatchItemFailures: false,
      filters: [{ eventName: ['INSERT'] }, '{"dynamodb":{"NewImage":{"status":{"S":["PAID"]}}}}'],
      eventCountMetrics: true,
      enabled: false,
    }).synth();
    expect(only(json, 'aws_lambda_event_source_mapping')).toEqual({
      event_source_arn: `\${${TABLE}.stream_arn}`,
      function_name: `\${${FUNCTION}.arn}`,
      starting_position: 'LATEST',
      batch_size: 500,
      maximum_batching_window_in_seconds: 5,
      parallelization_factor: 4,
      maximum_retry_attempts: -1,
      maximum_record_age_in_seconds: -1,
      bisect_batch_on_function_error: false,
      tumbling_window_in_seconds: 60,
      filter_criteria: {
        filter: [{ pattern: '{"eventName":["INSERT"]}' }, { pattern: '{"dynamodb":{"NewImage":{"status":{"S":["PAID"]}}}}' }],
      },
      metrics_config: { metrics: ['EventCount'] },
      enabled: false,
      depends_on: ['aws_iam_role_policy.Consumer_Policy_8CEFAA09'],
    });
  });

  test('GIVEN every function option WHEN synthesized THEN each is rendered, and tags reach every resource', () => {
    const tags = { team: 'orders' };
    const json = consumerOf({
      functionName: 'orders-projector',
      roleName: 'orders-projector-exec',
      handler: 'index.handler',
      runtime: 'nodejs20.x',
      architecture: 'x86_64',
      memorySize: 1024,
      timeoutSeconds: 120,
      environment: { TARGET_TABLE: 'projections' },
      reservedConcurrency: 10,
      description: 'Projects orders',
      logRetentionDays: 7,
      logFormat: 'Text',
      tags,
    }).synth();
    expect(only(json, 'aws_lambda_function')).toMatchObject({
      function_name: 'orders-projector',
      runtime: 'nodejs20.x',
      architectures: ['x86_64'],
      memory_size: 1024,
      timeout: 120,
      environment: { variables: { TARGET_TABLE: 'projections' } },
      reserved_concurrent_executions: 10,
      description: 'Projects orders',
      logging_config: { log_format: 'Text', log_group: `\${${LOG_GROUP}.name}` },
      tags,
    });
    expect(only(json, 'aws_cloudwatch_log_group')).toEqual({ name: '/aws/lambda/orders-projector', retention_in_days: 7, tags });
    expect(only(json, 'aws_iam_role')).toMatchObject({ name: 'orders-projector-exec', tags });
  });

  test('GIVEN JSON logging with chosen levels WHEN synthesized THEN the levels are rendered', () => {
    const json = consumerOf({ applicationLogLevel: 'DEBUG', systemLogLevel: 'INFO' }).synth();
    expect(only(json, 'aws_lambda_function').logging_config).toMatchObject({
      log_format: 'JSON',
      application_log_level: 'DEBUG',
      system_log_level: 'INFO',
    });
  });

  test('GIVEN a table on an aliased provider WHEN synthesized THEN every consumer resource uses that provider', () => {
    const stack = newStack();
    const west = new AwsProvider(stack, 'west', { region: 'us-west-2', alias: 'west' });
    const table = newTable(stack, { provider: west });
    new StreamConsumer(stack, 'Consumer', { table, code: { entry: HANDLER_ENTRY, bundling: { cacheDir: CACHE_DIR } } });
    const json = JSON.parse(Testing.synth(stack));
    for (const type of [
      'aws_lambda_function',
      'aws_iam_role',
      'aws_iam_role_policy',
      'aws_cloudwatch_log_group',
      'aws_lambda_event_source_mapping',
    ]) {
      expect([type, only(json, type).provider]).toEqual([type, 'aws.west']);
    }
  });
});

describe('StreamConsumer code', () => {
  test('GIVEN a prebuilt bundle directory WHEN synthesized THEN it is zipped as an asset whose hash is the content hash', () => {
    const dir = mkdtempSync(join(tmpdir(), 'bundle-'));
    writeFileSync(join(dir, 'index.js'), 'exports.handler = async () => ({ batchItemFailures: [] });');
    const { consumer, synth } = consumerOf({ code: { bundleDirectory: dir } });
    expect(consumer.codeHash).toBe(directoryHash(dir));
    expect(only(synth(), 'aws_lambda_function')).toMatchObject({
      filename: `assets/Consumer_Code_374A78D3/${consumer.codeHash}/lambda.zip`,
      source_code_hash: consumer.codeHash,
    });
  });

  test('GIVEN a prebuilt zip WHEN synthesized THEN the zip itself is the asset and its sha256 the hash', () => {
    const zip = join(mkdtempSync(join(tmpdir(), 'zip-')), 'fn.zip');
    writeFileSync(zip, 'PK\u0005\u0006' + '\u0000'.repeat(18)); // an empty zip archive
    const { consumer, synth } = consumerOf({ code: { zipFile: zip }, runtime: 'python3.13', handler: 'app.handler' });
    expect(consumer.codeHash).toBe(createHash('sha256').update(readFileSync(zip)).digest('hex'));
    expect(only(synth(), 'aws_lambda_function')).toMatchObject({
      filename: `assets/Consumer_Code_374A78D3/${consumer.codeHash}/fn.zip`,
      runtime: 'python3.13',
      handler: 'app.handler',
    });
  });

  test('GIVEN bundling with source maps WHEN synthesized THEN Node is told to use them', () => {
    const json = consumerOf({
      code: { entry: HANDLER_ENTRY, bundling: { cacheDir: CACHE_DIR, sourceMap: true } },
      environment: { STAGE: 'prod' },
    }).synth();
    expect(only(json, 'aws_lambda_function').environment).toEqual({
      variables: { NODE_OPTIONS: '--enable-source-maps', DDB_STREAMS_VIEW_TYPE: 'NEW_AND_OLD_IMAGES', STAGE: 'prod' },
    });
  });

  test('GIVEN a missing bundle directory or zip WHEN constructed THEN the error names the path', () => {
    expect(() => consumerOf({ code: { bundleDirectory: '/nonexistent/bundle' } })).toThrow(
      'test/Consumer: code.bundleDirectory /nonexistent/bundle is not a directory',
    );
    expect(() => consumerOf({ code: { zipFile: '/nonexistent/fn.zip' } })).toThrow(
      'test/Consumer: code.zipFile /nonexistent/fn.zip is not a file',
    );
  });

  test('GIVEN the same app synthesized twice with one cache WHEN the second synth runs THEN it bundles nothing and writes byte-identical Terraform', () => {
    const cacheDir = mkdtempSync(join(tmpdir(), 'warm-'));
    const synthOnce = () => {
      const stack = new TerraformStack(new App({ outdir: mkdtempSync(join(tmpdir(), 'out-')) }), 'app');
      new AwsProvider(stack, 'aws', { region: 'eu-west-1' });
      const table = newTable(stack);
      const consumer = new StreamConsumer(stack, 'Consumer', { table, code: { entry: HANDLER_ENTRY, bundling: { cacheDir } } });
      return { fromCache: consumer.bundle!.fromCache, tf: Testing.synth(stack) };
    };
    const cold = synthOnce();
    const warm = synthOnce();
    expect([cold.fromCache, warm.fromCache]).toEqual([false, true]);
    expect(warm.tf).toBe(cold.tf);
  });
});

describe('StreamConsumer stream readers', () => {
  test('GIVEN two consumers of one table WHEN a third is added THEN construction fails with the throttling explanation and alternatives', () => {
    const stack = newStack();
    const table = newTable(stack);
    const code = { entry: HANDLER_ENTRY, bundling: { cacheDir: CACHE_DIR } };
    new StreamConsumer(stack, 'First', { table, code });
    new StreamConsumer(stack, 'Second', { table, code });
    expect(() => new StreamConsumer(stack, 'Third', { table, code })).toThrow(
      'test/Orders: the stream of table "orders" already has 2 readers (test/First, test/Second); test/Third would be a third. ' +
        'AWS throttles more than 2 simultaneous readers of a DynamoDB stream shard (LimitExceededException), which delays every consumer. ' +
        'Use one fan-out consumer that hands each batch to several handlers, or stream the table to Kinesis Data Streams for DynamoDB (TableKinesisStream), which supports many consumers.',
    );
  });
});
