/**
 * Providers checked against the regions they stand for: Terraform builds a
 * resource wherever its provider points, so a provider configured for another region, or one
 * provider given for two regions, would put tables and writers in the wrong region.
 */
import { TerraformStack, TerraformVariable, Testing } from 'cdktf';
import { AwsProvider } from '@cdktf/provider-aws/lib/provider';
import { PipelineAlarms, ReplicatedTable } from '../../modules';
import { ModuleStack } from '../../modules/module-stack';
import { StreamTable } from '../../modules/stream-table';
import { newStack, resources } from './support/replication';
import { problems } from '../support/validation-problems';

const P = 'test/Customers';
const base = { tableName: 'customers', partitionKey: { name: 'pk', type: 'S' as const } };

describe('ReplicatedTable providers', () => {
  test('GIVEN us-east-1 with a provider configured for us-west-2 WHEN constructed THEN synth fails naming the region, the provider and its region', () => {
    const stack = newStack();
    const east = new AwsProvider(stack, 'east', { region: 'eu-west-1', alias: 'eu' });
    const west = new AwsProvider(stack, 'west', { region: 'us-west-2', alias: 'west' });
    expect(
      problems(
        () =>
          new ReplicatedTable(stack, 'Customers', {
            ...base,
            home: { region: 'eu-west-1', provider: east },
            replicas: [{ region: 'us-east-1', provider: west }],
          }),
      ),
    ).toEqual([
      `${P}: replicas[0].provider must be a provider configured for us-east-1, the region it stands for ` +
        '(that provider is configured for us-west-2: its table and writer would be created in us-west-2, not us-east-1) (got "test/west (aws.west)")',
    ]);
  });

  test('GIVEN one provider object for two regions WHEN constructed THEN the second use is refused, naming the first', () => {
    const stack = newStack();
    const shared = new AwsProvider(stack, 'aws', { region: 'eu-west-1' });
    const found = problems(
      () =>
        new ReplicatedTable(stack, 'Customers', {
          ...base,
          home: { region: 'eu-west-1', provider: shared },
          replicas: [{ region: 'us-east-1', provider: shared }],
        }),
    );
    expect(found).toEqual([
      `${P}: replicas[0].provider must be a provider configured for us-east-1, the region it stands for ` +
        '(that provider is configured for eu-west-1: its table and writer would be created in eu-west-1, not us-east-1) (got "test/aws (aws)")',
      `${P}: replicas[0].provider must be a provider used for us-east-1 only ` +
        '(home uses that provider for eu-west-1 already; one provider reaches one region, so us-east-1 would be built in the same region as eu-west-1) (got "test/aws (aws)")',
    ]);
  });

  test('GIVEN one provider whose region is a variable for two regions WHEN constructed THEN only the sharing can be checked, and it is refused', () => {
    const stack = newStack();
    const region = new TerraformVariable(stack, 'region', { type: 'string' });
    const shared = new AwsProvider(stack, 'aws', { region: region.stringValue });
    expect(
      problems(
        () =>
          new ReplicatedTable(stack, 'Customers', {
            ...base,
            home: { region: 'eu-west-1', provider: shared },
            replicas: [{ region: 'us-east-1', provider: shared }],
          }),
      ),
    ).toEqual([
      `${P}: replicas[0].provider must be a provider used for us-east-1 only ` +
        '(home uses that provider for eu-west-1 already; one provider reaches one region, so us-east-1 would be built in the same region as eu-west-1) (got "test/aws (aws)")',
    ]);
  });

  test('GIVEN an existing table on the default provider of another region WHEN given as a region table THEN it is refused as the table', () => {
    const stack = newStack();
    new AwsProvider(stack, 'aws', { region: 'eu-west-1' });
    const us = new AwsProvider(stack, 'us', { region: 'us-east-1', alias: 'us' });
    const existing = new StreamTable(stack, 'Existing', { ...base, timeToLiveAttribute: '_ttl' });
    expect(
      problems(
        () =>
          new ReplicatedTable(stack, 'Customers', {
            ...base,
            home: { region: 'us-east-1', provider: us },
            replicas: [{ region: 'ap-southeast-2', table: existing }],
          }),
      ),
    ).toEqual([
      `${P}: replicas[0].table must be a table on a provider configured for ap-southeast-2, the region it stands for ` +
        '(that provider is configured for eu-west-1: its table and writer would be created in eu-west-1, not ap-southeast-2) (got "test/aws (aws)")',
    ]);
  });

  test('GIVEN a global table whose replica provider is configured for another region WHEN constructed THEN it is refused, saying what would land there', () => {
    const stack = newStack();
    const eu = new AwsProvider(stack, 'eu', { region: 'eu-west-1', alias: 'eu' });
    const wrong = new AwsProvider(stack, 'wrong', { region: 'eu-west-2', alias: 'wrong' });
    expect(
      problems(
        () =>
          new ReplicatedTable(stack, 'Customers', {
            ...base,
            mode: 'global-table',
            home: { region: 'eu-west-1', provider: eu },
            replicas: [{ region: 'us-east-1', provider: wrong }],
          }),
      ),
    ).toEqual([
      `${P}: replicas[0].provider must be a provider configured for us-east-1, the region it stands for ` +
        '(that provider is configured for eu-west-2: its stream grants and alarms would be created in eu-west-2, not us-east-1) (got "test/wrong (aws.wrong)")',
    ]);
  });

  test('GIVEN matching literal providers, a provider whose region is a variable and one without a region WHEN synthesized THEN each table is on the provider given for its region', () => {
    const stack = newStack();
    const region = new TerraformVariable(stack, 'region', { type: 'string' });
    const eu = new AwsProvider(stack, 'eu', { region: 'eu-west-1', alias: 'eu' });
    const us = new AwsProvider(stack, 'us', { region: region.stringValue, alias: 'us' });
    const ap = new AwsProvider(stack, 'ap', { alias: 'ap' });
    new ReplicatedTable(stack, 'Customers', {
      ...base,
      home: { region: 'eu-west-1', provider: eu },
      replicas: [
        { region: 'us-east-1', provider: us },
        { region: 'ap-southeast-2', provider: ap },
      ],
    });
    const json = JSON.parse(Testing.synth(stack));
    // Every table (the replicated ones and any writer state) sits on the provider of the region in its id.
    const expected: Record<string, string> = { 'eu-west-1': 'aws.eu', 'us-east-1': 'aws.us', 'ap-southeast-2': 'aws.ap' };
    const tables = resources(json, 'aws_dynamodb_table').map(([id, t]) => ({ id, provider: t.provider }));
    expect(tables.filter((t) => t.id.startsWith('Customers_Table-'))).toHaveLength(3);
    for (const t of tables) {
      const region = /(?:Table|Writer)-([a-z]+-[a-z]+-\d)/.exec(t.id)?.[1];
      expect({ id: t.id, provider: t.provider }).toEqual({ id: t.id, provider: expected[region ?? 'none'] });
    }
  });

  test('GIVEN no providers WHEN synthesized THEN each region gets a provider configured for it', () => {
    const stack = newStack();
    new ReplicatedTable(stack, 'Customers', { ...base, home: { region: 'eu-west-1' }, replicas: [{ region: 'us-east-1' }] });
    const json = JSON.parse(Testing.synth(stack));
    expect(json.provider.aws.map((p: { alias: string; region: string }) => [p.alias, p.region])).toEqual([
      ['eu_west_1', 'eu-west-1'],
      ['us_east_1', 'us-east-1'],
    ]);
  });

  test('GIVEN a ModuleStack passing the same caller provider for two regions WHEN constructed THEN it is refused though its region is unknown', () => {
    const stack = new ModuleStack(Testing.app(), 'mod', { providerAliases: ['us'] });
    expect(
      problems(
        () =>
          new ReplicatedTable(stack, 'Customers', {
            ...base,
            home: { region: 'eu-west-1', provider: stack.provider() },
            replicas: [{ region: 'us-east-1', provider: stack.provider() }],
          }),
      ),
    ).toEqual([
      'mod/Customers: replicas[0].provider must be a provider used for us-east-1 only ' +
        '(home uses that provider for eu-west-1 already; one provider reaches one region, so us-east-1 would be built in the same region as eu-west-1) (got "mod/aws (aws)")',
    ]);
  });
});

describe('PipelineAlarms region and provider', () => {
  function stackWith(region: string): { stack: TerraformStack; provider: AwsProvider } {
    const stack = new TerraformStack(Testing.app(), 'test');
    return { stack, provider: new AwsProvider(stack, 'west', { region, alias: 'west' }) };
  }

  test('GIVEN a dashboard region other than the literal region of the alarms provider WHEN constructed THEN it is refused', () => {
    const { stack, provider } = stackWith('us-west-2');
    expect(problems(() => new PipelineAlarms(stack, 'Alarms', { functionName: 'fn', region: 'us-east-1', provider }))).toEqual([
      'test/Alarms: region must be the region of its provider test/west (aws.west), which is configured for us-west-2 ' +
        '(its graphs would read a region where these alarms are not) (got "us-east-1")',
    ]);
  });

  test('GIVEN an extra alarm whose graph region differs from its provider region WHEN added THEN it is refused; a matching one is added', () => {
    const { stack, provider } = stackWith('us-west-2');
    const alarms = new PipelineAlarms(stack, 'Alarms', { functionName: 'fn', provider, actionArns: [] });
    const extra = { nameSuffix: 'x', title: 'X', description: 'x', namespace: 'N', metricName: 'M', dimensions: { FunctionName: 'fn' } };
    expect(problems(() => alarms.addAlarm('wrong', { ...extra, region: 'eu-west-1' }))).toEqual([
      'test/Alarms: addAlarm(wrong).region must be the region of its provider test/west (aws.west), which is configured for us-west-2 ' +
        '(an alarm watches metrics of its own region only; its graph would show another) (got "eu-west-1")',
    ]);
    expect(alarms.addAlarm('right', { ...extra, region: 'us-west-2' })).toBeDefined();
  });
});
