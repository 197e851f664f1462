/**
 * StreamTable.fromAttributes and StreamTable.fromTableName: a table and stream made elsewhere,
 * consumed and granted like a StreamTable. The expected ARNs are the ones the test passes in,
 * written out by hand; the refusals are written out by hand too.
 */
import { TerraformStack, Testing } from 'cdktf';
import { AwsProvider } from '@cdktf/provider-aws/lib/provider';
import { StreamConsumer, StreamPipeline, StreamTable } from '../../modules';
import { problems } from '../support/validation-problems';
import { CACHE_DIR, HANDLER_ENTRY, policyOf } from '../support/consumer-stack';

const CODE = { entry: HANDLER_ENTRY, bundling: { cacheDir: CACHE_DIR } };
const TABLE_ARN = 'arn:aws:dynamodb:eu-west-1:123456789012:table/orders';
const STREAM_ARN = `${TABLE_ARN}/stream/2026-01-01T00:00:00.000`;
const KEY_ARN = 'arn:aws:kms:eu-west-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab';

function stack(): TerraformStack {
  const s = new TerraformStack(Testing.app(), 'test');
  new AwsProvider(s, 'aws', { region: 'eu-west-1' });
  return s;
}

const statement = (policy: { Statement: any[] }, sid: string) => policy.Statement.find((s) => s.Sid === sid);

describe('StreamTable.fromAttributes', () => {
  test('GIVEN an imported table WHEN a consumer reads it THEN the mapping reads the given stream, the role reads exactly it, and no table is created', () => {
    const s = stack();
    const orders = StreamTable.fromAttributes(s, 'Orders', { tableArn: TABLE_ARN, streamArn: STREAM_ARN, streamViewType: 'NEW_IMAGE' });
    new StreamConsumer(s, 'Consumer', { source: orders, code: CODE });
    const json = JSON.parse(Testing.synth(s));
    expect(json.resource.aws_dynamodb_table).toBeUndefined();
    expect(json.data).toBeUndefined();
    const mapping = Object.values(json.resource.aws_lambda_event_source_mapping)[0] as any;
    expect(mapping.event_source_arn).toBe(STREAM_ARN);
    const policy = policyOf(json);
    expect(statement(policy, 'ReadStream')).toEqual({
      Sid: 'ReadStream',
      Effect: 'Allow',
      Action: ['dynamodb:DescribeStream', 'dynamodb:GetRecords', 'dynamodb:GetShardIterator'],
      Resource: STREAM_ARN,
    });
    expect(statement(policy, 'DecryptStream')).toBeUndefined();
    const fn = Object.values(json.resource.aws_lambda_function)[0] as any;
    expect(fn.environment.variables.DDB_STREAMS_VIEW_TYPE).toBe('NEW_IMAGE');
    expect(orders.tableName).toBe('orders');
  });

  test('GIVEN an imported table with a key and an index WHEN granted item actions THEN the statements name the given ARNs', () => {
    const s = stack();
    const orders = StreamTable.fromAttributes(s, 'Orders', {
      tableArn: TABLE_ARN,
      streamArn: STREAM_ARN,
      encryptionKeyArn: KEY_ARN,
      indexNames: ['byCustomer'],
    });
    const consumer = new StreamConsumer(s, 'Consumer', { source: orders, code: CODE });
    consumer.grantItemActions(orders, ['dynamodb:Query', 'dynamodb:UpdateItem'], ['byCustomer']);
    const policy = policyOf(JSON.parse(Testing.synth(s)));
    expect(statement(policy, 'DecryptStream')).toEqual({ Sid: 'DecryptStream', Effect: 'Allow', Action: 'kms:Decrypt', Resource: KEY_ARN });
    const resources = policy.Statement.filter((st) => /dynamodb:(Query|UpdateItem)/.test(JSON.stringify(st.Action))).flatMap((st) =>
      [st.Resource].flat(),
    );
    expect(new Set(resources)).toEqual(new Set([TABLE_ARN, `${TABLE_ARN}/index/byCustomer`]));
    expect(() => consumer.grantItemActions(orders, ['dynamodb:Query'], ['byStatus'])).toThrow(
      'test/Consumer: grantItemActions.indexes must be one of the table\'s indexes (byCustomer) (got "byStatus")',
    );
  });

  test('GIVEN an imported table WHEN a third consumer reads its stream THEN synth refuses it, as for a StreamTable', () => {
    const s = stack();
    const orders = StreamTable.fromAttributes(s, 'Orders', { tableArn: TABLE_ARN, streamArn: STREAM_ARN });
    new StreamConsumer(s, 'A', { source: orders, code: CODE });
    new StreamConsumer(s, 'B', { source: orders, code: CODE });
    expect(() => new StreamConsumer(s, 'C', { source: orders, code: CODE })).toThrow(
      /^test\/Orders: the stream of table "orders" already has 2 readers \(test\/A, test\/B\); test\/C would be a third/,
    );
  });

  test('GIVEN a pipeline on an imported table WHEN synthesized THEN its liveness alarm watches the imported table by name', () => {
    const s = stack();
    const orders = StreamTable.fromAttributes(s, 'Orders', { tableArn: TABLE_ARN, streamArn: STREAM_ARN });
    new StreamPipeline(s, 'Audit', { source: orders, consumer: { code: CODE } });
    const alarms = Object.values(JSON.parse(Testing.synth(s)).resource.aws_cloudwatch_metric_alarm) as any[];
    const stalled = alarms.find((a) => a.alarm_name.endsWith('-consumer-stalled'));
    expect(JSON.stringify(stalled.metric_query)).toContain('"dimensions":{"Operation":"PutItem","TableName":"orders"}');
  });

  test.each([
    [
      'a table ARN that is not one',
      { tableArn: 'arn:aws:dynamodb:eu-west-1:123456789012:orders', streamArn: STREAM_ARN },
      [
        'test/Orders: tableArn must be a DynamoDB table ARN (arn:aws:dynamodb:<region>:<account>:table/<name>) (grants name it exactly) (got "arn:aws:dynamodb:eu-west-1:123456789012:orders")',
        'test/Orders: streamArn must be the stream ARN of this table (arn:aws:dynamodb:eu-west-1:123456789012:orders/stream/<label>, the label being its creation time like 2026-01-01T00:00:00.000) (the event source mapping reads it and the readers are granted it) (got "arn:aws:dynamodb:eu-west-1:123456789012:table/orders/stream/2026-01-01T00:00:00.000")',
      ],
    ],
    [
      "another table's stream",
      { tableArn: TABLE_ARN, streamArn: 'arn:aws:dynamodb:eu-west-1:123456789012:table/customers/stream/2026-01-01T00:00:00.000' },
      [
        'test/Orders: streamArn must be the stream ARN of this table (arn:aws:dynamodb:eu-west-1:123456789012:table/orders/stream/<label>, the label being its creation time like 2026-01-01T00:00:00.000) (the event source mapping reads it and the readers are granted it) (got "arn:aws:dynamodb:eu-west-1:123456789012:table/customers/stream/2026-01-01T00:00:00.000")',
      ],
    ],
    [
      'a stream ARN without its label, a key alias and an unknown view type',
      { tableArn: TABLE_ARN, streamArn: `${TABLE_ARN}/stream`, encryptionKeyArn: 'alias/orders', streamViewType: 'NEW' as any },
      [
        'test/Orders: streamArn must be the stream ARN of this table (arn:aws:dynamodb:eu-west-1:123456789012:table/orders/stream/<label>, the label being its creation time like 2026-01-01T00:00:00.000) (the event source mapping reads it and the readers are granted it) (got "arn:aws:dynamodb:eu-west-1:123456789012:table/orders/stream")',
        'test/Orders: streamViewType must be one of "NEW_AND_OLD_IMAGES", "NEW_IMAGE", "OLD_IMAGE", "KEYS_ONLY" (got "NEW")',
        'test/Orders: encryptionKeyArn must be a KMS key ARN (arn:aws:kms:<region>:<account>:key/<id>) (readers are granted kms:Decrypt on it, and IAM needs the key ARN, not an id or alias) (got "alias/orders")',
      ],
    ],
    [
      'a misspelt attribute and a missing stream ARN',
      { tableArn: TABLE_ARN, streamviewtype: 'NEW_IMAGE' } as any,
      [
        'test/Orders: unknown prop "streamviewtype"; did you mean "streamViewType"?',
        'test/Orders: streamArn is required by StreamTableAttributes (got undefined)',
      ],
    ],
  ])('GIVEN %s WHEN imported THEN it is refused, naming the construct, the attribute and the value', (_name, attrs, expected) => {
    expect(problems(() => StreamTable.fromAttributes(stack(), 'Orders', attrs))).toEqual(expected);
  });
});

describe('StreamTable.fromTableName', () => {
  test('GIVEN a table name WHEN a consumer reads it THEN a data source looks the table up and the mapping and grants use its ARNs', () => {
    const s = stack();
    const orders = StreamTable.fromTableName(s, 'Orders', 'orders', { streamViewType: 'NEW_AND_OLD_IMAGES' });
    const consumer = new StreamConsumer(s, 'Consumer', { source: orders, code: CODE });
    consumer.grantItemActions(orders, ['dynamodb:GetItem']);
    const json = JSON.parse(Testing.synth(s));
    const [[lookupId, lookup]] = Object.entries(json.data.aws_dynamodb_table) as [string, any][];
    expect(lookup).toEqual({ name: 'orders' });
    const mapping = Object.values(json.resource.aws_lambda_event_source_mapping)[0] as any;
    expect(mapping.event_source_arn).toBe(`\${data.aws_dynamodb_table.${lookupId}.stream_arn}`);
    const get = policyOf(json).Statement.find((st) => JSON.stringify(st.Action).includes('dynamodb:GetItem'));
    expect(get.Resource).toBe(`\${data.aws_dynamodb_table.${lookupId}.arn}`);
    expect(orders.tableName).toBe('orders');
  });

  test('GIVEN a name DynamoDB refuses or an unknown option WHEN looked up THEN it is refused before any data source', () => {
    expect(problems(() => StreamTable.fromTableName(stack(), 'Orders', 'o'))).toEqual([
      'test/Orders: tableName must be 3..255 characters of [a-zA-Z0-9_.-] (got "o")',
    ]);
    expect(problems(() => StreamTable.fromTableName(stack(), 'Orders', 'orders', { tableArn: TABLE_ARN } as any))).toEqual([
      'test/Orders: unknown prop "tableArn"; StreamTableLookupOptions has "streamViewType", "encryptionKeyArn", "indexNames", "provider"',
    ]);
  });
});
