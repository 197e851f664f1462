/**
 * ReplicatedTable synthesized across regions: one provider per region, identical tables, an adopted home table,
 * determinism, and the providers a ModuleStack is given.
 */
import { Testing } from 'cdktf';
import { multiRegionStack } from '../../examples/multi-region';
import { ModuleStack } from '../../modules/module-stack';
import { ReplicatedTable } from '../../modules';
import { StreamTable } from '../../modules/stream-table';
import { KEY, newStack, one, providers, REGIONS, replicated, resources, writerPolicy, ref } from './support/replication';

describe('ReplicatedTable: regions and providers', () => {
  test('GIVEN three regions WHEN synthesized THEN every table, writer resource and alarm carries its own region provider alias', () => {
    const json = replicated().synth();
    for (const region of REGIONS) {
      const alias = `aws.${region.replace(/-/g, '_')}`;
      expect(one(json, 'aws_dynamodb_table', `Table-${region}_`)).toMatchObject({
        provider: alias,
        name: 'customers',
        stream_enabled: true,
        stream_view_type: 'NEW_AND_OLD_IMAGES',
      });
      for (const type of [
        'aws_lambda_function',
        'aws_lambda_event_source_mapping',
        'aws_iam_role',
        'aws_iam_role_policy',
        'aws_cloudwatch_log_group',
        'aws_sqs_queue',
        'aws_sqs_queue_policy',
        'aws_sns_topic',
        'aws_kms_key',
      ]) {
        const own = resources(json, type, `-${region}_`);
        expect(own.length).toBeGreaterThan(0);
        for (const [, r] of own) expect(r.provider).toBe(alias);
      }
      for (const [id, alarm] of resources(json, 'aws_cloudwatch_metric_alarm', `Writer-${region}_`))
        expect([id, alarm.provider]).toEqual([id, alias]);
    }
    expect(one(json, 'aws_cloudwatch_dashboard', 'Dashboard').provider).toBe('aws.eu_west_1');
  });

  test('GIVEN the same key schema, indexes, TTL, encryption and protection WHEN synthesized THEN every region table is identical but for its provider', () => {
    const json = replicated(
      {
        globalSecondaryIndexes: [{ name: 'byEmail', partitionKey: { name: 'email', type: 'S' } }],
        encryption: 'CUSTOMER_MANAGED',
        home: { region: 'eu-west-1', encryptionKeyArn: KEY('eu-west-1') },
        replicas: [{ region: 'us-east-1', encryptionKeyArn: KEY('us-east-1') }],
      },
      ['eu-west-1', 'us-east-1'],
    ).synth();
    const [eu, us] = ['eu-west-1', 'us-east-1'].map((r) => one(json, 'aws_dynamodb_table', `Table-${r}_`));
    const strip = (t: any) => ({
      ...t,
      provider: undefined,
      server_side_encryption: { ...t.server_side_encryption, kms_key_arn: undefined },
    });
    expect(strip(eu)).toEqual(strip(us));
    expect(eu).toMatchObject({
      hash_key: 'pk',
      attribute: [
        { name: 'email', type: 'S' },
        { name: 'pk', type: 'S' },
      ],
      ttl: { enabled: true, attribute_name: '_ttl' },
      point_in_time_recovery: { enabled: true },
      deletion_protection_enabled: true,
      lifecycle: { prevent_destroy: true },
      server_side_encryption: { enabled: true, kms_key_arn: KEY('eu-west-1') },
    });
    expect(us.server_side_encryption.kms_key_arn).toBe(KEY('us-east-1'));
  });

  test('GIVEN an existing StreamTable as the home table WHEN synthesized THEN it is adopted, read by the home writer and written by the others', () => {
    const stack = newStack();
    const p = providers(stack, ['eu-west-1', 'us-east-1']);
    const existing = new StreamTable(stack, 'Existing', {
      tableName: 'customers',
      partitionKey: { name: 'pk', type: 'S' },
      timeToLiveAttribute: '_ttl',
      provider: p['eu-west-1'],
    });
    const table = new ReplicatedTable(stack, 'Customers', {
      tableName: 'customers',
      partitionKey: { name: 'pk', type: 'S' },
      home: { region: 'eu-west-1', table: existing },
      replicas: [{ region: 'us-east-1', provider: p['us-east-1'] }],
    });
    const json = JSON.parse(Testing.synth(stack));
    expect(
      resources(json, 'aws_dynamodb_table')
        .map(([id]) => id.split('_')[0] + '_' + id.split('_')[1])
        .sort(),
    ).toEqual([
      'Customers_Table-us-east-1',
      // Each writer's backlog and state tables.
      'Customers_Writer-eu-west-1',
      'Customers_Writer-eu-west-1',
      'Customers_Writer-us-east-1',
      'Customers_Writer-us-east-1',
      'Existing_Table',
    ]);
    expect(table.home.table).toBe(existing);
    expect(existing.streamReaders.map((r) => r.node.path)).toEqual(['test/Customers/Writer-eu-west-1/Consumer']);
    expect(writerPolicy(json, 'Writer-us-east-1').Statement.find((s: any) => s.Sid === 'WriteReplicas').Resource).toBe(
      ref(json, 'aws_dynamodb_table', 'Existing_', 'arn'),
    );
  });

  test('GIVEN no providers WHEN two replicated tables share regions THEN one aliased provider per region is created and shared', () => {
    const stack = newStack();
    for (const name of ['a', 'b'])
      new ReplicatedTable(stack, name, {
        tableName: name + 'tbl',
        partitionKey: { name: 'pk', type: 'S' },
        home: { region: 'eu-west-1' },
        replicas: [{ region: 'us-east-1' }],
      });
    const json = JSON.parse(Testing.synth(stack));
    expect(json.provider.aws).toEqual([
      { alias: 'eu_west_1', region: 'eu-west-1' },
      { alias: 'us_east_1', region: 'us-east-1' },
    ]);
    expect(one(json, 'aws_dynamodb_table', 'b_Table-us-east-1').provider).toBe('aws.us_east_1');
  });
});

describe('ReplicatedTable: determinism', () => {
  test('GIVEN the multi-region example WHEN synthesized twice THEN the output is byte-identical', () => {
    const once = () => Testing.synth(multiRegionStack(Testing.app(), 'multi-region'));
    expect(once()).toBe(once());
  });
});

describe('ReplicatedTable in a ModuleStack', () => {
  test('GIVEN the module provider aliases WHEN synthesized THEN the module keeps no provider block and each region uses the alias its caller passes', () => {
    const stack = new ModuleStack(Testing.app(), 'mod', { providerAliases: ['us'] });
    new ReplicatedTable(stack, 'Customers', {
      tableName: 'customers',
      partitionKey: { name: 'pk', type: 'S' },
      home: { region: 'eu-west-1', provider: stack.provider() },
      replicas: [{ region: 'us-east-1', provider: stack.provider('us') }],
    });
    const json = JSON.parse(Testing.synth(stack));
    expect(json.provider).toBeUndefined();
    expect(json.terraform.required_providers.aws.configuration_aliases).toEqual(['aws.us']);
    expect(one(json, 'aws_dynamodb_table', 'Table-us-east-1_').provider).toBe('aws.us');
    expect(one(json, 'aws_lambda_function', 'Writer-us-east-1_Consumer_').provider).toBe('aws.us');
    expect(one(json, 'aws_lambda_function', 'Writer-eu-west-1_Consumer_').provider).toBe('aws');
  });

  test('GIVEN a region without a provider WHEN built in a ModuleStack THEN it fails saying which provider to pass', () => {
    const stack = new ModuleStack(Testing.app(), 'mod');
    expect(
      () =>
        new ReplicatedTable(stack, 'Customers', {
          tableName: 'customers',
          partitionKey: { name: 'pk', type: 'S' },
          home: { region: 'eu-west-1', provider: stack.provider() },
          replicas: [{ region: 'us-east-1' }],
        }),
    ).toThrow(
      "mod/Customers: in a ModuleStack, pass the provider of us-east-1 (stack.provider('<alias>'), declared in providerAliases) as the region's provider",
    );
  });
});
