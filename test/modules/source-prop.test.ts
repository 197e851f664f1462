/**
 * `source` is the change source of StreamConsumer and StreamPipeline; `table`, its former name,
 * stays accepted until 1.0 (CHANGELOG.md). The oracle for "the alias changes nothing" is the
 * synthesized stack written with the new name; the refusals are written out by hand.
 */
import { TerraformStack, Testing } from 'cdktf';
import { AwsProvider } from '@cdktf/provider-aws/lib/provider';
import { StreamConsumer, StreamPipeline, StreamTable, TableKinesisStream } from '../../modules';
import { problems } from '../support/validation-problems';
import { CACHE_DIR, HANDLER_ENTRY } from '../support/consumer-stack';

const CODE = { entry: HANDLER_ENTRY, bundling: { cacheDir: CACHE_DIR } };
const TABLE = { tableName: 'orders', partitionKey: { name: 'pk', type: 'S' as const } };

function stack(): TerraformStack {
  const s = new TerraformStack(Testing.app(), 'orders');
  new AwsProvider(s, 'aws', { region: 'eu-west-1' });
  return s;
}

describe('StreamConsumer source', () => {
  test('GIVEN the same consumer written with source and with the deprecated table WHEN synthesized THEN both stacks are identical', () => {
    const withSource = stack();
    new StreamConsumer(withSource, 'Consumer', { source: new StreamTable(withSource, 'Table', TABLE), code: CODE });
    const withTable = stack();
    new StreamConsumer(withTable, 'Consumer', { table: new StreamTable(withTable, 'Table', TABLE), code: CODE });
    expect(Testing.synth(withTable)).toEqual(Testing.synth(withSource));
  });

  test('GIVEN a Kinesis stream as source WHEN synthesized THEN the mapping reads the stream', () => {
    const s = stack();
    const changes = new TableKinesisStream(s, 'Changes', { table: new StreamTable(s, 'Table', TABLE) });
    const consumer = new StreamConsumer(s, 'Consumer', { source: changes, code: CODE });
    expect(consumer.source).toBe(changes);
    const mapping = Object.values(JSON.parse(Testing.synth(s)).resource.aws_lambda_event_source_mapping)[0] as any;
    expect(mapping.event_source_arn).toMatch(/^\$\{aws_kinesis_stream\.Changes_Stream_[0-9A-F]{8}\.arn\}$/);
  });

  test('GIVEN both source and table WHEN built THEN one finding says they are one prop', () => {
    const s = stack();
    const t = new StreamTable(s, 'Table', TABLE);
    expect(problems(() => new StreamConsumer(s, 'Consumer', { source: t, table: t, code: CODE }))).toEqual([
      'orders/Consumer: table and source are one prop (table is the deprecated name of source): set source only',
    ]);
  });

  test('GIVEN neither source nor table WHEN built THEN source is named as required, with the other missing props', () => {
    expect(problems(() => new StreamConsumer(stack(), 'Consumer', {} as any))).toEqual([
      'orders/Consumer: code is required by StreamConsumerProps (got undefined)',
      'orders/Consumer: source is required by StreamConsumerProps (got undefined)',
    ]);
  });
});

describe('StreamPipeline source', () => {
  test('GIVEN table props under source and under the deprecated table WHEN synthesized THEN both stacks are identical', () => {
    const withSource = stack();
    const a = new StreamPipeline(withSource, 'Orders', { source: TABLE, consumer: { code: CODE } });
    const withTable = stack();
    const b = new StreamPipeline(withTable, 'Orders', { table: TABLE, consumer: { code: CODE } });
    expect(Testing.synth(withTable)).toEqual(Testing.synth(withSource));
    expect(a.source).toBe(a.streamTable);
    expect(b.table).toBe(b.source);
  });

  test('GIVEN a Kinesis stream as source WHEN built THEN the consumer reads it and its alarms watch it', () => {
    const s = stack();
    const changes = new TableKinesisStream(s, 'Changes', { table: new StreamTable(s, 'Table', TABLE) });
    const pipeline = new StreamPipeline(s, 'Orders', { source: changes, consumer: { code: CODE }, alarms: { actionArns: [] } });
    expect(pipeline.source).toBe(changes);
    expect(pipeline.consumer.source).toBe(changes);
    const alarms = Object.values(JSON.parse(Testing.synth(s)).resource.aws_cloudwatch_metric_alarm) as any[];
    expect(alarms.some((a) => a.namespace === 'AWS/Kinesis')).toBe(true);
  });

  test('GIVEN both source and table WHEN built THEN one finding says they are one prop', () => {
    expect(problems(() => new StreamPipeline(stack(), 'P', { source: TABLE, table: TABLE, consumer: { code: CODE } }))).toEqual([
      'orders/P: table and source are one prop (table is the deprecated name of source): set source only',
    ]);
  });

  test('GIVEN table props with a misspelt key under source WHEN built THEN the key is refused under its path', () => {
    expect(
      problems(() => new StreamPipeline(stack(), 'P', { source: { ...TABLE, tablename: 'x' } as any, consumer: { code: CODE } })),
    ).toEqual(['orders/P: unknown prop "source.tablename"; did you mean "tableName"?']);
  });
});
