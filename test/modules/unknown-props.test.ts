import { TerraformStack, TerraformVariable, Testing } from 'cdktf';
import { AwsProvider } from '@cdktf/provider-aws/lib/provider';
import {
  AlarmTopic,
  FailureDestination,
  FailureRedrive,
  ModuleStack,
  PipelineAlarms,
  ReplicaAccessRole,
  ReplicatedTable,
  StreamConsumer,
  StreamPipeline,
  StreamTable,
  TableKinesisStream,
  ValidationError,
} from '../../modules';
import { CACHE_DIR, HANDLER_ENTRY } from '../support/consumer-stack';
import { providers } from './support/replication';

// Each case builds a construct the way a JavaScript user (or a cast) would, with misspelt or
// missing props that would otherwise fall back to defaults; the expected lines are written out by hand.

function stack(): TerraformStack {
  const s = new TerraformStack(Testing.app(), 'orders');
  new AwsProvider(s, 'aws', { region: 'eu-west-1' });
  return s;
}
const table = (s: TerraformStack) => new StreamTable(s, 'Table', { tableName: 'orders', partitionKey: { name: 'pk', type: 'S' } });
const CODE = { entry: HANDLER_ENTRY, bundling: { cacheDir: CACHE_DIR } };
const consumer = (s: TerraformStack, t: StreamTable) => new StreamConsumer(s, 'Consumer', { table: t, code: CODE });

function problems(build: () => unknown): string[] {
  try {
    build();
  } catch (e) {
    if (e instanceof ValidationError) return e.problems;
    throw new Error(`expected a ValidationError, got ${(e as Error).stack}`);
  }
  throw new Error('expected the construct to refuse its props');
}
const as = (x: object) => x as any;

describe('unknown props are refused with the closest known name, at every level', () => {
  test('GIVEN misspelt prop names WHEN StreamConsumer and StreamTable are built THEN each names the construct, the prop and the intended name', () => {
    const s = stack();
    expect(
      problems(() => new StreamConsumer(s, 'Consumer', as({ table: table(s), code: CODE, batchsize: 500, retryattempts: 2 }))),
    ).toEqual([
      'orders/Consumer: unknown prop "batchsize"; did you mean "batchSize"?',
      'orders/Consumer: unknown prop "retryattempts"; did you mean "retryAttempts"?',
    ]);
    expect(
      problems(
        () =>
          new StreamTable(
            stack(),
            'Table',
            as({ tableName: 'orders', partitionKey: { name: 'pk', type: 'S' }, streamviewtype: 'NEW_IMAGE', deletionprotection: true }),
          ),
      ),
    ).toEqual([
      'orders/Table: unknown prop "streamviewtype"; did you mean "streamViewType"?',
      'orders/Table: unknown prop "deletionprotection"; did you mean "deletionProtection"?',
    ]);
  });

  test('GIVEN typos inside keys, index arrays, code and fan-out options WHEN built THEN the prop path says where', () => {
    expect(
      problems(
        () =>
          new StreamTable(
            stack(),
            'Table',
            as({
              tableName: 'orders',
              partitionKey: { name: 'pk', tpye: 'S' },
              globalSecondaryIndexes: [
                { name: 'byCustomer', partitionKey: { name: 'customer', type: 'S' } },
                { name: 'byDay', partitionKey: { name: 'day', type: 'S' }, projectiontype: 'ALL' },
              ],
            }),
          ),
      ),
    ).toEqual([
      'orders/Table: unknown prop "partitionKey.tpye"; did you mean "type"?',
      'orders/Table: partitionKey.type is required by KeyAttribute (got undefined)',
      'orders/Table: unknown prop "globalSecondaryIndexes[1].projectiontype"; did you mean "projectionType"?',
    ]);
    const s = stack();
    expect(
      problems(() => new StreamConsumer(s, 'Consumer', as({ table: table(s), code: { entry: HANDLER_ENTRY, bundling: { minfy: true } } }))),
    ).toEqual(['orders/Consumer: unknown prop "code.bundling.minfy"; did you mean "minify"?']);
    const t = stack();
    expect(problems(() => new StreamConsumer(t, 'Consumer', as({ table: table(t), code: { zipfile: 'x.zip' } })))).toEqual([
      'orders/Consumer: code must be one of { entry, bundling } or { bundleDirectory } or { zipFile } (got keys ["zipfile"])',
    ]);
  });

  test('GIVEN a pipeline with typos in every nested props object WHEN built THEN all are reported together, before any resource', () => {
    const s = stack();
    expect(
      problems(
        () =>
          new StreamPipeline(
            s,
            'Pipeline',
            as({
              table: { tableName: 'orders', partitionKey: { name: 'pk', type: 'S' }, billingmode: 'PROVISIONED' },
              kinesis: { stream: { retentionhours: 48 } },
              consumer: { code: CODE, batchsize: 500, fanOut: { consumername: 'x' } },
              failureDestination: { knd: 'sqs' },
              redrive: { maxattempts: 3, parkedQueue: { nmae: 'parked' } },
              alarms: { alarms: { iteratorAge: { threshhold: 60 } }, notifyok: true },
              colour: 'blue',
            }),
          ),
      ),
    ).toEqual([
      'orders/Pipeline: unknown prop "colour"; StreamPipelineProps has "source", "kinesis", "consumer", "failureDestination", "redrive", "alarms", "provider"',
      'orders/Pipeline: unknown prop "table.billingmode"; did you mean "billingMode"?',
      'orders/Pipeline: unknown prop "kinesis.stream.retentionhours"; did you mean "retentionHours"?',
      'orders/Pipeline: unknown prop "consumer.batchsize"; did you mean "batchSize"?',
      'orders/Pipeline: unknown prop "consumer.fanOut.consumername"; did you mean "consumerName"?',
      'orders/Pipeline: unknown prop "failureDestination.knd"; did you mean "kind"?',
      'orders/Pipeline: unknown prop "redrive.maxattempts"; did you mean "maxAttempts"?',
      'orders/Pipeline: unknown prop "redrive.parkedQueue.nmae"; did you mean "name"?',
      'orders/Pipeline: unknown prop "alarms.notifyok"; did you mean "notifyOk"?',
      'orders/Pipeline: unknown prop "alarms.alarms.iteratorAge.threshhold"; did you mean "threshold"?',
    ]);
    expect(Object.keys(JSON.parse(Testing.synth(s)).resource ?? {})).toEqual([]);
  });

  test('GIVEN typos on the other constructs WHEN built THEN each refuses them', () => {
    const s = stack();
    const t = table(s);
    const c = consumer(s, t);
    const d = new FailureDestination(s, 'Failures');
    const cases: [() => unknown, string][] = [
      [
        () => new TableKinesisStream(s, 'K', as({ table: t, stream: { shardcount: 2 } })),
        'orders/K: unknown prop "stream.shardcount"; did you mean "shardCount"?',
      ],
      [() => new FailureDestination(s, 'F', as({ kmskeyarn: 'x' })), 'orders/F: unknown prop "kmskeyarn"; did you mean "kmsKeyArn"?'],
      [
        () => new FailureRedrive(s, 'R', as({ failureDestination: d, consumer: c, maxattempts: 2 })),
        'orders/R: unknown prop "maxattempts"; did you mean "maxAttempts"?',
      ],
      [
        () => new PipelineAlarms(s, 'A', as({ functionName: 'f', alarms: { errors: { evaluationperiods: 2 } } })),
        'orders/A: unknown prop "alarms.errors.evaluationperiods"; did you mean "evaluationPeriods"?',
      ],
      [() => new AlarmTopic(s, 'T', as({ topicName: 't', kmsKey: 'k' })), 'orders/T: unknown prop "kmsKey"; did you mean "kmsKeyArn"?'],
      [
        () => new ReplicaAccessRole(s, 'Role', as({ roleName: 'r', writerRoleArns: ['arn:aws:iam::1:role/w'], tableArn: 'a', tag: {} })),
        'orders/Role: unknown prop "tag"; did you mean "tags"?',
      ],
      [
        () => new ModuleStack(Testing.app(), 'm', as({ providerAlias: ['us'] })),
        'm: unknown prop "providerAlias"; did you mean "providerAliases"?',
      ],
    ];
    for (const [build, expected] of cases) expect(problems(build)).toEqual([expected]);
    const alarms = new PipelineAlarms(s, 'Alarms', { functionName: 'f', actionArns: ['arn:aws:sns:eu-west-1:123456789012:t'] });
    expect(
      problems(() =>
        alarms.addAlarm(
          'Lag',
          as({ nameSuffix: 'lag', title: 't', description: 'd', namespace: 'N', metricName: 'M', dimensions: {}, treshold: 1 }),
        ),
      ),
    ).toEqual(['orders/Alarms: unknown prop "treshold"; did you mean "threshold"?']);
    const module = new ModuleStack(Testing.app(), 'mod');
    expect(problems(() => module.variable('x', as({ type: 'string', description: 'd', sensitiv: true })))).toEqual([
      'mod: unknown prop "sensitiv"; did you mean "sensitive"?',
    ]);
  });

  test('GIVEN typos in ReplicatedTable regions, replicas and writer WHEN built THEN the array index is named', () => {
    const s = new TerraformStack(Testing.app(), 'test');
    const p = providers(s, ['eu-west-1', 'us-east-1']);
    expect(
      problems(
        () =>
          new ReplicatedTable(
            s,
            'Customers',
            as({
              tableName: 'customers',
              partitionKey: { name: 'pk', type: 'S' },
              home: { region: 'eu-west-1', provider: p['eu-west-1'] },
              replicas: [{ regoin: 'us-east-1', provider: p['us-east-1'], readreplica: true }],
              writer: { batchsize: 10 },
              alarms: { replicationLag: { treatmissingdata: 'breaching' } },
            }),
          ),
      ),
    ).toEqual([
      'test/Customers: unknown prop "replicas[0].regoin"; did you mean "region"?',
      'test/Customers: unknown prop "replicas[0].readreplica"; did you mean "readReplica"?',
      'test/Customers: replicas[0].region is required by ReplicaRegionProps (got undefined)',
      'test/Customers: unknown prop "writer.batchsize"; did you mean "batchSize"?',
      'test/Customers: unknown prop "alarms.replicationLag.treatmissingdata"; did you mean "treatMissingData"?',
    ]);
  });

  test('GIVEN free-form maps, tokens and constructs WHEN built THEN their keys are not checked', () => {
    const s = stack();
    const t = new StreamTable(s, 'Table', {
      tableName: 'orders',
      partitionKey: { name: 'pk', type: 'S' },
      tags: { 'cost-centre': 'x', anyThing: 'y' },
    });
    const consumerProps = new TerraformVariable(s, 'consumer_tags', { type: 'map(string)' });
    expect(
      () =>
        new StreamConsumer(s, 'Consumer', {
          table: t,
          code: CODE,
          environment: { ANY_NAME: '1' },
          tags: consumerProps.value,
          onFailure: new FailureDestination(s, 'Failures'),
        }),
    ).not.toThrow();
  });
});

describe('a missing required prop names the construct and the prop, not a TypeError', () => {
  const s = stack();
  const t = table(s);
  const c = consumer(s, t);
  const cases: [string, () => unknown, string[]][] = [
    [
      'StreamTable',
      () => new StreamTable(stack(), 'Table', as({ tableName: 'orders' })),
      ['orders/Table: partitionKey is required by StreamTableProps (got undefined)'],
    ],
    [
      'StreamConsumer',
      () => new StreamConsumer(stack(), 'Consumer', as({ code: CODE })),
      ['orders/Consumer: source is required by StreamConsumerProps (got undefined)'],
    ],
    [
      'StreamConsumer code',
      () => new StreamConsumer(s, 'C2', as({ table: t })),
      ['orders/C2: code is required by StreamConsumerProps (got undefined)'],
    ],
    [
      'StreamPipeline',
      () => new StreamPipeline(stack(), 'P', as({ table: t })),
      ['orders/P: consumer is required by StreamPipelineProps (got undefined)'],
    ],
    [
      'TableKinesisStream',
      () => new TableKinesisStream(stack(), 'K', as({})),
      ['orders/K: table is required by TableKinesisStreamProps (got undefined)'],
    ],
    [
      'FailureRedrive',
      () => new FailureRedrive(s, 'R', as({ consumer: c })),
      ['orders/R: failureDestination is required by FailureRedriveProps (got undefined)'],
    ],
    [
      'PipelineAlarms',
      () => new PipelineAlarms(stack(), 'A', as({})),
      ['orders/A: functionName is required by PipelineAlarmsProps (got undefined)'],
    ],
    ['AlarmTopic', () => new AlarmTopic(stack(), 'T', as({})), ['orders/T: topicName is required by AlarmTopicProps (got undefined)']],
    [
      'ReplicaAccessRole',
      () => new ReplicaAccessRole(stack(), 'Role', as({ roleName: 'r' })),
      [
        'orders/Role: writerRoleArns is required by ReplicaAccessRoleProps (got undefined)',
        'orders/Role: tableArn is required by ReplicaAccessRoleProps (got undefined)',
      ],
    ],
    [
      'ReplicatedTable',
      () =>
        new ReplicatedTable(
          new TerraformStack(Testing.app(), 'test'),
          'Customers',
          as({ tableName: 'c', partitionKey: { name: 'pk', type: 'S' } }),
        ),
      [
        'test/Customers: home is required by ReplicatedTableProps (got undefined)',
        'test/Customers: replicas is required by ReplicatedTableProps (got undefined)',
      ],
    ],
    [
      'no props at all',
      () => new StreamTable(stack(), 'Table', undefined as any),
      ['orders/Table: props must be an object of StreamTableProps (got undefined)'],
    ],
  ];
  test.each(cases)('%s', (_name, build, expected) => {
    expect(problems(build)).toEqual(expected);
  });
});
