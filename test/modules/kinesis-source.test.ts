import { Testing } from 'cdktf';
import { TableKinesisStream, TableKinesisStreamProps } from '../../modules/kinesis-stream';
import { StreamConsumer, StreamConsumerProps } from '../../modules/stream-consumer';
import { StreamPipeline } from '../../modules/stream-pipeline';
import { CACHE_DIR, HANDLER_ENTRY, KEY_ARN, newStack, newTable, only } from '../support/consumer-stack';

const CODE = { entry: HANDLER_ENTRY, bundling: { cacheDir: CACHE_DIR } };

function kinesisOf(props: Partial<TableKinesisStreamProps> = {}) {
  const stack = newStack();
  const table = newTable(stack);
  const changes = new TableKinesisStream(stack, 'Changes', { table, ...props });
  return { stack, table, changes, json: () => JSON.parse(Testing.synth(stack)) };
}

function errorOf(f: () => unknown): string {
  try {
    f();
  } catch (e) {
    return (e as Error).message;
  }
  throw new Error('expected a ValidationError');
}

const ref = (json: any, type: string, prefix: string, attr: string) =>
  `\${${type}.${Object.keys(json.resource[type]).find((k) => k.startsWith(prefix))}.${attr}}`;

describe('TableKinesisStream', () => {
  test('GIVEN defaults WHEN synthesized THEN an on-demand, KMS-encrypted stream kept 24 h and protected from destroy receives the table changes with millisecond creation times', () => {
    const j = kinesisOf().json();
    expect(only(j, 'aws_kinesis_stream')).toEqual({
      name: 'test-Changes',
      stream_mode_details: { stream_mode: 'ON_DEMAND' },
      retention_period: 24,
      encryption_type: 'KMS',
      kms_key_id: 'alias/aws/kinesis',
      lifecycle: { prevent_destroy: true },
    });
    expect(only(j, 'aws_dynamodb_kinesis_streaming_destination')).toEqual({
      table_name: ref(j, 'aws_dynamodb_table', 'Orders_Table', 'name'),
      stream_arn: ref(j, 'aws_kinesis_stream', 'Changes_Stream', 'arn'),
      approximate_creation_date_time_precision: 'MILLISECOND',
    });
  });

  test('GIVEN provisioned capacity, a customer key and a year of retention WHEN synthesized THEN the stream has them', () => {
    const j = kinesisOf({
      stream: {
        streamName: 'orders.changes',
        capacityMode: 'PROVISIONED',
        shardCount: 4,
        retentionHours: 8760,
        kmsKeyArn: KEY_ARN,
        preventDestroy: false,
        tags: { team: 'orders' },
      },
      creationTimePrecision: 'MICROSECOND',
    }).json();
    expect(only(j, 'aws_kinesis_stream')).toEqual({
      name: 'orders.changes',
      stream_mode_details: { stream_mode: 'PROVISIONED' },
      shard_count: 4,
      retention_period: 8760,
      encryption_type: 'KMS',
      kms_key_id: KEY_ARN,
      tags: { team: 'orders' },
    });
    expect(only(j, 'aws_dynamodb_kinesis_streaming_destination').approximate_creation_date_time_precision).toBe('MICROSECOND');
  });

  test('GIVEN an existing stream WHEN synthesized THEN no stream is created and the destination writes into it', () => {
    const arn = 'arn:aws:kinesis:eu-west-1:123456789012:stream/shared';
    const { changes, json } = kinesisOf({ existingStream: { streamArn: arn, streamName: 'shared', encryptionKeyArn: KEY_ARN } });
    const j = json();
    expect(j.resource.aws_kinesis_stream).toBeUndefined();
    expect(only(j, 'aws_dynamodb_kinesis_streaming_destination').stream_arn).toBe(arn);
    expect(changes.kinesisReadStatements()).toEqual([
      {
        sid: 'ReadKinesisStream',
        actions: [
          'kinesis:DescribeStream',
          'kinesis:DescribeStreamSummary',
          'kinesis:GetRecords',
          'kinesis:GetShardIterator',
          'kinesis:ListShards',
        ],
        resources: [arn],
      },
      { sid: 'DecryptKinesisRecords', actions: ['kms:Decrypt'], resources: [KEY_ARN] },
    ]);
  });

  test.each<[string, Partial<TableKinesisStreamProps>, string]>([
    [
      'shard count with on-demand',
      { stream: { shardCount: 2 } },
      'stream.shardCount must be unset (capacityMode ON_DEMAND scales its shards itself) (got 2)',
    ],
    [
      'provisioned without shards',
      { stream: { capacityMode: 'PROVISIONED' } },
      'stream.shardCount must be an integer >= 1 (capacityMode PROVISIONED needs a shard count) (got undefined)',
    ],
    ['zero shards', { stream: { capacityMode: 'PROVISIONED', shardCount: 0 } }, 'stream.shardCount must be an integer >= 1 (got 0)'],
    [
      'retention below a day',
      { stream: { retentionHours: 12 } },
      'stream.retentionHours must be an integer 24..8760 (Kinesis keeps records 24 hours to 365 days) (got 12)',
    ],
    [
      'retention above a year',
      { stream: { retentionHours: 8761 } },
      'stream.retentionHours must be an integer 24..8760 (Kinesis keeps records 24 hours to 365 days) (got 8761)',
    ],
    [
      'a bad name',
      { stream: { streamName: 'orders changes' } },
      'stream.streamName must be 1..128 characters of [a-zA-Z0-9_.-] (got "orders changes")',
    ],
    [
      'an alias as key',
      { stream: { kmsKeyArn: 'alias/orders' } },
      'stream.kmsKeyArn must be a KMS key ARN (arn:aws:kms:<region>:<account>:key/<id>) (readers are granted kms:Decrypt on it, and IAM needs the key ARN, not an id or alias) (got "alias/orders")',
    ],
    [
      'stream options with an existing stream',
      { existingStream: { streamArn: 'arn:aws:kinesis:eu-west-1:123456789012:stream/s', streamName: 's' }, stream: { retentionHours: 48 } },
      'stream.retentionHours must be unset (existingStream is given, so no stream is created here) (got 48)',
    ],
    [
      'an unknown precision',
      { creationTimePrecision: 'SECOND' as any },
      'creationTimePrecision must be one of "MILLISECOND", "MICROSECOND" (got "SECOND")',
    ],
  ])('GIVEN %s WHEN constructed THEN it fails with the exact message', (_name, props, message) => {
    expect(errorOf(() => kinesisOf(props))).toBe(`test/Changes: ${message}`);
  });
});

function consumerOn(props: Partial<StreamConsumerProps> = {}, stream: Partial<TableKinesisStreamProps> = {}) {
  const k = kinesisOf(stream);
  const consumer = new StreamConsumer(k.stack, 'Consumer', { table: k.changes, code: CODE, ...props });
  return { ...k, consumer };
}

describe('StreamConsumer on a Kinesis source', () => {
  test('GIVEN shared throughput WHEN synthesized THEN the mapping reads the stream and the role may do exactly the Kinesis reads Lambda documents on that stream', () => {
    const { json } = consumerOn({ startingPosition: 'AT_TIMESTAMP', startingPositionTimestamp: '2026-12-01T00:00:00Z' });
    const j = json();
    const mapping = only(j, 'aws_lambda_event_source_mapping');
    expect(mapping).toMatchObject({
      event_source_arn: ref(j, 'aws_kinesis_stream', 'Changes_Stream', 'arn'),
      starting_position: 'AT_TIMESTAMP',
      starting_position_timestamp: '2026-12-01T00:00:00Z',
    });
    expect(j.resource.aws_kinesis_stream_consumer).toBeUndefined();
    const statements = JSON.parse(only(j, 'aws_iam_role_policy').policy).Statement;
    expect(statements.filter((s: any) => /kinesis|kms|dynamodb/.test(JSON.stringify(s.Action)))).toEqual([
      {
        Sid: 'ReadKinesisStream',
        Effect: 'Allow',
        Action: [
          'kinesis:DescribeStream',
          'kinesis:DescribeStreamSummary',
          'kinesis:GetRecords',
          'kinesis:GetShardIterator',
          'kinesis:ListShards',
        ],
        Resource: ref(j, 'aws_kinesis_stream', 'Changes_Stream', 'arn'),
      },
    ]);
  });

  test('GIVEN fan-out on a stream with a customer key WHEN synthesized THEN a stream consumer is registered, the mapping reads through it, and the role may subscribe on exactly that consumer and decrypt with the key', () => {
    const { json, consumer } = consumerOn({ fanOut: { consumerName: 'orders-status' } }, { stream: { kmsKeyArn: KEY_ARN } });
    const j = json();
    expect(only(j, 'aws_kinesis_stream_consumer')).toEqual({
      name: 'orders-status',
      stream_arn: ref(j, 'aws_kinesis_stream', 'Changes_Stream', 'arn'),
    });
    const consumerArn = ref(j, 'aws_kinesis_stream_consumer', 'Consumer_FanOutConsumer', 'arn');
    expect(only(j, 'aws_lambda_event_source_mapping').event_source_arn).toBe(consumerArn);
    const bySid = Object.fromEntries(JSON.parse(only(j, 'aws_iam_role_policy').policy).Statement.map((s: any) => [s.Sid, s]));
    expect(bySid.SubscribeToShards).toEqual({
      Sid: 'SubscribeToShards',
      Effect: 'Allow',
      Action: ['kinesis:DescribeStreamConsumer', 'kinesis:SubscribeToShard'],
      Resource: consumerArn,
    });
    expect(bySid.DecryptKinesisRecords).toEqual({
      Sid: 'DecryptKinesisRecords',
      Effect: 'Allow',
      Action: 'kms:Decrypt',
      Resource: KEY_ARN,
    });
    expect(consumer.fanOutConsumerName).toBe('orders-status');
  });

  test('GIVEN fan-out: true WHEN synthesized THEN the consumer is named after the construct path', () => {
    expect(only(consumerOn({ fanOut: true }).json(), 'aws_kinesis_stream_consumer').name).toBe('test-Consumer');
  });

  const kinesisCases: [string, Partial<StreamConsumerProps>, string][] = [
    [
      'AT_TIMESTAMP without its timestamp',
      { startingPosition: 'AT_TIMESTAMP' },
      'startingPositionTimestamp must be an RFC 3339 date-time such as 2026-12-01T00:00:00Z (startingPosition AT_TIMESTAMP reads from that time) (got undefined)',
    ],
    [
      'a timestamp without AT_TIMESTAMP',
      { startingPositionTimestamp: '2026-12-01T00:00:00Z' },
      'startingPositionTimestamp must be unset (it applies only with startingPosition AT_TIMESTAMP) (got "2026-12-01T00:00:00Z")',
    ],
    [
      'a timestamp without a zone',
      { startingPosition: 'AT_TIMESTAMP', startingPositionTimestamp: '2026-12-01 00:00' },
      'startingPositionTimestamp must be an RFC 3339 date-time with a zone, such as 2026-12-01T00:00:00Z (got "2026-12-01 00:00")',
    ],
    [
      'provisioned pollers',
      { provisionedPollers: { minimumPollers: 1 } },
      'provisionedPollers must be unset (provisioned poller mode is for Amazon MSK, self-managed Kafka and SQS mappings, not a Kinesis data stream) (got {"minimumPollers":1})',
    ],
    [
      'a filter outside data',
      { filters: [{ eventName: ['INSERT'] }] },
      'filters[0] must be a pattern on data only (Kinesis event source mappings filter only on the data key; for Kinesis Data Streams for DynamoDB nest the DynamoDB record pattern under it, e.g. {"data":{"eventName":["INSERT"]}}) (got "{\\"eventName\\":[\\"INSERT\\"]}")',
    ],
    [
      'a bad consumer name',
      { fanOut: { consumerName: 'a b' } },
      'fanOut.consumerName must be 1..128 characters of [a-zA-Z0-9_.-] (got "a b")',
    ],
    ['batchSize', { batchSize: 10001 }, 'batchSize must be an integer 1..10000 (for a Kinesis data stream) (got 10001)'],
  ];
  test.each(kinesisCases)('GIVEN %s WHEN constructed THEN it fails with the exact message', (_name, props, message) => {
    expect(errorOf(() => consumerOn(props))).toBe(`test/Consumer: ${message}`);
  });

  test('GIVEN a filter on data WHEN constructed THEN it is accepted as written', () => {
    const pattern = { data: { eventName: ['INSERT'], dynamodb: { NewImage: { status: { S: ['PAID'] } } } } };
    expect(only(consumerOn({ filters: [pattern] }).json(), 'aws_lambda_event_source_mapping').filter_criteria).toEqual({
      filter: [{ pattern: JSON.stringify(pattern) }],
    });
  });

  const dynamoCases: [string, Partial<StreamConsumerProps>, string][] = [
    [
      'fan-out',
      { fanOut: true },
      'fanOut must be false or unset (enhanced fan-out is a Kinesis feature; a DynamoDB stream allows 2 readers per shard, or stream the table to Kinesis with TableKinesisStream) (got true)',
    ],
    [
      'a timestamp',
      { startingPositionTimestamp: '2026-12-01T00:00:00Z' },
      'startingPositionTimestamp must be unset (it applies only with startingPosition AT_TIMESTAMP, which DynamoDB streams do not offer) (got "2026-12-01T00:00:00Z")',
    ],
    [
      'provisioned pollers',
      { provisionedPollers: { maximumPollers: 5 } },
      'provisionedPollers must be unset (provisioned poller mode is for Amazon MSK, self-managed Kafka and SQS mappings, not a DynamoDB stream) (got {"maximumPollers":5})',
    ],
  ];
  test.each(dynamoCases)(
    'GIVEN a DynamoDB stream source and %s WHEN constructed THEN it fails with the exact message',
    (_name, props, message) => {
      const stack = newStack();
      expect(errorOf(() => new StreamConsumer(stack, 'Consumer', { table: newTable(stack), code: CODE, ...props }))).toBe(
        `test/Consumer: ${message}`,
      );
    },
  );
});

describe('reader budget per source', () => {
  const warnings = (c: TableKinesisStream) => c.node.metadata.filter((m) => m.type === '@cdktf/warn').map((m) => String(m.data));

  test('GIVEN shared readers of one Kinesis stream WHEN a third and a sixth register THEN synth warns about the read throughput, then about the GetRecords calls; fan-out readers do not count', () => {
    const { stack, changes } = kinesisOf();
    const add = (id: string, fanOut = false) => new StreamConsumer(stack, id, { table: changes, code: CODE, fanOut });
    add('A');
    add('B');
    add('F1', true);
    expect(warnings(changes)).toEqual([]);
    add('C');
    expect(warnings(changes)).toEqual([
      'The Kinesis stream "test-Changes" has 3 shared-throughput readers (test/A, test/B, test/C): they share 2 MB/s of reads per shard while DynamoDB may write up to 1 MB/s per shard, so at a high write rate they cannot all keep up (ReadProvisionedThroughputExceeded, growing iterator age). Use enhanced fan-out (fanOut: true) for latency-sensitive readers.',
    ]);
    add('D');
    add('E');
    add('G');
    expect(warnings(changes)[3]).toBe(
      'The Kinesis stream "test-Changes" has 6 shared-throughput readers (test/A, test/B, test/C, test/D, test/E, test/G): Lambda polls each shard about 1 time a second per mapping, and a shard serves 5 GetRecords calls a second for all of them, so polls will be throttled (ReadProvisionedThroughputExceeded) and every reader lags. Use enhanced fan-out (fanOut: true) for some of them.',
    );
  });

  test('GIVEN 20 fan-out consumers on one stream WHEN a 21st registers THEN synth fails with the AWS limit', () => {
    const { stack, changes } = kinesisOf();
    for (let i = 0; i < 20; i++) new StreamConsumer(stack, `F${i}`, { table: changes, code: CODE, fanOut: true });
    expect(errorOf(() => new StreamConsumer(stack, 'F20', { table: changes, code: CODE, fanOut: true }))).toBe(
      'test/Changes: the Kinesis stream "test-Changes" already has 20 enhanced fan-out consumers; test/F20 would be one more. Kinesis registers at most 20 consumers per stream (RegisterStreamConsumer fails with LimitExceededException). Read with shared throughput (fanOut: false), or fan the records out from one consumer.',
    );
    expect(changes.kinesisReaders).toHaveLength(20);
  });
});

describe('StreamPipeline on Kinesis', () => {
  test('GIVEN kinesis: true WHEN synthesized THEN the table streams to Kinesis, the consumer reads it, and the alarms watch the mapping and the stream', () => {
    const stack = newStack();
    const p = new StreamPipeline(stack, 'Orders', {
      table: { tableName: 'orders', partitionKey: { name: 'pk', type: 'S' } },
      kinesis: true,
      consumer: { code: CODE },
    });
    expect(p.table).toBe(p.kinesisStream);
    const j = JSON.parse(Testing.synth(stack));
    expect(only(j, 'aws_lambda_event_source_mapping').event_source_arn).toBe(ref(j, 'aws_kinesis_stream', 'Orders_Kinesis_Stream', 'arn'));
    const alarms = Object.values<any>(j.resource.aws_cloudwatch_metric_alarm);
    const kinesisAlarms = alarms
      .filter((a) => a.namespace === 'AWS/Kinesis')
      .map((a) => [a.metric_name, a.statistic, a.threshold, a.dimensions]);
    expect(kinesisAlarms.sort()).toEqual(
      [
        [
          'GetRecords.IteratorAgeMilliseconds',
          'Maximum',
          60000,
          { StreamName: ref(j, 'aws_kinesis_stream', 'Orders_Kinesis_Stream', 'name') },
        ],
        ['ReadProvisionedThroughputExceeded', 'Sum', 0, { StreamName: ref(j, 'aws_kinesis_stream', 'Orders_Kinesis_Stream', 'name') }],
        ['WriteProvisionedThroughputExceeded', 'Sum', 0, { StreamName: ref(j, 'aws_kinesis_stream', 'Orders_Kinesis_Stream', 'name') }],
      ].sort(),
    );
    const widgets = JSON.parse(only(j, 'aws_cloudwatch_dashboard').dashboard_body).widgets.map((w: any) => w.properties.title);
    expect(widgets).toEqual(
      expect.arrayContaining(['Mapping events', 'Mapping: records given up', 'Kinesis iterator age (ms)', 'Kinesis throughput exceeded']),
    );
  });

  test('GIVEN a fan-out consumer WHEN synthesized THEN the lag alarm watches its MillisBehindLatest, and polling-only alarms are refused as overrides', () => {
    const stack = newStack();
    const changes = new TableKinesisStream(stack, 'Changes', { table: newTable(stack) });
    new StreamPipeline(stack, 'Status', { table: changes, consumer: { code: CODE, fanOut: { consumerName: 'status' } } });
    const j = JSON.parse(Testing.synth(stack));
    const lag = Object.values<any>(j.resource.aws_cloudwatch_metric_alarm).find(
      (a) => a.metric_name === 'SubscribeToShardEvent.MillisBehindLatest',
    );
    expect(lag).toMatchObject({
      namespace: 'AWS/Kinesis',
      statistic: 'Maximum',
      threshold: 60000,
      evaluation_periods: 3,
      dimensions: { StreamName: ref(j, 'aws_kinesis_stream', 'Changes_Stream', 'name'), ConsumerName: 'status' },
    });
    expect(
      Object.values<any>(j.resource.aws_cloudwatch_metric_alarm).some((a) => a.metric_name === 'GetRecords.IteratorAgeMilliseconds'),
    ).toBe(false);
    expect(
      errorOf(
        () =>
          new StreamPipeline(stack, 'Other', {
            table: changes,
            consumer: { code: CODE, fanOut: true },
            alarms: { alarms: { kinesisIteratorAge: { threshold: 1 } } },
          }),
      ),
    ).toBe(
      'test/Other/Alarms: alarms.kinesisIteratorAge must be unset (it watches the polling (shared-throughput) readers of a Kinesis stream and kinesis is not given or names a fan-out consumer) (got {"threshold":1})',
    );
  });

  test('GIVEN kinesis with an existing source WHEN constructed THEN it fails saying only a table created here can be streamed', () => {
    const stack = newStack();
    expect(errorOf(() => new StreamPipeline(stack, 'P', { table: newTable(stack), kinesis: true, consumer: { code: CODE } }))).toBe(
      'test/P: kinesis must be unset when source is an existing source (only a table created here can be streamed to Kinesis by the pipeline; pass a TableKinesisStream as source instead) (got true)',
    );
  });
});
