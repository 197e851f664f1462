import type {} from 'cdktf/lib/testing/adapters/jest';
import { TerraformStack, Testing } from 'cdktf';
import { resolve } from 'cdktf/lib/_tokens';
import { Construct } from 'constructs';
import { AwsProvider } from '@cdktf/provider-aws/lib/provider';
import { DynamodbTable } from '@cdktf/provider-aws/lib/dynamodb-table';
import { StreamTable, StreamTableProps } from '../../modules/stream-table';
import { planOf } from '../support/stack-plans';

const KEY_ARN = 'arn:aws:kms:eu-west-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab';

function newStack(): TerraformStack {
  const stack = new TerraformStack(Testing.app(), 'test');
  new AwsProvider(stack, 'aws', { region: 'eu-west-1' });
  return stack;
}

function tableOf(props: Partial<StreamTableProps> = {}): { stack: TerraformStack; table: StreamTable; synth: string } {
  const stack = newStack();
  const table = new StreamTable(stack, 'Orders', { tableName: 'orders', partitionKey: { name: 'pk', type: 'S' }, ...props });
  return { stack, table, synth: Testing.synth(stack) };
}

function tableJson(synth: string): any {
  return JSON.parse(synth).resource.aws_dynamodb_table.Orders_Table_C3D8F3FA;
}

function problemOf(props: Partial<StreamTableProps>): string {
  try {
    tableOf(props);
  } catch (e) {
    return (e as Error).message;
  }
  throw new Error('expected the construct to reject the props');
}

describe('StreamTable synth', () => {
  test('GIVEN only a name and a partition key WHEN synthesized THEN the production defaults are rendered', () => {
    const { synth } = tableOf();
    expect(tableJson(synth)).toEqual({
      name: 'orders',
      billing_mode: 'PAY_PER_REQUEST',
      hash_key: 'pk',
      attribute: [{ name: 'pk', type: 'S' }],
      stream_enabled: true,
      stream_view_type: 'NEW_AND_OLD_IMAGES',
      server_side_encryption: { enabled: true },
      point_in_time_recovery: { enabled: true },
      deletion_protection_enabled: true,
      lifecycle: { prevent_destroy: true },
    });
  });

  test('GIVEN a sort key, global and local indexes WHEN synthesized THEN each key attribute is declared once and only keys are declared', () => {
    const { synth } = tableOf({
      sortKey: { name: 'sk', type: 'S' },
      globalSecondaryIndexes: [
        { name: 'byCustomer', partitionKey: { name: 'customerId', type: 'S' }, sortKey: { name: 'createdAt', type: 'N' } },
        { name: 'bySk', partitionKey: { name: 'sk', type: 'S' }, projectionType: 'INCLUDE', nonKeyAttributes: ['total'] },
      ],
      localSecondaryIndexes: [{ name: 'byCreated', sortKey: { name: 'createdAt', type: 'N' }, projectionType: 'KEYS_ONLY' }],
    });
    const t = tableJson(synth);
    expect(t.range_key).toBe('sk');
    expect(t.attribute).toEqual([
      { name: 'createdAt', type: 'N' },
      { name: 'customerId', type: 'S' },
      { name: 'pk', type: 'S' },
      { name: 'sk', type: 'S' },
    ]);
    expect(t.global_secondary_index).toEqual([
      { name: 'byCustomer', hash_key: 'customerId', range_key: 'createdAt', projection_type: 'ALL' },
      { name: 'bySk', hash_key: 'sk', projection_type: 'INCLUDE', non_key_attributes: ['total'] },
    ]);
    expect(t.local_secondary_index).toEqual([{ name: 'byCreated', range_key: 'createdAt', projection_type: 'KEYS_ONLY' }]);
  });

  test('GIVEN PROVISIONED billing WHEN synthesized THEN table and index capacities are rendered', () => {
    const { synth } = tableOf({
      billingMode: 'PROVISIONED',
      readCapacity: 5,
      writeCapacity: 7,
      globalSecondaryIndexes: [{ name: 'byOther', partitionKey: { name: 'other', type: 'N' }, readCapacity: 2, writeCapacity: 3 }],
    });
    const t = tableJson(synth);
    expect([t.billing_mode, t.read_capacity, t.write_capacity]).toEqual(['PROVISIONED', 5, 7]);
    expect(t.global_secondary_index[0]).toMatchObject({ read_capacity: 2, write_capacity: 3 });
  });

  test('GIVEN a TTL attribute, a view type, a table class and tags WHEN synthesized THEN they are rendered', () => {
    const { synth } = tableOf({
      timeToLiveAttribute: 'expiresAt',
      streamViewType: 'KEYS_ONLY',
      tableClass: 'STANDARD_INFREQUENT_ACCESS',
      tags: { team: 'orders' },
    });
    expect(synth).toHaveResourceWithProperties(DynamodbTable, {
      ttl: { enabled: true, attribute_name: 'expiresAt' },
      stream_view_type: 'KEYS_ONLY',
      table_class: 'STANDARD_INFREQUENT_ACCESS',
      tags: { team: 'orders' },
    });
  });

  test('GIVEN a customer-managed key WHEN synthesized THEN SSE uses it and stream readers get kms:Decrypt on exactly that key', () => {
    const { synth, table } = tableOf({ encryptionKeyArn: KEY_ARN });
    expect(tableJson(synth).server_side_encryption).toEqual({ enabled: true, kms_key_arn: KEY_ARN });
    expect(table.encryptionKeyArn).toBe(KEY_ARN);
    expect(table.streamReadStatements().map((s) => [s.sid, s.actions, s.resources])).toEqual([
      ['ReadStream', ['dynamodb:DescribeStream', 'dynamodb:GetRecords', 'dynamodb:GetShardIterator'], [table.streamArn]],
      ['ListStreams', ['dynamodb:ListStreams'], ['*']],
      ['DecryptStream', ['kms:Decrypt'], [KEY_ARN]],
    ]);
  });

  test('GIVEN AWS-owned encryption WHEN synthesized THEN SSE is disabled (AWS-owned key) and no kms statement is granted', () => {
    const { synth, table } = tableOf({ encryption: 'AWS_OWNED' });
    expect(tableJson(synth).server_side_encryption).toEqual({ enabled: false });
    expect(table.encryptionKeyArn).toBeUndefined();
    expect(table.streamReadStatements().flatMap((s) => s.actions)).not.toContain('kms:Decrypt');
  });

  test('GIVEN a PITR period WHEN synthesized THEN recovery_period_in_days is set (hashicorp/aws 5.100 has the argument)', () => {
    expect(tableJson(tableOf({ pointInTimeRecoveryDays: 7 }).synth).point_in_time_recovery).toEqual({
      enabled: true,
      recovery_period_in_days: 7,
    });
  });

  test('GIVEN PITR, deletion protection and prevent_destroy switched off WHEN synthesized THEN all three are off', () => {
    const t = tableJson(tableOf({ pointInTimeRecovery: false, deletionProtection: false, preventDestroy: false }).synth);
    expect(t.point_in_time_recovery).toEqual({ enabled: false });
    expect(t.deletion_protection_enabled).toBe(false);
    expect(t.lifecycle).toBeUndefined();
  });

  test('GIVEN an aliased provider WHEN synthesized THEN the table is created with it', () => {
    const stack = newStack();
    const west = new AwsProvider(stack, 'west', { region: 'us-west-2', alias: 'west' });
    const table = new StreamTable(stack, 'Orders', { tableName: 'orders', partitionKey: { name: 'pk', type: 'S' }, provider: west });
    expect(tableJson(Testing.synth(stack)).provider).toBe('aws.west');
    expect(table.provider).toBe(west);
  });

  test('GIVEN a table WHEN its attributes are read THEN they reference the resource', () => {
    const stack = newStack();
    const table = new StreamTable(stack, 'Orders', {
      tableName: 'orders',
      partitionKey: { name: 'pk', type: 'S' },
      sortKey: { name: 'sk', type: 'N' },
    });
    expect(resolve(stack, table.tableName)).toBe('${aws_dynamodb_table.Orders_Table_C3D8F3FA.name}');
    expect(resolve(stack, table.tableArn)).toBe('${aws_dynamodb_table.Orders_Table_C3D8F3FA.arn}');
    expect(resolve(stack, table.streamArn)).toBe('${aws_dynamodb_table.Orders_Table_C3D8F3FA.stream_arn}');
    expect([table.partitionKey, table.sortKey, table.streamViewType]).toEqual([
      { name: 'pk', type: 'S' },
      { name: 'sk', type: 'N' },
      'NEW_AND_OLD_IMAGES',
    ]);
  });

  test('GIVEN indexes and a CMK WHEN data statements are asked for THEN they name the table, each index and the key exactly', () => {
    const stack = newStack();
    const table = new StreamTable(stack, 'Orders', {
      tableName: 'orders',
      partitionKey: { name: 'pk', type: 'S' },
      sortKey: { name: 'sk', type: 'S' },
      encryptionKeyArn: KEY_ARN,
      globalSecondaryIndexes: [{ name: 'byOther', partitionKey: { name: 'other', type: 'S' } }],
      localSecondaryIndexes: [{ name: 'byDate', sortKey: { name: 'date', type: 'S' } }],
    });
    const arn = '${aws_dynamodb_table.Orders_Table_C3D8F3FA.arn}';
    expect(resolve(stack, table.readDataStatements())).toEqual([
      {
        sid: 'ReadData',
        actions: ['dynamodb:BatchGetItem', 'dynamodb:ConditionCheckItem', 'dynamodb:GetItem', 'dynamodb:Query', 'dynamodb:Scan'],
        resources: [arn, `${arn}/index/byOther`, `${arn}/index/byDate`],
      },
      { sid: 'DecryptData', actions: ['kms:Decrypt'], resources: [KEY_ARN] },
    ]);
    expect(resolve(stack, table.writeDataStatements())).toEqual([
      {
        sid: 'WriteData',
        actions: [
          'dynamodb:BatchWriteItem',
          'dynamodb:ConditionCheckItem',
          'dynamodb:DeleteItem',
          'dynamodb:PutItem',
          'dynamodb:UpdateItem',
        ],
        resources: [arn],
      },
      { sid: 'EncryptData', actions: ['kms:Decrypt', 'kms:Encrypt', 'kms:GenerateDataKey'], resources: [KEY_ARN] },
    ]);
  });
});

describe('StreamTable stream readers', () => {
  test('GIVEN two readers WHEN a third registers THEN construction fails, explaining the throttling and naming the alternatives', () => {
    const { stack, table } = tableOf();
    const a = new Construct(stack, 'A');
    const b = new Construct(stack, 'B');
    table.addStreamReader(a);
    table.addStreamReader(b);
    table.addStreamReader(a); // the same reader twice is still one reader
    expect(table.streamReaders).toEqual([a, b]);
    expect(() => table.addStreamReader(new Construct(stack, 'C'))).toThrow(
      'test/Orders: the stream of table "orders" already has 2 readers (test/A, test/B); test/C would be a third. ' +
        'AWS throttles more than 2 simultaneous readers of a DynamoDB stream shard (LimitExceededException), which delays every consumer. ' +
        'Use one fan-out consumer that hands each batch to several handlers, or stream the table to Kinesis Data Streams for DynamoDB (TableKinesisStream), which supports many consumers.',
    );
    expect(table.streamReaders).toHaveLength(2);
  });
});

describe('StreamTable validation', () => {
  const cases: [string, Partial<StreamTableProps>, string][] = [
    ['tableName', { tableName: 'a b' }, 'tableName must be 3..255 characters of [a-zA-Z0-9_.-] (got "a b")'],
    ['billingMode', { billingMode: 'ONDEMAND' as any }, 'billingMode must be one of "PAY_PER_REQUEST", "PROVISIONED" (got "ONDEMAND")'],
    [
      'readCapacity on demand',
      { readCapacity: 5 },
      'readCapacity must be unset (billingMode PAY_PER_REQUEST has no provisioned capacity) (got 5)',
    ],
    [
      'writeCapacity missing',
      { billingMode: 'PROVISIONED', readCapacity: 1 },
      'writeCapacity must be an integer >= 1 (billingMode PROVISIONED needs both capacities) (got undefined)',
    ],
    [
      'readCapacity zero',
      { billingMode: 'PROVISIONED', readCapacity: 0, writeCapacity: 1 },
      'readCapacity must be an integer >= 1 (got 0)',
    ],
    [
      'streamViewType',
      { streamViewType: 'ALL' as any },
      'streamViewType must be one of "NEW_AND_OLD_IMAGES", "NEW_IMAGE", "OLD_IMAGE", "KEYS_ONLY" (got "ALL")',
    ],
    ['key type', { partitionKey: { name: 'pk', type: 'BOOL' as any } }, 'partitionKey.type must be one of "S", "N", "B" (got "BOOL")'],
    ['key name', { sortKey: { name: '', type: 'S' } }, 'sortKey.name must be 1..255 characters (got "")'],
    [
      'conflicting key types',
      { globalSecondaryIndexes: [{ name: 'byPk', partitionKey: { name: 'pk', type: 'N' } }] },
      'globalSecondaryIndexes[0].partitionKey.type must be "S" (attribute "pk" is already a key of type S in partitionKey, and DynamoDB declares each attribute once) (got "N")',
    ],
    [
      'index name',
      { globalSecondaryIndexes: [{ name: 'ab', partitionKey: { name: 'x', type: 'S' } }] },
      'globalSecondaryIndexes[0].name must be 3..255 characters of [a-zA-Z0-9_.-] (got "ab")',
    ],
    [
      'duplicate index name',
      {
        sortKey: { name: 'sk', type: 'S' },
        globalSecondaryIndexes: [{ name: 'idx', partitionKey: { name: 'x', type: 'S' } }],
        localSecondaryIndexes: [{ name: 'idx', sortKey: { name: 'y', type: 'S' } }],
      },
      'localSecondaryIndexes[0].name must be unique among the indexes of the table (got "idx")',
    ],
    [
      'projection',
      { globalSecondaryIndexes: [{ name: 'idx', partitionKey: { name: 'x', type: 'S' }, projectionType: 'SOME' as any }] },
      'globalSecondaryIndexes[0].projectionType must be one of "ALL", "KEYS_ONLY", "INCLUDE" (got "SOME")',
    ],
    [
      'INCLUDE without attributes',
      { globalSecondaryIndexes: [{ name: 'idx', partitionKey: { name: 'x', type: 'S' }, projectionType: 'INCLUDE' }] },
      'globalSecondaryIndexes[0].nonKeyAttributes must be a non-empty list with projectionType INCLUDE (got undefined)',
    ],
    [
      'attributes without INCLUDE',
      { globalSecondaryIndexes: [{ name: 'idx', partitionKey: { name: 'x', type: 'S' }, nonKeyAttributes: ['a'] }] },
      'globalSecondaryIndexes[0].nonKeyAttributes must be unset unless projectionType is INCLUDE (got ["a"])',
    ],
    [
      'index capacity on demand',
      { globalSecondaryIndexes: [{ name: 'idx', partitionKey: { name: 'x', type: 'S' }, readCapacity: 1 }] },
      'globalSecondaryIndexes[0].readCapacity must be unset (a PAY_PER_REQUEST table has no provisioned capacity) (got 1)',
    ],
    [
      'index capacity missing',
      {
        billingMode: 'PROVISIONED',
        readCapacity: 1,
        writeCapacity: 1,
        globalSecondaryIndexes: [{ name: 'idx', partitionKey: { name: 'x', type: 'S' }, readCapacity: 1 }],
      },
      'globalSecondaryIndexes[0].writeCapacity must be an integer >= 1 (a PROVISIONED table needs capacity on every global index) (got undefined)',
    ],
    [
      'too many global indexes',
      {
        globalSecondaryIndexes: Array.from({ length: 21 }, (_, i) => ({
          name: `idx${i}`,
          partitionKey: { name: `k${i}`, type: 'S' as const },
        })),
      },
      'globalSecondaryIndexes.length must be an integer 0..20 (the AWS default quota per table) (got 21)',
    ],
    [
      'too many local indexes',
      {
        sortKey: { name: 'sk', type: 'S' },
        localSecondaryIndexes: Array.from({ length: 6 }, (_, i) => ({ name: `idx${i}`, sortKey: { name: `k${i}`, type: 'S' as const } })),
      },
      'localSecondaryIndexes.length must be an integer 0..5 (the AWS limit per table) (got 6)',
    ],
    [
      'local index without sort key',
      { localSecondaryIndexes: [{ name: 'idx', sortKey: { name: 'x', type: 'S' } }] },
      'localSecondaryIndexes must be empty on a table without a sortKey (a local index re-sorts the partitions of a composite-key table) (got ["idx"])',
    ],
    ['timeToLiveAttribute', { timeToLiveAttribute: '' }, 'timeToLiveAttribute must be 1..255 characters (got "")'],
    ['encryption', { encryption: 'KMS' as any }, 'encryption must be one of "AWS_OWNED", "AWS_MANAGED", "CUSTOMER_MANAGED" (got "KMS")'],
    [
      'CMK without key',
      { encryption: 'CUSTOMER_MANAGED' },
      'encryptionKeyArn must be a KMS key ARN (encryption CUSTOMER_MANAGED needs the key) (got undefined)',
    ],
    [
      'key without CMK',
      { encryption: 'AWS_OWNED', encryptionKeyArn: KEY_ARN },
      `encryptionKeyArn must be unset (encryption AWS_OWNED does not use a customer-managed key) (got "${KEY_ARN}")`,
    ],
    ['pointInTimeRecoveryDays', { pointInTimeRecoveryDays: 36 }, 'pointInTimeRecoveryDays must be an integer 1..35 (got 36)'],
    [
      'PITR days without PITR',
      { pointInTimeRecovery: false, pointInTimeRecoveryDays: 7 },
      'pointInTimeRecoveryDays must be unset (pointInTimeRecovery is off) (got 7)',
    ],
    ['tableClass', { tableClass: 'GLACIER' as any }, 'tableClass must be one of "STANDARD", "STANDARD_INFREQUENT_ACCESS" (got "GLACIER")'],
  ];
  test.each(cases)('GIVEN a bad %s WHEN constructed THEN it fails with the exact message', (_name, props, message) => {
    expect(problemOf(props)).toBe(`test/Orders: ${message}`);
  });

  test('GIVEN several bad props WHEN constructed THEN every problem is reported in one error', () => {
    expect(problemOf({ tableName: 'x', streamViewType: 'ALL' as any, pointInTimeRecoveryDays: 0 }).split('\n')).toEqual([
      'test/Orders: tableName must be 3..255 characters of [a-zA-Z0-9_.-] (got "x")',
      'test/Orders: streamViewType must be one of "NEW_AND_OLD_IMAGES", "NEW_IMAGE", "OLD_IMAGE", "KEYS_ONLY" (got "ALL")',
      'test/Orders: pointInTimeRecoveryDays must be an integer 1..35 (got 0)',
    ]);
  });
});

describe('StreamTable with the real provider (offline terraform)', () => {
  test('GIVEN fully loaded tables WHEN init, validate and plan run THEN hashicorp/aws 5.100 accepts them and plans to create them', () => {
    const plan = planOf('loadedTables');
    const changes = Object.fromEntries(plan.resource_changes.map((c: any) => [c.address, c.change]));
    expect(Object.keys(changes).sort()).toEqual(['aws_dynamodb_table.Ledger_Table_487EE4D4', 'aws_dynamodb_table.Orders_Table_C3D8F3FA']);
    const orders = changes['aws_dynamodb_table.Orders_Table_C3D8F3FA'];
    expect(orders.actions).toEqual(['create']);
    expect(orders.after).toMatchObject({
      name: 'orders',
      stream_enabled: true,
      point_in_time_recovery: [{ enabled: true, recovery_period_in_days: 14 }],
      server_side_encryption: [{ enabled: true, kms_key_arn: KEY_ARN }],
      ttl: [{ enabled: true, attribute_name: 'expiresAt' }],
    });
    expect(changes['aws_dynamodb_table.Ledger_Table_487EE4D4'].after).toMatchObject({
      billing_mode: 'PROVISIONED',
      read_capacity: 5,
      stream_view_type: 'NEW_IMAGE',
    });
  });
});
