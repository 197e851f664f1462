import { AwsProvider } from '@cdktf/provider-aws/lib/provider';
import { Testing } from 'cdktf';
import { StreamPipeline, StreamPipelineProps } from '../../modules/stream-pipeline';
import { StreamTable } from '../../modules/stream-table';
import { CACHE_DIR, HANDLER_ENTRY, newStack } from '../support/consumer-stack';

const TABLE = { tableName: 'orders', partitionKey: { name: 'pk', type: 'S' as const } };
const CONSUMER = { code: { entry: HANDLER_ENTRY, bundling: { cacheDir: CACHE_DIR } } };

function pipeline(overrides: Partial<StreamPipelineProps> = {}) {
  const stack = newStack();
  const p = new StreamPipeline(stack, 'Orders', { table: TABLE, consumer: CONSUMER, ...overrides });
  return { stack, p, json: JSON.parse(Testing.synth(stack)) };
}

const count = (json: any, type: string) => Object.keys(json.resource?.[type] ?? {}).length;

describe('StreamPipeline', () => {
  test('GIVEN only table and consumer props WHEN synthesized THEN table, consumer with EventCount metrics, SQS failure queue, 10 alarms, topic and dashboard exist and are wired', () => {
    const { p, json } = pipeline();
    expect(p.streamTable).toBe(p.table);
    expect(count(json, 'aws_dynamodb_table')).toBe(1);
    expect(count(json, 'aws_lambda_function')).toBe(1);
    expect(count(json, 'aws_sqs_queue')).toBe(1);
    expect(count(json, 'aws_cloudwatch_metric_alarm')).toBe(10);
    expect(count(json, 'aws_sns_topic')).toBe(1);
    expect(count(json, 'aws_cloudwatch_dashboard')).toBe(1);
    const mapping: any = Object.values(json.resource.aws_lambda_event_source_mapping)[0];
    expect(mapping.metrics_config).toEqual({ metrics: ['EventCount'] });
    const mappingId = Object.keys(json.resource.aws_lambda_event_source_mapping)[0];
    const esmAlarms = Object.values(json.resource.aws_cloudwatch_metric_alarm).filter((a: any) => a.dimensions?.EventSourceMappingUUID);
    expect(esmAlarms.map((a: any) => [a.metric_name, a.statistic, a.threshold, a.dimensions.EventSourceMappingUUID]).sort()).toEqual(
      ['DroppedEventCount', 'FailedInvokeEventCount', 'OnFailureDestinationDeliveredEventCount'].map((m) => [
        m,
        'Sum',
        0,
        `\${aws_lambda_event_source_mapping.${mappingId}.uuid}`,
      ]),
    );
    expect(mapping.destination_config.on_failure.destination_arn).toMatch(
      /^\$\{aws_sqs_queue\.Orders_FailureDestination_Queue_\w+\.arn\}$/,
    );
    const policy = JSON.parse((Object.values(json.resource.aws_iam_role_policy)[0] as any).policy);
    expect(policy.Statement).toContainEqual(
      expect.objectContaining({ Action: 'sqs:SendMessage', Resource: mapping.destination_config.on_failure.destination_arn }),
    );
    const depth: any = Object.values(json.resource.aws_cloudwatch_metric_alarm).find((a: any) => a.metric_name === 'NumberOfMessagesSent');
    expect(depth.dimensions.QueueName).toBe((Object.values(json.resource.aws_sqs_queue)[0] as any).name);
    const stalled: any = Object.values(json.resource.aws_cloudwatch_metric_alarm).find((a: any) =>
      a.alarm_name.endsWith('-consumer-stalled'),
    );
    const byId = Object.fromEntries(stalled.metric_query.map((q: any) => [q.id, q]));
    expect(byId.received.metric).toMatchObject({
      metric_name: 'PolledEventCount',
      dimensions: { EventSourceMappingUUID: `\${aws_lambda_event_source_mapping.${mappingId}.uuid}` },
    });
    expect(byId.w0.metric.dimensions.TableName).toBe(`\${aws_dynamodb_table.${Object.keys(json.resource.aws_dynamodb_table)[0]}.name}`);
  });

  test('GIVEN failureDestination and alarms set to false WHEN synthesized THEN the mapping has no destination and no alarm exists', () => {
    const { p, json } = pipeline({ failureDestination: false, alarms: false });
    expect(p.failureDestination).toBeUndefined();
    expect(p.alarms).toBeUndefined();
    expect(count(json, 'aws_sqs_queue')).toBe(0);
    expect(count(json, 'aws_cloudwatch_metric_alarm')).toBe(0);
    expect((Object.values(json.resource.aws_lambda_event_source_mapping)[0] as any).destination_config).toBeUndefined();
  });

  test('GIVEN an SNS failure destination WHEN synthesized THEN the failed-notifications alarm replaces the queue depth alarm', () => {
    const { json } = pipeline({ failureDestination: { kind: 'sns' } });
    const metrics = Object.values(json.resource.aws_cloudwatch_metric_alarm)
      .map((a: any) => a.metric_name)
      .sort();
    expect(metrics).toEqual([
      'DestinationDeliveryFailures',
      'DroppedEventCount',
      'Errors',
      'FailedInvokeEventCount',
      'IteratorAge',
      'NumberOfNotificationsFailed',
      'OnFailureDestinationDeliveredEventCount',
      'Throttles',
    ]);
  });

  test('GIVEN an existing table and a provider alias WHEN two pipelines read it THEN both use the alias and a third reader is refused', () => {
    const stack = newStack();
    const eu = new AwsProvider(stack, 'aws_eu', { region: 'eu-central-1', alias: 'eu' });
    const table = new StreamTable(stack, 'Shared', { ...TABLE, provider: eu });
    new StreamPipeline(stack, 'A', { table, consumer: CONSUMER, provider: eu });
    const b = new StreamPipeline(stack, 'B', { table, consumer: CONSUMER, provider: eu, alarms: false });
    expect(b.streamTable).toBeUndefined();
    const json = JSON.parse(Testing.synth(stack));
    for (const type of ['aws_lambda_function', 'aws_sqs_queue', 'aws_cloudwatch_metric_alarm', 'aws_lambda_event_source_mapping']) {
      for (const r of Object.values(json.resource[type]) as any[]) expect(r.provider).toBe('aws.eu');
    }
    expect(() => new StreamPipeline(stack, 'C', { table, consumer: CONSUMER, provider: eu })).toThrow(/third/i);
  });

  test('GIVEN provisioned concurrency WHEN synthesized THEN the alarms watch the alias', () => {
    const { json } = pipeline({ consumer: { ...CONSUMER, provisionedConcurrency: 2 } });
    const iteratorAge: any = Object.values(json.resource.aws_cloudwatch_metric_alarm).find((a: any) => a.metric_name === 'IteratorAge');
    expect(iteratorAge.dimensions.Resource).toMatch(/^\$\{aws_lambda_function\.\w+\.function_name\}:\$\{aws_lambda_alias\.\w+\.name\}$/);
  });
});

describe('StreamPipeline with redrive and alarms', () => {
  test('GIVEN redrive on WHEN synthesized THEN parked arrivals and age, the redrive errors and its own failure metric are alarmed with the pipeline actions', () => {
    const { p, json } = pipeline({ redrive: true });
    const alarms = Object.values(json.resource.aws_cloudwatch_metric_alarm) as any[];
    const parked = alarms.find((a) => a.alarm_name.endsWith('-parked-arrivals'));
    const parkedAge = alarms.find((a) => a.alarm_name.endsWith('-parked-age'));
    const errors = alarms.find((a) => a.alarm_name.endsWith('-redrive-errors'));
    const failures = alarms.find((a) => a.alarm_name.endsWith('-redrive-failures'));
    expect(parked).toMatchObject({
      namespace: 'AWS/SQS',
      metric_name: 'NumberOfMessagesSent',
      dimensions: { QueueName: p.redrive!.parked.queueName },
      statistic: 'Sum',
      threshold: 0,
      treat_missing_data: 'notBreaching',
    });
    expect(parkedAge).toMatchObject({
      metric_name: 'ApproximateAgeOfOldestMessage',
      dimensions: { QueueName: p.redrive!.parked.queueName },
      statistic: 'Maximum',
      threshold: 86400,
      treat_missing_data: 'ignore',
    });
    // The redrive publishes MessagesFailed in EMF with Powertools' `service` dimension set from
    // POWERTOOLS_SERVICE_NAME (test/handlers/redrive-bundle.test.ts asserts the published shape).
    const env = (Object.values(json.resource.aws_lambda_function) as any[]).find((f) => f.environment?.variables?.REDRIVE_PARKED_QUEUE_URL)
      .environment.variables;
    expect(failures).toMatchObject({
      namespace: env.POWERTOOLS_METRICS_NAMESPACE,
      metric_name: 'MessagesFailed',
      dimensions: { service: expect.stringMatching(/^\$\{aws_lambda_function\.Orders_Redrive_Function_\w+\.function_name\}$/) },
      statistic: 'Sum',
      threshold: 0,
    });
    expect(env.POWERTOOLS_SERVICE_NAME).toBe(
      (Object.values(json.resource.aws_lambda_function) as any[]).find((f) => f.environment?.variables?.REDRIVE_PARKED_QUEUE_URL)
        .function_name,
    );
    expect(errors).toMatchObject({
      namespace: 'AWS/Lambda',
      metric_name: 'Errors',
      dimensions: { FunctionName: expect.stringMatching(/^\$\{aws_lambda_function\.Orders_Redrive_Function_\w+\.function_name\}$/) },
      statistic: 'Sum',
    });
    const iteratorAge = alarms.find((a) => a.metric_name === 'IteratorAge');
    expect(parked.alarm_actions).toEqual(iteratorAge.alarm_actions);
    expect(failures.alarm_actions).toEqual(iteratorAge.alarm_actions);
  });
});
