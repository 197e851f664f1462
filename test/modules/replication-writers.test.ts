/**
 * ReplicatedTable's replica writers as synthesized: one per region and mode, the prebuilt bundle, a role
 * with exactly the calls the writer makes, and the mapping filters.
 */
import { existsSync } from 'fs';
import { join } from 'path';
import { directoryHash } from '../../modules/internal/bundling';
import { LambdaEventSourceMapping } from '@cdktf/provider-aws/lib/lambda-event-source-mapping';
import { KEY, one, REGIONS, replicated, resources, writerEnv, writerPolicy, ref } from './support/replication';

const TABLE = (region: string) => `aws_dynamodb_table.Customers_Table-${region}_Table`;

describe('ReplicatedTable: writers', () => {
  test('GIVEN multi-active mode WHEN synthesized THEN each region has one fan-out writer whose environment names every other region', () => {
    const { synth, table } = replicated();
    const json = synth();
    // A writer and a backlog drainer per region.
    expect(resources(json, 'aws_lambda_function')).toHaveLength(6);
    expect(writerEnv(json, 'Writer-us-east-1')).toEqual({
      REPLICATION_SOURCE_REGION: 'us-east-1',
      REPLICATION_TARGETS: JSON.stringify([
        { region: 'eu-west-1', table: 'customers' },
        { region: 'ap-southeast-2', table: 'customers' },
      ]),
      REPLICATION_FAILURE_QUEUE_URL: ref(json, 'aws_sqs_queue', 'Writer-us-east-1_', 'url'),
      REPLICATION_VERSION_ATTRIBUTE: '_v',
      REPLICATION_ORIGIN_ATTRIBUTE: '_o',
      REPLICATION_DELETED_ATTRIBUTE: '_d',
      REPLICATION_TTL_ATTRIBUTE: '_ttl',
      REPLICATION_WRITTEN_FOR_ATTRIBUTE: '_w',
      REPLICATION_STATE_TABLE: 'test-Customers-Writer-us-east-1-state',
      REPLICATION_BACKLOG_TABLE: 'test-Customers-Writer-us-east-1-Backlog',
      POWERTOOLS_SERVICE_NAME: 'customers-replication',
      POWERTOOLS_METRICS_NAMESPACE: 'DynamoDBReplication',
      // Every stream consumer is told its view type (the consumer toolkit reads it).
      DDB_STREAMS_VIEW_TYPE: 'NEW_AND_OLD_IMAGES',
    });
    for (const r of table.regions) expect(r.writers.map((w) => w.targetRegions)).toEqual([REGIONS.filter((x) => x !== r.region)]);
    // Its state table: in its own region, keyed and expired as handlers/replicate/key-state.ts expects.
    expect(one(json, 'aws_dynamodb_table', 'Writer-us-east-1_State_')).toMatchObject({
      name: 'test-Customers-Writer-us-east-1-state',
      billing_mode: 'PAY_PER_REQUEST',
      hash_key: 'k',
      attribute: [{ name: 'k', type: 'S' }],
      ttl: { enabled: true, attribute_name: 'exp' },
      server_side_encryption: { enabled: true },
      point_in_time_recovery: { enabled: true },
      deletion_protection_enabled: true,
      provider: 'aws.us_east_1',
    });
    const mapping = one(json, 'aws_lambda_event_source_mapping', 'Writer-us-east-1_');
    expect(mapping.metrics_config).toEqual({ metrics: ['EventCount'] });
    expect(mapping).toMatchObject({
      event_source_arn: `\${${TABLE('us-east-1')}_2F08CEB3.stream_arn}`.replace(
        '_2F08CEB3',
        resources(json, 'aws_dynamodb_table', 'Table-us-east-1_')[0][0].slice(-9),
      ),
      maximum_retry_attempts: -1,
      // Half the DynamoDB stream's 24 hours: records behind a given-up batch are read before the stream trims them.
      maximum_record_age_in_seconds: 43200,
      function_response_types: ['ReportBatchItemFailures'],
      bisect_batch_on_function_error: true,
    });
    expect(mapping.filter_criteria).toBeUndefined();
    // Given-up batches go whole to S3, not as stream positions to a queue.
    expect(mapping.destination_config.on_failure.destination_arn).toBe(
      ref(json, 'aws_s3_bucket', 'Writer-us-east-1_FailedBatches_', 'arn'),
    );
    expect(mapping.depends_on.filter((d: string) => d.startsWith('aws_dynamodb_table.')).sort()).toEqual(
      resources(json, 'aws_dynamodb_table')
        .filter(([id]) => !id.includes('us-east-1') && !id.includes('_State_') && !id.includes('_Backlog_'))
        .map(([id]) => `aws_dynamodb_table.${id}`)
        .sort(),
    );
  });

  test('GIVEN the package build WHEN synthesized THEN every writer deploys the prebuilt replica writer bundle, hashed by content, with no bundling at synth', () => {
    const bundle = join(__dirname, '..', '..', 'build', 'handlers', 'replicate');
    if (!existsSync(join(bundle, 'index.js')))
      throw new Error(`${bundle}/index.js is missing: run \`npm run build\` (npm test does) before this test`);
    const { table, synth } = replicated();
    const json = synth();
    for (const w of table.writers) {
      expect(w.consumer.bundle).toBeUndefined();
      expect(w.consumer.codeHash).toBe(directoryHash(bundle));
    }
    const drainer = join(__dirname, '..', '..', 'build', 'handlers', 'drain-backlog');
    for (const [id, fn] of resources(json, 'aws_lambda_function'))
      expect([fn.handler, fn.runtime, fn.architectures, fn.source_code_hash]).toEqual([
        'index.handler',
        'nodejs22.x',
        ['arm64'],
        directoryHash(id.includes('_Backlog_') ? drainer : bundle),
      ]);
    expect(resources(json, 'aws_lambda_function').filter(([id]) => id.includes('_Backlog_'))).toHaveLength(3);
  });

  test('GIVEN a writer WHEN its role policy is read THEN it holds exactly its stream, conditional puts on exactly the target tables, settling writes on its own table and its state table', () => {
    const json = replicated().synth();
    const table = (r: string) => ref(json, 'aws_dynamodb_table', `Table-${r}_`, 'arn');
    expect(writerPolicy(json, 'Writer-eu-west-1').Statement).toEqual([
      {
        Sid: 'ReadStream',
        Effect: 'Allow',
        Action: ['dynamodb:DescribeStream', 'dynamodb:GetRecords', 'dynamodb:GetShardIterator'],
        Resource: ref(json, 'aws_dynamodb_table', 'Table-eu-west-1_', 'stream_arn'),
      },
      { Sid: 'ListStreams', Effect: 'Allow', Action: 'dynamodb:ListStreams', Resource: '*' },
      {
        Sid: 'WriteLogs',
        Effect: 'Allow',
        Action: ['logs:CreateLogStream', 'logs:PutLogEvents'],
        Resource: `${ref(json, 'aws_cloudwatch_log_group', 'Writer-eu-west-1_Consumer_', 'arn')}:*`,
      },
      {
        Sid: 'WriteFailureRecords',
        Effect: 'Allow',
        Action: 's3:PutObject',
        Resource: `${ref(json, 'aws_s3_bucket', 'Writer-eu-west-1_FailedBatches_', 'arn')}/aws/lambda/*`,
      },
      {
        Sid: 'ListFailureBucket',
        Effect: 'Allow',
        Action: 's3:ListBucket',
        Resource: ref(json, 'aws_s3_bucket', 'Writer-eu-west-1_FailedBatches_', 'arn'),
      },
      {
        Sid: 'ParkRecords',
        Effect: 'Allow',
        Action: 'sqs:SendMessage',
        Resource: ref(json, 'aws_sqs_queue', 'Writer-eu-west-1_', 'arn'),
      },
      { Sid: 'WriteReplicas', Effect: 'Allow', Action: 'dynamodb:PutItem', Resource: [table('us-east-1'), table('ap-southeast-2')] },
      { Sid: 'SettleInPlace', Effect: 'Allow', Action: ['dynamodb:PutItem', 'dynamodb:UpdateItem'], Resource: table('eu-west-1') },
      {
        Sid: 'KeyState',
        Effect: 'Allow',
        Action: ['dynamodb:BatchGetItem', 'dynamodb:PutItem'],
        Resource: ref(json, 'aws_dynamodb_table', 'Writer-eu-west-1_State_', 'arn'),
      },
      {
        Sid: 'KeepBacklog',
        Effect: 'Allow',
        Action: 'dynamodb:UpdateItem',
        Resource: ref(json, 'aws_dynamodb_table', 'Writer-eu-west-1_Backlog_', 'arn'),
      },
    ]);
  });

  test('GIVEN customer-managed keys and stampedWritesOnly WHEN synthesized THEN kms is granted on exactly the keys used, and the writer may still re-stamp its own table', () => {
    const json = replicated(
      {
        encryption: 'CUSTOMER_MANAGED',
        stampedWritesOnly: true,
        home: { region: 'eu-west-1', encryptionKeyArn: KEY('eu-west-1') },
        replicas: [{ region: 'us-east-1', encryptionKeyArn: KEY('us-east-1') }],
      },
      ['eu-west-1', 'us-east-1'],
    ).synth();
    const statements = writerPolicy(json, 'Writer-eu-west-1').Statement;
    expect(statements.map((s: any) => s.Sid)).toEqual([
      'ReadStream',
      'ListStreams',
      'DecryptStream',
      'WriteLogs',
      'WriteFailureRecords',
      'ListFailureBucket',
      'ParkRecords',
      'WriteReplicas',
      'EncryptReplicas',
      'SettleInPlace',
      'KeyState',
      'KeepBacklog',
      'EncryptSource',
    ]);
    // The backlog shares the source table's key, and its conditional updates read what they replace.
    expect(statements.find((s: any) => s.Sid === 'EncryptSource')).toEqual({
      Sid: 'EncryptSource',
      Effect: 'Allow',
      Action: ['kms:Decrypt', 'kms:Encrypt', 'kms:GenerateDataKey'],
      Resource: KEY('eu-west-1'),
    });
    expect(statements.find((s: any) => s.Sid === 'DecryptStream')).toEqual({
      Sid: 'DecryptStream',
      Effect: 'Allow',
      Action: 'kms:Decrypt',
      Resource: KEY('eu-west-1'),
    });
    expect(statements.find((s: any) => s.Sid === 'EncryptReplicas')).toEqual({
      Sid: 'EncryptReplicas',
      Effect: 'Allow',
      Action: ['kms:Decrypt', 'kms:Encrypt', 'kms:GenerateDataKey'],
      Resource: KEY('us-east-1'),
    });
  });

  test('GIVEN stampedWritesOnly WHEN synthesized THEN each mapping only delivers records whose origin is its own region', () => {
    const json = replicated({ stampedWritesOnly: true }).synth();
    for (const region of REGIONS) {
      expect(one(json, 'aws_lambda_event_source_mapping', `Writer-${region}_`).filter_criteria).toEqual({
        filter: [{ pattern: JSON.stringify({ dynamodb: { NewImage: { _o: { S: [region] } } } }) }],
      });
    }
  });

  test('GIVEN replicateItemsWhere WHEN synthesized THEN matching items, tombstones and hard deletes pass the filter, with the origin condition when stampedWritesOnly', () => {
    const where = { tier: { S: ['gold'] } };
    const plain = replicated({ replicateItemsWhere: where }).synth();
    expect(
      one(plain, 'aws_lambda_event_source_mapping', 'Writer-eu-west-1_').filter_criteria.filter.map((f: any) => JSON.parse(f.pattern)),
    ).toEqual([
      { dynamodb: { NewImage: { tier: { S: ['gold'] } } } },
      { dynamodb: { NewImage: { _d: { BOOL: [true] } } } },
      { eventName: ['REMOVE'] },
    ]);
    const stamped = replicated({
      replicateItemsWhere: where,
      stampedWritesOnly: true,
      attributeNames: { origin: 'origin_', deleted: 'gone' },
    }).synth();
    expect(
      one(stamped, 'aws_lambda_event_source_mapping', 'Writer-us-east-1_').filter_criteria.filter.map((f: any) => JSON.parse(f.pattern)),
    ).toEqual([
      { dynamodb: { NewImage: { tier: { S: ['gold'] }, origin_: { S: ['us-east-1'] } } } },
      { dynamodb: { NewImage: { gone: { BOOL: [true] }, origin_: { S: ['us-east-1'] } } } },
    ]);
  });

  test('GIVEN a read replica that omits and masks attributes WHEN synthesized THEN it has no writer and every writer tells the handler what to leave out there', () => {
    const json = replicated({
      replicas: [
        { region: 'us-east-1' },
        { region: 'ap-southeast-2', readReplica: true, omitAttributes: ['email'], maskAttributes: ['phone'] },
      ],
    }).synth();
    expect(resources(json, 'aws_lambda_function', 'ap-southeast-2')).toHaveLength(0);
    for (const w of ['Writer-eu-west-1', 'Writer-us-east-1']) {
      const targets = JSON.parse(writerEnv(json, w).REPLICATION_TARGETS);
      expect(targets.find((t: any) => t.region === 'ap-southeast-2')).toEqual({
        region: 'ap-southeast-2',
        table: 'customers',
        omit: ['email'],
        mask: ['phone'],
      });
    }
  });

  test('GIVEN one-way mode WHEN synthesized THEN only the home region has a writer, copying to every replica', () => {
    const { synth, table } = replicated({ mode: 'one-way' });
    const json = synth();
    // The writer and its backlog drainer.
    expect(resources(json, 'aws_lambda_function').map(([id]) => id.split('_').slice(1, 3).join('_'))).toEqual([
      'Writer-eu-west-1_Backlog',
      'Writer-eu-west-1_Consumer',
    ]);
    expect(JSON.parse(writerEnv(json, 'Writer-eu-west-1').REPLICATION_TARGETS).map((t: any) => t.region)).toEqual([
      'us-east-1',
      'ap-southeast-2',
    ]);
    expect(table.regions.map((r) => r.readReplica)).toEqual([false, true, true]);
  });

  test('GIVEN per-target writers over three regions WHEN synthesized THEN each stream has two writers of one target each and refuses a third reader', () => {
    const { table, synth } = replicated({ writerLayout: 'per-target' });
    const json = synth();
    // Six writers, each with its own backlog drainer.
    expect(resources(json, 'aws_lambda_function').filter(([id]) => id.includes('_Consumer_'))).toHaveLength(6);
    expect(resources(json, 'aws_lambda_function').filter(([id]) => id.includes('_Backlog_'))).toHaveLength(6);
    expect(JSON.parse(writerEnv(json, 'Writer-eu-west-1-to-us-east-1').REPLICATION_TARGETS)).toEqual([
      { region: 'us-east-1', table: 'customers' },
    ]);
    const eu = table.region('eu-west-1').table!;
    expect(eu.streamReaders.map((r) => r.node.path)).toEqual([
      'test/Customers/Writer-eu-west-1-to-us-east-1/Consumer',
      'test/Customers/Writer-eu-west-1-to-ap-southeast-2/Consumer',
    ]);
    expect(() =>
      eu.addStreamReader(new LambdaEventSourceMapping(table, 'Mine', { functionName: 'f', eventSourceArn: eu.streamArn })),
    ).toThrow(
      /test\/Customers\/Table-eu-west-1: the stream of table "customers" already has 2 readers .* test\/Customers\/Mine would be a third/,
    );
  });
});
