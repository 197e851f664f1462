/**
 * StreamConsumer.grantItemActions: a role allowed exactly the item calls a handler makes (what
 * test/handlers/grants-*.test.ts checks against recorded calls), beside the convenience grants.
 */
import { StreamTable } from '../../modules/stream-table';
import { ReplicatedTable } from '../../modules';
import { StreamConsumer } from '../../modules/stream-consumer';
import type { TableItemAction } from '../../modules';
import { CACHE_DIR, HANDLER_ENTRY, KEY_ARN, consumerOf, newStack, policyOf } from '../support/consumer-stack';
import { providers } from './support/replication';

const STATS = '${aws_dynamodb_table.Stats_Table_D20F5CF9.arn}';

function withStats(
  grant: (consumer: StreamConsumer, stats: StreamTable) => void,
  stats: Partial<ConstructorParameters<typeof StreamTable>[2]> = {},
) {
  const { stack, consumer, synth } = consumerOf();
  const table = new StreamTable(stack, 'Stats', {
    tableName: 'stats',
    partitionKey: { name: 'day', type: 'S' },
    globalSecondaryIndexes: [
      { name: 'byMonth', partitionKey: { name: 'month', type: 'S' } },
      { name: 'byYear', partitionKey: { name: 'year', type: 'S' } },
    ],
    ...stats,
  });
  grant(consumer, table);
  return policyOf(synth()).Statement.slice(3); // after ReadStream, ListStreams and WriteLogs
}

function problemOf(actions: readonly TableItemAction[], indexes?: string[]): string {
  try {
    withStats((c, t) => c.grantItemActions(t, actions, indexes));
  } catch (e) {
    return (e as Error).message;
  }
  throw new Error('expected the grant to be refused');
}

describe('StreamConsumer.grantItemActions', () => {
  test('GIVEN a handler that only updates items WHEN it is granted UpdateItem THEN the role allows exactly that on exactly the table', () => {
    expect(withStats((c, t) => c.grantItemActions(t, ['dynamodb:UpdateItem']))).toEqual([
      { Sid: 'ItemActions', Effect: 'Allow', Action: 'dynamodb:UpdateItem', Resource: STATS },
    ]);
  });

  test('GIVEN Query on one index WHEN granted THEN Query is allowed on the table and on that index only; other actions never reach an index', () => {
    expect(withStats((c, t) => c.grantItemActions(t, ['dynamodb:Query', 'dynamodb:GetItem', 'dynamodb:Query'], ['byMonth']))).toEqual([
      { Sid: 'ItemActions', Effect: 'Allow', Action: ['dynamodb:GetItem', 'dynamodb:Query'], Resource: STATS },
      { Sid: 'IndexActions', Effect: 'Allow', Action: 'dynamodb:Query', Resource: `${STATS}/index/byMonth` },
    ]);
  });

  test('GIVEN a table with a customer-managed key WHEN reads or writes are granted THEN the key allows decryption for reads and encryption too for writes', () => {
    expect(withStats((c, t) => c.grantItemActions(t, ['dynamodb:GetItem']), { encryptionKeyArn: KEY_ARN }).slice(1)).toEqual([
      { Sid: 'DecryptData', Effect: 'Allow', Action: 'kms:Decrypt', Resource: KEY_ARN },
    ]);
    expect(withStats((c, t) => c.grantItemActions(t, ['dynamodb:PutItem']), { encryptionKeyArn: KEY_ARN }).slice(1)).toEqual([
      { Sid: 'EncryptData', Effect: 'Allow', Action: ['kms:Decrypt', 'kms:Encrypt', 'kms:GenerateDataKey'], Resource: KEY_ARN },
    ]);
  });

  test('GIVEN two tables granted WHEN synthesized THEN each gets its own statement with a unique Sid', () => {
    const statements = withStats((c, t) => {
      c.grantItemActions(t, ['dynamodb:PutItem']);
      c.grantItemActions(new StreamTable(t.node.scope!, 'Audit', { tableName: 'audit', partitionKey: { name: 'id', type: 'S' } }), [
        'dynamodb:PutItem',
      ]);
    });
    expect(statements.map((s: any) => s.Sid)).toEqual(['ItemActions', 'ItemActions2']);
  });

  test("GIVEN a global table's replica in another region WHEN granted THEN the statement names that replica's ARN", () => {
    const stack = newStack();
    const p = providers(stack, ['eu-west-1', 'us-east-1']);
    const global = new ReplicatedTable(stack, 'Sessions', {
      tableName: 'sessions',
      partitionKey: { name: 'id', type: 'S' },
      mode: 'global-table',
      home: { region: 'eu-west-1', provider: p['eu-west-1'] },
      replicas: [{ region: 'us-east-1', provider: p['us-east-1'] }],
    });
    const replica = global.region('us-east-1');
    const consumer = new StreamConsumer(stack, 'Consumer', {
      table: replica.stream,
      code: { entry: HANDLER_ENTRY, bundling: { cacheDir: CACHE_DIR } },
    });
    consumer.grantItemActions(replica.stream, ['dynamodb:DeleteItem']);
    expect(consumer.policyStatements.slice(-1)).toEqual([
      { sid: 'ItemActions', actions: ['dynamodb:DeleteItem'], resources: [replica.tableArn] },
    ]);
  });

  test.each([
    [
      'no action',
      [],
      undefined,
      'test/Consumer: grantItemActions.actions must be at least one of dynamodb:BatchGetItem, dynamodb:BatchWriteItem, dynamodb:ConditionCheckItem, dynamodb:DeleteItem, dynamodb:GetItem, dynamodb:PutItem, dynamodb:Query, dynamodb:Scan, dynamodb:UpdateItem (the DynamoDB item actions a stream consumer can be granted; the stream read is granted already) (got [])',
    ],
    [
      'a table action',
      ['dynamodb:DeleteTable' as TableItemAction],
      undefined,
      'test/Consumer: grantItemActions.actions must be one of "dynamodb:BatchGetItem", "dynamodb:BatchWriteItem", "dynamodb:ConditionCheckItem", "dynamodb:DeleteItem", "dynamodb:GetItem", "dynamodb:PutItem", "dynamodb:Query", "dynamodb:Scan", "dynamodb:UpdateItem" (the DynamoDB item actions a stream consumer can be granted; the stream read is granted already) (got "dynamodb:DeleteTable")',
    ],
    [
      'indexes without Query or Scan',
      ['dynamodb:GetItem'] as TableItemAction[],
      ['byMonth'],
      'test/Consumer: grantItemActions.indexes must be empty unless actions include dynamodb:Query or dynamodb:Scan (only those two read an index) (got ["byMonth"])',
    ],
    [
      'an index the table does not have',
      ['dynamodb:Query'] as TableItemAction[],
      ['byDay'],
      `test/Consumer: grantItemActions.indexes must be one of the table's indexes (byMonth, byYear) (got "byDay")`,
    ],
  ])(
    'GIVEN %s WHEN granted THEN the grant is refused, naming the construct, the argument, the value and what is allowed',
    (_, actions, indexes, message) => {
      expect(problemOf(actions as TableItemAction[], indexes)).toBe(message);
    },
  );
});
