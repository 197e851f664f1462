/**
 * The construct side of the per-target backlog (docs/replication-protocol.md, "Targets that fail"):
 * each writer's backlog table, its drainer on a one-minute schedule, their grants and alarms. The
 * oracles are the handler's own contract (handlers/replicate/config.ts, backlog.ts, drain-backlog.ts),
 * read by the real handler code, not the construct's constants.
 */
import { DRAIN_METRICS as DRAIN_METRIC, WRITER_ENV as ENV } from '../../handlers/contract';
import { drainConfigFromEnv } from '../../handlers/replicate/drain-backlog';
import { BACKLOG_ATTRIBUTES } from '../../handlers/replicate/backlog';
import { configFromEnv } from '../../handlers/replicate/config';
import { ReplicaWriter } from '../../modules/replication/writer';
import { drainerEnv, drainerPolicy, KEY, one, ref, replicated, resources, writerEnv } from './support/replication';

const EU = 'Writer-eu-west-1';

describe('ReplicatedTable: per-target backlog', () => {
  test('GIVEN a writer WHEN synthesized THEN its backlog table has the handler key schema, on demand, encrypted, backed up and protected', () => {
    const json = replicated().synth();
    const table = one(json, 'aws_dynamodb_table', `${EU}_Backlog_`);
    expect(table).toEqual({
      name: 'test-Customers-Writer-eu-west-1-Backlog',
      billing_mode: 'PAY_PER_REQUEST',
      hash_key: BACKLOG_ATTRIBUTES.target,
      range_key: BACKLOG_ATTRIBUTES.key,
      attribute: [
        { name: 't', type: 'S' },
        { name: 'k', type: 'S' },
      ],
      server_side_encryption: { enabled: true },
      point_in_time_recovery: { enabled: true },
      deletion_protection_enabled: true,
      lifecycle: { prevent_destroy: true },
      provider: 'aws.eu_west_1',
    });
  });

  test('GIVEN a customer-managed source key and unprotected tables WHEN synthesized THEN the backlog uses that key and can be destroyed', () => {
    const json = replicated(
      {
        encryption: 'CUSTOMER_MANAGED',
        deletionProtection: false,
        preventDestroy: false,
        home: { region: 'eu-west-1', encryptionKeyArn: KEY('eu-west-1') },
        replicas: [{ region: 'us-east-1', encryptionKeyArn: KEY('us-east-1') }],
      },
      ['eu-west-1', 'us-east-1'],
    ).synth();
    const table = one(json, 'aws_dynamodb_table', `${EU}_Backlog_`);
    expect(table.server_side_encryption).toEqual({ enabled: true, kms_key_arn: KEY('eu-west-1') });
    expect(table.deletion_protection_enabled).toBe(false);
    expect(table.lifecycle).toBeUndefined();
    expect(one(json, 'aws_dynamodb_table', `${EU}_State_`).deletion_protection_enabled).toBe(false);
    expect(drainerPolicy(json, EU).Statement.filter((s: any) => s.Action.includes?.('kms:Decrypt'))).toEqual([
      { Sid: 'EncryptBacklog', Effect: 'Allow', Action: ['kms:Decrypt', 'kms:Encrypt', 'kms:GenerateDataKey'], Resource: KEY('eu-west-1') },
      {
        Sid: 'EncryptReplicas',
        Effect: 'Allow',
        Action: ['kms:Decrypt', 'kms:Encrypt', 'kms:GenerateDataKey'],
        Resource: KEY('us-east-1'),
      },
    ]);
  });

  test('GIVEN a writer WHEN its environment and its drainer environment are read by the real handlers THEN both name the same backlog and targets', () => {
    const json = replicated().synth();
    const writer = configFromEnv({ ...writerEnv(json, EU), [ENV.failureQueueUrl]: 'https://sqs.example/queue' });
    const drainer = drainConfigFromEnv(drainerEnv(json, EU));
    expect(writer.backlogTable).toBe('test-Customers-Writer-eu-west-1-Backlog');
    expect(drainer).toMatchObject({
      sourceRegion: 'eu-west-1',
      backlogTable: writer.backlogTable,
      targets: writer.targets,
      names: { version: writer.names.version },
    });
  });

  test('GIVEN a writer WHEN synthesized THEN its drainer is the drain-backlog bundle, logging to its own group, run every minute by EventBridge', () => {
    const json = replicated().synth();
    const fn = one(json, 'aws_lambda_function', `${EU}_Backlog_`);
    expect(fn).toMatchObject({
      function_name: 'test-Customers-Writer-eu-west-1-Backlog-drain',
      handler: 'index.handler',
      runtime: 'nodejs22.x',
      timeout: 60,
      role: ref(json, 'aws_iam_role', `${EU}_Backlog_`, 'arn'),
      logging_config: { log_group: ref(json, 'aws_cloudwatch_log_group', `${EU}_Backlog_`, 'name') },
      provider: 'aws.eu_west_1',
    });
    expect(one(json, 'aws_cloudwatch_log_group', `${EU}_Backlog_`).name).toBe('/aws/lambda/test-Customers-Writer-eu-west-1-Backlog-drain');
    expect(one(json, 'aws_cloudwatch_event_rule', `${EU}_`)).toMatchObject({
      schedule_expression: 'rate(1 minute)',
      provider: 'aws.eu_west_1',
    });
    expect(one(json, 'aws_cloudwatch_event_target', `${EU}_`)).toMatchObject({
      rule: ref(json, 'aws_cloudwatch_event_rule', `${EU}_`, 'name'),
      arn: ref(json, 'aws_lambda_function', `${EU}_Backlog_`, 'arn'),
    });
    expect(one(json, 'aws_lambda_permission', `${EU}_`)).toMatchObject({
      action: 'lambda:InvokeFunction',
      principal: 'events.amazonaws.com',
      function_name: ref(json, 'aws_lambda_function', `${EU}_Backlog_`, 'function_name'),
      source_arn: ref(json, 'aws_cloudwatch_event_rule', `${EU}_`, 'arn'),
    });
  });

  test("GIVEN a drainer WHEN its role policy is read THEN it may page, re-mark and remove backlog entries, read its own region's table, and put into exactly the targets", () => {
    const json = replicated().synth();
    const table = (r: string) => ref(json, 'aws_dynamodb_table', `Table-${r}_`, 'arn');
    expect(drainerPolicy(json, EU).Statement).toEqual([
      {
        Sid: 'DrainBacklog',
        Effect: 'Allow',
        Action: ['dynamodb:DeleteItem', 'dynamodb:Query', 'dynamodb:UpdateItem'],
        Resource: ref(json, 'aws_dynamodb_table', `${EU}_Backlog_`, 'arn'),
      },
      // Each entry is checked against the source's current item before it is applied.
      { Sid: 'ReadSource', Effect: 'Allow', Action: 'dynamodb:GetItem', Resource: table('eu-west-1') },
      { Sid: 'WriteReplicas', Effect: 'Allow', Action: 'dynamodb:PutItem', Resource: [table('us-east-1'), table('ap-southeast-2')] },
      {
        Sid: 'WriteLogs',
        Effect: 'Allow',
        Action: ['logs:CreateLogStream', 'logs:PutLogEvents'],
        Resource: `${ref(json, 'aws_cloudwatch_log_group', `${EU}_Backlog_`, 'arn')}:*`,
      },
    ]);
  });

  test('GIVEN a cross-account target WHEN synthesized THEN the drainer may only assume its role and passes the ARN to the handler', () => {
    const role = 'arn:aws:iam::210987654321:role/customers-replica-writes';
    const json = replicated({ replicas: [{ region: 'us-east-1', writerRoleArn: role }] }, ['eu-west-1', 'us-east-1']).synth();
    const statements = drainerPolicy(json, EU).Statement;
    expect(statements.map((s: any) => s.Sid)).toEqual(['DrainBacklog', 'ReadSource', 'AssumeReplicaRoles', 'WriteLogs']);
    expect(statements[2].Resource).toBe(role);
    expect(drainConfigFromEnv(drainerEnv(json, EU)).targets).toEqual([
      expect.objectContaining({ region: 'us-east-1', table: 'customers', roleArn: role }),
    ]);
  });

  test('GIVEN three regions WHEN synthesized THEN each writer has an alarm per target on the oldest backlog entry, naming the target, and a backlog graph', () => {
    const { table, synth } = replicated();
    const json = synth();
    const backlog = resources(json, 'aws_cloudwatch_metric_alarm')
      .filter(([, a]) => a.metric_name === DRAIN_METRIC.oldestAge)
      .map(([, a]) => a);
    expect(backlog).toHaveLength(6);
    const euToUs = backlog.find((a) => a.dimensions.SourceRegion === 'eu-west-1' && a.dimensions.TargetRegion === 'us-east-1');
    expect(euToUs).toMatchObject({
      alarm_name: 'test-Customers-Writer-eu-west-1-backlog-us-east-1',
      namespace: 'DynamoDBReplication',
      // What Powertools publishes: its `service` dimension plus the drainer's own.
      dimensions: { service: 'customers-replication', SourceRegion: 'eu-west-1', TargetRegion: 'us-east-1' },
      statistic: 'Maximum',
      threshold: 300,
      comparison_operator: 'GreaterThanThreshold',
      provider: 'aws.eu_west_1',
    });
    expect(euToUs.alarm_description).toContain('customers in us-east-1');
    const eu = table.writers.find((w) => w.sourceRegion === 'eu-west-1') as ReplicaWriter;
    expect(eu.widgets.filter((w) => w.title.startsWith('Backlog')).map((w) => w.lines.map((l) => l.metricName))).toEqual([
      [DRAIN_METRIC.depth, DRAIN_METRIC.oldestAge],
      [DRAIN_METRIC.depth, DRAIN_METRIC.oldestAge],
    ]);
  });
});
